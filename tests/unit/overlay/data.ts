// Portraits, sessions and a fake background for the overlay's tests.
import { vi } from 'vitest';
import type { OverlayClient } from '../../../extension/features/overlay/store.ts';
import type { Participants } from '../../../extension/sites/common/participants.ts';
import type { Identifier, PortraitView, SessionState } from '../../../extension/platform/messaging/schemas.ts';
import type { LookupResponse } from '../../../extension/features/overlay/schemas.ts';
import { dictionaries, t } from '../../../extension/features/overlay/texts.ts';

// The overlay's texts arrive with the page settings (features/overlay/start.tsx): deliver English as
// the background does.
t.use('en', dictionaries.en);

export const now = Date.parse('2025-11-23T12:00:00Z');
const daysAgo = (days: number) => new Date(now - days * 86_400_000).toISOString();
const minutesAgo = (minutes: number) => new Date(now - minutes * 60_000).toISOString();

export const signedIn: SessionState = { signedIn: true, email: 'sam.rep@acme-trading.com', orgId: 'org-1', orgName: 'Acme Trading', role: 'admin' };

export const email = (value: string): Identifier => ({ kind: 'email', value });

export function portrait(overrides: Partial<PortraitView> = {}): PortraitView {
  return {
    customerId: 'cus-li',
    orgId: 'org-1',
    displayName: 'Li Wei',
    kind: 'person',
    company: 'Example Ltd',
    primaryEmail: 'li.wei@example.com',
    primaryPhone: null,
    location: 'Shanghai, CN',
    owner: 'Sam Rep',
    stage: 'at_risk',
    computedStage: 'at_risk',
    stageOverride: null,
    stageReason: { code: 'no_order_beyond_at_risk_days', values: { last_order_at: daysAgo(142), threshold_days: 90 } },
    stageHistory: [
      { from: null, to: 'new', at: daysAgo(400), source: 'computed' },
      { from: 'new', to: 'active', at: daysAgo(360), source: 'computed' },
      { from: 'active', to: 'at_risk', at: daysAgo(52), source: 'computed' },
    ],
    valueTier: 'vip',
    rfmSegment: 'cant_lose',
    rfm: { r: 2, f: 5, m: 5 },
    ticketBand: 'high',
    isPartner: true,
    isValid: true,
    orderCount: 7,
    netSpend: 12_840.5,
    aov: 1_834.36,
    currency: 'EUR',
    lastOrderAt: daysAgo(142),
    tags: [
      { id: 'tag-1', name: 'wholesale', color: '#0ea5e9', source: 'manual' },
      { id: 'tag-2', name: 'EU', color: null, source: 'rule' },
    ],
    segments: [{ id: 'seg-1', name: 'Big spenders going quiet' }],
    notes: [
      { id: 'note-1', body: 'Prefers calls after 3 pm.', authorName: 'Sam Rep', createdAt: daysAgo(10) },
      { id: 'note-2', body: 'Asked for a volume discount.', authorName: 'Jordan Kim', createdAt: daysAgo(2) },
    ],
    studioUrl: 'https://supabase.com/dashboard/project/abc/editor/customers?id=cus-li',
    computedAt: minutesAgo(180),
    ...overrides,
  };
}

export function participants(values: string[], extra: Partial<Participants> = {}): Participants {
  return { identifiers: values.map(email), anchor: null, mode: 'thread', degraded: false, ...extra };
}

export interface FakeBackground extends OverlayClient {
  lookup: ReturnType<typeof vi.fn<OverlayClient['lookup']>>;
  write: ReturnType<typeof vi.fn<OverlayClient['write']>>;
  tagSuggestions: ReturnType<typeof vi.fn<OverlayClient['tagSuggestions']>>;
}

/** Answers lookups from `portraits` (by address; unknown addresses match nobody). */
export function fakeBackground(
  portraits: Record<string, PortraitView> = {},
  options: { session?: SessionState; fetchedAt?: string | null; stale?: boolean } = {},
): FakeBackground {
  return {
    lookup: vi.fn<OverlayClient['lookup']>(async (identifiers): Promise<LookupResponse> => ({
      ok: true,
      session: options.session ?? signedIn,
      results: identifiers.map((identifier) => ({ identifier, portrait: portraits[identifier.value] ?? null })),
      fetchedAt: options.fetchedAt ?? null,
      stale: options.stale ?? false,
    })),
    write: vi.fn<OverlayClient['write']>(async () => ({ ok: true, requestId: 'req-1', pending: true })),
    tagSuggestions: vi.fn<OverlayClient['tagSuggestions']>(async () => ({
      ok: true,
      tags: [
        { name: 'wholesale', color: '#0ea5e9' },
        { name: 'webinar-2025', color: null },
        { name: 'west coast', color: '#f97316' },
      ],
    })),
  };
}

export const page = { url: () => 'https://mail.google.com/mail/u/0/#inbox/FMfcg', title: () => 'Quote for 500 units' };

// The overlay's messages (the page protocol): content scripts on supported sites and Portrait's own
// pages send them. Content scripts use the types only (`import type`), so zod stays out of them.
import { z } from 'zod';
import type { CustomerTimeline, MemberRole } from '../../../shared/api.ts';
import {
  identifierSchema,
  messageLimits,
  writeOpSchema,
  type Language,
  type Locale,
  type LookupResult,
  type SessionState,
  type TagSuggestionsResponse,
  type WriteResponse,
} from '../../platform/messaging/schemas.ts';
import { placementSchema, type StoredPlacement } from '../../platform/storage/placements.ts';

export const lookupRequestSchema = z.strictObject({
  type: z.literal('portrait/lookup'),
  identifiers: z.array(identifierSchema).max(messageLimits.maxIdentifiersPerLookup),
});
export const writeRequestSchema = z.strictObject({
  type: z.literal('portrait/write'),
  write: writeOpSchema,
});
export const tagSuggestionsRequestSchema = z.strictObject({
  type: z.literal('portrait/tags'),
  prefix: z.string().max(messageLimits.maxPrefixLength),
});
export const sessionRequestSchema = z.strictObject({ type: z.literal('portrait/session') });
/** The page settings: the per-site switch, the addresses never to look up, the language. */
export const pageSettingsRequestSchema = z.strictObject({ type: z.literal('portrait/settings') });

/** Where the user left the overlay on the asking tab's site (platform/storage/placements.ts). */
export const placementRequestSchema = z.strictObject({
  type: z.literal('portrait/placement'),
  placement: placementSchema,
});

/** One page of a customer's timeline, loaded when the card opens (not on the pill's lookup). */
export const timelineRequestSchema = z.strictObject({
  type: z.literal('portrait/timeline'),
  customerId: z.guid(),
  /** The previous page's `next`; absent: the newest page. */
  before: z.strictObject({ before: z.iso.datetime({ offset: true }), beforeKey: z.string().max(100) }).nullable(),
});

/** The organization's members, for an admin's "Assign to…" in the card (loaded when it opens). */
export const membersRequestSchema = z.strictObject({ type: z.literal('portrait/members') });

export const pageRequestSchema = z.discriminatedUnion('type', [
  membersRequestSchema,
  placementRequestSchema,
  timelineRequestSchema,
  lookupRequestSchema,
  writeRequestSchema,
  tagSuggestionsRequestSchema,
  sessionRequestSchema,
  pageSettingsRequestSchema,
]);

export type LookupRequest = z.infer<typeof lookupRequestSchema>;
export type WriteRequest = z.infer<typeof writeRequestSchema>;
export type TagSuggestionsRequest = z.infer<typeof tagSuggestionsRequestSchema>;
export type SessionRequest = z.infer<typeof sessionRequestSchema>;
/** The per-site switch, the addresses never to look up, the language. */
export type PageSettingsRequest = z.infer<typeof pageSettingsRequestSchema>;
export type PlacementRequest = z.infer<typeof placementRequestSchema>;
export type PageRequest = z.infer<typeof pageRequestSchema>;
export type TimelineRequest = z.infer<typeof timelineRequestSchema>;
export type MembersRequest = z.infer<typeof membersRequestSchema>;

/** A member of the organization, as the card's "Assign to…" lists them. */
export interface MemberView {
  userId: string;
  displayName: string | null;
  email: string | null;
  role: MemberRole;
}

export interface MembersResponse {
  ok: true;
  members: MemberView[];
}

export interface TimelineResponse {
  ok: true;
  timeline: CustomerTimeline;
  /** Who asks, so the card knows whether they own the customer and may assign. */
  userId: string;
  role: MemberRole | null;
}

export interface LookupResponse {
  ok: true;
  session: SessionState;
  results: LookupResult[];
  /** When the answer came from the cache, its age; a fresh answer follows as a PortraitUpdate. */
  fetchedAt: string | null;
  stale: boolean;
}

export interface SessionResponse {
  ok: true;
  session: SessionState;
}


export interface PageSettingsResponse {
  ok: true;
  /** Whether Portrait is switched on for the site of the asking tab. */
  enabled: boolean;
  ownAddresses: string[];
  internalDomains: string[];
  language: Language;
  locale: Locale;
  messages: Record<string, string>;
  /** Where the user left the overlay on this site; null: the site's default. */
  placement: StoredPlacement | null;
}

/** The page settings as content scripts name them. */
export type SettingsResponse = PageSettingsResponse;

export interface PageResponseByType {
  'portrait/lookup': LookupResponse;
  'portrait/write': WriteResponse;
  'portrait/tags': TagSuggestionsResponse;
  'portrait/session': SessionResponse;
  'portrait/settings': PageSettingsResponse;
  'portrait/placement': { ok: true };
  'portrait/timeline': TimelineResponse;
  'portrait/members': MembersResponse;
}

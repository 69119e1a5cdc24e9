// Fakes of time and of the Supabase API for the background's unit tests.
import { lifecycleStages, type LifecycleStage } from '../../../shared/api.ts';
import type { Clock } from '../../../extension/background/clock.ts';
import { ApiFailure, noSessionCode, type PortraitBackend } from '../../../extension/background/client.ts';
import { identifierKey } from '../../../extension/background/identifiers.ts';
import type { Membership, PortraitContext, TagSuggestion } from '../../../extension/background/rpc.ts';
import type { ApplyOutcome, QueuedWrite } from '../../../extension/background/write-queue.ts';
import type { Identifier, InvitationSummary, PortraitView } from '../../../extension/platform/messaging/schemas.ts';

/** Lets pending promise callbacks run. */
export const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export interface ManualClock extends Clock {
  /** Moves time forward, running the timers that fall due, in order. */
  advance(ms: number): Promise<void>;
  /** Times (ms from now) of the timers waiting to run. */
  pendingDelays(): number[];
}

export function manualClock(start = Date.UTC(2026, 10, 23, 9, 0, 0)): ManualClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    async advance(ms) {
      const until = now + ms;
      await settle();
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
        await settle();
      }
      now = until;
      await settle();
    },
    pendingDelays: () => [...timers.values()].map((t) => t.at - now).sort((a, b) => a - b),
  };
}

export const orgA = '11111111-1111-4111-8111-111111111111';
export const orgB = '22222222-2222-4222-8222-222222222222';
export const userId = '99999999-9999-4999-8999-999999999999';

export function portraitFor(identifier: Identifier, overrides: Partial<PortraitView> = {}): PortraitView {
  return {
    customerId: '33333333-3333-4333-8333-333333333333',
    orgId: orgA,
    displayName: identifier.value,
    kind: 'person',
    company: null,
    primaryEmail: identifier.kind === 'email' ? identifier.value : null,
    primaryPhone: null,
    location: null,
    owner: null,
    stage: 'active',
    computedStage: 'active',
    stageOverride: null,
    stageReason: null,
    stageHistory: [],
    valueTier: 'normal',
    rfmSegment: null,
    rfm: null,
    ticketBand: null,
    isPartner: false,
    isValid: true,
    orderCount: 1,
    netSpend: 100,
    aov: 100,
    currency: 'USD',
    lastOrderAt: null,
    tags: [],
    segments: [],
    notes: [],
    studioUrl: null,
    computedAt: null,
    ...overrides,
  };
}

/**
 * An API with a server side: customers by identifier, writes applied at most once per request id
 * (as the SQL functions do), and switches for going offline or losing answers.
 */
export function fakeBackend(options: { apiUrl?: string; orgs?: Membership[] } = {}) {
  const customers = new Map<string, PortraitView>();
  const appliedWrites = new Map<string, QueuedWrite>();
  const applyAttempts: QueuedWrite[] = [];
  const contextCalls: Array<{ orgId: string; identifiers: Identifier[] }> = [];
  const overviewCalls: Array<{ orgId: string; from: string; to: string }> = [];
  const memberAddressCalls: string[] = [];
  /** Writes after a landed one see the customer's portrait as the API returns it. */
  const afterWrite = (write: QueuedWrite, context: PortraitContext) => {
    const found = [...customers].find(([key]) => key.startsWith(`${context.orgId}|`) && 'customerId' in write.write && customers.get(key)?.customerId === write.write.customerId);
    return found?.[1] ?? null;
  };
  const state = {
    online: true,
    /** The server applies the write, but its answer never arrives. */
    loseAnswers: false,
    signedIn: false,
    refuse: null as string | null,
    tags: [] as TagSuggestion[],
    /** What member_addresses answers: the organization's members' addresses. */
    memberAddresses: [] as string[],
    invitations: [] as Array<InvitationSummary & { answered?: boolean }>,
    joined: [] as Membership[],
    followUps: [] as Awaited<ReturnType<PortraitBackend['myFollowUps']>>,
    members: [] as Awaited<ReturnType<PortraitBackend['orgMembers']>>,
    pool: [] as Awaited<ReturnType<PortraitBackend['poolCustomers']>>,
    poolReturns: [] as Awaited<ReturnType<PortraitBackend['myPoolReturns']>>,
  };
  const poolCalls: Array<{ orgId: string; filter: unknown; limit: number }> = [];
  const poolReturnCalls: Array<{ orgId: string; withinDays: number }> = [];
  const lost = new Set<() => void>();
  const offline = () => new ApiFailure('network', 'TypeError: Failed to fetch');

  const backend: PortraitBackend = {
    apiUrl: options.apiUrl ?? 'http://127.0.0.1:54321',
    anonKey: 'anon-key-for-tests-0123456789',
    async signIn(email, password) {
      if (!state.online) throw offline();
      if (password !== 'correct horse battery') throw new ApiFailure('refused', 'Invalid login credentials', 400);
      state.signedIn = true;
      return { userId, email };
    },
    async signOut() {
      state.signedIn = false;
    },
    async currentUser() {
      return state.signedIn ? { userId, email: 'rep@lotus.test' } : null;
    },
    async accessToken() {
      if (!state.signedIn) throw new ApiFailure('signed-out', 'Not signed in', null, noSessionCode);
      return 'access-token';
    },
    async myOrgs() {
      if (!state.online) throw offline();
      return (
        options.orgs ?? [
          { id: orgA, name: 'Lotus Trading', role: 'rep', currency: 'CNY', defaultPhoneRegion: 'CN', internalDomains: ['lotus-hq.test'] },
        ]
      ).concat(state.joined);
    },
    async myInvitations() {
      if (!state.online) throw offline();
      return state.invitations.filter((invitation) => !invitation.answered).map(({ answered: _answered, ...invitation }) => invitation);
    },
    async answerInvitation(invitationId, accept) {
      if (!state.online) throw offline();
      const invitation = state.invitations.find((candidate) => candidate.id === invitationId && !candidate.answered);
      if (!invitation) throw new ApiFailure('refused', 'The invitation is not open', 400);
      invitation.answered = true;
      if (accept) state.joined.push({ id: invitation.orgId, name: invitation.orgName, role: invitation.role, currency: 'CNY', defaultPhoneRegion: 'CN', internalDomains: [] });
    },
    async customerContext(identifiers, context) {
      const orgId = context.orgId;
      contextCalls.push({ orgId, identifiers: [...identifiers] });
      if (!state.online) throw offline();
      return new Map(identifiers.map((id) => [identifierKey(id), customers.get(`${orgId}|${identifierKey(id)}`) ?? null]));
    },
    async memberAddresses(orgId) {
      memberAddressCalls.push(orgId);
      if (!state.online) throw offline();
      return state.memberAddresses;
    },
    async listTags() {
      if (!state.online) throw offline();
      return state.tags;
    },
    async stageOverview(orgId, from, to) {
      overviewCalls.push({ orgId, from, to });
      if (!state.online) throw offline();
      const series = Object.fromEntries(lifecycleStages.map((stage) => [stage, [stage.length]])) as Record<LifecycleStage, number[]>;
      return {
        org_id: orgId,
        from,
        to,
        currency: 'CNY',
        stages: [...lifecycleStages],
        days: [to],
        customers_by_stage: series,
        net_revenue_by_stage: series,
        segments: { day: to, items: [] },
        moves: [],
        month_moves: { from: `${to.slice(0, 8)}01`, to, items: [] },
      };
    },
    async searchCustomers(orgId, query, limit) {
      if (!state.online) throw offline();
      // By name words, as search_customers does: each word of the query starts a word of the name.
      const words = query.toLowerCase().split(/\s+/).filter(Boolean);
      const seen = new Set<string>();
      const matches = [];
      for (const [key, portrait] of customers) {
        if (!key.startsWith(`${orgId}|`) || seen.has(portrait.customerId)) continue;
        const nameWords = portrait.displayName.toLowerCase().split(/\s+/);
        if (!words.every((word) => nameWords.some((name) => name.startsWith(word)))) continue;
        seen.add(portrait.customerId);
        matches.push({
          customerId: portrait.customerId,
          displayName: portrait.displayName,
          email: portrait.primaryEmail,
          phone: portrait.primaryPhone,
          stage: portrait.stage,
        });
      }
      return matches.slice(0, limit);
    },
    async customerTimeline(_orgId, customerId) {
      if (!state.online) throw offline();
      return { customer_id: customerId, items: [], next: null, open_follow_ups: [] };
    },
    async myFollowUps() {
      if (!state.online) throw offline();
      return state.followUps;
    },
    async orgMembers() {
      if (!state.online) throw offline();
      return state.members;
    },
    async poolCustomers(orgId, filter, limit) {
      poolCalls.push({ orgId, filter, limit });
      if (!state.online) throw offline();
      return state.pool.slice(0, limit);
    },
    async myPoolReturns(orgId, withinDays) {
      poolReturnCalls.push({ orgId, withinDays });
      if (!state.online) throw offline();
      return state.poolReturns;
    },
    async applyWrite(write, context): Promise<ApplyOutcome> {
      applyAttempts.push(structuredClone(write));
      if (!state.online) return { ok: false, retry: true, message: 'TypeError: Failed to fetch' };
      if (state.refuse) return { ok: false, retry: false, message: state.refuse };
      if (!appliedWrites.has(write.requestId)) appliedWrites.set(write.requestId, structuredClone(write));
      if (state.loseAnswers) return { ok: false, retry: true, message: 'TypeError: network error' };
      const customerId = 'customerId' in write.write ? write.write.customerId : '44444444-4444-4444-8444-444444444444';
      return { ok: true, customerId, portrait: afterWrite(write, context) };
    },
    onSessionLost(listener) {
      lost.add(listener);
    },
  };

  return {
    backend,
    state,
    customers,
    appliedWrites,
    applyAttempts,
    contextCalls,
    overviewCalls,
    memberAddressCalls,
    poolCalls,
    poolReturnCalls,
    addCustomer(orgId: string, identifier: Identifier, portrait: PortraitView = portraitFor(identifier)) {
      customers.set(`${orgId}|${identifierKey(identifier)}`, portrait);
      return portrait;
    },
    loseSession() {
      state.signedIn = false;
      for (const listener of lost) listener();
    },
  };
}

export type FakeBackend = ReturnType<typeof fakeBackend>;

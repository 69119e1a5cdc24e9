// Lookups and writes as the pages see them: answers from the cache at once (marked stale while a
// refresh runs), one batched API call for what is missing, queued writes shown as pending, and
// `portrait/updated` pushed to the tabs that show a portrait whenever it changes.
import type { Identifier, LookupResult, PageErrorResponse, PortraitView, TagSuggestionsResponse, WriteOp, WriteResponse } from '../platform/messaging/schemas.ts';
import type { LookupResponse } from '../features/overlay/schemas.ts';
import { ApiFailure } from './client.ts';
import { systemClock, type Clock } from './clock.ts';
import { identifierKey, lookupCandidates, normalizeForLookup, type LookupRules } from './identifiers.ts';
import type { LookupBatcher } from './lookup-batcher.ts';
import { withPendingWrites, writeConcerns } from './optimistic.ts';
import type { PortraitCache } from './portrait-cache.ts';
import type { TagSuggestion } from './rpc.ts';
import type { SessionManager } from './session.ts';
import type { SettingsStore } from './settings.ts';
import type { PushToTab, TabRegistry } from './tabs.ts';
import type { QueuedWrite, WriteQueue, WriteSettlement } from './write-queue.ts';
import type { FollowUpStore } from './follow-ups.ts';

export interface PortraitServiceOptions {
  session: SessionManager;
  settings: SettingsStore;
  cache: PortraitCache;
  batcher: LookupBatcher;
  queue: WriteQueue;
  tabs: TabRegistry;
  push: PushToTab;
  clock?: Clock;
  /** How long a write request waits for its first attempt before answering `pending`. */
  writeAnswerMs?: number;
  /** How long the organization's tag list is reused for suggestions. */
  tagListMs?: number;
  /** The user's open follow-ups: a portrait shows its customer's earliest one (the pill marks it overdue). */
  followUps?: FollowUpStore;
}

export interface PortraitService {
  lookup(identifiers: readonly Identifier[], tabId: number | null): Promise<LookupResponse | PageErrorResponse>;
  /**
   * Queues a write in the active organization, or in `orgId` (the Overview page's pool, whose
   * organization the page chose; the caller checked the membership).
   */
  write(write: WriteOp, tabId: number | null, orgId?: string): Promise<WriteResponse | PageErrorResponse>;
  tagSuggestions(prefix: string): Promise<TagSuggestionsResponse | PageErrorResponse>;
  /** Hooked to the write queue: refreshes and pushes what a landed or dropped write changed. */
  writeSettled(write: QueuedWrite, settlement: WriteSettlement): Promise<void>;
  /** Forgets cached portraits and tags (sign-out, another organization, another API). */
  reset(): void;
}

const maxSuggestions = 20;

function failureMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createPortraitService(options: PortraitServiceOptions): PortraitService {
  const { session, settings, cache, batcher, queue, tabs, push } = options;
  const clock = options.clock ?? systemClock;
  const writeAnswerMs = options.writeAnswerMs ?? 3_000;
  const tagListMs = options.tagListMs ?? 5 * 60_000;
  const tagLists = new Map<string, { tags: TagSuggestion[]; at: number }>();
  /** The active organization's members' addresses, read once per user and organization. */
  let members: { key: string; addresses: readonly string[] } | null = null;
  const followUps = options.followUps;
  const followUpsMaxAgeMs = 5 * 60_000;

  /** The portrait a page shows: queued writes applied, and the user's next follow-up of the customer. */
  function present(identifier: Identifier, portrait: PortraitView | null, writes: readonly QueuedWrite[]): PortraitView | null {
    const withFollowUp =
      portrait && followUps && portrait.followUp === undefined
        ? { ...portrait, followUp: followUps.forCustomer(portrait.orgId, portrait.customerId) }
        : portrait;
    return withPendingWrites(identifier, withFollowUp, writes);
  }

  /** Reads the follow-ups again when they are old, then shows the tabs what changed. */
  async function refreshFollowUps(orgId: string, force = false): Promise<void> {
    if (!followUps || (!force && !followUps.stale(orgId, followUpsMaxAgeMs))) return;
    try {
      await followUps.refresh(orgId);
      await pushPortraits(orgId, tabs.watched(orgId));
    } catch (error) {
      await session.noticeFailure(error);
    }
  }

  /**
   * The organization's members' addresses (the user's colleagues are never customers), kept in
   * memory until the user or the organization changes. A failed read leaves them out this time and
   * is tried again on the next lookup.
   */
  async function memberAddresses(orgId: string, email: string): Promise<readonly string[]> {
    const key = `${email.toLowerCase()}|${orgId}`;
    if (members?.key === key) return members.addresses;
    try {
      const addresses = (await (await session.backend()).memberAddresses(orgId)).map((address) => address.toLowerCase());
      members = { key, addresses };
      return addresses;
    } catch {
      return [];
    }
  }

  /** How identifiers are read and which are never looked up, for the user in this organization. */
  async function lookupRules(orgId: string, email: string): Promise<LookupRules> {
    const [current, membership, colleagues] = await Promise.all([settings.load(), session.membership(orgId), memberAddresses(orgId, email)]);
    return {
      phoneRegion: membership?.defaultPhoneRegion ?? null,
      ownAddresses: [...current.ownAddresses, email.toLowerCase(), ...colleagues],
      internalDomains: [...current.internalDomains, ...(membership?.internalDomains ?? [])],
    };
  }

  async function pendingWrites(orgId: string): Promise<QueuedWrite[]> {
    return (await queue.writes()).filter((write) => write.orgId === orgId);
  }

  /** Asks the API (batched with other tabs' lookups) and caches the answers. */
  async function fetchFresh(orgId: string, identifiers: readonly Identifier[]): Promise<Map<string, PortraitView | null>> {
    const found = await batcher.load(orgId, identifiers);
    const fetchedAt = clock.now();
    for (const identifier of identifiers) {
      cache.set(orgId, identifier, found.get(identifierKey(identifier)) ?? null, fetchedAt);
    }
    return found;
  }

  /** Sends each watching tab the current portraits of the identifiers it shows. */
  async function pushPortraits(orgId: string, identifiers: readonly Identifier[]): Promise<void> {
    if (identifiers.length === 0) return;
    const writes = await pendingWrites(orgId);
    const perTab = new Map<number, LookupResult[]>();
    for (const identifier of identifiers) {
      const watching = tabs.watching(orgId, identifier);
      if (watching.length === 0) continue;
      const cached = cache.get(orgId, identifier)?.entry.portrait ?? null;
      const portrait = present(identifier, cached, writes);
      for (const { tabId, asked } of watching) {
        let list = perTab.get(tabId);
        if (!list) perTab.set(tabId, (list = []));
        list.push({ identifier: asked, portrait });
      }
    }
    await Promise.all(
      [...perTab].map(([tabId, results]) =>
        push(tabId, { type: 'portrait/updated', results }).catch(() => tabs.forget(tabId)),
      ),
    );
  }

  async function revalidate(orgId: string, identifiers: readonly Identifier[]): Promise<void> {
    try {
      await fetchFresh(orgId, identifiers);
      await pushPortraits(orgId, identifiers);
    } catch (error) {
      await session.noticeFailure(error);
    }
  }

  /** An identifier of the customer (any of these ids), from the cache or from queued writes. */
  async function identifierOf(orgId: string, customerIds: readonly string[]): Promise<Identifier | null> {
    for (const customerId of customerIds) {
      const [cached] = cache.identifiersOf(orgId, customerId);
      if (cached) return cached;
    }
    const queued = (await pendingWrites(orgId)).find(
      (w) => w.placeholderCustomerId !== null && customerIds.includes(w.placeholderCustomerId),
    );
    return queued?.target ?? null;
  }

  /** Identifiers on some page whose portrait (pending writes included) the write changes. */
  async function affectedBy(write: QueuedWrite): Promise<Identifier[]> {
    const writes = await pendingWrites(write.orgId);
    const affected = tabs.watched(write.orgId).filter((identifier) => {
      const cached = cache.get(write.orgId, identifier)?.entry.portrait ?? null;
      return writeConcerns(write, identifier, present(identifier, cached, writes));
    });
    if ((write.write.op === 'tag' || write.write.op === 'lead') && affected.length === 0) {
      affected.push(write.write.identifier);
    }
    return affected;
  }

  return {
    async lookup(identifiers, tabId) {
      const state = await session.state();
      const empty = { ok: true as const, session: state, results: [], fetchedAt: null, stale: false };
      const account = await session.account();
      if (!state.signedIn || !state.orgId || !account) return empty;
      const orgId = state.orgId;

      const candidates = lookupCandidates(identifiers, await lookupRules(orgId, account.email));
      if (candidates.length === 0) return empty;
      if (tabId !== null) tabs.watch(tabId, orgId, candidates.map(({ normalized, requested }) => ({ normalized, asked: requested })));
      const writes = await pendingWrites(orgId);
      void refreshFollowUps(orgId);
      // Answers name each identifier as the page asked for it; everything else uses the stored form.
      const hits = candidates.map(({ normalized: identifier, requested }) => ({
        identifier,
        requested,
        hit: cache.get(orgId, identifier),
      }));
      const missing = hits.filter((h) => !h.hit).map((h) => h.identifier);
      const stale = hits.filter((h) => h.hit && !h.hit.fresh).map((h) => h.identifier);

      if (missing.length === 0) {
        if (stale.length > 0) void revalidate(orgId, stale);
        const oldest = Math.min(...hits.map((h) => h.hit!.entry.fetchedAt));
        return {
          ok: true,
          session: state,
          results: hits.map(({ identifier, requested, hit }) => ({
            identifier: requested,
            portrait: present(identifier, hit!.entry.portrait, writes),
          })),
          fetchedAt: new Date(oldest).toISOString(),
          stale: stale.length > 0,
        };
      }

      let fetched: Map<string, PortraitView | null>;
      try {
        fetched = await fetchFresh(orgId, [...missing, ...stale]);
      } catch (error) {
        await session.noticeFailure(error);
        const after = await session.state();
        if (!after.signedIn) return { ...empty, session: after };
        return {
          ok: false,
          error: 'failed',
          message: error instanceof ApiFailure && error.kind === 'network' ? 'The API cannot be reached' : failureMessage(error),
        };
      }
      let oldest = clock.now();
      const results = hits.map(({ identifier, requested, hit }) => {
        const key = identifierKey(identifier);
        if (!fetched.has(key) && hit) oldest = Math.min(oldest, hit.entry.fetchedAt);
        const portrait = fetched.has(key) ? (fetched.get(key) ?? null) : (hit?.entry.portrait ?? null);
        return { identifier: requested, portrait: present(identifier, portrait, writes) };
      });
      return { ok: true, session: state, results, fetchedAt: new Date(oldest).toISOString(), stale: false };
    },

    async write(write, tabId, inOrg) {
      const state = await session.state();
      const account = await session.account();
      if (!state.signedIn || !account) return { ok: false, error: 'signed-out' };
      const orgId = inOrg ?? state.orgId;
      if (!orgId) return { ok: false, error: 'forbidden', message: 'No organization is selected' };
      let target: Identifier | null = null;
      if (write.op === 'tag' || write.op === 'lead') {
        const membership = await session.membership(orgId);
        const identifier = normalizeForLookup(write.identifier, membership?.defaultPhoneRegion ?? null);
        if (!identifier) return { ok: false, error: 'invalid-message', message: 'Not a valid identifier' };
        if (tabId !== null) tabs.watch(tabId, orgId, [{ normalized: identifier, asked: write.identifier }]);
        write = { ...write, identifier };
      } else {
        const asked = write.customerId;
        write = { ...write, customerId: await queue.resolveCustomerId(asked) };
        // untag_customer finds the customer by an identifier: take one the pages have shown.
        target = await identifierOf(orgId, [asked, write.customerId]);
        if ((write.op === 'untag' || write.op === 'follow_up' || write.op === 'visit') && !target) {
          return { ok: false, error: 'invalid-message', message: 'Look the customer up before changing them' };
        }
      }

      const queued = await queue.enqueue(write, { orgId, userId: account.userId, target });
      const answer = queue.settled(queued.requestId, writeAnswerMs);
      await pushPortraits(queued.orgId, await affectedBy(queued));
      void queue.drain();
      const settlement = await answer;
      if (settlement.status === 'failed') return { ok: false, error: 'failed', message: settlement.message };
      return { ok: true, requestId: queued.requestId, pending: settlement.status === 'pending' };
    },

    async tagSuggestions(prefix) {
      const state = await session.state();
      if (!state.signedIn) return { ok: false, error: 'signed-out' };
      if (!state.orgId) return { ok: true, tags: [] };
      let list = tagLists.get(state.orgId);
      if (!list || clock.now() - list.at > tagListMs) {
        try {
          list = { tags: await (await session.backend()).listTags(state.orgId), at: clock.now() };
          tagLists.set(state.orgId, list);
        } catch (error) {
          await session.noticeFailure(error);
          if (!list) return { ok: false, error: 'failed', message: failureMessage(error) };
        }
      }
      const needle = prefix.trim().toLocaleLowerCase();
      const starts = list.tags.filter((tag) => tag.name.toLocaleLowerCase().startsWith(needle));
      const contains = list.tags.filter(
        (tag) => !tag.name.toLocaleLowerCase().startsWith(needle) && tag.name.toLocaleLowerCase().includes(needle),
      );
      return { ok: true, tags: [...starts, ...contains].slice(0, maxSuggestions) };
    },

    async writeSettled(write, settlement) {
      const affected = await affectedBy(write);
      if (settlement.status === 'landed') {
        if (write.write.op === 'tag' || write.write.op === 'lead') tagLists.delete(write.orgId);
        if (write.write.op === 'follow_up' || write.write.op === 'complete_follow_up') await refreshFollowUps(write.orgId, true);
        const portrait = settlement.portrait;
        if (portrait) {
          // The API answered with the customer's portrait after the write: no need to ask again.
          for (const identifier of affected) cache.set(write.orgId, identifier, portrait);
        } else {
          try {
            await fetchFresh(write.orgId, affected);
          } catch (error) {
            await session.noticeFailure(error);
          }
        }
      }
      await pushPortraits(write.orgId, affected);
    },

    reset() {
      followUps?.clear();
      cache.clear();
      tabs.clearWatches();
      tagLists.clear();
    },
  };
}

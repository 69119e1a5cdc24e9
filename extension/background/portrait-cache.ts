// Portraits the background has fetched, per organization and identifier. Fresh entries answer
// lookups on their own; older ones answer at once marked stale while a refresh runs
// (stale-while-revalidate); entries past their maximum age are not used at all.
//
// The cache is kept in `storage.session` (memory only, never written to disk, not readable by
// content scripts) so that it survives the service worker being stopped between page views.
import type { Identifier, PortraitView } from '../platform/messaging/schemas.ts';
import { systemClock, type Clock } from './clock.ts';
import { identifierKey } from './identifiers.ts';
import type { KeyValueArea } from '../platform/storage/storage.ts';

export interface CacheEntry {
  orgId: string;
  identifier: Identifier;
  portrait: PortraitView | null;
  fetchedAt: number;
}

export interface CacheHit {
  entry: CacheEntry;
  fresh: boolean;
}

export interface PortraitCacheOptions {
  clock?: Clock;
  /** Younger entries are answered without asking the API again. */
  freshMs?: number;
  /** Older entries are dropped. */
  maxAgeMs?: number;
  maxEntries?: number;
  /** Where the cache survives a service-worker restart; none keeps it in memory only. */
  area?: KeyValueArea;
  /** How long writes to `area` are gathered before being stored. */
  persistDelayMs?: number;
}

export const cacheStorageKey = 'portrait:cache';

export interface PortraitCache {
  /** Loads what a previous service worker stored; call once before the first lookup. */
  restore(): Promise<void>;
  get(orgId: string, identifier: Identifier): CacheHit | undefined;
  set(orgId: string, identifier: Identifier, portrait: PortraitView | null, fetchedAt?: number): void;
  /** Cached identifiers whose portrait is this customer. */
  identifiersOf(orgId: string, customerId: string): Identifier[];
  /** Forgets everything (sign-out, another organization, another API). */
  clear(): void;
  size(): number;
}

export function createPortraitCache(options: PortraitCacheOptions = {}): PortraitCache {
  const clock = options.clock ?? systemClock;
  const freshMs = options.freshMs ?? 60_000;
  const maxAgeMs = options.maxAgeMs ?? 12 * 60 * 60_000;
  const maxEntries = options.maxEntries ?? 300;
  const persistDelayMs = options.persistDelayMs ?? 250;
  // Map order is recency order: the first entry is the least recently used.
  const entries = new Map<string, CacheEntry>();
  let persistTimer: unknown = null;

  const entryKey = (orgId: string, identifier: Identifier) =>
    `${orgId}\u0000${identifierKey(identifier)}`;

  function schedulePersist(): void {
    if (!options.area || persistTimer !== null) return;
    persistTimer = clock.setTimeout(() => {
      persistTimer = null;
      options.area?.set(cacheStorageKey, [...entries.values()]).catch((error: unknown) => {
        console.warn('Portrait: could not keep the portrait cache', error);
      });
    }, persistDelayMs);
  }

  return {
    async restore() {
      const stored = await options.area?.get<CacheEntry[]>(cacheStorageKey);
      if (!Array.isArray(stored)) return;
      const now = clock.now();
      for (const entry of stored) {
        if (now - entry.fetchedAt > maxAgeMs) continue;
        const key = entryKey(entry.orgId, entry.identifier);
        if (!entries.has(key)) entries.set(key, entry);
      }
    },

    get(orgId, identifier) {
      const key = entryKey(orgId, identifier);
      const entry = entries.get(key);
      if (!entry) return undefined;
      const age = clock.now() - entry.fetchedAt;
      if (age > maxAgeMs) {
        entries.delete(key);
        schedulePersist();
        return undefined;
      }
      entries.delete(key);
      entries.set(key, entry);
      return { entry, fresh: age <= freshMs };
    },

    set(orgId, identifier, portrait, fetchedAt = clock.now()) {
      const key = entryKey(orgId, identifier);
      entries.delete(key);
      entries.set(key, { orgId, identifier, portrait, fetchedAt });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
      schedulePersist();
    },

    identifiersOf(orgId, customerId) {
      const found: Identifier[] = [];
      for (const entry of entries.values()) {
        if (entry.orgId === orgId && entry.portrait?.customerId === customerId) found.push(entry.identifier);
      }
      return found;
    },

    clear() {
      entries.clear();
      if (persistTimer !== null) clock.clearTimeout(persistTimer);
      persistTimer = null;
      options.area?.remove(cacheStorageKey).catch(() => undefined);
    },

    size: () => entries.size,
  };
}

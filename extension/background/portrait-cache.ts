// Portraits the background has fetched, per organization and identifier. Fresh entries answer
// lookups on their own; older ones answer at once marked stale while a refresh runs
// (stale-while-revalidate); entries past their maximum age are not used at all.
//
// The cache is kept in `storage.session` (memory only, never written to disk, not readable by
// content scripts) so that it survives the service worker being stopped between page views. A
// restarted worker reads it before answering its first message; only each entry's frame (org,
// identifier, time) is checked then, and a portrait is checked against its shape when a lookup
// first uses it: the first page after a restart does not wait for every cached portrait (up to
// `maxEntries`) to be checked. One that does not match is dropped (logged) and fetched again.
import { z } from 'zod';
import {
  customerKinds,
  lifecycleStages,
  stageChangeSources,
  tagSources,
  ticketBands,
  valueTiers,
} from '../../shared/enums.ts';
import { identifierSchema, type Identifier, type PortraitView } from '../platform/messaging/schemas.ts';
import { systemClock, type Clock } from './clock.ts';
import { identifierKey } from './identifiers.ts';
import { defineStorageItem } from '../platform/storage/item.ts';
import type { KeyValueArea } from '../platform/storage/storage.ts';

// The view as the background built it (rpc.ts, from an answer checked by shared/api.ts). Loose
// objects: a field this list does not name is kept, not stripped. Typed as PortraitView without a
// cast: the build fails when PortraitView gains a required field this schema does not check.
const stage = z.enum(lifecycleStages);
const reasonSchema = z.looseObject({ code: z.string(), values: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).optional() });
const portraitViewSchema: z.ZodType<PortraitView> = z.looseObject({
  customerId: z.string(),
  orgId: z.string(),
  displayName: z.string(),
  kind: z.enum(customerKinds),
  company: z.string().nullable(),
  primaryEmail: z.string().nullable(),
  primaryPhone: z.string().nullable(),
  location: z.string().nullable(),
  owner: z.string().nullable(),
  stage,
  computedStage: stage,
  stageOverride: stage.nullable(),
  stageReason: reasonSchema.nullable(),
  stageHistory: z.array(z.looseObject({ from: stage.nullable(), to: stage, at: z.string(), source: z.enum(stageChangeSources) })),
  valueTier: z.enum(valueTiers),
  rfmSegment: z.string().nullable(),
  rfm: z.looseObject({ r: z.number(), f: z.number(), m: z.number() }).nullable(),
  ticketBand: z.enum(ticketBands).nullable(),
  isPartner: z.boolean(),
  isValid: z.boolean(),
  orderCount: z.number(),
  netSpend: z.number(),
  aov: z.number().nullable(),
  currency: z.string(),
  lastOrderAt: z.string().nullable(),
  openOrders: z.array(z.looseObject({ total: z.number(), currency: z.string(), at: z.string() })).optional(),
  openOrderCount: z.number().optional(),
  satisfaction: z.looseObject({ last: z.number(), max: z.number(), average: z.number(), at: z.string() }).nullable().optional(),
  tags: z.array(
    z.looseObject({ id: z.string(), name: z.string(), color: z.string().nullable(), source: z.enum(tagSources), pending: z.boolean().optional() }),
  ),
  segments: z.array(z.looseObject({ id: z.string(), name: z.string() })),
  notes: z.array(
    z.looseObject({ id: z.string(), body: z.string(), authorName: z.string().nullable(), createdAt: z.string(), pending: z.boolean().optional() }),
  ),
  studioUrl: z.string().nullable(),
  computedAt: z.string().nullable(),
});
const cachedPortraitSchema = portraitViewSchema.nullable();
const cacheEntrySchema = z.object({
  orgId: z.string(),
  identifier: identifierSchema,
  portrait: cachedPortraitSchema,
  fetchedAt: z.number(),
});
export type CacheEntry = z.infer<typeof cacheEntrySchema>;

/** An entry as stored: its portrait is checked when it is first used (see above). */
const storedEntrySchema = cacheEntrySchema.extend({ portrait: z.unknown() });
type StoredEntry = z.infer<typeof storedEntrySchema>;

/**
 * The cache in `storage.session`; a value whose frame does not match is dropped (logged) and
 * refetched, and so is an entry whose portrait does not match, when it is used.
 */
export const portraitCacheItem = defineStorageItem<StoredEntry[]>('session:portrait:cache', {
  schema: z.array(storedEntrySchema),
  fallback: [],
  unreadable: 'drop',
});

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

export const cacheStorageKey = portraitCacheItem.storageKey;

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
  /** Keys of entries restored from storage whose portrait has not been checked yet. */
  const unchecked = new Set<string>();
  const stored = options.area ? portraitCacheItem.in(options.area) : null;
  let persistTimer: unknown = null;

  const entryKey = (orgId: string, identifier: Identifier) =>
    `${orgId}\u0000${identifierKey(identifier)}`;

  function schedulePersist(): void {
    if (!options.area || persistTimer !== null) return;
    persistTimer = clock.setTimeout(() => {
      persistTimer = null;
      stored?.setValue([...entries.values()]).catch((error: unknown) => {
        console.warn('Portrait: could not keep the portrait cache', error);
      });
    }, persistDelayMs);
  }

  /** Checks a restored entry's portrait on first use; false (and the entry dropped) if it does not match. */
  function checked(key: string, entry: CacheEntry): boolean {
    if (!unchecked.delete(key)) return true;
    const parsed = cachedPortraitSchema.safeParse(entry.portrait);
    if (parsed.success) {
      entry.portrait = parsed.data;
      return true;
    }
    console.warn(`Portrait: a cached portrait does not match its shape; dropped and fetched again: ${parsed.error.issues[0]?.path.join('.')}`);
    entries.delete(key);
    schedulePersist();
    return false;
  }

  return {
    async restore() {
      if (!stored) return;
      const now = clock.now();
      for (const entry of await stored.getValue()) {
        if (now - entry.fetchedAt > maxAgeMs) continue;
        const key = entryKey(entry.orgId, entry.identifier);
        if (entries.has(key)) continue;
        // Checked on first use (`checked`), not here.
        entries.set(key, entry as CacheEntry);
        unchecked.add(key);
      }
    },

    get(orgId, identifier) {
      const key = entryKey(orgId, identifier);
      const entry = entries.get(key);
      if (!entry) return undefined;
      const age = clock.now() - entry.fetchedAt;
      if (age > maxAgeMs) {
        entries.delete(key);
        unchecked.delete(key);
        schedulePersist();
        return undefined;
      }
      if (!checked(key, entry)) return undefined;
      entries.delete(key);
      entries.set(key, entry);
      return { entry, fresh: age <= freshMs };
    },

    set(orgId, identifier, portrait, fetchedAt = clock.now()) {
      const key = entryKey(orgId, identifier);
      entries.delete(key);
      unchecked.delete(key);
      entries.set(key, { orgId, identifier, portrait, fetchedAt });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
        unchecked.delete(oldest);
      }
      schedulePersist();
    },

    identifiersOf(orgId, customerId) {
      const found: Identifier[] = [];
      for (const [key, entry] of entries) {
        if (entry.orgId !== orgId || (entry.portrait as { customerId?: unknown } | null)?.customerId !== customerId) continue;
        if (checked(key, entry)) found.push(entry.identifier);
      }
      return found;
    },

    clear() {
      entries.clear();
      unchecked.clear();
      if (persistTimer !== null) clock.clearTimeout(persistTimer);
      persistTimer = null;
      stored?.removeValue().catch(() => undefined);
    },

    size: () => entries.size,
  };
}

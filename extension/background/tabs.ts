// Which tabs asked about which identifiers, so that fresher portraits and landed writes reach the
// pages that show them, and session changes reach every page that talks to Portrait. Kept in
// `storage.session` so that a restarted service worker still knows where to send updates.
import { z } from 'zod';
import { identifierSchema, type BackgroundPush, type Identifier } from '../platform/messaging/schemas.ts';
import { systemClock, type Clock } from './clock.ts';
import { identifierKey } from './identifiers.ts';
import { defineStorageItem } from '../platform/storage/item.ts';
import type { KeyValueArea } from '../platform/storage/storage.ts';

export type PushToTab = (tabId: number, message: BackgroundPush | { type: string }) => Promise<void>;

const watchedSchema = z.object({ normalized: identifierSchema, asked: identifierSchema });

/** `[tabId, [key, identifier][]][]` in `storage.session`, unreadable, dropped (logged). */
export const tabsItem = defineStorageItem<Array<[number, Array<[string, Watched]>]>>('session:portrait:tabs', {
  schema: z.array(z.tuple([z.number().int(), z.array(z.tuple([z.string(), watchedSchema]))])),
  fallback: [],
  unreadable: 'drop',
});
/** Identifiers remembered per tab; a long-open mailbox sees many people. */
const maxKeysPerTab = 200;

/** An identifier as the API stores it, and as the tab asked for it (answers use the tab's form). */
export interface Watched {
  normalized: Identifier;
  asked: Identifier;
}

export interface TabRegistry {
  restore(): Promise<void>;
  /** The tab talks to Portrait (it gets session changes). */
  seen(tabId: number): void;
  /** The tab shows these identifiers of this organization. */
  watch(tabId: number, orgId: string, identifiers: readonly Watched[]): void;
  /** Tabs that show the identifier, each with the form it asked for. */
  watching(orgId: string, identifier: Identifier): Array<{ tabId: number; asked: Identifier }>;
  /** Every identifier some tab shows, per organization. */
  watched(orgId: string): Identifier[];
  forget(tabId: number): void;
  all(): number[];
  /** Forgets what tabs show (sign-out, another organization); keeps the tabs. */
  clearWatches(): void;
}

interface TabEntry {
  /** `${orgId}\0${identifierKey(normalized)}` → the identifier */
  keys: Map<string, Watched>;
}

export function createTabRegistry(options: { area?: KeyValueArea; clock?: Clock } = {}): TabRegistry {
  const clock = options.clock ?? systemClock;
  const tabs = new Map<number, TabEntry>();
  const stored = options.area ? tabsItem.in(options.area) : null;
  let persistTimer: unknown = null;
  const key = (orgId: string, identifier: Identifier) => `${orgId}\u0000${identifierKey(identifier)}`;

  function persist(): void {
    if (!options.area || persistTimer !== null) return;
    persistTimer = clock.setTimeout(() => {
      persistTimer = null;
      stored?.setValue([...tabs].map(([tabId, entry]) => [tabId, [...entry.keys]])).catch(() => undefined);
    }, 100);
  }

  function entry(tabId: number): TabEntry {
    let found = tabs.get(tabId);
    if (!found) tabs.set(tabId, (found = { keys: new Map() }));
    return found;
  }

  return {
    async restore() {
      if (!stored) return;
      for (const [tabId, keys] of await stored.getValue()) {
        const tab = entry(tabId);
        for (const [k, identifier] of keys) tab.keys.set(k, identifier);
      }
    },
    seen(tabId) {
      if (!tabs.has(tabId)) {
        entry(tabId);
        persist();
      }
    },
    watch(tabId, orgId, identifiers) {
      const tab = entry(tabId);
      for (const watched of identifiers) {
        const k = key(orgId, watched.normalized);
        tab.keys.delete(k);
        tab.keys.set(k, watched);
      }
      while (tab.keys.size > maxKeysPerTab) {
        const oldest = tab.keys.keys().next().value;
        if (oldest === undefined) break;
        tab.keys.delete(oldest);
      }
      persist();
    },
    watching(orgId, identifier) {
      const k = key(orgId, identifier);
      const found: Array<{ tabId: number; asked: Identifier }> = [];
      for (const [tabId, tab] of tabs) {
        const watched = tab.keys.get(k);
        if (watched) found.push({ tabId, asked: watched.asked });
      }
      return found;
    },
    watched(orgId) {
      const found = new Map<string, Identifier>();
      const prefix = `${orgId}\u0000`;
      for (const tab of tabs.values()) {
        for (const [k, watched] of tab.keys) if (k.startsWith(prefix)) found.set(k, watched.normalized);
      }
      return [...found.values()];
    },
    forget(tabId) {
      if (tabs.delete(tabId)) persist();
    },
    all: () => [...tabs.keys()],
    clearWatches() {
      for (const tab of tabs.values()) tab.keys.clear();
      persist();
    },
  };
}

// Every key the extension keeps in a storage area is declared once, as a storage item: its key,
// the zod schema of its value, a version and the migrations from older versions
// (extension/README.md, "Storage"). The contract is WXT's `storage.defineItem('local:…', {
// fallback, version, migrations })`, and so is the layout in storage (the value under its key,
// `{ v: version }` under `<key>$`, no meta meaning version 1), but an item is bound to a
// `KeyValueArea` rather than to the global `browser.storage`: tests run the background over
// in-memory areas and restart it at will. Two differences from WXT's item, on purpose:
// - migrations run on read, not when the module is loaded, so a value written by an older build
//   at any time (a test's v1 value, a restored profile) is upgraded before it is used;
// - the value read is checked against the schema, never cast. One that fails it (or whose version
//   is newer than the item's, or whose migration throws) is handled explicitly, as the item says:
//   `set-aside` moves it to `<key>#unreadable` with the reason and logs it (user data: settings,
//   the account, the write queue), `drop` removes it and logs it (state the background rebuilds:
//   the portrait cache, tabs, injected frames). Either way the reader gets the fallback.
import type { z } from 'zod';
import type { KeyValueArea } from './storage.ts';

export type StorageAreaName = 'local' | 'session';
export type StorageItemKey = `${StorageAreaName}:${string}`;

/** A migration turns a value of the previous version into one of its own version. */
export type Migration = (previous: unknown) => unknown;

export interface StorageItemOptions<T> {
  schema: z.ZodType<T, unknown>;
  fallback: T;
  /** Starts at 1; raise it with a migration whenever the stored shape changes. */
  version?: number;
  /** `migrations[n]` turns a version n − 1 value into a version n one. */
  migrations?: Record<number, Migration>;
  /** What becomes of a stored value that cannot be read (see above). */
  unreadable: 'set-aside' | 'drop';
}

/** What is kept under `<key>#unreadable`. */
export interface SetAsideValue {
  value: unknown;
  version: number;
  reason: string;
  at: number;
}

export interface BoundStorageItem<T> {
  /** The stored value, migrated and checked; the fallback when there is none or it is unreadable. */
  getValue(): Promise<T>;
  /**
   * Stores a value of the current version as given (checked first: a bad one throws and nothing
   * is written).
   */
  setValue(value: T): Promise<void>;
  removeValue(): Promise<void>;
}

export interface StorageItem<T> {
  /** `local:portrait:settings`: the area and the key, as WXT writes them. */
  readonly key: StorageItemKey;
  readonly area: StorageAreaName;
  /** The key inside the area. */
  readonly storageKey: string;
  readonly version: number;
  readonly fallback: T;
  /** A value of the current version seen elsewhere (`storage.onChanged`), checked; null if it does not match. */
  parse(value: unknown): T | null;
  /** The item over an area: the background's `storage.local` / `storage.session`, or a test's. */
  in(area: KeyValueArea): BoundStorageItem<T>;
}

export const metaKeySuffix = '$';
export const setAsideKeySuffix = '#unreadable';

class UnreadableValue extends Error {}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(value)'}: ${issue.message}`)
    .join('; ');
}

export function defineStorageItem<T>(key: StorageItemKey, options: StorageItemOptions<T>): StorageItem<T> {
  const separator = key.indexOf(':');
  const area = key.slice(0, separator) as StorageAreaName;
  const storageKey = key.slice(separator + 1);
  const version = options.version ?? 1;
  if (!Number.isInteger(version) || version < 1) throw new Error(`Storage item ${key}: version must be an integer ≥ 1`);
  for (let v = 2; v <= version; v++) {
    if (!options.migrations?.[v]) throw new Error(`Storage item ${key}: no migration to version ${v}`);
  }
  const metaKey = storageKey + metaKeySuffix;

  function upgrade(stored: unknown, storedVersion: number): unknown {
    if (storedVersion > version) {
      throw new UnreadableValue(`written by a newer version (v${storedVersion}, this build reads v${version})`);
    }
    let value = stored;
    for (let v = storedVersion + 1; v <= version; v++) {
      try {
        value = options.migrations![v]!(value);
      } catch (error) {
        throw new UnreadableValue(`migration to v${v} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const parsed = options.schema.safeParse(value);
    if (!parsed.success) throw new UnreadableValue(`does not match its shape (v${version}): ${describeIssues(parsed.error)}`);
    return parsed.data;
  }

  return {
    key,
    area,
    storageKey,
    version,
    fallback: options.fallback,
    parse(value) {
      const parsed = options.schema.safeParse(value);
      return parsed.success ? parsed.data : null;
    },
    in(storage) {
      // A fresh copy each time: callers may change what they read.
      const fallback = () => structuredClone(options.fallback);
      // Versions are written only above 1, as WXT does: a key without meta is a version 1 value.
      const writeVersion = () => (version > 1 ? storage.set(metaKey, { v: version }) : Promise.resolve());

      async function unreadable(stored: unknown, storedVersion: number, reason: string): Promise<void> {
        if (options.unreadable === 'set-aside') {
          const kept: SetAsideValue = { value: stored, version: storedVersion, reason, at: Date.now() };
          await storage.set(storageKey + setAsideKeySuffix, kept);
          console.warn(`Portrait: the stored "${storageKey}" ${reason}; kept aside as "${storageKey}${setAsideKeySuffix}"`);
        } else {
          console.warn(`Portrait: the stored "${storageKey}" ${reason}; dropped`);
        }
        await storage.remove(storageKey);
        await storage.remove(metaKey);
      }

      return {
        async getValue() {
          const stored = await storage.get<unknown>(storageKey);
          if (stored === undefined || stored === null) return fallback();
          const meta = await storage.get<unknown>(metaKey);
          const v = meta && typeof meta === 'object' && typeof (meta as { v?: unknown }).v === 'number' ? (meta as { v: number }).v : 1;
          let value: T;
          try {
            value = upgrade(stored, v) as T;
          } catch (error) {
            if (!(error instanceof UnreadableValue)) throw error;
            await unreadable(stored, v, error.message);
            return fallback();
          }
          if (v !== version) {
            // Upgraded once: the next read finds the current version.
            await storage.set(storageKey, value);
            await writeVersion();
          }
          return value;
        },
        async setValue(value) {
          const parsed = options.schema.safeParse(value);
          if (!parsed.success) throw new Error(`Storage item ${key}: refusing a value that does not match its shape: ${describeIssues(parsed.error)}`);
          await storage.set(storageKey, value);
          await writeVersion();
        },
        async removeValue() {
          await storage.remove(storageKey);
          await storage.remove(metaKey);
        },
      };
    },
  };
}

// The background keeps its state in extension storage areas. Modules take a `KeyValueArea` so that
// tests can hand them an in-memory one (or WXT's fakeBrowser storage) and restart them at will.
import type { Browser } from 'wxt/browser';

export interface KeyValueArea {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
}

type StorageArea = Pick<Browser.storage.StorageArea, 'get' | 'set' | 'remove'>;

export function storageArea(area: StorageArea): KeyValueArea {
  return {
    async get<T>(key: string) {
      const items = await area.get(key);
      return items[key] as T | undefined;
    },
    async set(key, value) {
      await area.set({ [key]: value });
    },
    async remove(key) {
      await area.remove(key);
    },
  };
}

/** An area that lives in memory only, for tests and for browsers without `storage.session`. */
export function memoryArea(): KeyValueArea & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    async get<T>(key: string) {
      const value = data.get(key);
      return value === undefined ? undefined : (structuredClone(value) as T);
    },
    async set(key, value) {
      data.set(key, structuredClone(value));
    },
    async remove(key) {
      data.delete(key);
    },
  };
}

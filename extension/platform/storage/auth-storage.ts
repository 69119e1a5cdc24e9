// Where supabase-js keeps the session (access and refresh tokens): `storage.local`, read and
// written only by the background. Extension pages get the session's *state* (signed in, email,
// organization) through messages, never the tokens; content scripts cannot read `storage.local`
// at all once the background has restricted it to trusted contexts (see restrictStorageAccess).
import type { KeyValueArea } from './storage.ts';

/** The subset of supabase-js's `SupportedStorage` the auth client uses. */
export interface AuthStorage {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

export const authKeyPrefix = 'portrait:auth:';

export function createAuthStorage(area: KeyValueArea): AuthStorage {
  return {
    async getItem(key) {
      const value = await area.get<unknown>(authKeyPrefix + key);
      return typeof value === 'string' ? value : null;
    },
    setItem: (key, value) => area.set(authKeyPrefix + key, value),
    removeItem: (key) => area.remove(authKeyPrefix + key),
  };
}

interface RestrictableArea {
  setAccessLevel?(options: { accessLevel: 'TRUSTED_CONTEXTS' | 'TRUSTED_AND_UNTRUSTED_CONTEXTS' }): Promise<void>;
}

/**
 * Keeps content scripts from reading an area (Chrome lets content scripts read `storage.local`
 * unless told otherwise). Browsers without the setting keep their default; there the tokens are
 * still only ever read by the background's code.
 */
export async function restrictStorageAccess(area: RestrictableArea): Promise<boolean> {
  if (typeof area.setAccessLevel !== 'function') return false;
  try {
    await area.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' });
    return true;
  } catch {
    return false;
  }
}

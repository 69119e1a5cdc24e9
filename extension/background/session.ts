// The signed-in account as the rest of the extension sees it: who, which organizations, which one
// is active. Tokens stay inside supabase-js (see auth-storage.ts); this keeps only what the popup
// and the pages are told, so that the state can be answered at once and while offline.
import { z } from 'zod';
import { memberRoleSchema } from '../../shared/api.ts';
import type { SessionState } from '../platform/messaging/schemas.ts';
import { ApiFailure, noSessionCode, type PortraitBackend } from './client.ts';
import type { Membership, PortraitContext } from './rpc.ts';
import type { ApiConfig, SettingsStore } from './settings.ts';
import { defineStorageItem } from '../platform/storage/item.ts';
import type { KeyValueArea } from '../platform/storage/storage.ts';

export interface Account {
  userId: string;
  email: string;
  /** The API the account belongs to. */
  apiUrl: string;
  orgs: Membership[];
  activeOrgId: string | null;
}

const membershipSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: memberRoleSchema,
  currency: z.string(),
  defaultPhoneRegion: z.string(),
  internalDomains: z.array(z.string()),
}) satisfies z.ZodType<Membership>;

/**
 * What the API said about the signed-in user, kept to answer at once and offline. Unreadable, it is
 * dropped (logged): signing in again writes it anew, and the tokens are kept apart (auth-storage.ts).
 */
export const accountItem = defineStorageItem<Account | null>('local:portrait:account', {
  schema: z
    .object({
      userId: z.string(),
      email: z.string(),
      apiUrl: z.string(),
      orgs: z.array(membershipSchema),
      activeOrgId: z.string().nullable(),
    })
    .nullable() satisfies z.ZodType<Account | null>,
  fallback: null,
  unreadable: 'drop',
});

export interface SessionManagerOptions {
  area: KeyValueArea;
  settings: SettingsStore;
  createBackend(api: ApiConfig): PortraitBackend;
}

export type SessionListener = (state: SessionState) => void;

export interface SessionManager {
  backend(): Promise<PortraitBackend>;
  account(): Promise<Account | null>;
  state(): Promise<SessionState>;
  /** Throws ApiFailure when the API refuses the credentials or cannot be reached. */
  signIn(email: string, password: string): Promise<SessionState>;
  signOut(): Promise<SessionState>;
  selectOrg(orgId: string): Promise<SessionState>;
  /** Asks the API again which organizations the user belongs to; keeps the old list offline. */
  refreshOrgs(): Promise<void>;
  /** The organization's membership of the signed-in user, if any. */
  membership(orgId: string): Promise<Membership | null>;
  /** What portraits of this organization are read with (currency, Studio links for admins). */
  portraitContext(orgId: string): Promise<PortraitContext>;
  /** Call with any failure of an API call: a missing session signs the account out. */
  noticeFailure(error: unknown): Promise<void>;
  onChange(listener: SessionListener): void;
}

/**
 * A link to the customer's row in Supabase Studio, for admins of a hosted project
 * (`https://<ref>.supabase.co`); the local stack has no Studio.
 */
export function studioLink(apiUrl: string, customerId: string): string | null {
  const match = /^https:\/\/([a-z0-9]{20})\.supabase\.co$/.exec(apiUrl);
  if (!match) return null;
  const filter = encodeURIComponent(`id:eq:${customerId}`);
  return `https://supabase.com/dashboard/project/${match[1]}/editor?schema=public&table=customers&filter=${filter}`;
}

export function activeOrg(account: Account): Membership | null {
  return account.orgs.find((org) => org.id === account.activeOrgId) ?? null;
}

export function sessionStateOf(account: Account | null, api: ApiConfig): SessionState {
  if (!api.apiUrl || !api.anonKey) return { signedIn: false, reason: 'not-configured' };
  if (!account || account.apiUrl !== api.apiUrl) return { signedIn: false, reason: 'signed-out' };
  const org = activeOrg(account);
  return {
    signedIn: true,
    email: account.email,
    orgId: org?.id ?? null,
    orgName: org?.name ?? null,
    role: org?.role ?? null,
  };
}

/** The organization to show: the one chosen before if the user still belongs to it, else the first. */
function chooseOrg(orgs: readonly Membership[], previous: string | null): string | null {
  if (previous && orgs.some((org) => org.id === previous)) return previous;
  return orgs[0]?.id ?? null;
}

export function createSessionManager(options: SessionManagerOptions): SessionManager {
  const { area, settings } = options;
  const storedAccount = accountItem.in(area);
  let current: { api: ApiConfig; backend: PortraitBackend } | null = null;
  const listeners = new Set<SessionListener>();

  async function backend(): Promise<PortraitBackend> {
    const api = await settings.api();
    if (!current || current.api.apiUrl !== api.apiUrl || current.api.anonKey !== api.anonKey) {
      const created = options.createBackend(api);
      created.onSessionLost(() => void forget());
      current = { api, backend: created };
    }
    return current.backend;
  }

  // The account as stored, read once and then kept: this manager is its only writer, and every
  // lookup asks for it (two or three times), so a page answered from the portrait cache does not
  // wait for storage reads and a schema check each time. A write forgets it; so does a failed read.
  let known: Promise<Account | null> | null = null;
  function account(): Promise<Account | null> {
    const read = (known ??= storedAccount.getValue());
    read.catch(() => {
      if (known === read) known = null;
    });
    // A fresh copy each time, as from storage: callers may change what they read.
    return read.then((value) => structuredClone(value));
  }
  async function storeAccount(next: Account | null): Promise<void> {
    known = null;
    try {
      await (next ? storedAccount.setValue(next) : storedAccount.removeValue());
    } finally {
      // A read that ran while the value was written may have seen the old one.
      known = null;
    }
  }

  async function state(): Promise<SessionState> {
    return sessionStateOf(await account(), await settings.api());
  }

  async function changed(): Promise<SessionState> {
    const next = await state();
    for (const listener of listeners) listener(next);
    return next;
  }

  async function forget(): Promise<SessionState> {
    await storeAccount(null);
    return changed();
  }

  async function fetchOrgs(api: PortraitBackend): Promise<Membership[] | null> {
    try {
      return await api.myOrgs();
    } catch (error) {
      console.warn('Portrait: could not list organizations', error);
      return null;
    }
  }

  return {
    backend,
    account,
    state,

    async signIn(email, password) {
      const api = await backend();
      const user = await api.signIn(email, password);
      const previous = await account();
      const orgs = (await fetchOrgs(api)) ?? [];
      const remembered = previous?.userId === user.userId ? previous.activeOrgId : null;
      await storeAccount({
        userId: user.userId,
        email: user.email,
        apiUrl: api.apiUrl,
        orgs,
        activeOrgId: chooseOrg(orgs, remembered),
      } satisfies Account);
      return changed();
    },

    async signOut() {
      try {
        await (await backend()).signOut();
      } catch (error) {
        console.warn('Portrait: sign-out did not reach the API', error);
      }
      return forget();
    },

    async selectOrg(orgId) {
      const stored = await account();
      if (!stored) throw new ApiFailure('signed-out', 'Not signed in');
      if (!stored.orgs.some((org) => org.id === orgId)) {
        throw new ApiFailure('refused', 'Not a member of this organization');
      }
      if (stored.activeOrgId === orgId) return state();
      await storeAccount({ ...stored, activeOrgId: orgId });
      return changed();
    },

    async refreshOrgs() {
      const stored = await account();
      if (!stored) return;
      const orgs = await fetchOrgs(await backend());
      if (!orgs) return;
      const latest = await account();
      if (!latest || latest.userId !== stored.userId) return;
      const activeOrgId = chooseOrg(orgs, latest.activeOrgId);
      const same =
        activeOrgId === latest.activeOrgId && JSON.stringify(orgs) === JSON.stringify(latest.orgs);
      if (same) return;
      await storeAccount({ ...latest, orgs, activeOrgId });
      await changed();
    },

    async membership(orgId) {
      return (await account())?.orgs.find((org) => org.id === orgId) ?? null;
    },

    async portraitContext(orgId) {
      const [stored, api] = await Promise.all([account(), settings.api()]);
      const org = stored?.orgs.find((o) => o.id === orgId);
      return {
        orgId,
        currency: org?.currency ?? 'USD',
        studioUrl: org?.role === 'admin' ? (customerId) => studioLink(api.apiUrl, customerId) : undefined,
      };
    },

    async noticeFailure(error) {
      if (error instanceof ApiFailure && error.kind === 'signed-out' && error.code === noSessionCode) {
        if (await account()) await forget();
      }
    },

    onChange(listener) {
      listeners.add(listener);
    },
  };
}

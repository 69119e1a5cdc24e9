// The one place that talks to Supabase: Auth for the session and PostgREST RPC for data, through
// `@supabase/supabase-js`. Everything else in the background sees the small `PortraitBackend`
// interface, which tests replace with a fake.
import { createClient, processLock, type SupabaseClient } from '@supabase/supabase-js';
import type { CustomerTimeline, RpcName, RpcResult, StageOverview } from '../../shared/api.ts';
import type { Database } from '../../shared/database.types.ts';
import type { Rule } from '../../shared/rules.ts';
import type { Identifier, InvitationSummary, PortraitView } from '../platform/messaging/schemas.ts';
import type { AuthStorage } from '../platform/storage/auth-storage.ts';
import {
  InvalidArguments,
  rpcCalls,
  type CustomerMatch,
  type Membership,
  type OrgMember,
  type PortraitContext,
  type TagSuggestion,
} from './rpc.ts';
import type { ApplyOutcome, QueuedWrite } from './write-queue.ts';

/** Why a call failed, as far as the caller has to decide what to do next. */
export type ApiFailureKind =
  /** No answer (offline, DNS, timeout): try again later. */
  | 'network'
  /** The API answered with a passing error (5xx, 408, 429): try again later. */
  | 'unavailable'
  /** No usable session: sign in again. */
  | 'signed-out'
  /** The API refused the request itself (bad input, no permission): trying again will not help. */
  | 'refused';

export class ApiFailure extends Error {
  constructor(
    readonly kind: ApiFailureKind,
    message: string,
    readonly status: number | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

export interface SignedInUser {
  userId: string;
  email: string;
}

export interface PortraitBackend {
  readonly apiUrl: string;
  readonly anonKey: string;
  signIn(email: string, password: string): Promise<SignedInUser>;
  /** Ends the session on the server when it can, and always forgets it locally. */
  signOut(): Promise<void>;
  /** The stored session's user, without a network call when the token is still valid. */
  currentUser(): Promise<SignedInUser | null>;
  /** A valid access token (refreshed if needed); throws ApiFailure('signed-out' | 'network'). */
  accessToken(): Promise<string>;
  myOrgs(): Promise<Membership[]>;
  /** The invitations addressed to the signed-in user that are still open (my_invitations). */
  myInvitations(): Promise<InvitationSummary[]>;
  /** accept_invitation or decline_invitation. */
  answerInvitation(invitationId: string, accept: boolean): Promise<void>;
  /** Portraits by identifierKey (null: not a customer). */
  customerContext(identifiers: readonly Identifier[], context: PortraitContext): Promise<Map<string, PortraitView | null>>;
  listTags(orgId: string): Promise<TagSuggestion[]>;
  /** The organization's members' addresses, lowercased (member_addresses): never looked up. */
  memberAddresses(orgId: string): Promise<string[]>;
  /** The Overview page's figures for the UTC days from..to (stage_overview). */
  stageOverview(orgId: string, from: string, to: string): Promise<StageOverview>;
  /** Customers whose name, email or phone matches the query, best first. */
  searchCustomers(orgId: string, query: string, limit: number): Promise<CustomerMatch[]>;
  applyWrite(write: QueuedWrite, context: PortraitContext): Promise<ApplyOutcome>;
  /** One page of a customer's timeline (customer_timeline). */
  customerTimeline(
    orgId: string,
    customerId: string,
    before: { before: string; beforeKey: string } | null,
    limit: number,
  ): Promise<CustomerTimeline>;
  /** The signed-in user's open follow-ups due by `until` (my_follow_ups). */
  myFollowUps(orgId: string, until: string): Promise<RpcResult<'my_follow_ups'>>;
  /** The organization's members, by name (org_members). */
  orgMembers(orgId: string): Promise<OrgMember[]>;
  /** Customers in the pool (公海) matching a segment rule, or all (pool_customers). */
  poolCustomers(orgId: string, filter: Rule | null, limit: number): Promise<RpcResult<'pool_customers'>>;
  /** The signed-in user's customers returning to the pool within `withinDays` days (my_pool_returns). */
  myPoolReturns(orgId: string, withinDays: number): Promise<RpcResult<'my_pool_returns'>>;
  /** Called when supabase-js drops the session by itself (refresh token revoked or expired). */
  onSessionLost(listener: () => void): void;
}

export interface BackendOptions {
  apiUrl: string;
  anonKey: string;
  storage: AuthStorage;
  fetch?: typeof fetch;
  /** Per request; an API that does not answer in time counts as offline. */
  timeoutMs?: number;
}

/** PostgREST and GoTrue errors as supabase-js reports them. */
interface ErrorLike {
  message?: string;
  code?: string | number;
  status?: number;
  name?: string;
}

export function classifyFailure(error: ErrorLike, status: number | null): ApiFailure {
  const message = error.message || 'The API call failed';
  const code = error.code === undefined ? null : String(error.code);
  const httpStatus = status ?? error.status ?? null;
  if (!httpStatus) return new ApiFailure('network', message, null, code);
  if (httpStatus === 401 || code === 'PGRST301' || code === 'PGRST303') {
    return new ApiFailure('signed-out', message, httpStatus, code);
  }
  if (httpStatus >= 500 || httpStatus === 408 || httpStatus === 429) {
    return new ApiFailure('unavailable', message, httpStatus, code);
  }
  return new ApiFailure('refused', message, httpStatus, code);
}

/** A fetch that gives up after `timeoutMs`, so that a hanging API counts as no answer. */
function fetchWithTimeout(fetchImpl: typeof fetch, timeoutMs: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetchImpl(input, { ...init, signal });
  };
}

const storageKey = 'portrait-session';
/** ApiFailure code when there is no session at all (as opposed to a token the API refused). */
export const noSessionCode = 'no-session';

export function createSupabaseBackend(options: BackendOptions): PortraitBackend {
  const baseFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const supabase: SupabaseClient<Database> = createClient<Database>(options.apiUrl, options.anonKey, {
    auth: {
      storage: options.storage,
      storageKey,
      persistSession: true,
      autoRefreshToken: true,
      detectSessionInUrl: false,
      // One service worker, one process: the process lock keeps refreshes from overlapping.
      lock: processLock,
    },
    global: { fetch: fetchWithTimeout(baseFetch, options.timeoutMs ?? 10_000) },
  });
  const lostListeners = new Set<() => void>();
  let signingOut = false;
  supabase.auth.onAuthStateChange((event) => {
    if (event === 'SIGNED_OUT' && !signingOut) for (const listener of lostListeners) listener();
  });

  async function accessToken(): Promise<string> {
    const { data, error } = await supabase.auth.getSession();
    if (data.session) return data.session.access_token;
    // A refresh that could not reach the API keeps the session for later; anything else ends it.
    if (error && (error.name === 'AuthRetryableFetchError' || error.status === 0 || !error.status)) {
      throw new ApiFailure('network', error.message);
    }
    throw new ApiFailure('signed-out', error?.message ?? 'Not signed in', error?.status ?? null, noSessionCode);
  }

  /** Calls an RPC with the user's token: never falls back to the anon key (supabase-js would). */
  async function rpc(fn: RpcName, args: Record<string, unknown>): Promise<unknown> {
    const token = await accessToken();
    // The arguments were checked against the zod schema of `fn` (rpc.ts), whose names agree with
    // the generated database types (shared/api-contract.ts).
    const { data, error, status } = await supabase
      .rpc(fn, args as never)
      .setHeader('Authorization', `Bearer ${token}`);
    if (error) throw classifyFailure(error, status);
    return data;
  }

  const calls = rpcCalls(rpc);

  return {
    apiUrl: options.apiUrl,
    anonKey: options.anonKey,

    async signIn(email, password) {
      const { data, error } = await supabase.auth.signInWithPassword({ email, password });
      if (error || !data.user) {
        throw classifyFailure(error ?? { message: 'No user in the answer' }, error?.status ?? 500);
      }
      return { userId: data.user.id, email: data.user.email ?? email };
    },

    async signOut() {
      signingOut = true;
      try {
        const { error } = await supabase.auth.signOut({ scope: 'local' });
        // Offline, supabase-js keeps the session; the tokens must go anyway. The server session
        // then ends when its refresh token expires.
        if (error) {
          for (const suffix of ['', '-user', '-code-verifier']) {
            await options.storage.removeItem(`${storageKey}${suffix}`);
          }
        }
      } finally {
        signingOut = false;
      }
    },

    async currentUser() {
      const { data } = await supabase.auth.getSession();
      const user = data.session?.user;
      return user ? { userId: user.id, email: user.email ?? '' } : null;
    },

    accessToken,
    myOrgs: () => calls.myOrgs(),
    myInvitations: () => calls.myInvitations(),
    answerInvitation: (invitationId, accept) => calls.answerInvitation(invitationId, accept),
    customerContext: (identifiers, context) => calls.customerContext(identifiers, context),
    listTags: (orgId) => calls.listTags(orgId),
    memberAddresses: (orgId) => calls.memberAddresses(orgId),
    stageOverview: (orgId, from, to) => calls.stageOverview(orgId, from, to),
    searchCustomers: (orgId, query, limit) => calls.searchCustomers(orgId, query, limit),
    customerTimeline: (orgId, customerId, before, limit) => calls.customerTimeline(orgId, customerId, before, limit),
    myFollowUps: (orgId, until) => calls.myFollowUps(orgId, until),
    orgMembers: (orgId) => calls.orgMembers(orgId),
    poolCustomers: (orgId, filter, limit) => calls.poolCustomers(orgId, filter, limit),
    myPoolReturns: (orgId, withinDays) => calls.myPoolReturns(orgId, withinDays),

    async applyWrite(write, context) {
      try {
        const result = await calls.applyWrite(write, context);
        return { ok: true, customerId: result.customerId, portrait: result.portrait };
      } catch (error) {
        if (error instanceof ApiFailure) {
          // Offline, a passing server error, or signed out: keep the write (with its request id)
          // until it can be sent again; only a refusal drops it.
          return { ok: false, retry: error.kind !== 'refused', message: error.message };
        }
        if (error instanceof InvalidArguments) return { ok: false, retry: false, message: error.message };
        // The API answered and applied the write, but its answer is not what this version
        // expects: the write has landed, the portrait will be fetched again.
        console.warn('Portrait: unexpected answer to a write', error);
        return { ok: true, customerId: null, portrait: null };
      }
    },

    onSessionLost(listener) {
      lostListeners.add(listener);
    },
  };
}

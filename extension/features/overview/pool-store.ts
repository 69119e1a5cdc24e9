// The Overview page's pool (公海) view: the organization's customers without an owner, filtered by
// lifecycle stage and value tier, each with a Claim that goes through the background's write queue
// (exactly once, kept while offline). `PoolApi` is how the page reaches the background; the
// entrypoint sends messages, tests pass their own.
import { batch, signal } from '@preact/signals';
import type { LifecycleStage, ValueTier } from '../../platform/messaging/schemas.ts';
import type { PoolCustomerView } from './schemas.ts';

export interface PoolFilter {
  stage: LifecycleStage | null;
  tier: ValueTier | null;
}

export interface PoolApi {
  pool(orgId: string, filter: PoolFilter): Promise<{ customers: PoolCustomerView[]; currency: string }>;
  /** Queues the claim; `pending`: it waits in the queue (offline, or retrying). */
  claim(orgId: string, customerId: string): Promise<{ pending: boolean }>;
}

/** What a row's Claim has come to. */
export type ClaimState =
  | { status: 'claiming' }
  | { status: 'claimed' }
  | { status: 'queued' }
  | { status: 'failed'; message: string };

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createPoolStore(api: PoolApi) {
  const filter = signal<PoolFilter>({ stage: null, tier: null });
  const customers = signal<PoolCustomerView[] | undefined>(undefined);
  const currency = signal('');
  const loading = signal(false);
  const error = signal<string | null>(null);
  const claims = signal<Record<string, ClaimState>>({});
  /** The organization the list is of. */
  let shownOrg: string | null = null;
  let latest = 0;

  function setClaim(customerId: string, state: ClaimState): void {
    claims.value = { ...claims.value, [customerId]: state };
  }

  async function load(orgId: string | null): Promise<void> {
    if (!orgId) return;
    const request = ++latest;
    if (orgId !== shownOrg) {
      shownOrg = orgId;
      batch(() => {
        customers.value = undefined;
        claims.value = {};
      });
    }
    batch(() => {
      loading.value = true;
      error.value = null;
    });
    try {
      const answer = await api.pool(orgId, filter.value);
      if (request !== latest) return;
      batch(() => {
        customers.value = answer.customers;
        currency.value = answer.currency;
        loading.value = false;
      });
    } catch (failure) {
      if (request !== latest) return;
      batch(() => {
        error.value = messageOf(failure);
        loading.value = false;
      });
    }
  }

  return {
    filter,
    customers,
    currency,
    loading,
    error,
    claims,
    load,

    setFilter(orgId: string | null, next: Partial<PoolFilter>): Promise<void> {
      filter.value = { ...filter.value, ...next };
      return load(orgId);
    },

    /** Claims one customer; the row says claimed, queued (offline) or why it failed. */
    async claim(orgId: string, customerId: string): Promise<void> {
      const current = claims.value[customerId]?.status;
      if (current === 'claiming' || current === 'claimed' || current === 'queued') return;
      setClaim(customerId, { status: 'claiming' });
      try {
        const answer = await api.claim(orgId, customerId);
        setClaim(customerId, { status: answer.pending ? 'queued' : 'claimed' });
      } catch (failure) {
        setClaim(customerId, { status: 'failed', message: messageOf(failure) });
      }
    },
  };
}

export type PoolStore = ReturnType<typeof createPoolStore>;

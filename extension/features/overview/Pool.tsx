// The Overview page's pool (公海) view: customers without an owner, filtered by lifecycle stage and
// value tier, each with a Claim button (through the write queue). A list of rows that wrap, so it
// reads at a popup's width as well as on a wide screen; every control is a native one, so the
// keyboard reaches it.
import { useEffect } from 'preact/hooks';
import { lifecycleStages, valueTiers } from '../../../shared/enums.ts';
import type { LifecycleStage, ValueTier } from '../../platform/messaging/schemas.ts';
import { formatCount, formatDay, formatMoney } from './format.ts';
import type { PoolStore } from './pool-store.ts';
import type { PoolCustomerView } from './schemas.ts';
import { t } from './texts.ts';

const fieldClass = 'rounded border border-slate-300 bg-white px-2 py-1 text-sm focus:border-sky-500 focus:outline-none';
const sectionClass = 'flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm';

const dayOf = (time: string) => formatDay(time.slice(0, 10));

function ClaimCell({ pool, orgId, customer }: { pool: PoolStore; orgId: string; customer: PoolCustomerView }) {
  const claim = pool.claims.value[customer.customerId];
  if (claim?.status === 'claimed' || claim?.status === 'queued') {
    return (
      <p role="status" class={`text-sm ${claim.status === 'claimed' ? 'text-emerald-700' : 'text-amber-700'}`} data-claim={claim.status}>
        {t(claim.status === 'claimed' ? 'pool.claimed' : 'pool.queued')}
      </p>
    );
  }
  return (
    <div class="flex flex-wrap items-center gap-2">
      <button
        type="button"
        class="rounded bg-sky-600 px-3 py-1 text-sm font-medium text-white hover:bg-sky-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:ring-offset-1 disabled:opacity-50"
        aria-label={t('pool.claimLabel', { name: customer.name })}
        disabled={claim?.status === 'claiming'}
        onClick={() => void pool.claim(orgId, customer.customerId)}
      >
        {claim?.status === 'claiming' ? t('pool.claiming') : t('pool.claim')}
      </button>
      {claim?.status === 'failed' && (
        <p role="alert" class="text-sm text-rose-700" data-claim="failed">
          {t('pool.claimFailed', { message: claim.message })}
        </p>
      )}
    </div>
  );
}

function Row({ pool, orgId, customer, currency }: { pool: PoolStore; orgId: string; customer: PoolCustomerView; currency: string }) {
  const contact = [customer.email, customer.phone].filter(Boolean).join(' · ');
  const facts = [
    t(`stage.${customer.stage}`),
    t(`tier.${customer.tier}`),
    t('pool.orders', { count: formatCount(customer.orderCount), spend: formatMoney(customer.netSpend, currency) }),
    customer.lastOrderAt ? t('pool.lastOrder', { day: dayOf(customer.lastOrderAt) }) : null,
    customer.pooledAt ? t('pool.pooledAt', { day: dayOf(customer.pooledAt) }) : null,
  ].filter(Boolean);
  return (
    <li class="flex flex-wrap items-center justify-between gap-2 border-t border-slate-100 py-2 first:border-t-0" data-testid="pool-row" data-customer={customer.customerId}>
      <div class="min-w-0 flex-1 basis-60">
        <p class="truncate font-medium">{customer.name}</p>
        {contact && <p class="truncate text-xs text-slate-600">{contact}</p>}
        <p class="text-xs text-slate-600">{facts.join(' · ')}</p>
      </div>
      <ClaimCell pool={pool} orgId={orgId} customer={customer} />
    </li>
  );
}

export function Pool({ pool, orgId }: { pool: PoolStore; orgId: string }) {
  useEffect(() => {
    void pool.load(orgId);
  }, [orgId]);
  const filter = pool.filter.value;
  const customers = pool.customers.value;
  return (
    <section class={sectionClass} aria-labelledby="pool-title" data-testid="pool">
      <h2 id="pool-title" class="text-base font-semibold">
        {t('pool.title')}
      </h2>
      <p class="text-sm text-slate-600">{t('pool.hint')}</p>
      <div class="flex flex-wrap items-end gap-4">
        <label class="flex flex-col gap-1 text-xs text-slate-600">
          {t('pool.stage')}
          <select
            class={fieldClass}
            data-testid="pool-stage"
            value={filter.stage ?? ''}
            onChange={(event) =>
              void pool.setFilter(orgId, { stage: (lifecycleStages as readonly string[]).includes(event.currentTarget.value) ? (event.currentTarget.value as LifecycleStage) : null })
            }
          >
            <option value="">{t('pool.any')}</option>
            {lifecycleStages.map((stage) => (
              <option key={stage} value={stage}>
                {t(`stage.${stage}`)}
              </option>
            ))}
          </select>
        </label>
        <label class="flex flex-col gap-1 text-xs text-slate-600">
          {t('pool.tier')}
          <select
            class={fieldClass}
            data-testid="pool-tier"
            value={filter.tier ?? ''}
            onChange={(event) =>
              void pool.setFilter(orgId, { tier: (valueTiers as readonly string[]).includes(event.currentTarget.value) ? (event.currentTarget.value as ValueTier) : null })
            }
          >
            <option value="">{t('pool.any')}</option>
            {valueTiers.map((tier) => (
              <option key={tier} value={tier}>
                {t(`tier.${tier}`)}
              </option>
            ))}
          </select>
        </label>
        {pool.loading.value && (
          <span role="status" class="text-xs text-slate-600">
            {t('pool.loading')}
          </span>
        )}
      </div>
      {pool.error.value && (
        <p role="alert" class="flex items-center gap-2 text-sm text-rose-700">
          {t('pool.failed', { message: pool.error.value })}
          <button type="button" class="rounded border border-rose-300 px-2 py-0.5" onClick={() => void pool.load(orgId)}>
            {t('retry')}
          </button>
        </p>
      )}
      {customers && customers.length === 0 && <p class="text-sm text-slate-600" data-testid="pool-empty">{t('pool.empty')}</p>}
      {customers && customers.length > 0 && (
        <>
          <p class="text-xs text-slate-600" data-testid="pool-count">
            {t('pool.count', { count: customers.length })}
          </p>
          <ul class="flex flex-col" aria-label={t('pool.title')}>
            {customers.map((customer) => (
              <Row key={customer.customerId} pool={pool} orgId={orgId} customer={customer} currency={pool.currency.value} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

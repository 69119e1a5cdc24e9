// The Overview page's logic and markup without a browser: periods as day ranges, the language,
// the store (organization choice, cache, answers that arrive late), and what the page shows for
// each state. The charts themselves are drawn in real Chromium (tests/e2e/overview.spec.ts).
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dictionaries } from '../../extension/features/overview/texts.ts';
import { Overview } from '../../extension/features/overview/Overview.tsx';
import { checkRange, coverage, presetRange } from '../../extension/features/overview/period.ts';
import { createOverviewStore, overviewOrgs, resolveLanguage, type OverviewApi, type OverviewContext } from '../../extension/features/overview/store.ts';
import { setLocale } from '../../extension/platform/i18n/i18n.ts';
import { createPoolStore, type PoolApi, type PoolFilter } from '../../extension/features/overview/pool-store.ts';
import { lifecycleStages, type StageOverview } from '../../shared/api.ts';

// uPlot needs a canvas and layout; happy-dom has neither. The chart is replaced by its props.
vi.mock('../../extension/features/overview/StackedChart.tsx', () => ({
  StackedChart: (props: { label: string; days: string[] }) => <div data-testid="chart" aria-label={props.label} data-days={props.days.length} />,
}));

afterEach(() => {
  cleanup();
  setLocale('en');
});

const today = '2026-11-23';
const lotus = { id: '11111111-1111-4111-8111-111111111111', name: 'Lotus Trading', role: 'rep' as const };
const peony = { id: '22222222-2222-4222-8222-222222222222', name: 'Peony Imports', role: 'staff' as const };
const orchid = { id: '33333333-3333-4333-8333-333333333333', name: 'Orchid Supply', role: 'admin' as const };

function figuresFor(orgId: string, from: string, to: string, days = [from, to]): StageOverview {
  const series = (base: number) =>
    Object.fromEntries(lifecycleStages.map((stage, s) => [stage, days.map((_, d) => base + s * 10 + d)])) as Record<(typeof lifecycleStages)[number], number[]>;
  return {
    org_id: orgId,
    from,
    to,
    currency: 'CNY',
    stages: [...lifecycleStages],
    days,
    customers_by_stage: series(100),
    net_revenue_by_stage: series(1000),
    segments: { day: to, items: [{ id: '44444444-4444-4444-8444-444444444444', name: '<b>Big</b> spenders', members: 1234 }] },
    moves: [{ from: 'active', to: 'at_risk', count: 40 }],
    month_moves: { from: `${to.slice(0, 8)}01`, to, items: [{ from: 'active', to: 'at_risk', count: 12 }] },
  };
}

function fakeApi(context: Partial<OverviewContext> = {}) {
  const calls: Array<{ orgId: string; from: string; to: string }> = [];
  const api: OverviewApi = {
    context: async () => ({
      session: { signedIn: true, email: 'rep@lotus.test', orgId: lotus.id, orgName: lotus.name, role: 'rep' },
      orgs: [lotus, peony, orchid],
      language: 'auto',
      ...context,
    }),
    figures: async (orgId, range) => {
      calls.push({ orgId, ...range });
      return figuresFor(orgId, range.from, range.to);
    },
  };
  return { api, calls };
}

describe('periods', () => {
  it('end today and include it', () => {
    expect(presetRange('30d', today)).toEqual({ from: '2026-10-25', to: today });
    expect(presetRange('90d', today)).toEqual({ from: '2026-08-26', to: today });
    expect(presetRange('1y', today)).toEqual({ from: '2025-11-24', to: today });
    expect(presetRange('3y', today)).toEqual({ from: '2023-11-24', to: today });
    expect(presetRange('1y', '2024-02-29')).toEqual({ from: '2023-03-02', to: '2024-02-29' });
  });

  it('check custom ranges as the API will', () => {
    expect(checkRange({ from: '2026-01-01', to: '2026-01-01' })).toBeNull();
    expect(checkRange({ from: '2020-01-01', to: '2025-01-04' })).toBeNull();
    expect(checkRange({ from: '2020-01-01', to: '2025-01-05' })).toBe('too-long');
    expect(checkRange({ from: '2026-01-02', to: '2026-01-01' })).toBe('invalid');
    expect(checkRange({ from: '', to: '2026-01-01' })).toBe('invalid');
    expect(checkRange({ from: '2026-02-30', to: '2026-03-01' })).toBe('invalid');
  });
});

describe('language and organizations', () => {
  it('follows the setting, and the browser for auto', () => {
    expect(resolveLanguage('zh-CN', ['en-US'])).toBe('zh-CN');
    expect(resolveLanguage('en', ['zh-CN'])).toBe('en');
    expect(resolveLanguage('auto', ['zh-TW', 'en'])).toBe('zh-CN');
    expect(resolveLanguage('auto', ['de-DE', 'en-GB'])).toBe('en');
    expect(resolveLanguage('auto', ['fr'])).toBe('en');
  });

  it('offers the organizations where the user is a rep or an admin', () => {
    expect(overviewOrgs([lotus, peony, orchid]).map((org) => org.name)).toEqual(['Lotus Trading', 'Orchid Supply']);
  });

  it('has every text in both languages', () => {
    expect(Object.keys(dictionaries['zh-CN']).sort()).toEqual(Object.keys(dictionaries.en).sort());
    for (const text of Object.values(dictionaries['zh-CN'])) expect(text.trim()).not.toBe('');
  });
});

describe('store', () => {
  it('starts with the active organization and a year, and keeps answers for switching back', async () => {
    const { api, calls } = fakeApi();
    const store = createOverviewStore(api, { today: () => today });
    await store.start();
    expect(store.orgId.value).toBe(lotus.id);
    expect(calls).toEqual([{ orgId: lotus.id, from: '2025-11-24', to: today }]);

    await store.selectPeriod('3y');
    await store.selectPeriod('1y');
    expect(calls).toHaveLength(2);
    expect(store.figures.value?.from).toBe('2025-11-24');
  });

  it('does not open on an organization where the user is staff', async () => {
    const { api } = fakeApi({ session: { signedIn: true, email: 'x@y.z', orgId: peony.id, orgName: peony.name, role: 'staff' } });
    const store = createOverviewStore(api, { today: () => today });
    await store.start();
    expect(store.orgId.value).toBe(lotus.id);
    await store.selectOrg(peony.id);
    expect(store.orgId.value).toBe(lotus.id);
  });

  it('shows the answer to the latest choice when an earlier one arrives late', async () => {
    const pending: Array<() => void> = [];
    const { api } = fakeApi();
    const slowApi: OverviewApi = {
      context: api.context,
      figures: (orgId, range) => new Promise((resolve) => pending.push(() => resolve(figuresFor(orgId, range.from, range.to)))),
    };
    const store = createOverviewStore(slowApi, { today: () => today });
    const started = store.start();
    await vi.waitFor(() => expect(pending).toHaveLength(1));
    const switched = store.selectPeriod('30d');
    pending[1]!();
    await switched;
    pending[0]!();
    await started;
    expect(store.figures.value?.from).toBe('2026-10-25');
  });

  it('refuses a bad custom range without asking the background', async () => {
    const { api, calls } = fakeApi();
    const store = createOverviewStore(api, { today: () => today });
    await store.start();
    expect(await store.applyCustom({ from: '2026-02-01', to: '2026-01-01' })).toBe('invalid');
    expect(await store.applyCustom({ from: '2019-01-01', to: '2026-01-01' })).toBe('too-long');
    expect(calls).toHaveLength(1);
    expect(await store.applyCustom({ from: '2026-01-01', to: '2026-02-01' })).toBeNull();
    expect(calls.at(-1)).toEqual({ orgId: lotus.id, from: '2026-01-01', to: '2026-02-01' });
    expect(store.period.value).toBe('custom');
  });

  it('keeps the failure and tries again on request', async () => {
    const { api } = fakeApi();
    let fail = true;
    const store = createOverviewStore(
      { context: api.context, figures: async (orgId, range) => (fail ? Promise.reject(new Error('The API cannot be reached')) : api.figures(orgId, range)) },
      { today: () => today },
    );
    await store.start();
    expect(store.error.value).toBe('The API cannot be reached');
    fail = false;
    await store.retry();
    expect(store.error.value).toBeNull();
    expect(store.figures.value?.org_id).toBe(lotus.id);
  });
});

describe('page', () => {
  it('shows the charts with text alternatives and the latest day’s figures', async () => {
    const { api } = fakeApi();
    const store = createOverviewStore(api, { today: () => today });
    render(<Overview store={store} />);
    await store.start();
    await screen.findByRole('heading', { name: 'Customers per lifecycle stage' });
    expect(screen.getAllByTestId('chart')).toHaveLength(2);
    // Last day: stage s has 100 + 10 s + 1 customers; 8 stages → 808 + 280 = 1,088.
    expect(screen.getByTestId('customers-summary').textContent).toBe(
      '1,088 customers on Nov 23, 2026 (+8 since Nov 24, 2025). Largest stage: Reactivated, 171 customers.',
    );
    const atRisk = screen.getByTestId('day-table').querySelector('tr[data-stage="at_risk"]')!;
    expect(atRisk.textContent).toContain('At risk');
    expect(atRisk.textContent).toContain('151');
    expect(atRisk.textContent).toContain('CN¥1,051');
    expect(screen.getByTestId('moves-summary').textContent).toBe('12 moves this month; the most common: Active → At risk (12).');
    // A segment name with markup is text.
    expect(screen.getByTestId('segments').querySelector('b')).toBeNull();
    expect(screen.getByTestId('segments').textContent).toContain('<b>Big</b> spenders');
    expect(screen.getByTestId('segments').textContent).toContain('1,234');
  });

  it('labels the period by the data it shows, and the From and To fields follow the chosen period', async () => {
    const { api } = fakeApi();
    // One year of snapshots, whatever the period asked for.
    api.figures = async (orgId, range) => figuresFor(orgId, range.from, range.to, ['2025-11-24', '2026-11-23']);
    const store = createOverviewStore(api, { today: () => today });
    render(<Overview store={store} />);
    await store.start();
    const from = (await screen.findByLabelText('From')) as HTMLInputElement;
    const to = screen.getByLabelText('To') as HTMLInputElement;
    expect([from.value, to.value]).toEqual(['2025-11-24', '2026-11-23']);
    expect(screen.getByTestId('period-coverage').textContent).toBe('Showing Nov 24, 2025 to Nov 23, 2026.');

    fireEvent.click(screen.getByRole('button', { name: '3 years' }));
    await waitFor(() => expect((screen.getByLabelText('From') as HTMLInputElement).value).toBe('2023-11-24'));
    expect((screen.getByLabelText('To') as HTMLInputElement).value).toBe('2026-11-23');
    await waitFor(() =>
      expect(screen.getByTestId('period-coverage').textContent).toBe('Data only from Nov 24, 2025 to Nov 23, 2026: nothing was recorded earlier in this period.'),
    );

    fireEvent.click(screen.getByRole('button', { name: '30 days' }));
    await waitFor(() => expect((screen.getByLabelText('From') as HTMLInputElement).value).toBe('2026-10-25'));
  });

  it('coverage: partial when the first day with data is after the period starts', () => {
    expect(coverage({ from: '2023-11-24', to: '2026-11-23' }, ['2025-11-24', '2026-11-23'])).toEqual({ from: '2025-11-24', to: '2026-11-23', partial: true });
    expect(coverage({ from: '2025-11-24', to: '2026-11-23' }, ['2025-11-24', '2026-11-23'])).toMatchObject({ partial: false });
    expect(coverage({ from: '2025-11-24', to: '2026-11-23' }, [])).toBeNull();
  });

  it('speaks Simplified Chinese', async () => {
    setLocale('zh-CN');
    const { api } = fakeApi();
    const store = createOverviewStore(api, { today: () => today });
    render(<Overview store={store} />);
    await store.start();
    await screen.findByRole('heading', { name: '各生命周期阶段的客户数' });
    expect(screen.getByTestId('day-table').querySelector('tr[data-stage="at_risk"] th')!.textContent).toBe('沉睡客户');
    expect(screen.getByRole('heading', { name: '2026年11月23日的数据' })).toBeTruthy();
    expect(screen.getByRole('button', { name: '3 年' }).getAttribute('aria-pressed')).toBe('false');
  });

  it('shows a day chosen with the keyboard: the latest snapshot on or before it', async () => {
    const days = ['2026-11-01', '2026-11-02', '2026-11-05'];
    const store = createOverviewStore(
      { context: fakeApi().api.context, figures: async (orgId, range) => figuresFor(orgId, range.from, range.to, days) },
      { today: () => today },
    );
    render(<Overview store={store} />);
    await store.start();
    const table = await screen.findByTestId('day-table');
    expect(table.dataset.day).toBe('2026-11-05');
    fireEvent.change(screen.getByLabelText('Show the day'), { target: { value: '2026-11-04' } });
    await waitFor(() => expect(screen.getByTestId('day-table').dataset.day).toBe('2026-11-02'));
    // Stage "new" (s = 2) on the second day: 100 + 20 + 1.
    expect(screen.getByTestId('day-table').querySelector('tr[data-stage="new"] td')!.textContent).toBe('121');
    fireEvent.click(screen.getByRole('button', { name: 'Latest day' }));
    await waitFor(() => expect(screen.getByTestId('day-table').dataset.day).toBe('2026-11-05'));
  });

  it('says when the period has no snapshots', async () => {
    const store = createOverviewStore(
      { context: fakeApi().api.context, figures: async (orgId, range) => figuresFor(orgId, range.from, range.to, []) },
      { today: () => today },
    );
    render(<Overview store={store} />);
    await store.start();
    expect((await screen.findByTestId('empty')).textContent).toBe('No snapshots in this period yet.');
  });

  it('explains itself to staff and to the signed out', async () => {
    const staffOnly = createOverviewStore(fakeApi({ orgs: [peony] }).api, { today: () => today });
    render(<Overview store={staffOnly} />);
    await staffOnly.start();
    expect((await screen.findByTestId('no-org')).textContent).toContain('for sales reps and admins');
    cleanup();

    const signedOut = createOverviewStore(fakeApi({ session: { signedIn: false, reason: 'signed-out' }, orgs: [] }).api, { today: () => today });
    render(<Overview store={signedOut} />);
    await signedOut.start();
    expect((await screen.findByTestId('signed-out')).textContent).toContain('Sign in');
  });

  it('switches the period from its buttons and shows a refused custom range', async () => {
    const { api, calls } = fakeApi();
    const store = createOverviewStore(api, { today: () => today });
    render(<Overview store={store} />);
    await store.start();
    fireEvent.click(await screen.findByRole('button', { name: '90 days' }));
    await waitFor(() => expect(calls.at(-1)).toEqual({ orgId: lotus.id, from: '2026-08-26', to: today }));
    expect(screen.getByRole('button', { name: '90 days' }).getAttribute('aria-pressed')).toBe('true');

    fireEvent.input(screen.getByLabelText('From'), { target: { value: '2026-03-01' } });
    fireEvent.input(screen.getByLabelText('To'), { target: { value: '2026-02-01' } });
    fireEvent.click(screen.getByRole('button', { name: 'Show' }));
    expect((await screen.findByTestId('range-problem')).textContent).toBe('Choose a first day on or before the last day.');
    expect(calls).toHaveLength(2);
  });
});

describe('the pool view', () => {
  const mei = {
    customerId: '55555555-5555-4555-8555-555555555555',
    name: '<b>Mei</b> Pool',
    email: 'mei@example.com',
    phone: null,
    stage: 'at_risk' as const,
    tier: 'vip' as const,
    netSpend: 1280,
    orderCount: 4,
    lastOrderAt: '2026-06-01T08:00:00+00:00',
    pooledAt: '2026-11-01T00:00:00+00:00',
  };
  const bo = { ...mei, customerId: '66666666-6666-4666-8666-666666666666', name: 'Bo Wang', email: null, phone: '+8613800138000', stage: 'lead' as const, tier: 'normal' as const, lastOrderAt: null, pooledAt: null };

  function poolApi(claim: PoolApi['claim'] = async () => ({ pending: false })) {
    const asked: Array<{ orgId: string; filter: PoolFilter }> = [];
    const claims: string[] = [];
    const api: PoolApi = {
      pool: async (orgId, filter) => {
        asked.push({ orgId, filter });
        return { customers: [mei, bo], currency: 'CNY' };
      },
      claim: async (orgId, customerId) => {
        claims.push(`${orgId}|${customerId}`);
        return claim(orgId, customerId);
      },
    };
    return { api, asked, claims };
  }

  async function openPool(api: PoolApi) {
    const { api: overviewApi } = fakeApi();
    const store = createOverviewStore(overviewApi, { today: () => today });
    const pool = createPoolStore(api);
    const onView = vi.fn();
    const view = render(<Overview store={store} pool={pool} onView={onView} />);
    await store.start();
    fireEvent.click(await screen.findByRole('button', { name: 'Pool' }));
    await screen.findAllByTestId('pool-row');
    return { view, store, pool, onView };
  }

  it('lists the pool of the organization shown, with its figures as text, and filters by stage and tier', async () => {
    const { api, asked } = poolApi();
    const { view, onView } = await openPool(api);
    expect(onView).toHaveBeenCalledWith('pool');
    expect(screen.getByRole('button', { name: 'Pool' }).getAttribute('aria-pressed')).toBe('true');
    const rows = screen.getAllByTestId('pool-row');
    expect(rows[0]!.textContent).toContain('<b>Mei</b> Pool');
    expect(view.container.querySelector('[data-testid="pool"] b')).toBeNull();
    expect(rows[0]!.textContent).toContain('mei@example.com');
    expect(rows[0]!.textContent).toContain('At risk · VIP · 4 orders, CN¥1,280');
    expect(rows[1]!.textContent).toContain('+8613800138000');
    expect(screen.getByTestId('pool-count').textContent).toBe('2 customers shown');
    expect(asked).toEqual([{ orgId: lotus.id, filter: { stage: null, tier: null } }]);

    fireEvent.change(screen.getByRole('combobox', { name: 'Lifecycle stage' }), { target: { value: 'churned' } });
    fireEvent.change(screen.getByRole('combobox', { name: 'Value tier' }), { target: { value: 'super' } });
    await waitFor(() => expect(asked.at(-1)).toEqual({ orgId: lotus.id, filter: { stage: 'churned', tier: 'super' } }));
    fireEvent.change(screen.getByRole('combobox', { name: 'Lifecycle stage' }), { target: { value: '' } });
    await waitFor(() => expect(asked.at(-1)).toEqual({ orgId: lotus.id, filter: { stage: null, tier: 'super' } }));
  });

  it('claims a row through the background and says so; a refused claim says why and can be tried again', async () => {
    let refuse = true;
    const { api, claims } = poolApi(async () => {
      if (refuse) throw new Error('the customer has an owner');
      return { pending: false };
    });
    await openPool(api);
    fireEvent.click(screen.getByRole('button', { name: 'Claim Bo Wang' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Could not claim: the customer has an owner');
    refuse = false;
    fireEvent.click(screen.getByRole('button', { name: 'Claim Bo Wang' }));
    expect((await screen.findByRole('status')).textContent).toBe('Claimed: you own this customer now.');
    expect(screen.queryByRole('button', { name: 'Claim Bo Wang' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Claim <b>Mei</b> Pool' })).toBeTruthy();
    expect(claims).toEqual([`${lotus.id}|${bo.customerId}`, `${lotus.id}|${bo.customerId}`]);
  });

  it('says a claim made offline waits in the queue', async () => {
    const { api } = poolApi(async () => ({ pending: true }));
    await openPool(api);
    fireEvent.click(screen.getByRole('button', { name: 'Claim <b>Mei</b> Pool' }));
    expect((await screen.findByRole('status')).textContent).toMatch(/saved offline/);
  });

  it('speaks Simplified Chinese', async () => {
    setLocale('zh-CN');
    const { api: overviewApi } = fakeApi();
    const store = createOverviewStore(overviewApi, { today: () => today });
    render(<Overview store={store} pool={createPoolStore(poolApi().api)} initialView="pool" />);
    await store.start();
    await screen.findByRole('heading', { name: '公海：没有负责人的客户' });
    expect(screen.getByRole('combobox', { name: '生命周期阶段' })).toBeTruthy();
    expect(screen.getByRole('combobox', { name: '客户价值等级' })).toBeTruthy();
    expect((await screen.findAllByRole('button', { name: /^领取 / })).length).toBe(2);
  });

  it('is left out of the page when no pool is given (the stages only)', async () => {
    const { api } = fakeApi();
    const store = createOverviewStore(api, { today: () => today });
    render(<Overview store={store} />);
    await store.start();
    await screen.findByRole('heading', { name: 'Customers per lifecycle stage' });
    expect(screen.queryByRole('button', { name: 'Pool' })).toBeNull();
  });
});

// The Overview page (extension/README.md, "Features"): customers per lifecycle stage over time, revenue by stage,
// segment sizes and this month's moves between stages, from the organization's stage snapshots.
// Every chart has a title and a text alternative (a summary and a table).
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { LifecycleStage } from '../../platform/messaging/schemas.ts';
import type { StageOverview } from '../../../shared/api.ts';
import { stageStyle } from '../overlay/format.ts';
import { stageColours, type SeriesColour } from './colours.ts';
import {
  formatChange,
  formatCompact,
  formatCompactMoney,
  formatCount,
  formatDay,
  formatMoney,
  formatShare,
} from './format.ts';
import { t } from './texts.ts';
import { coverage, maxRangeDays, periods, type DayRange, type RangeProblem } from './period.ts';
import { StackedChart } from './StackedChart.tsx';
import type { OverviewStore } from './store.ts';
import { Pool } from './Pool.tsx';
import type { PoolStore } from './pool-store.ts';

export type OverviewView = 'stages' | 'pool';

const fieldClass = 'rounded border border-slate-300 bg-white px-2 py-1 text-sm focus:border-sky-500 focus:outline-none';
const sectionClass = 'flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm';

const stageName = (stage: LifecycleStage) => t(`stage.${stage}`);

function StageDot({ stage }: { stage: LifecycleStage }) {
  return <span aria-hidden="true" class={`inline-block size-2.5 shrink-0 rounded-full ${stageStyle[stage].dot}`} />;
}

function largest(values: ReadonlyArray<readonly [LifecycleStage, number]>): [LifecycleStage, number] {
  return values.reduce<[LifecycleStage, number]>((best, entry) => (entry[1] > best[1] ? [entry[0], entry[1]] : best), [values[0]![0], values[0]![1]]);
}

function Controls({ store }: { store: OverviewStore }) {
  const [from, setFrom] = useState(store.customRange.value.from);
  const [to, setTo] = useState(store.customRange.value.to);
  const [problem, setProblem] = useState<RangeProblem | null>(null);
  const period = store.period.value;
  const orgs = store.orgs.value;

  const apply = async (range: DayRange) => setProblem(await store.applyCustom(range));
  // The From and To fields show the range of the chosen period, so "Custom" starts from it.
  const shown = store.range.value;
  useEffect(() => {
    if (period === 'custom') return;
    setFrom(shown.from);
    setTo(shown.to);
  }, [period, shown.from, shown.to]);
  const figures = store.figures.value;
  const covered = figures ? coverage(shown, figures.days) : null;

  return (
    <div class="flex flex-wrap items-end gap-4">
      <label class="flex flex-col gap-1 text-xs text-slate-600">
        {t('org')}
        <select
          class={fieldClass}
          data-testid="org-select"
          value={store.orgId.value ?? ''}
          onChange={(event) => void store.selectOrg(event.currentTarget.value)}
        >
          {orgs.map((org) => (
            <option key={org.id} value={org.id}>
              {org.name}
            </option>
          ))}
        </select>
      </label>
      <fieldset class="flex flex-col gap-1">
        <legend class="text-xs text-slate-600">{t('period')}</legend>
        <div class="flex flex-wrap gap-1" role="group">
          {periods.map((option) => (
            <button
              key={option}
              type="button"
              aria-pressed={period === option}
              data-period={option}
              class={`rounded border px-3 py-1 text-sm ${
                period === option ? 'border-sky-600 bg-sky-600 text-white' : 'border-slate-300 bg-white hover:bg-slate-100'
              }`}
              onClick={() => {
                setProblem(null);
                if (option === 'custom') void apply({ from, to });
                else void store.selectPeriod(option);
              }}
            >
              {t(`period.${option}`)}
            </button>
          ))}
        </div>
      </fieldset>
      <form
        class="flex flex-wrap items-end gap-2"
        onSubmit={(event) => {
          event.preventDefault();
          void apply({ from, to });
        }}
      >
        <label class="flex flex-col gap-1 text-xs text-slate-600">
          {t('custom.from')}
          <input class={fieldClass} type="date" name="from" required value={from} onInput={(event) => setFrom(event.currentTarget.value)} />
        </label>
        <label class="flex flex-col gap-1 text-xs text-slate-600">
          {t('custom.to')}
          <input class={fieldClass} type="date" name="to" required value={to} onInput={(event) => setTo(event.currentTarget.value)} />
        </label>
        <button type="submit" class="rounded border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-100">
          {t('custom.apply')}
        </button>
      </form>
      {figures && (
        // The period's name says what was asked; this says what the data shows.
        <p class="w-full text-xs text-slate-600" data-testid="period-coverage">
          {covered === null
            ? t('period.noData')
            : covered.partial
              ? t('period.dataFrom', { from: formatDay(covered.from), to: formatDay(covered.to) })
              : t('period.dataAll', { from: formatDay(shown.from), to: formatDay(shown.to) })}
        </p>
      )}
      {problem && (
        <p role="alert" class="w-full text-sm text-rose-700" data-testid="range-problem">
          {problem === 'too-long' ? t('custom.tooLong', { days: formatCount(maxRangeDays) }) : t('custom.invalid')}
        </p>
      )}
    </div>
  );
}

interface Prepared {
  stages: LifecycleStage[];
  customers: number[][];
  revenue: number[][];
  colours: SeriesColour[];
}

function DayTable({
  figures,
  prepared,
  index,
  onPick,
}: {
  figures: StageOverview;
  prepared: Prepared;
  index: number;
  onPick(index: number | null): void;
}) {
  const day = figures.days[index]!;
  const totalCustomers = prepared.customers.reduce((sum, series) => sum + series[index]!, 0);
  const totalRevenue = prepared.revenue.reduce((sum, series) => sum + series[index]!, 0);
  const latest = index === figures.days.length - 1;
  return (
    <section class={sectionClass} aria-labelledby="day-title">
      <div class="flex items-center justify-between gap-2">
        <h2 id="day-title" class="text-base font-semibold">
          {t('day.title', { day: formatDay(day) })}
        </h2>
        {!latest && (
          <button type="button" class="text-sm text-sky-700 hover:underline" onClick={() => onPick(null)}>
            {t('day.latest')}
          </button>
        )}
      </div>
      <label class="flex items-center gap-2 text-xs text-slate-600">
        {t('day.pick')}
        <input
          class={fieldClass}
          type="date"
          name="day"
          min={figures.days[0]}
          max={figures.days[figures.days.length - 1]}
          value={day}
          onChange={(event) => {
            // The latest snapshot on or before the chosen day (days without one are skipped).
            const chosen = event.currentTarget.value;
            let found = -1;
            for (let i = 0; i < figures.days.length && figures.days[i]! <= chosen; i++) found = i;
            if (found >= 0) onPick(found);
          }}
        />
      </label>
      <table class="w-full text-sm" data-testid="day-table" data-day={day}>
        <thead>
          <tr class="border-b border-slate-200 text-left text-xs text-slate-600">
            <th scope="col" class="py-1 font-medium">{t('day.stage')}</th>
            <th scope="col" class="py-1 text-right font-medium">{t('day.customers')}</th>
            <th scope="col" class="py-1 text-right font-medium">{t('day.share')}</th>
            <th scope="col" class="py-1 text-right font-medium">{t('day.revenue')}</th>
          </tr>
        </thead>
        <tbody>
          {prepared.stages.map((stage, s) => (
            <tr key={stage} class="border-b border-slate-100" data-stage={stage}>
              <th scope="row" class="py-1 text-left font-normal">
                <span class="inline-flex items-center gap-2">
                  <StageDot stage={stage} />
                  {stageName(stage)}
                </span>
              </th>
              <td class="py-1 text-right tabular-nums" data-value={prepared.customers[s]![index]}>
                {formatCount(prepared.customers[s]![index]!)}
              </td>
              <td class="py-1 text-right tabular-nums">
                {totalCustomers > 0 ? formatShare(prepared.customers[s]![index]! / totalCustomers) : '–'}
              </td>
              <td class="py-1 text-right tabular-nums" data-value={prepared.revenue[s]![index]}>
                {formatMoney(prepared.revenue[s]![index]!, figures.currency)}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr class="font-medium" data-stage="total">
            <th scope="row" class="py-1 text-left">{t('day.total')}</th>
            <td class="py-1 text-right tabular-nums" data-value={totalCustomers}>
              {formatCount(totalCustomers)}
            </td>
            <td class="py-1 text-right tabular-nums">{totalCustomers > 0 ? formatShare(1) : '–'}</td>
            <td class="py-1 text-right tabular-nums" data-value={totalRevenue}>
              {formatMoney(totalRevenue, figures.currency)}
            </td>
          </tr>
        </tfoot>
      </table>
    </section>
  );
}

function Segments({ figures }: { figures: StageOverview }) {
  const { items, day } = figures.segments;
  const max = Math.max(1, ...items.map((item) => item.members ?? 0));
  return (
    <section class={sectionClass} aria-labelledby="segments-title" data-testid="segments">
      <h2 id="segments-title" class="text-base font-semibold">
        {t('segments.title')}
      </h2>
      {items.length === 0 ? (
        <p class="text-sm text-slate-600">{t('segments.none')}</p>
      ) : (
        <>
          <p class="text-xs text-slate-600">{day ? t('segments.asOf', { day: formatDay(day) }) : t('segments.current')}</p>
          <table class="w-full text-sm">
            <thead class="sr-only">
              <tr>
                <th scope="col">{t('segments.segment')}</th>
                <th scope="col">{t('segments.members')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id} data-segment={item.id}>
                  <th scope="row" class="w-2/5 max-w-0 truncate py-1 pr-2 text-left font-normal" title={item.name}>
                    {item.name}
                  </th>
                  <td class="py-1">
                    <span class="flex items-center gap-2">
                      <span
                        aria-hidden="true"
                        class="block h-3 rounded-sm bg-sky-500"
                        style={{ width: `${Math.max(0.5, ((item.members ?? 0) / max) * 100) * 0.8}%` }}
                      />
                      <span class="tabular-nums" data-value={item.members ?? ''}>
                        {item.members === null ? t('segments.unknown') : formatCount(item.members)}
                      </span>
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function Moves({ figures }: { figures: StageOverview }) {
  const month = figures.month_moves;
  const period = new Map(figures.moves.map((move) => [`${move.from}>${move.to}`, move.count]));
  const total = month.items.reduce((sum, move) => sum + move.count, 0);
  const top = month.items[0];
  return (
    <section class={sectionClass} aria-labelledby="moves-title" data-testid="moves">
      <div>
        <h2 id="moves-title" class="text-base font-semibold">
          {t('moves.title')}
        </h2>
        <p class="text-xs text-slate-600">{t('moves.range', { from: formatDay(month.from), to: formatDay(month.to) })}</p>
      </div>
      {top ? (
        <>
          <p class="text-sm text-slate-700" data-testid="moves-summary">
            {t('moves.summary', { count: formatCount(total), from: stageName(top.from), to: stageName(top.to), n: formatCount(top.count) })}
          </p>
          <table class="w-full text-sm">
            <thead>
              <tr class="border-b border-slate-200 text-left text-xs text-slate-600">
                <th scope="col" class="py-1 font-medium">{t('moves.from')}</th>
                <th scope="col" class="py-1 font-medium">{t('moves.to')}</th>
                <th scope="col" class="py-1 text-right font-medium">{t('moves.month')}</th>
                <th scope="col" class="py-1 text-right font-medium">{t('moves.period')}</th>
              </tr>
            </thead>
            <tbody>
              {month.items.map((move) => (
                <tr key={`${move.from}>${move.to}`} class="border-b border-slate-100" data-move={`${move.from}>${move.to}`}>
                  <td class="py-1">
                    <span class="inline-flex items-center gap-2">
                      <StageDot stage={move.from} />
                      {stageName(move.from)}
                    </span>
                  </td>
                  <td class="py-1">
                    <span class="inline-flex items-center gap-2">
                      <span aria-hidden="true">→</span>
                      <StageDot stage={move.to} />
                      {stageName(move.to)}
                    </span>
                  </td>
                  <td class="py-1 text-right tabular-nums" data-value={move.count}>
                    {formatCount(move.count)}
                  </td>
                  <td class="py-1 text-right tabular-nums">{formatCount(period.get(`${move.from}>${move.to}`) ?? 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <p class="text-sm text-slate-600">{t('moves.none')}</p>
      )}
    </section>
  );
}

function Charts({ store, figures }: { store: OverviewStore; figures: StageOverview }) {
  const prepared = useMemo<Prepared>(() => {
    const stages = figures.stages;
    const colours = stageColours(stages);
    return {
      stages,
      customers: stages.map((stage) => figures.customers_by_stage[stage]),
      revenue: stages.map((stage) => figures.net_revenue_by_stage[stage]),
      colours: stages.map((stage) => colours[stage]),
    };
  }, [figures]);
  const names = useMemo(() => prepared.stages.map(stageName), [prepared]);
  const index = store.dayIndex.value;
  if (index === null) {
    return (
      <p class="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-600" data-testid="empty">
        {t('empty')}
      </p>
    );
  }

  const last = figures.days.length - 1;
  const customersOn = (i: number) => prepared.customers.reduce((sum, series) => sum + series[i]!, 0);
  const [bigStage, bigCount] = largest(prepared.stages.map((stage, s) => [stage, prepared.customers[s]![last]!] as const));
  const customersSummary = t('customers.summary', {
    total: formatCount(customersOn(last)),
    day: formatDay(figures.days[last]!),
    change: formatChange(customersOn(last) - customersOn(0)),
    first: formatDay(figures.days[0]!),
    stage: stageName(bigStage),
    count: formatCount(bigCount),
  });
  const revenueTotal = prepared.revenue.reduce((sum, series) => sum + series[last]!, 0);
  const [richStage, richAmount] = largest(prepared.stages.map((stage, s) => [stage, prepared.revenue[s]![last]!] as const));
  const revenueSummary = t('revenue.summary', {
    day: formatDay(figures.days[last]!),
    total: formatMoney(revenueTotal, figures.currency),
    stage: stageName(richStage),
    amount: formatMoney(richAmount, figures.currency),
  });

  return (
    <div class="grid gap-4 lg:grid-cols-3">
      <div class="flex flex-col gap-4 lg:col-span-2">
        <section class={sectionClass} aria-labelledby="customers-title" data-testid="customers-chart">
          <h2 id="customers-title" class="text-base font-semibold">
            {t('customers.title')}
          </h2>
          <p class="text-sm text-slate-700" id="customers-summary" data-testid="customers-summary">
            {customersSummary}
          </p>
          <StackedChart
            label={`${t('customers.title')}. ${customersSummary}`}
            days={figures.days}
            values={prepared.customers}
            names={names}
            dayLabel={t('chart.day')}
            colours={prepared.colours}
            formatValue={formatCount}
            formatAxis={formatCompact}
            onPick={store.pickDay}
          />
          <p class="text-xs text-slate-500">{t('chart.hint')}</p>
        </section>
        <section class={sectionClass} aria-labelledby="revenue-title" data-testid="revenue-chart">
          <h2 id="revenue-title" class="text-base font-semibold">
            {t('revenue.title')}
          </h2>
          <p class="text-sm text-slate-700" data-testid="revenue-summary">
            {revenueSummary}
          </p>
          <StackedChart
            label={`${t('revenue.title')}. ${revenueSummary}`}
            days={figures.days}
            values={prepared.revenue}
            names={names}
            dayLabel={t('chart.day')}
            colours={prepared.colours}
            formatValue={(value) => formatMoney(value, figures.currency)}
            formatAxis={(value) => formatCompactMoney(value, figures.currency)}
            onPick={store.pickDay}
          />
        </section>
      </div>
      <div class="flex flex-col gap-4">
        <DayTable figures={figures} prepared={prepared} index={index} onPick={store.pickDay} />
        <Moves figures={figures} />
        <Segments figures={figures} />
      </div>
    </div>
  );
}

/** Stages (the charts) or the pool; keyboard users move with Tab and press the one they want. */
function ViewSwitch({ view, onView }: { view: OverviewView; onView: (view: OverviewView) => void }) {
  return (
    <div class="flex flex-wrap gap-1" role="group" aria-label={t('view')} data-testid="view-switch">
      {(['stages', 'pool'] as const).map((option) => (
        <button
          key={option}
          type="button"
          aria-pressed={view === option}
          data-view={option}
          class={`rounded border px-3 py-1 text-sm ${
            view === option ? 'border-sky-600 bg-sky-600 text-white' : 'border-slate-300 bg-white text-slate-800 hover:bg-slate-100'
          }`}
          onClick={() => onView(option)}
        >
          {t(`view.${option}`)}
        </button>
      ))}
    </div>
  );
}

function OrgSelect({ store }: { store: OverviewStore }) {
  return (
    <label class="flex flex-col gap-1 self-start text-xs text-slate-600">
      {t('org')}
      <select class={fieldClass} data-testid="org-select" value={store.orgId.value ?? ''} onChange={(event) => void store.selectOrg(event.currentTarget.value)}>
        {store.orgs.value.map((org) => (
          <option key={org.id} value={org.id}>
            {org.name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Overview({
  store,
  pool,
  initialView = 'stages',
  onView,
}: {
  store: OverviewStore;
  /** The pool view; without it the page shows the stages only. */
  pool?: PoolStore;
  initialView?: OverviewView;
  /** Told when the user switches views (the entrypoint keeps it in the address's hash). */
  onView?: (view: OverviewView) => void;
}) {
  const [view, setView] = useState<OverviewView>(pool ? initialView : 'stages');
  const switchView = (next: OverviewView) => {
    setView(next);
    onView?.(next);
  };
  const context = store.context.value;
  const session = context?.session;
  const figures = store.figures.value;
  const range = store.range.value;

  let body;
  if (store.contextError.value) {
    body = (
      <p role="alert" class="text-sm text-rose-700">
        {t('failed', { message: store.contextError.value })}
      </p>
    );
  } else if (!context) {
    body = <p class="text-sm text-slate-600">{t('loading')}</p>;
  } else if (!session?.signedIn) {
    body = <p class="text-sm" data-testid="signed-out">{session?.reason === 'not-configured' ? t('notConfigured') : t('signedOut')}</p>;
  } else if (store.orgs.value.length === 0) {
    body = <p class="text-sm" data-testid="no-org">{t('noOrg')}</p>;
  } else if (pool && view === 'pool') {
    const orgId = store.orgId.value;
    body = (
      <>
        <ViewSwitch view={view} onView={switchView} />
        <OrgSelect store={store} />
        {orgId && <Pool pool={pool} orgId={orgId} />}
      </>
    );
  } else {
    body = (
      <>
        {pool && <ViewSwitch view={view} onView={switchView} />}
        <Controls store={store} />
        <p class="text-xs text-slate-600" data-testid="range">
          {t('range', { from: formatDay(range.from), to: formatDay(range.to) })}
          {store.loading.value && <span class="ml-2" role="status">{t('loading')}</span>}
        </p>
        {store.error.value && (
          <p role="alert" class="flex items-center gap-2 text-sm text-rose-700">
            {t('failed', { message: store.error.value })}
            <button type="button" class="rounded border border-rose-300 px-2 py-0.5" onClick={() => void store.retry()}>
              {t('retry')}
            </button>
          </p>
        )}
        {figures && figures.org_id === store.orgId.value && (
          <div aria-busy={store.loading.value} data-testid="charts" data-from={figures.from} data-to={figures.to}>
            <Charts store={store} figures={figures} />
          </div>
        )}
      </>
    );
  }

  return (
    <main class="mx-auto flex max-w-7xl flex-col gap-4 p-6 text-slate-900">
      <h1 class="text-xl font-semibold">{t('title')}</h1>
      {body}
    </main>
  );
}

// The expanded portrait of a known customer.
import { t } from './texts.ts';
import type { PortraitView } from '../../platform/messaging/schemas.ts';
import {
  daysAgo,
  daysSince,
  formatCount,
  formatDate,
  formatMoney,
  safeHttpUrl,
  stageOf,
  stageStyle,
} from './format.ts';
import { NotesSection } from './Notes.tsx';
import { LazyCardActions } from './actions/Lazy.tsx';
import type { OverlayStore, ParticipantEntry } from './store.ts';
import { TagsSection } from './Tags.tsx';
import { Section, StageDot } from './ui.tsx';

const TIMELINE_LENGTH = 5;

/** The reason texts' number placeholders and the fields of the stored reason they come from. */
const reasonNumbers = { window: 'window_days', gap: 'gap_days', threshold: 'threshold_days', orders: 'order_count' };

function numberValue(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * Why the customer has the computed stage, from the reason the engine stored: its code's text with
 * the numbers behind it. A reason the overlay does not know, or one without the numbers its text
 * needs (or none, as for a lead just added), falls back to the stage's rule.
 */
export function stageReasonText(portrait: PortraitView, now: number): string {
  const rule = t(`stageRule.${stageOf(portrait.computedStage)}`);
  const reason = portrait.stageReason;
  const key = `reason.${reason?.code}`;
  if (!reason || !t.has(key)) return rule;
  const given = reason.values ?? {};
  const values: Record<string, string> = {};
  const lastOrderAt = typeof given.last_order_at === 'string' ? given.last_order_at : null;
  const days = lastOrderAt === null ? null : daysSince(lastOrderAt, now);
  if (lastOrderAt !== null && days !== null) {
    values.ago = daysAgo(lastOrderAt, now);
    values.days = formatCount(days);
  }
  for (const [placeholder, field] of Object.entries(reasonNumbers)) {
    const value = numberValue(given[field]);
    if (value !== null) values[placeholder] = formatCount(value);
  }
  const text = t(key, values);
  return /\{\w+\}/.test(text) ? rule : text;
}

function StageSection({ portrait, now }: { portrait: PortraitView; now: number }) {
  const stage = stageOf(portrait.stage);
  const history = [...portrait.stageHistory].sort((a, b) => a.at.localeCompare(b.at)).slice(-TIMELINE_LENGTH);
  return (
    <section aria-label={t('stage.label')} class="flex flex-col gap-1.5">
      <div class="flex flex-wrap items-center gap-2">
        <span class={`ov-badge ${stageStyle[stage].badge}`}>
          <StageDot stage={stage} />
          {t(`stage.${stage}`)}
        </span>
        {portrait.stageOverride && (
          <span class="text-xs text-slate-600">
            {t('stage.override', { stage: t(`stage.${stageOf(portrait.computedStage)}`) })}
          </span>
        )}
      </div>
      <p class="text-slate-700">
        {stageReasonText(portrait, now)}
      </p>
      {history.length === 1 && (
        // One entry is no timeline: say since when the customer has had the stage.
        <p class="text-xs text-slate-600">
          {t('stage.since', { stage: t(`stage.${stageOf(history[0]!.to)}`), date: formatDate(history[0]!.at) })}
        </p>
      )}
      {history.length > 1 && (
        <ol aria-label={t('timeline')} class="mt-1 flex items-start">
          {history.map((change, i) => {
            const to = stageOf(change.to);
            const date = formatDate(change.at);
            return (
              <li key={`${change.at}-${i}`} class="relative flex min-w-0 flex-1 flex-col items-center gap-1 text-center">
                {i > 0 && <span aria-hidden="true" class="absolute top-[4px] right-1/2 h-0.5 w-full bg-slate-200" />}
                <span class="relative">
                  <StageDot stage={to} />
                </span>
                <span class="w-full truncate text-xs text-slate-700">
                  {t(`stage.${to}`)}
                  {change.source === 'manual' && <span class="sr-only">{`, ${t('timeline.manual')}`}</span>}
                </span>
                <time dateTime={change.at} class="text-[11px] text-slate-500">
                  {date}
                </time>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

function Badges({ portrait }: { portrait: PortraitView }) {
  const tier = portrait.valueTier === 'vip' || portrait.valueTier === 'super' ? portrait.valueTier : 'normal';
  const segment = portrait.rfmSegment;
  const segmentKey = `rfm.${segment}`;
  const segmentText = segment && t.has(segmentKey) ? t(segmentKey) : segment;
  const rfm = portrait.rfm;
  return (
    <ul aria-label={t('badges')} class="flex flex-wrap gap-1.5">
      <li class={`ov-badge ${tier === 'normal' ? 'bg-slate-50 text-slate-700 ring-slate-300' : 'bg-amber-50 text-amber-900 ring-amber-400'}`}>
        {t(`tier.${tier}`)}
      </li>
      {segmentText && (
        <li class="ov-badge bg-indigo-50 text-indigo-800 ring-indigo-300">
          {segmentText}
          {rfm && <span class="text-indigo-600">{` ${t('rfm.scores', { r: rfm.r, f: rfm.f, m: rfm.m })}`}</span>}
        </li>
      )}
      {portrait.ticketBand && (
        <li class="ov-badge bg-slate-50 text-slate-700 ring-slate-300">{t(`ticket.${portrait.ticketBand === 'high' ? 'high' : 'low'}`)}</li>
      )}
      {portrait.isPartner && <li class="ov-badge bg-teal-50 text-teal-800 ring-teal-300">{t('partner')}</li>}
      {!portrait.isValid && (
        <li class="ov-badge bg-rose-50 text-rose-800 ring-rose-300">
          {t('invalid')}
        </li>
      )}
    </ul>
  );
}

function KeyNumbers({ portrait, now }: { portrait: PortraitView; now: number }) {
  // Nothing bought yet (a lead): no spend to show, rather than a zero amount.
  const none = portrait.orderCount === 0;
  const rows: Array<[string, string]> = [
    [t('orders'), formatCount(portrait.orderCount)],
    [t('netSpend'), none ? t('noOrders') : formatMoney(portrait.netSpend, portrait.currency)],
    [t('aov'), portrait.aov === null || none ? t('none') : formatMoney(portrait.aov, portrait.currency)],
    [t('lastOrder'), portrait.lastOrderAt ? daysAgo(portrait.lastOrderAt, now) : t('noOrders')],
  ];
  // Satisfaction visits: the last score on its own scale, the average on 0–100.
  const visits = portrait.satisfaction;
  if (visits) rows.push([t('satisfaction'), `${visits.last}/${visits.max} · ${Math.round(visits.average)}/100`]);
  return (
    <dl aria-label={t('numbers')} class="grid grid-cols-2 gap-x-4 gap-y-2">
        {rows.map(([label, value]) => (
          <div key={label} class="flex min-w-0 flex-col">
            <dt class="text-xs text-slate-500">{label}</dt>
            <dd class="truncate font-semibold tabular-nums">{value}</dd>
          </div>
        ))}
    </dl>
  );
}

/** Pending orders: listed so the rep knows of them, never counted in the key numbers. */
function OpenOrders({ portrait, now }: { portrait: PortraitView; now: number }) {
  const orders = portrait.openOrders ?? [];
  return orders.length > 0 ? (
    <Section title={t('openOrders', { count: formatCount(portrait.openOrderCount ?? orders.length) })}>
      <ul>
        {orders.map((order, i) => (
          <li key={i} class="flex justify-between">
            <b class="tabular-nums">{formatMoney(order.total, order.currency)}</b>
            {daysAgo(order.at, now)}
          </li>
        ))}
      </ul>
    </Section>
  ) : null;
}

export function CustomerCard({ store, entry, portrait }: { store: OverlayStore; entry: ParticipantEntry; portrait: PortraitView }) {
  const now = store.now.value;
  const studioUrl = safeHttpUrl(portrait.studioUrl);
  const contact = portrait.primaryEmail ?? entry.identifier.value;
  return (
    <div class="flex flex-col gap-4">
      <header class="flex flex-col gap-0.5">
        <h2 class="text-base font-semibold break-words">
          {portrait.displayName}
        </h2>
        <p class="break-all text-slate-600">{contact}</p>
        {(portrait.company || portrait.kind === 'company') && (
          <p class="text-slate-600">{[portrait.kind === 'company' ? t('kind.company') : null, portrait.company].filter(Boolean).join(' · ')}</p>
        )}
        {(portrait.location || portrait.primaryPhone) && (
          <p class="text-slate-600">{[portrait.location, portrait.primaryPhone].filter(Boolean).join(' · ')}</p>
        )}
        {portrait.owner && <p class="text-xs text-slate-500">{t('owner', { name: portrait.owner })}</p>}
      </header>
      <StageSection portrait={portrait} now={now} />
      <Badges portrait={portrait} />
      <KeyNumbers portrait={portrait} now={now} />
      <OpenOrders portrait={portrait} now={now} />
      <TagsSection store={store} canRemove />
      {portrait.segments.length > 0 && (
        <Section title={t('segments')}>
          <ul class="flex flex-wrap gap-1.5">
            {portrait.segments.map((segment) => (
              <li key={segment.id} class="ov-badge bg-white text-slate-700 ring-slate-300">
                {segment.name}
              </li>
            ))}
          </ul>
        </Section>
      )}
      <NotesSection store={store} />
      <LazyCardActions portrait={portrait} now={now} />
      {studioUrl && (
        <a href={studioUrl} target="_blank" rel="noopener noreferrer" class="self-start text-sm font-medium text-sky-700 underline hover:text-sky-900 ov-focus">
          {t('studio')}
        </a>
      )}
    </div>
  );
}

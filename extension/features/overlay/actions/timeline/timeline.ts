// The timeline's logic, apart from its component: items grouped by local day with relative
// labels, and each kind's text, icon and colour. Customer and page text stays text: these functions
// return strings that components render as text nodes, never markup.
import type { TimelineItem } from '../../../../../shared/api.ts';
import { getLocale } from '../../../../platform/i18n/i18n.ts';
import { dictionaries as overlayDictionaries } from '../../texts.ts';
import { t } from '../texts.ts';

const DAY = 86_400_000;

export interface DayGroup {
  /** The local day, YYYY-MM-DD. */
  day: string;
  label: string;
  items: TimelineItem[];
}

function localDay(at: number): string {
  const date = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** "Today", "Yesterday", "3 days ago" up to a week, then the date. */
export function dayLabel(day: string, now: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const start = new Date(y, m - 1, d).getTime();
  const today = new Date(now);
  today.setHours(0, 0, 0, 0);
  const days = Math.round((today.getTime() - start) / DAY);
  if (days === 0) return t('today');
  if (days === 1) return t('yesterday');
  if (days > 1 && days < 7) return new Intl.RelativeTimeFormat(getLocale(), { numeric: 'auto' }).format(-days, 'day');
  return new Intl.DateTimeFormat(getLocale(), { year: 'numeric', month: 'short', day: 'numeric' }).format(start);
}

/** Items (newest first) in groups per local day, in the same order. */
export function groupByDay(items: readonly TimelineItem[], now: number): DayGroup[] {
  const groups: DayGroup[] = [];
  for (const item of items) {
    const day = localDay(Date.parse(item.at));
    let group = groups[groups.length - 1];
    if (!group || group.day !== day) {
      group = { day, label: dayLabel(day, now), items: [] };
      groups.push(group);
    }
    group.items.push(item);
  }
  return groups;
}

/** Pages are appended; an item already shown (same key) is not shown twice. */
export function appendPage(shown: readonly TimelineItem[], page: readonly TimelineItem[]): TimelineItem[] {
  const keys = new Set(shown.map((item) => item.key));
  return [...shown, ...page.filter((item) => !keys.has(item.key))];
}

function money(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat(getLocale(), { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

function shortDate(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? iso : new Intl.DateTimeFormat(getLocale(), { month: 'short', day: 'numeric' }).format(at);
}

function stageName(stage: string | null): string {
  const texts: Record<string, string> = overlayDictionaries[getLocale()];
  return (stage && texts[`stage.${stage}`]) || stage || '';
}

/** Kind → an icon (a character, hidden from screen readers) and literal Tailwind colour classes. */
export const kindStyle: Record<TimelineItem['kind'], { icon: string; colour: string }> = {
  order: { icon: '¥', colour: 'bg-emerald-100 text-emerald-800' },
  note: { icon: '✎', colour: 'bg-amber-100 text-amber-800' },
  stage_change: { icon: '◆', colour: 'bg-indigo-100 text-indigo-800' },
  tag_added: { icon: '#', colour: 'bg-sky-100 text-sky-800' },
  tag_removed: { icon: '#', colour: 'bg-slate-100 text-slate-600' },
  event: { icon: '✉', colour: 'bg-slate-100 text-slate-700' },
  follow_up_created: { icon: '⏰', colour: 'bg-orange-100 text-orange-800' },
  follow_up_completed: { icon: '✓', colour: 'bg-green-100 text-green-800' },
  ownership_change: { icon: '👤', colour: 'bg-violet-100 text-violet-800' },
  satisfaction: { icon: '★', colour: 'bg-rose-100 text-rose-800' },
};

/** The item's headline and, for notes, comments and pages, its detail (customer or page text). */
export function itemText(item: TimelineItem): { title: string; detail: string | null } {
  switch (item.kind) {
    case 'order': {
      const values = { id: item.external_id, total: money(item.total, item.currency), refunded: money(item.refunded_amount, item.currency) };
      if (item.status === 'refunded') return { title: t('kind.orderRefunded', values), detail: null };
      if (item.status === 'cancelled') return { title: t('kind.orderCancelled', values), detail: null };
      if (item.refunded_amount > 0) return { title: t('kind.orderPartlyRefunded', values), detail: null };
      return { title: t('kind.order', values), detail: null };
    }
    case 'note':
      return { title: t('kind.note'), detail: item.body };
    case 'stage_change': {
      const to = stageName(item.to_stage);
      const title = item.from_stage ? t('kind.stage', { from: stageName(item.from_stage), to }) : t('kind.stageFirst', { to });
      return { title, detail: item.source === 'manual' ? t('kind.stageManual') : null };
    }
    case 'tag_added':
    case 'tag_removed': {
      const title = t(item.kind === 'tag_added' ? 'kind.tagAdded' : 'kind.tagRemoved', { tag: item.tag_name });
      const page = item.page_title || item.page_url;
      return { title, detail: page ? t('kind.tagPage', { page }) : null };
    }
    case 'event': {
      const key = `event.${item.event_kind}` as const;
      const subject = typeof item.details.subject === 'string' ? item.details.subject : null;
      return { title: t('kind.event', { kind: t.has(key) ? t(key) : item.event_kind }), detail: subject };
    }
    case 'follow_up_created':
      return { title: t('kind.followUpCreated', { due: shortDate(item.due_at) }), detail: item.note };
    case 'follow_up_completed':
      return { title: t('kind.followUpCompleted', { due: shortDate(item.due_at) }), detail: item.note };
    case 'ownership_change': {
      const to = item.to_owner_name ?? '';
      const key =
        item.reason === 'claimed'
          ? 'kind.ownerClaimed'
          : item.reason === 'assigned'
            ? 'kind.ownerAssigned'
            : item.reason === 'recycled'
              ? 'kind.ownerRecycled'
              : 'kind.ownerReleased';
      return { title: t(key, { to }), detail: item.note };
    }
    case 'satisfaction': {
      const channel = t(`visit.${item.channel}`);
      const score = `${item.score}/${item.scale === 'csat5' ? 5 : 10}`;
      return { title: t('kind.satisfaction', { channel, score }), detail: item.comment };
    }
  }
}

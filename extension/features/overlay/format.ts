// How the overlay writes numbers, money, dates and ages, in the UI's language through Intl.
import { getLocale } from '../../platform/i18n/i18n.ts';
import { t } from './texts.ts';
import type { LifecycleStage } from '../../platform/messaging/schemas.ts';

const DAY = 86_400_000;

/** Whole days from `iso` to `now` (floor), as the engine counts them; null for a bad date. */
export function daysSince(iso: string, now: number): number | null {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? null : Math.max(0, Math.floor((now - at) / DAY));
}

/** Money with the currency's own decimals whatever the amount, so amounts side by side read alike. */
export function formatMoney(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat(getLocale(), { style: 'currency', currency }).format(amount);
  } catch {
    // An unknown currency code from the data: still show the amount.
    return `${amount.toFixed(2)} ${currency}`;
  }
}

export function formatCount(value: number): string {
  return new Intl.NumberFormat(getLocale()).format(value);
}

export function formatDate(iso: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  return new Intl.DateTimeFormat(getLocale(), { year: 'numeric', month: 'short', day: 'numeric' }).format(at);
}

/** "142 days ago", "yesterday", "today": how the overlay says when the last order was. */
export function daysAgo(iso: string, now: number): string {
  const days = daysSince(iso, now);
  if (days === null) return iso;
  return new Intl.RelativeTimeFormat(getLocale(), { numeric: 'auto' }).format(-days, 'day');
}

/** "just now", "2 minutes ago", "3 hours ago", "5 days ago": how fresh the data is. */
export function timeAgo(at: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - at) / 1_000));
  if (seconds < 45) return t('fresh.justNow');
  const format = new Intl.RelativeTimeFormat(getLocale(), { numeric: 'always', style: 'short' });
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return format.format(-minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (hours < 48) return format.format(-hours, 'hour');
  return format.format(-Math.round(hours / 24), 'day');
}

/** Stage colours: a dot for the pill and timeline, a badge for the card. Literal class names for Tailwind. */
export const stageStyle: Record<LifecycleStage, { dot: string; badge: string }> = {
  prospect: { dot: 'bg-slate-400', badge: 'bg-slate-100 text-slate-800 ring-slate-300' },
  lead: { dot: 'bg-sky-500', badge: 'bg-sky-50 text-sky-800 ring-sky-300' },
  new: { dot: 'bg-teal-500', badge: 'bg-teal-50 text-teal-800 ring-teal-300' },
  active: { dot: 'bg-emerald-500', badge: 'bg-emerald-50 text-emerald-800 ring-emerald-300' },
  loyal: { dot: 'bg-indigo-500', badge: 'bg-indigo-50 text-indigo-800 ring-indigo-300' },
  at_risk: { dot: 'bg-amber-500', badge: 'bg-amber-50 text-amber-900 ring-amber-300' },
  churned: { dot: 'bg-rose-500', badge: 'bg-rose-50 text-rose-800 ring-rose-300' },
  reactivated: { dot: 'bg-violet-500', badge: 'bg-violet-50 text-violet-800 ring-violet-300' },
};

const lifecycleStages = new Set<string>(Object.keys(stageStyle));

/** A stage from data we do not control; unknown values are shown as a prospect's grey. */
export function stageOf(value: string): LifecycleStage {
  return (lifecycleStages.has(value) ? value : 'prospect') as LifecycleStage;
}

/** Only http(s) links are followed (the Studio link comes from data). */
export function safeHttpUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

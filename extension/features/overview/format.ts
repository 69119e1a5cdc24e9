// How the Overview page writes numbers, money and days, in the UI's language through Intl.
import { getLocale } from '../../platform/i18n/i18n.ts';

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function numberFormat(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const id = `${getLocale()}|n|${key}`;
  let format = cache.get(id) as Intl.NumberFormat | undefined;
  if (!format) {
    format = new Intl.NumberFormat(getLocale(), options);
    cache.set(id, format);
  }
  return format;
}

function dateFormat(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const id = `${getLocale()}|d|${key}`;
  let format = cache.get(id) as Intl.DateTimeFormat | undefined;
  if (!format) {
    format = new Intl.DateTimeFormat(getLocale(), { ...options, timeZone: 'UTC' });
    cache.set(id, format);
  }
  return format;
}

export function formatCount(value: number): string {
  return numberFormat('count', {}).format(value);
}

/** A signed change: "+12", "−3", "0". */
export function formatChange(value: number): string {
  return numberFormat('change', { signDisplay: 'exceptZero' }).format(value);
}

export function formatCompact(value: number): string {
  return numberFormat('compact', { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}

export function formatShare(value: number): string {
  return numberFormat('share', { style: 'percent', maximumFractionDigits: 1 }).format(value);
}

export function formatMoney(amount: number, currency: string): string {
  try {
    return numberFormat(`money|${currency}`, { style: 'currency', currency, maximumFractionDigits: 0 }).format(amount);
  } catch {
    // An unknown currency code from the data: still show the amount.
    return `${formatCount(Math.round(amount))} ${currency}`;
  }
}

export function formatCompactMoney(amount: number, currency: string): string {
  try {
    return numberFormat(`compact-money|${currency}`, {
      style: 'currency',
      currency,
      notation: 'compact',
      maximumFractionDigits: 1,
    }).format(amount);
  } catch {
    return `${formatCompact(amount)} ${currency}`;
  }
}

/** A UTC day (`YYYY-MM-DD`) as the locale writes it: "Nov 23, 2026", "2026年11月23日". */
export function formatDay(day: string): string {
  const at = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(at) ? day : dateFormat('day', { dateStyle: 'medium' }).format(at);
}

/** An axis tick: month and year for long ranges, day and month for short ones. */
export function formatTick(epochSeconds: number, spanDays: number): string {
  const options: Intl.DateTimeFormatOptions = spanDays > 120 ? { year: 'numeric', month: 'short' } : { month: 'short', day: 'numeric' };
  return dateFormat(spanDays > 120 ? 'tick-month' : 'tick-day', options).format(epochSeconds * 1000);
}

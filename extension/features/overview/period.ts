// The periods the Overview page offers, as ranges of UTC days (`YYYY-MM-DD`, both ends included).
export const periods = ['30d', '90d', '1y', '3y', 'custom'] as const;
export type Period = (typeof periods)[number];

export interface DayRange {
  from: string;
  to: string;
}

/** The longest range the API answers: five years of days (stage_overview). */
export const maxRangeDays = 1830;

const DAY_MS = 86_400_000;
const isoDay = /^\d{4}-\d{2}-\d{2}$/;

/** Today's UTC day. */
export function utcToday(now = Date.now()): string {
  return new Date(now).toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function addYears(day: string, years: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCFullYear(date.getUTCFullYear() + years);
  return date.toISOString().slice(0, 10);
}

/** Days from `from` to `to` (0 for the same day). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** The range a preset period covers, ending today: "30 days" is today and the 29 days before. */
export function presetRange(period: Exclude<Period, 'custom'>, today: string): DayRange {
  switch (period) {
    case '30d':
      return { from: addDays(today, -29), to: today };
    case '90d':
      return { from: addDays(today, -89), to: today };
    case '1y':
      return { from: addDays(addYears(today, -1), 1), to: today };
    case '3y':
      return { from: addDays(addYears(today, -3), 1), to: today };
  }
}

/**
 * What the figures really cover within the range asked for: `partial` when the first day with data
 * comes after the range's first day (a "3 years" view of one year's snapshots), null with no data.
 */
export function coverage(range: DayRange, days: readonly string[]): { from: string; to: string; partial: boolean } | null {
  if (days.length === 0) return null;
  const from = days[0]!;
  return { from, to: days[days.length - 1]!, partial: from > range.from };
}

export type RangeProblem = 'invalid' | 'too-long';

/** Checks a custom range as typed into the page's date inputs. */
export function checkRange(range: DayRange): RangeProblem | null {
  const valid = (day: string) => isoDay.test(day) && !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && addDays(day, 0) === day;
  if (!valid(range.from) || !valid(range.to) || range.from > range.to) return 'invalid';
  if (daysBetween(range.from, range.to) > maxRangeDays) return 'too-long';
  return null;
}

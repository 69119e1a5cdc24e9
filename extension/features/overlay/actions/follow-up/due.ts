// The follow-up's quick picks as due times: 9:00 local time on the day picked.
export type QuickPick = 'tomorrow' | 'in3' | 'nextWeek';

export const quickPicks: readonly QuickPick[] = ['tomorrow', 'in3', 'nextWeek'];

function atNine(date: Date): string {
  date.setHours(9, 0, 0, 0);
  return date.toISOString();
}

/** Tomorrow, in three days, or next Monday (a week on from a Monday), at 9:00 local time. */
export function dueFor(pick: QuickPick, now: number): string {
  const date = new Date(now);
  if (pick === 'tomorrow') date.setDate(date.getDate() + 1);
  else if (pick === 'in3') date.setDate(date.getDate() + 3);
  else date.setDate(date.getDate() + (((8 - date.getDay()) % 7) || 7));
  return atNine(date);
}

/** A date input's value (YYYY-MM-DD) at 9:00 local time; null when it is not a date. */
export function dueOn(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(date.getTime()) ? null : atNine(date);
}

// "Returns to the pool in N days" (回收提醒), as the card and the popup word it: the number of
// local calendar days from now until the customer's recycle time (0: today, 1: tomorrow; a time
// already past counts as today, the engine's next drift pass returns them). Under three days the
// warning is urgent (shown in red, with its words: never colour alone).

const dayMs = 86_400_000;

function localMidnight(time: number): number {
  const day = new Date(time);
  day.setHours(0, 0, 0, 0);
  return day.getTime();
}

/** Whole local calendar days from `now` until `recycleAt` (never negative); null for no or a bad time. */
export function daysUntilRecycle(recycleAt: string | null | undefined, now: number): number | null {
  if (!recycleAt) return null;
  const at = Date.parse(recycleAt);
  if (Number.isNaN(at)) return null;
  if (at <= now) return 0;
  return Math.max(0, Math.round((localMidnight(at) - localMidnight(now)) / dayMs));
}

/** Days under which the warning is urgent. */
export const urgentRecycleDays = 3;

export function recycleIsUrgent(days: number): boolean {
  return days < urgentRecycleDays;
}

/** The text key for the warning: today, tomorrow, or in N days. */
export function recycleWording(days: number): 'today' | 'tomorrow' | 'days' {
  return days <= 0 ? 'today' : days === 1 ? 'tomorrow' : 'days';
}

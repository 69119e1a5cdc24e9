// The signed-in user's open follow-ups (my_follow_ups), kept in memory per organization: the pill
// marks a customer whose follow-up is overdue, the popup lists what is due today and overdue, and
// the toolbar badge counts what is due by the end of today. Refreshed on a schedule (alarms), after
// every follow-up write that lands, and when the popup opens.
import type { RpcResult } from '../../shared/api.ts';
import type { PortraitView } from '../platform/messaging/schemas.ts';
import { systemClock, type Clock } from './clock.ts';
import type { SessionManager } from './session.ts';

export type MyFollowUp = RpcResult<'my_follow_ups'>[number];

export interface DueFollowUps {
  overdue: MyFollowUp[];
  today: MyFollowUp[];
}

export interface FollowUpStore {
  /** Asks the API again; keeps the last answer when it cannot be reached. */
  refresh(orgId: string): Promise<void>;
  /** The earliest open follow-up of the customer, as the pill and the card show it. */
  forCustomer(orgId: string, customerId: string): PortraitView['followUp'];
  /** Overdue, and due later today (local time), earliest first. */
  due(orgId: string): DueFollowUps;
  /** Whether the last answer is older than `maxAgeMs` (or there is none). */
  stale(orgId: string, maxAgeMs: number): boolean;
  clear(): void;
}

/** How far ahead the store reads: the card shows a customer's next follow-up even months away. */
const horizonMs = 365 * 24 * 3600_000;

/** The end of the local day of `now`. */
export function endOfDay(now: number): number {
  const day = new Date(now);
  day.setHours(23, 59, 59, 999);
  return day.getTime();
}

/** Splits open follow-ups into overdue and due later today. */
export function dueOf(rows: readonly MyFollowUp[], now: number): DueFollowUps {
  const end = endOfDay(now);
  const sorted = [...rows].sort((a, b) => a.due_at.localeCompare(b.due_at));
  return {
    overdue: sorted.filter((row) => Date.parse(row.due_at) < now),
    today: sorted.filter((row) => Date.parse(row.due_at) >= now && Date.parse(row.due_at) <= end),
  };
}

export function createFollowUpStore(options: {
  session: SessionManager;
  clock?: Clock;
  /** Told the number due by the end of today (overdue included) after each refresh. */
  onCount?(count: number): void;
}): FollowUpStore {
  const clock = options.clock ?? systemClock;
  const byOrg = new Map<string, { rows: MyFollowUp[]; at: number }>();

  return {
    async refresh(orgId) {
      const backend = await options.session.backend();
      const until = new Date(clock.now() + horizonMs).toISOString();
      const rows = await backend.myFollowUps(orgId, until);
      byOrg.set(orgId, { rows, at: clock.now() });
      const due = dueOf(rows, clock.now());
      options.onCount?.(due.overdue.length + due.today.length);
    },
    forCustomer(orgId, customerId) {
      const rows = byOrg.get(orgId)?.rows ?? [];
      let first: MyFollowUp | null = null;
      for (const row of rows) {
        if (row.customer_id === customerId && (!first || row.due_at < first.due_at)) first = row;
      }
      return first ? { id: first.follow_up_id, dueAt: first.due_at, note: first.note } : null;
    },
    due(orgId) {
      return dueOf(byOrg.get(orgId)?.rows ?? [], clock.now());
    },
    stale(orgId, maxAgeMs) {
      const entry = byOrg.get(orgId);
      return !entry || clock.now() - entry.at > maxAgeMs;
    },
    clear() {
      byOrg.clear();
      options.onCount?.(0);
    },
  };
}

// The local stack's stand-in for pg_cron + pg_net: calls the recompute-segments function through
// the local API with the service role key, as the production schedule does (migration
// 20261123002100_recompute_schedule.sql):
//
//   dirty   every 10 s     drain the queue of customers waiting to be reclassified
//   drift   every minute   reclassify customers whose stage changes with the passing of time
//   full    nightly 03:00  new cut points, everything recomputed
//
// and, standing in for the call a new shop connection makes through pg_net (README.md, "Shop
// history backfill"), the backfill-shop function's sweep (service role, no body):
//
//   backfill  every 10 s   when a shop backfill is pending, or paused and due to resume
//
// Intervals are options (and, for `npm start`, the environment: PORTRAIT_SCHEDULE_DIRTY_SECONDS,
// PORTRAIT_SCHEDULE_DRIFT_SECONDS, PORTRAIT_SCHEDULE_BACKFILL_SECONDS, PORTRAIT_SCHEDULE_FULL_AT
// as HH:MM local time or "off"; PORTRAIT_SCHEDULER=off turns it off). A job never overlaps itself:
// a tick that finds the previous call still running is skipped. A call that answers complete:
// false is continued at once from where it stopped.

export type RecomputeMode = 'full' | 'dirty' | 'drift';
export type Job = RecomputeMode | 'backfill';

/**
 * Whether a shop backfill waits for the sweep: pending, or paused and due (private.backfills_due
 * decides what is due: an active connection with credentials, past its resume_after). A failed
 * one is left for an admin (or the next new or paused one) rather than retried every tick.
 */
export const BACKFILL_DUE_SQL = `select exists (
  select 1 from private.backfills_due(100) as d (id)
    join public.shop_backfills b on b.id = d.id
   where b.state in ('pending', 'paused')
) as due`;

export interface SchedulerOptions {
  /** Milliseconds between dirty-queue drains; 0 turns the job off. Default 10 s. */
  dirtyMs?: number;
  /** Milliseconds between drift passes; 0 turns the job off. Default 60 s. */
  driftMs?: number;
  /** Milliseconds between looks for a due shop backfill; 0 turns the job off. Default 10 s. */
  backfillMs?: number;
  /** Local time of the nightly full run as "HH:MM", or null for none. Default "03:00". */
  fullAt?: string | null;
  /** Milliseconds between full runs instead of a time of day (tests). */
  fullMs?: number;
  /** Wall-clock budget passed to each call. */
  budgetMs?: number;
  log?: (line: string) => void;
}

export interface SchedulerTarget {
  apiUrl: string;
  serviceRoleKey: string;
  /** Answers whether a shop backfill is due (BACKFILL_DUE_SQL); without it the backfill job does not run. */
  backfillDue?: () => Promise<boolean>;
}

export interface RunRecord {
  mode: Job;
  at: Date;
  status: number;
  body: unknown;
}

export interface Scheduler {
  /**
   * Runs one job now (awaits a call already in flight first). The backfill job calls the function
   * only when a backfill is due; otherwise it answers status 204 with a null body and records nothing.
   */
  run(mode: Job): Promise<RunRecord>;
  /** The latest finished call per job. */
  readonly last: Partial<Record<Job, RunRecord>>;
  stop(): Promise<void>;
}

/** Options from the environment, for `npm start`. */
export function schedulerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): SchedulerOptions | null {
  if (/^(off|false|0|no)$/i.test(env.PORTRAIT_SCHEDULER ?? '')) return null;
  const seconds = (name: string) => {
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number of seconds (0 turns the job off)`);
    return n * 1000;
  };
  const fullAt = env.PORTRAIT_SCHEDULE_FULL_AT;
  return {
    dirtyMs: seconds('PORTRAIT_SCHEDULE_DIRTY_SECONDS'),
    driftMs: seconds('PORTRAIT_SCHEDULE_DRIFT_SECONDS'),
    backfillMs: seconds('PORTRAIT_SCHEDULE_BACKFILL_SECONDS'),
    fullAt: fullAt === undefined ? undefined : /^(off|none|)$/i.test(fullAt) ? null : fullAt,
  };
}

/** Milliseconds from `now` to the next local HH:MM. */
export function msUntil(hhmm: string, now = new Date()): number {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!match) throw new Error(`A time of day looks like 03:00, not ${JSON.stringify(hhmm)}`);
  const next = new Date(now);
  next.setHours(Number(match[1]), Number(match[2]), 0, 0);
  if (next.getTime() <= now.getTime()) next.setDate(next.getDate() + 1);
  return next.getTime() - now.getTime();
}

export function startScheduler(target: SchedulerTarget, options: SchedulerOptions = {}): Scheduler {
  const log = options.log ?? (() => undefined);
  const budgetMs = options.budgetMs ?? 20_000;
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Map<Job, Promise<RunRecord>>();
  const last: Partial<Record<Job, RunRecord>> = {};
  let stopped = false;
  const controller = new AbortController();

  async function post(body: Record<string, unknown> | null, fn = 'recompute-segments'): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${target.apiUrl}/functions/v1/${fn}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.serviceRoleKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify({ budget_ms: budgetMs, ...body }) : undefined,
      signal: controller.signal,
    });
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) as unknown };
    } catch {
      return { status: res.status, body: text };
    }
  }

  /** The backfill sweep: every due backfill, as far as the function's own budget goes; the next tick goes on. */
  async function sweep(): Promise<RunRecord | null> {
    if (!target.backfillDue || !(await target.backfillDue())) return null;
    const response = await post(null, 'backfill-shop');
    return { mode: 'backfill', at: new Date(), status: response.status, body: response.body };
  }

  async function call(mode: RecomputeMode): Promise<RunRecord> {
    // Every organization; then, while the function stopped for its budget, the rest of the
    // organization it was in and the organizations it did not reach.
    let request: Record<string, unknown> = { mode };
    let response = await post(request);
    for (let round = 0; round < 1000 && !stopped && response.status === 200; round++) {
      const result = response.body as {
        complete?: boolean;
        orgs?: Array<{ org_id: string; status: string; next_after: string | null }>;
        remaining_orgs?: string[];
      };
      if (result.complete !== false) break;
      const partial = result.orgs?.find((o) => o.status === 'partial' && o.next_after);
      const remaining = result.remaining_orgs ?? [];
      if (partial) request = { mode, org_ids: [partial.org_id, ...remaining], after: partial.next_after };
      else if (remaining.length > 0) request = { mode, org_ids: remaining };
      else break;
      response = await post(request);
    }
    return { mode, at: new Date(), status: response.status, body: response.body };
  }

  function run(mode: Job): Promise<RunRecord> {
    const running = inFlight.get(mode);
    if (running) return running.then(() => run(mode));
    const what = mode === 'backfill' ? 'backfill sweep' : `${mode} recompute`;
    const promise = (mode === 'backfill' ? sweep() : call(mode))
      .then((record): RunRecord => {
        if (!record) return { mode, at: new Date(), status: 204, body: null };
        last[mode] = record;
        if (record.status !== 200) log(`scheduler: ${what} answered ${record.status}: ${JSON.stringify(record.body).slice(0, 500)}`);
        return record;
      })
      .catch((error: unknown) => {
        const record: RunRecord = { mode, at: new Date(), status: 0, body: { error: (error as Error)?.message ?? String(error) } };
        last[mode] = record;
        if (!stopped) log(`scheduler: ${what} failed: ${(error as Error)?.message ?? String(error)}`);
        return record;
      })
      .finally(() => inFlight.delete(mode));
    inFlight.set(mode, promise);
    return promise;
  }

  /** A tick: skipped while the previous call of the job is still running. */
  const tick = (mode: Job) => {
    if (stopped || inFlight.has(mode)) return;
    void run(mode);
  };

  const every = (mode: Job, ms: number | undefined) => {
    if (!ms) return;
    const timer = setInterval(() => tick(mode), ms);
    timer.unref();
    timers.add(timer);
  };
  every('dirty', options.dirtyMs ?? 10_000);
  every('drift', options.driftMs ?? 60_000);
  if (target.backfillDue) every('backfill', options.backfillMs ?? 10_000);
  if (options.fullMs) {
    every('full', options.fullMs);
  } else {
    const fullAt = options.fullAt === undefined ? '03:00' : options.fullAt;
    if (fullAt) {
      const arm = () => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          tick('full');
          if (!stopped) arm();
        }, msUntil(fullAt));
        timer.unref();
        timers.add(timer);
      };
      arm();
    }
  }

  return {
    run,
    last,
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // Let calls in flight finish briefly, then abandon them.
      const pending = [...inFlight.values()];
      if (pending.length > 0) {
        await Promise.race([Promise.allSettled(pending), new Promise((r) => setTimeout(r, 3000))]);
        controller.abort();
      }
    },
  };
}

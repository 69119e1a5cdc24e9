// The local stack's recompute scheduler (supabase/local/scheduler.ts), briefly: with a short
// interval, a customer queued for reclassification is drained through the real function; and the
// production schedule migration stays a no-op where pg_cron and pg_net are missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msUntil, schedulerOptionsFromEnv, type RecomputeMode, type Scheduler } from '../../supabase/local/scheduler.ts';
import { startStack, type Stack } from '../../supabase/local/stack.ts';
import { freshDb, type TestDb } from './harness.ts';

const ORG = '00000000-0000-4000-8000-00000000d001';
const CUSTOMER = '00000000-0000-4000-8000-00000000d101';

let testDb: TestDb;
let stack: Stack;

/** Resolves with the first call of `mode` that finishes after `since` (no database access while waiting). */
async function nextRun(scheduler: Scheduler, mode: RecomputeMode, since: Date, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const last = scheduler.last[mode];
    if (last && last.at > since) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no ${mode} run finished within ${timeoutMs} ms`);
}

beforeAll(async () => {
  testDb = await freshDb();
  await testDb.db.exec(`
    insert into public.organizations (id, name) values ('${ORG}', 'Scheduled');
    insert into public.customers (id, org_id, display_name) values ('${CUSTOMER}', '${ORG}', 'Queued Customer');
  `);
  stack = await startStack({
    databaseUrl: testDb.url ?? undefined,
    pglite: testDb.pglite ?? undefined,
    apiPort: 0,
    dbPort: 0,
    functions: true,
    bcryptCost: 4,
    scheduler: { dirtyMs: 1000, driftMs: 0, fullAt: null },
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await testDb?.close();
});

describe('local recompute scheduler', () => {
  it('drains a dirty-queue entry on its next tick', async () => {
    const scheduler = stack.scheduler!;
    expect(scheduler).toBeDefined();
    // Write between two ticks, right after one finished, so that nothing else uses the database.
    const idle = await nextRun(scheduler, 'dirty', new Date(0));
    expect(idle.status).toBe(200);
    await testDb.db.exec(`insert into private.dirty_customers (org_id, customer_id) values ('${ORG}', '${CUSTOMER}')`);
    const queuedAt = new Date();

    const drained = await nextRun(scheduler, 'dirty', queuedAt);
    expect(drained.status).toBe(200);
    expect(drained.body).toMatchObject({ mode: 'dirty', complete: true, orgs: [{ org_id: ORG, status: 'complete', scanned: 1 }] });
    const { rows } = await testDb.db.query<{ n: string }>(`select count(*) as n from private.dirty_customers`);
    expect(Number(rows[0]!.n)).toBe(0);
    const { rows: recorded } = await testDb.db.query(`select kind::text, customers_scanned from public.recompute_runs where org_id = $1`, [ORG]);
    expect(recorded).toEqual([{ kind: 'dirty', customers_scanned: 1 }]);
  }, 60_000);

  it('runs a job on demand', async () => {
    const full = await stack.scheduler!.run('full');
    expect(full.status).toBe(200);
    expect(full.body).toMatchObject({ mode: 'full', complete: true, orgs: [{ org_id: ORG, status: 'complete' }] });
  });
});

describe('scheduler settings', () => {
  it('reads its timings from the environment, and can be turned off', () => {
    expect(schedulerOptionsFromEnv({ PORTRAIT_SCHEDULER: 'off' })).toBeNull();
    expect(schedulerOptionsFromEnv({ PORTRAIT_SCHEDULE_DIRTY_SECONDS: '5', PORTRAIT_SCHEDULE_DRIFT_SECONDS: '0', PORTRAIT_SCHEDULE_FULL_AT: 'off' })).toEqual({
      dirtyMs: 5000,
      driftMs: 0,
      fullAt: null,
    });
    expect(() => schedulerOptionsFromEnv({ PORTRAIT_SCHEDULE_DIRTY_SECONDS: 'often' })).toThrow(/seconds/);
  });

  it('finds the next nightly run', () => {
    const now = new Date(2026, 10, 23, 22, 30, 0);
    expect(msUntil('03:00', now)).toBe(4.5 * 3600 * 1000);
    expect(msUntil('23:00', now)).toBe(30 * 60 * 1000);
    expect(() => msUntil('25:00', now)).toThrow();
  });
});

describe('production schedule (pg_cron + pg_net)', () => {
  it('schedules nothing where the extensions are missing, and says so', async () => {
    const { rows } = await testDb.db.query<{ cron: boolean; net: boolean }>(
      `select exists (select from pg_extension where extname = 'pg_cron') as cron, exists (select from pg_extension where extname = 'pg_net') as net`,
    );
    if (rows[0]!.cron && rows[0]!.net) return; // a database with both is a real project's: not tested here
    expect((await testDb.db.query(`select private.schedule_recompute() as scheduled`)).rows[0]).toEqual({ scheduled: false });
    expect((await testDb.db.query(`select private.unschedule_recompute() as removed`)).rows[0]).toEqual({ removed: 0 });
    await expect(testDb.db.query(`select private.invoke_recompute('dirty')`)).rejects.toMatchObject({ code: '55000' });
    await expect(testDb.db.query(`select private.invoke_recompute('sometimes')`)).rejects.toMatchObject({ code: '22023' });
  });

  it('is not callable by API clients', async () => {
    for (const fn of ['private.invoke_recompute(text, integer)', 'private.schedule_recompute(text, text, text)', 'private.orgs_to_recompute(text, timestamptz)']) {
      for (const role of ['anon', 'authenticated']) {
        const { rows } = await testDb.db.query<{ ok: boolean }>(`select has_function_privilege($1, $2, 'execute') as ok`, [role, fn]);
        expect(rows[0]!.ok, `${role} on ${fn}`).toBe(false);
      }
    }
  });
});

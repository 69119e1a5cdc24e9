// The local stack's recompute scheduler (supabase/local/scheduler.ts), briefly: with a short
// interval, a customer queued for reclassification is drained through the real function; and the
// production schedule migration stays a no-op where pg_cron and pg_net are missing, and scheduling
// by hand refuses there with a message naming what is missing.
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
  it('refuses to schedule while the extensions or the Vault secrets are missing, naming what is missing', async () => {
    const { rows } = await testDb.db.query<{ cron: boolean; net: boolean }>(
      `select exists (select from pg_extension where extname = 'pg_cron') as cron, exists (select from pg_extension where extname = 'pg_net') as net`,
    );
    if (rows[0]!.cron && rows[0]!.net) return; // a database with both is a real project's: not tested here
    const refusal = testDb.db.query(`select private.schedule_recompute() as scheduled`);
    await expect(refusal).rejects.toMatchObject({ code: '55000' });
    const message = await refusal.catch((e: Error) => e.message);
    expect(message).toContain('pg_cron extension is not enabled');
    expect(message).toContain('pg_net extension is not enabled');
    expect(message).toContain('project_url');
    expect((await testDb.db.query(`select private.unschedule_recompute() as removed`)).rows[0]).toEqual({ removed: 0 });
    await expect(testDb.db.query(`select private.invoke_recompute('dirty')`)).rejects.toMatchObject({ code: '55000' });
    await expect(testDb.db.query(`select private.invoke_recompute('sometimes')`)).rejects.toMatchObject({ code: '22023' });
  });

  it('names each Vault secret that is missing', async () => {
    // A stand-in for Supabase Vault's view, holding only the project URL, inside a rolled-back transaction.
    const problems = await testDb.db
      .transaction(async (tx) => {
        await tx.query(`create schema vault`);
        await tx.query(`create view vault.decrypted_secrets as select 'project_url'::text as name, 'https://x.supabase.co'::text as decrypted_secret`);
        const { rows } = await tx.query<{ problems: string[] }>(`select private.recompute_schedule_problems() as problems`);
        throw Object.assign(new Error('rollback'), { problems: rows[0]!.problems });
      })
      .catch((e: { problems?: string[] }) => e.problems);
    expect(problems).toContain('the Vault secret service_role_key is missing');
    expect(problems!.join(' ')).not.toContain('project_url');
  });

  it('schedules its jobs in cron syntax pg_cron 1.4 and 1.6 both accept, and purges their old run details', async () => {
    const { rows: jobs } = await testDb.db.query<{ jobname: string; schedule: string; command: string }>(
      `select jobname, schedule, command from private.recompute_jobs('10 seconds')`,
    );
    expect(jobs.map((j) => j.jobname)).toEqual(['portrait-recompute-dirty', 'portrait-recompute-drift', 'portrait-recompute-full', 'portrait-purge-job-runs']);
    const cron = /^(\S+\s+){4}\S+$/;
    for (const job of jobs.filter((j) => j.jobname !== 'portrait-recompute-dirty')) expect(job.schedule, job.jobname).toMatch(cron);
    const purge = jobs.find((j) => j.jobname === 'portrait-purge-job-runs')!;
    // Run the purge's command against tables shaped like pg_cron's (rolled back).
    const left = await testDb.db
      .transaction(async (tx) => {
        await tx.query(`create schema cron`);
        await tx.query(`create table cron.job (jobid bigint primary key, jobname text)`);
        await tx.query(`create table cron.job_run_details (runid bigint primary key, jobid bigint, end_time timestamptz)`);
        await tx.query(`insert into cron.job values (1, 'portrait-recompute-dirty'), (2, 'someone-elses-job')`);
        await tx.query(`insert into cron.job_run_details values
          (1, 1, now() - interval '5 days'), (2, 1, now() - interval '1 hour'), (3, 2, now() - interval '5 days')`);
        await tx.query(purge.command);
        const { rows } = await tx.query<{ runid: string }>(`select runid::text from cron.job_run_details order by runid`);
        throw Object.assign(new Error('rollback'), { left: rows.map((r) => r.runid) });
      })
      .catch((e: { left?: string[] }) => e.left);
    expect(left).toEqual(['2', '3']);
  });

  it('is not callable by API clients', async () => {
    for (const fn of [
      'private.invoke_recompute(text, integer)',
      'private.schedule_recompute(text, text, text)',
      'private.recompute_jobs(text, text, text)',
      'private.recompute_schedule_problems()',
      'private.orgs_to_recompute(text, timestamptz)',
    ]) {
      for (const role of ['anon', 'authenticated']) {
        const { rows } = await testDb.db.query<{ ok: boolean }>(`select has_function_privilege($1, $2, 'execute') as ok`, [role, fn]);
        expect(rows[0]!.ok, `${role} on ${fn}`).toBe(false);
      }
    }
  });
});

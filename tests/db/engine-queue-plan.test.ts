// A run's chunks are calls of private.recompute in one session; the queues they drain
// (private.run_pending, private.dirty_customers) are analyzed while nearly empty. A cached generic
// plan of "the run's rows whose customer is in this list" then reads every row of the run and tests
// it against the list unhashed (seconds a chunk at 200,000 pending). Here the session asks for
// generic plans, and the chunks still take from the queues as supabase/README.md "Queues and
// cached plans" says: the pending customers by one range of the pending index, reading no row it
// does not delete; the dirty queue by a statement planned with the chunk's list as a constant,
// never as a parameter. On native Postgres (the plans come from auto_explain, statements inside
// functions included: tests/db/plans.ts).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './harness.ts';
import { NOW } from './engine-clock.ts';
import { explainSettings, loggedPlans } from './plans.ts';

describe.runIf(process.env.DATABASE_URL)("a run's queues under cached generic plans", () => {
  let t: TestDb;
  let client: pg.Client;
  let org: string;
  const notices: string[] = [];
  beforeAll(async () => {
    t = await freshDb();
    client = new pg.Client({ connectionString: t.url! });
    await client.connect();
    client.on('notice', (n) => notices.push(n.message ?? ''));
    org = randomUUID();
    await client.query(`insert into public.organizations (id, name) values ($1, 'Queue plans')`, [org]);
    await client.query(`insert into public.customers (org_id) select $1 from generate_series(1, 40)`, [org]);
    // Both queues analyzed while empty, as autovacuum leaves them between bursts.
    await client.query('analyze private.run_pending');
    await client.query('analyze private.dirty_customers');
  });
  afterAll(async () => {
    await client?.end();
    await t?.close();
  });

  /** The plans, as auto_explain logs them, of the statements `sql` runs whose text starts with `statement`. */
  async function plansOf(sql: string, params: unknown[], statement: string): Promise<{ rows: Record<string, unknown>[]; plans: string[] }> {
    notices.length = 0;
    const result = await client.query(sql, params);
    const plans = loggedPlans(notices)
      .filter((p) => p['Query Text'].trim().startsWith(statement))
      .map((p) => JSON.stringify(p.Plan));
    return { rows: result.rows, plans };
  }

  async function inGenericSession<T>(fn: () => Promise<T>): Promise<T> {
    await client.query('begin');
    try {
      await client.query(`${explainSettings(true)}
        select set_config('portrait.engine_now', '${NOW}', true);
        set local plan_cache_mode = force_generic_plan;`);
      return await fn();
    } finally {
      await client.query('rollback');
    }
  }

  // A generic plan shows the list as a parameter: "customer_id = ANY ($4)".
  const listAsParameter = /ANY \(\$\d+\)/;
  const rowsRemoved = (plan: string) => [...plan.matchAll(/"Rows Removed by (?:Filter|Index Recheck)":(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);

  it("take a run's pending customers by one range of the pending index", async () => {
    await inGenericSession(async () => {
      const { rows: [run] } = await client.query<{ id: number }>(
        `insert into public.recompute_runs (org_id, kind) values ($1, 'full') returning id`, [org]);
      await client.query(`insert into private.run_pending (run_id, customer_id) select $1, gen_random_uuid() from generate_series(1, 3000)`, [run!.id]);
      for (let chunk = 0; chunk < 3; chunk++) {
        const { rows, plans } = await plansOf(`select cardinality(private.take_pending($1, 1000)) as n`, [run!.id], 'delete from private.run_pending');
        expect(rows[0]!.n).toBe(1000);
        expect(plans).toHaveLength(1);
        expect(plans[0]).not.toContain('ANY');
        expect(plans[0]).toMatch(/"Actual Rows":1000/);
        expect(rowsRemoved(plans[0]!)).toBe(0);
      }
      const { rows: [left] } = await client.query<{ n: string }>(`select count(*) as n from private.run_pending where run_id = $1`, [run!.id]);
      expect(Number(left!.n)).toBe(0);
    });
  });

  it("take a dirty run's customers off the dirty queue by the chunk's list", async () => {
    await inGenericSession(async () => {
      await client.query(`insert into private.dirty_customers (org_id, customer_id) select c.org_id, c.id from public.customers c where c.org_id = $1`, [org]);
      let after: string | null = null;
      let runId: number | null = null;
      let chunks = 0;
      do {
        const { rows, plans } = await plansOf(
          `select private.recompute($1, 'dirty', $2, 15, $3) as r`, [org, after, runId], 'delete from private.dirty_customers');
        const r = rows[0]!.r as { error: string | null; run_id: number; next_after: string | null; scanned: number };
        expect(r.error).toBeNull();
        expect(plans).toHaveLength(1);
        expect(plans[0]).toContain('customer_id = ANY');
        expect(plans[0]).not.toMatch(listAsParameter);
        runId = r.run_id;
        after = r.next_after;
        chunks += 1;
      } while (after !== null);
      expect(chunks).toBe(3);
      const { rows: [left] } = await client.query<{ n: string }>(`select count(*) as n from private.dirty_customers where org_id = $1`, [org]);
      expect(Number(left!.n)).toBe(0);
    });
  });
});

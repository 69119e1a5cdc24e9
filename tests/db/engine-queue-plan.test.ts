// A run's chunks are calls of private.recompute in one session; the queues they drain
// (private.run_pending, private.dirty_customers) are analyzed while nearly empty. A cached generic
// plan of "the run's rows whose customer is in this list" then reads every row of the run and tests
// it against the list unhashed (seconds a chunk at 200,000 pending). Here the session asks for
// generic plans, and the chunks still take from the queues as supabase/README.md "Queues and
// cached plans" says: the pending customers a part (one row) at a time, deleted where it was read
// (no row read and passed over); the dirty queue by a statement planned with the chunk's list as a constant,
// never as a parameter. On native Postgres (the plans come from auto_explain, statements inside
// functions included: tests/db/plans.ts).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOW } from './engine-clock.ts';
import { explainSettings, loggedPlans, openNativePlanClient, type NativePlanClient } from './plans.ts';

describe.runIf(process.env.DATABASE_URL)("a run's queues under cached generic plans", () => {
  let native: NativePlanClient;
  let client: pg.Client;
  let notices: string[];
  let org: string;
  beforeAll(async () => {
    native = await openNativePlanClient();
    ({ client, notices } = native);
    org = randomUUID();
    await client.query(`insert into public.organizations (id, name) values ($1, 'Queue plans')`, [org]);
    await client.query(`insert into public.customers (org_id) select $1 from generate_series(1, 40)`, [org]);
    // Both queues analyzed while empty, as autovacuum leaves them between bursts.
    await client.query('analyze private.run_pending');
    await client.query('analyze private.dirty_customers');
  });
  afterAll(async () => {
    await native?.close();
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

  it("queue a run's pending customers in parts of a chunk and delete each part taken where it was read", async () => {
    await inGenericSession(async () => {
      const { rows: [run] } = await client.query<{ id: number }>(
        `insert into public.recompute_runs (org_id, kind) values ($1, 'full') returning id`, [org]);
      const { rows: [queued] } = await client.query<{ first: string[]; ids: string[] }>(
        `with l as (select array(select gen_random_uuid() from generate_series(1, 3001) order by 1) as ids)
         select private.queue_pending($1, l.ids, 1000) as first, l.ids from l`, [run!.id]);
      expect(queued!.first).toEqual(queued!.ids.slice(0, 1000));
      // One row a part: 1,000, 1,000 and 1 customers.
      const { rows: parts } = await client.query<{ n: number }>(
        `select cardinality(customer_ids) as n from private.run_pending where run_id = $1 order by first_id`, [run!.id]);
      expect(parts.map((p) => p.n)).toEqual([1000, 1000, 1]);
      const taken: string[] = [];
      for (const expected of [1000, 1000, 1]) {
        const { rows, plans } = await plansOf(`select private.take_pending($1, 1000) as ids`, [run!.id], 'delete from private.run_pending');
        const ids = rows[0]!.ids as string[];
        expect(ids).toHaveLength(expected);
        taken.push(...ids);
        // The part, deleted where it was read: one row.
        expect(plans).toHaveLength(1);
        expect(plans[0]).not.toContain('ANY');
        expect(plans[0]).toMatch(/"Actual Rows":1\b/);
        // At most the run's other parts read and passed over (a seq scan of a table of a few rows
        // is a plan a generic plan may take): never its customers one by one.
        expect(rowsRemoved(plans[0]!)).toBeLessThan(parts.length);
      }
      expect(taken).toEqual(queued!.ids.slice(1000));
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

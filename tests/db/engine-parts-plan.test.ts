// The read-only pass of a run over everyone, as private.recompute runs it (RETURN QUERY inside
// PL/pgSQL), is a Gather over a Parallel Append of its parts (private.scan_parts(org)): one call of
// the part function per range of customer ids, each run by a process of its own; so are the three
// sorts of the cut points. On native Postgres only: PGlite starts no workers (it runs the same
// parts serially, engine-parts.test.ts). The plans come from auto_explain, statements inside
// functions included (tests/db/plans.ts).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './harness.ts';
import { explainSettings, loggedPlans, nodes, type PlanNode } from './plans.ts';
import { NOW } from './engine-clock.ts';

describe.runIf(process.env.DATABASE_URL)('the parts of a run over everyone', () => {
  let t: TestDb;
  let client: pg.Client;
  let org: string;
  beforeAll(async () => {
    t = await freshDb();
    client = new pg.Client({ connectionString: t.url! });
    await client.connect();
    org = randomUUID();
    await client.query(`insert into public.organizations (id, name) values ($1, 'Parts plan')`, [org]);
    await client.query(`insert into public.segments (org_id, name, rule) values ($1, 'Spenders', '{"field": "net_spend", "op": "gte", "value": 100}')`, [org]);
    await client.query(`insert into public.customers (org_id) select $1 from generate_series(1, 50)`, [org]);
  });
  afterAll(async () => {
    await client?.end();
    await t?.close();
  });

  const functionName = (n: PlanNode) => (n as PlanNode & { 'Function Name'?: string })['Function Name'];

  /** The plans of the statements of a full run's first chunk that call the part function `part`. */
  async function scanPlans(workers: number, part = 'classification_scan_part', customersPerPart = '1'): Promise<PlanNode[]> {
    const notices: string[] = [];
    const listen = (n: { message?: string }) => notices.push(n.message ?? '');
    client.on('notice', listen);
    await client.query('begin');
    try {
      await client.query(`${explainSettings(false)}
        select set_config('portrait.engine_now', '${NOW}', true);
        set local max_parallel_workers_per_gather = ${workers};
        set local portrait.customers_per_part = '${customersPerPart}';`);
      const { rows } = await client.query<{ r: { error: string | null; scanned: number } }>(`select private.recompute($1, 'full') as r`, [org]);
      expect(rows[0]!.r).toMatchObject({ error: null, scanned: 50 });
    } finally {
      await client.query('rollback');
      client.off('notice', listen);
    }
    return loggedPlans(notices)
      .filter((p) => nodes(p.Plan).some((n) => functionName(n) === part))
      .map((p) => p.Plan);
  }

  it('runs the parts under a Gather, as the children of a Parallel Append', async () => {
    const plans = await scanPlans(2);
    expect(plans).toHaveLength(1);
    const gather = nodes(plans[0]!).find((n) => n['Node Type'] === 'Gather') as (PlanNode & { 'Workers Planned'?: number }) | undefined;
    expect(gather?.['Workers Planned']).toBe(2);
    const append = gather!.Plans!.find((n) => n['Node Type'] === 'Append') as (PlanNode & { 'Parallel Aware'?: boolean }) | undefined;
    expect(append?.['Parallel Aware']).toBe(true);
    const parts = append!.Plans!.map((n) => [n['Node Type'], functionName(n)]);
    expect(parts).toEqual([
      ['Function Scan', 'classification_scan_part'],
      ['Function Scan', 'classification_scan_part'],
    ]);
  });

  it('runs one statement and no part when the server allows no worker, or when the organization is small', async () => {
    const gathered = (plans: PlanNode[]) => plans.filter((p) => nodes(p).some((n) => n['Node Type'] === 'Gather'));
    expect(await scanPlans(0)).toHaveLength(0);
    // The cut points' sorts one after the other.
    const sorts = await scanPlans(0, 'cut_points_part');
    expect(sorts).toHaveLength(3);
    expect(gathered(sorts)).toHaveLength(0);
    // 50 customers: fewer than two parts of 25,000.
    expect(await scanPlans(2, 'classification_scan_part', '')).toHaveLength(0);
    const smallSorts = await scanPlans(2, 'cut_points_part', '');
    expect(smallSorts).toHaveLength(3);
    expect(gathered(smallSorts)).toHaveLength(0);
  });

  it('sorts the buyers for the cut points in three parts under a Gather', async () => {
    const plans = await scanPlans(2, 'cut_points_part');
    expect(plans).toHaveLength(1);
    const gather = nodes(plans[0]!).find((n) => n['Node Type'] === 'Gather');
    const append = gather?.Plans?.find((n) => n['Node Type'] === 'Append') as (PlanNode & { 'Parallel Aware'?: boolean }) | undefined;
    expect(append?.['Parallel Aware']).toBe(true);
    expect(append!.Plans!.map(functionName)).toEqual(['cut_points_part', 'cut_points_part', 'cut_points_part']);
  });
});

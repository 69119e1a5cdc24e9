// A run over everyone reads every customer in parts (private.scan_parts(org), from
// max_parallel_workers_per_gather and portrait.customers_per_part): one part per range of customer ids, run in parallel where
// workers can start, serially by the leader otherwise (PGlite). Whatever the number of parts, a
// run gives exactly what one statement gives: the same profiles, memberships, rule tags, stage
// changes, cut points, snapshot, member counts and run figures. Both runs start from the same
// state (a savepoint rolled back in between) in one transaction, at the same moment.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../../supabase/local/db.ts';
import { atEngineTime, freshDb, type TestDb } from './harness.ts';
import { NOW, ago } from './engine-clock.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => {
  await t?.close();
});

const sql = <Row = Record<string, unknown>>(text: string, params: unknown[] = [], defer = false) =>
  atEngineTime<Row>(t.db, NOW, text, params, { defer });

// The bounds of three parts (private.scan_parts_sql: the UUIDs whose first 32 bits are
// floor(k × 2^32 / 3)), and customers on either side of each, at the ends of the id space and
// spread at random between them.
const BOUND_1 = '55555555-0000-0000-0000-000000000000';
const BOUND_2 = 'aaaaaaaa-0000-0000-0000-000000000000';
const fixedIds = [
  '00000000-0000-4000-8000-000000000001',
  BOUND_1,
  '55555555-0000-0000-0000-000000000001',
  BOUND_2,
  'aaaaaaaa-0000-0000-0000-000000000001',
  'ffffffff-ffff-4fff-bfff-ffffffffffff',
];

async function loadOrg(): Promise<string> {
  const org = randomUUID();
  await sql(`insert into public.organizations (id, name) values ($1, 'Parts')`, [org]);
  const [hot] = await sql<{ id: string }>(`insert into public.tags (org_id, name) values ($1, 'Hot') returning id`, [org]);
  const [big] = await sql<{ id: string }>(`insert into public.tags (org_id, name) values ($1, 'Big spender') returning id`, [org]);
  const add = async (name: string, rule: unknown, tagId: string | null = null) =>
    (await sql<{ id: string }>(`insert into public.segments (org_id, name, rule, tag_id) values ($1, $2, $3::jsonb, $4) returning id`, [
      org, name, JSON.stringify(rule), tagId,
    ]))[0]!.id;
  const spenders = await add('Spenders', { field: 'net_spend', op: 'gte', value: 150 }, big!.id);
  await add('US spenders', { all: [{ segment: spenders }, { field: 'country', op: 'in', value: ['US'] }] });
  await add('Hot', { field: 'tags', op: 'has', value: 'Hot' });
  await add('Recent', { field: 'days_since_last_order', op: 'lte', value: 30 });
  await add('Champions', { field: 'rfm_segment', op: 'in', value: ['champions', 'loyal'] });
  const ids = [...fixedIds, ...Array.from({ length: 54 }, () => randomUUID())];
  // Loaded with classification deferred: every customer waits for the run.
  for (const [i, id] of ids.entries()) {
    await sql(`insert into public.customers (id, org_id, country, is_valid) values ($1, $2, $3, $4)`, [id, org, ['US', 'DE', 'FR'][i % 3], i % 9 !== 4], true);
    const orders = i % 6;
    if (orders > 0) {
      await sql(
        `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
         select $1, $2, 'manual', gen_random_uuid()::text, $3::timestamptz - make_interval(days => k * 35), $4, 'USD', 'paid'
           from generate_series(0, $5 - 1) as k`,
        [org, id, ago((i * 11) % 400), 15 + ((i * 37) % 300), orders],
        true,
      );
    }
    if (i % 4 === 1) await sql(`insert into public.customer_tags (org_id, customer_id, tag_id, source) values ($1, $2, $3, 'manual')`, [org, id, hot!.id], true);
  }
  return org;
}

interface Chunk {
  run_id: number;
  scanned: number;
  changed: number;
  rows_written: number;
  next_after: string | null;
  error: string | null;
}

interface Outcome {
  parts: number;
  chunks: Array<{ scanned: number; changed: number; rows_written: number }>;
  state: Record<string, unknown>;
}

/**
 * A run, chunk by chunk, with max_parallel_workers_per_gather = workers and a part for every
 * customer at most (the organization is small), and what it left.
 */
async function runOf(tx: Queryable, org: string, workers: number, kind: 'full' | 'dirty' = 'full', limit = 7): Promise<Outcome> {
  await tx.query(`select set_config('max_parallel_workers_per_gather', $1, true), set_config('portrait.customers_per_part', '1', true)`, [String(workers)]);
  const [{ parts }] = (await tx.query<{ parts: number }>(`select private.scan_parts($1) as parts`, [org])).rows as [{ parts: number }];
  const chunks: Outcome['chunks'] = [];
  let after: string | null = null;
  let runId: number | null = null;
  do {
    const answer: { rows: Array<{ r: Chunk }> } = await tx.query<{ r: Chunk }>(`select private.recompute($1, $2, $3, $4, $5, $6) as r`, [
      org, kind, after, limit, runId, NOW,
    ]);
    const r: Chunk = answer.rows[0]!.r;
    if (r.error) throw new Error(r.error);
    chunks.push({ scanned: r.scanned, changed: r.changed, rows_written: r.rows_written });
    runId = r.run_id;
    after = r.next_after;
  } while (after !== null);
  const { rows } = await tx.query<{ state: Record<string, unknown> }>(
    `select jsonb_build_object(
       'profiles', (select jsonb_agg(to_jsonb(p) order by p.customer_id) from public.customer_profiles p where p.org_id = $1),
       'memberships', (select jsonb_agg(jsonb_build_array(m.segment_id, m.customer_id) order by m.segment_id, m.customer_id)
                         from public.segment_memberships m where m.org_id = $1),
       'tags', (select jsonb_agg(jsonb_build_array(ct.customer_id, ct.tag_id, ct.source) order by ct.customer_id, ct.tag_id)
                  from public.customer_tags ct where ct.org_id = $1),
       'stage_changes', (select jsonb_agg(jsonb_build_array(sc.customer_id, sc.from_stage, sc.to_stage, sc.source) order by sc.customer_id, sc.to_stage)
                           from public.stage_changes sc where sc.org_id = $1),
       'cut_points', (select to_jsonb(cp) - 'run_id' from public.cut_points cp where cp.org_id = $1),
       'snapshot', (select to_jsonb(ss) - 'taken_at' from public.stage_snapshots ss where ss.org_id = $1),
       'member_counts', (select jsonb_object_agg(s.id, s.member_count) from public.segments s where s.org_id = $1),
       'dirty', (select count(*) from private.dirty_customers dc where dc.org_id = $1),
       'owed', (select count(*) from private.passes_owed po where po.org_id = $1),
       'run', (select jsonb_build_object('scanned', rr.customers_scanned, 'changed', rr.customers_changed, 'rows_written', rr.rows_written,
                                         'finished', rr.finished_at is not null, 'error', rr.error)
                      || (rr.details - 'run_id' - 'next_after' - 'sees') -- (sees: the transactions the pass saw, another each time)
                 from public.recompute_runs rr where rr.id = $2)
     ) as state`,
    [org, runId],
  );
  return { parts, chunks, state: rows[0]!.state };
}

/** The same run from the same state with one part and with three, in one transaction rolled back. */
async function oneAndThreeParts(org: string, before?: (tx: Queryable) => Promise<void>, kind: 'full' | 'dirty' = 'full'): Promise<[Outcome, Outcome]> {
  return t.db.transaction(async (tx) => {
    await tx.query(`select set_config('portrait.engine_now', $1, true)`, [NOW]);
    if (before) await before(tx);
    await tx.query('savepoint before_run');
    const one = await runOf(tx, org, 0, kind);
    await tx.query('rollback to savepoint before_run');
    const three = await runOf(tx, org, 3, kind);
    await tx.query('rollback');
    return [one, three];
  });
}

describe('runs over everyone in parts', () => {
  let org: string;
  beforeAll(async () => {
    org = await loadOrg();
  });

  it('has customers in every part of three', async () => {
    const [counts] = await sql<{ first: number; second: number; third: number }>(
      `select count(*) filter (where id <= $2::uuid)::int as first,
              count(*) filter (where id > $2::uuid and id <= $3::uuid)::int as second,
              count(*) filter (where id > $3::uuid)::int as third
         from public.customers where org_id = $1`,
      [org, BOUND_1, BOUND_2],
    );
    expect(counts!.first).toBeGreaterThanOrEqual(2);
    expect(counts!.second).toBeGreaterThanOrEqual(2);
    expect(counts!.third).toBeGreaterThanOrEqual(2);
    // The statement of three parts takes exactly these bounds.
    const [text] = await sql<{ s: string }>(`select private.scan_parts_sql('f(%s, %s)', 3, '{scanned}', '{integer}') as s`);
    expect(text!.s).toContain(`f(null::uuid, '${BOUND_1}'::uuid)`);
    expect(text!.s).toContain(`f('${BOUND_1}'::uuid, '${BOUND_2}'::uuid)`);
    expect(text!.s).toContain(`f('${BOUND_2}'::uuid, null::uuid)`);
  });

  it('classifies, writes and counts exactly as one statement does', async () => {
    const [one, three] = await oneAndThreeParts(org);
    expect(one.parts).toBe(1);
    expect(three.parts).toBe(3);
    // Every customer was waiting: each is scanned once and written.
    expect(one.chunks[0]!.scanned).toBe(60);
    expect(one.chunks.reduce((n, c) => n + c.changed, 0)).toBe(60);
    expect((one.state.memberships as unknown[]).length).toBeGreaterThan(20);
    expect(one.state.snapshot).not.toBeNull();
    expect(three.chunks).toEqual(one.chunks);
    expect(three.state).toEqual(one.state);
  });

  it('finds the same few changes after a full run, and rewrites the same reasons when settings changed', async () => {
    // The org classified and committed, then a few customers in each part get an order.
    await t.db.transaction(async (tx) => {
      await tx.query(`select set_config('portrait.engine_now', $1, true)`, [NOW]);
      await runOf(tx, org, 0, 'full', 1000);
    });
    const [one, three] = await oneAndThreeParts(org, async (tx) => {
      await tx.query(`select set_config('portrait.defer_classification', 'on', true)`);
      await tx.query(
        `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
         select $1, c.id, 'manual', gen_random_uuid()::text, $2::timestamptz - interval '1 day', 500, 'USD', 'paid'
           from public.customers c where c.org_id = $1 and c.id = any ($3::uuid[])`,
        [org, NOW, fixedIds],
      );
      await tx.query(`select set_config('portrait.defer_classification', 'off', true)`);
    });
    expect(one.chunks.reduce((n, c) => n + c.changed, 0)).toBeGreaterThanOrEqual(fixedIds.length);
    expect(three.chunks).toEqual(one.chunks);
    expect(three.state).toEqual(one.state);

    const [forcedOne, forcedThree] = await oneAndThreeParts(org, async (tx) => {
      await tx.query(`update public.organizations set settings = settings || '{"lifecycle": {"churned_days": 200}}' where id = $1`, [org]);
    });
    expect(forcedOne.state.run).toMatchObject({ force: true });
    expect(forcedOne.chunks.reduce((n, c) => n + c.changed, 0)).toBe(60);
    expect(forcedThree.chunks).toEqual(forcedOne.chunks);
    expect(forcedThree.state).toEqual(forcedOne.state);
  });

  it('evaluates edited segments exactly as one statement does, over stored figures and classifying', async () => {
    // Over the stored figures (one statement whatever the parts): a rule on net spend.
    const [stored1, stored3] = await oneAndThreeParts(
      org,
      async (tx) => {
        await tx.query(`update public.segments set rule = '{"field": "net_spend", "op": "gte", "value": 300}' where org_id = $1 and name = 'Spenders'`, [org]);
      },
      'dirty',
    );
    expect(stored1.state.run).toMatchObject({ scope: 'segments', reads_stored: true });
    expect(stored1.chunks[0]!.scanned).toBe(60);
    expect(stored1.chunks.reduce((n, c) => n + c.changed, 0)).toBeGreaterThan(0);
    expect(stored3.chunks).toEqual(stored1.chunks);
    expect(stored3.state).toEqual(stored1.state);
    // Classifying, in parts: a rule on the RFM segment (the R score moves with time).
    const [classified1, classified3] = await oneAndThreeParts(
      org,
      async (tx) => {
        await tx.query(`update public.segments set rule = '{"field": "rfm_segment", "op": "in", "value": ["champions", "lost"]}' where org_id = $1 and name = 'Champions'`, [org]);
      },
      'dirty',
    );
    expect(classified1.state.run).toMatchObject({ scope: 'segments', reads_stored: false });
    expect(classified1.chunks[0]!.scanned).toBe(60);
    expect(classified1.chunks.reduce((n, c) => n + c.changed, 0)).toBeGreaterThan(0);
    expect(classified3.chunks).toEqual(classified1.chunks);
    expect(classified3.state).toEqual(classified1.state);
  });

  it('backfills the stage history exactly as one statement does', async () => {
    // 600 days back: every order of the organization (the oldest is 575 days before NOW).
    const from = ago(600).slice(0, 10);
    const to = ago(1).slice(0, 10);
    const backfill = async (tx: Queryable, workers: number) => {
      await tx.query(`select set_config('max_parallel_workers_per_gather', $1, true), set_config('portrait.customers_per_part', '1', true)`, [String(workers)]);
      const [{ parts }] = (await tx.query<{ parts: number }>(`select private.scan_parts($1) as parts`, [org])).rows as [{ parts: number }];
      const [{ n }] = (await tx.query<{ n: number }>(`select private.backfill_stage_snapshots($1, $2, $3) as n`, [org, from, to])).rows as [{ n: number }];
      const { rows } = await tx.query(
        `select day::text, customers, customers_by_stage, net_revenue_by_stage, moves from public.stage_snapshots
          where org_id = $1 and source = 'backfill' order by day`,
        [org],
      );
      return { parts, n, rows };
    };
    const [one, three] = await t.db.transaction(async (tx) => {
      await tx.query(`select set_config('portrait.engine_now', $1, true)`, [NOW]);
      await tx.query('savepoint before_backfill');
      const serial = await backfill(tx, 0);
      await tx.query('rollback to savepoint before_backfill');
      const inParts = await backfill(tx, 3);
      await tx.query('rollback');
      return [serial, inParts];
    });
    expect(one.parts).toBe(1);
    expect(three.parts).toBe(3);
    expect(one.n).toBe(600);
    expect(one.rows).toHaveLength(600);
    // Customers in the history and moves between stages on some days: the parts have something to add up.
    expect(Math.max(...one.rows.map((r) => Number(r.customers)))).toBeGreaterThan(20);
    expect(one.rows.filter((r) => Object.keys(r.moves as object).length > 0).length).toBeGreaterThan(10);
    expect(three.n).toBe(one.n);
    expect(three.rows).toEqual(one.rows);
  });
});

// Statistics maintained incrementally by the triggers on orders and events, checked against a full
// rebuild: hand-made cases (refunds, cancellations, moves between customers, deletes, multi-row
// statements), deferred classification through the dirty queue, concurrent writers, and a property
// test over random streams of order and event changes: after any stream, the maintained statistics
// equal a recount from scratch (private.rebuild_stats finds nothing to repair) and a reference
// computed in TypeScript, and every profile equals what a full classification with the same cut
// points computes; satisfaction answers in the stream, with rules on satisfaction and on the F
// score's change, keep their figures exact (private.rebuild_satisfaction) and the memberships equal.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentRules } from '../bench/dataset.ts';
import { statsFromOrders, type OrderFact } from '../oracle/engine.ts';
import { freshDb, type TestDb } from './harness.ts';
import { NOW, nowMs, DAY, ago } from './engine-clock.ts';

/** PROPERTY_RUNS=20 searches twenty times longer. */
const runs = (n: number) => n * Math.max(1, Number(process.env.PROPERTY_RUNS ?? 1));

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => {
  await t?.close();
});

async function sql<Row = Record<string, unknown>>(text: string, params: unknown[] = [], settings: Record<string, string> = {}): Promise<Row[]> {
  return t.db.transaction(async (tx) => {
    await tx.query(`select set_config('portrait.engine_now', $1, true)`, [NOW]);
    for (const [name, value] of Object.entries(settings)) await tx.query(`select set_config($1, $2, true)`, [name, value]);
    return (await tx.query<Row>(text, params)).rows;
  });
}

async function newOrg(customers: number): Promise<{ org: string; ids: string[] }> {
  const org = randomUUID();
  await sql(`insert into public.organizations (id, name) values ($1, 'Org')`, [org]);
  const ids = Array.from({ length: customers }, () => randomUUID());
  await sql(`insert into public.customers (id, org_id) select unnest($2::uuid[]), $1`, [org, ids]);
  return { org, ids };
}

async function insertOrder(org: string, customer: string, o: { at: string; total: number; refunded?: number; status?: string }): Promise<string> {
  const [row] = await sql<{ id: string }>(
    `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, refunded_amount, currency, status)
     values ($1, $2, 'import', gen_random_uuid()::text, $3, $4, $5, 'USD', $6) returning id`,
    [org, customer, o.at, o.total, o.refunded ?? 0, o.status ?? 'paid'],
  );
  return row!.id;
}

async function fullRun(org: string): Promise<void> {
  let after: string | null = null;
  let runId: number | null = null;
  do {
    const [row]: Array<{ r: { next_after: string | null; run_id: number } }> = await sql<{ r: { next_after: string | null; run_id: number } }>(
      `select private.recompute($1, 'full', $2, 5, $3, $4) as r`,
      [org, after, runId, NOW],
    );
    after = row!.r.next_after as string | null;
    runId = row!.r.run_id as number;
  } while (after);
}

async function dirtyRun(org: string): Promise<void> {
  let after: string | null = null;
  let runId: number | null = null;
  do {
    const rows: Array<{ r: { next_after: string | null; run_id: number } }> = await sql<{ r: { next_after: string | null; run_id: number } }>(
      `select private.recompute($1, 'dirty', $2, 50, $3, $4) as r`,
      [org, after, runId, NOW],
    );
    after = rows[0]!.r.next_after;
    runId = rows[0]!.r.run_id;
  } while (after);
}

interface StoredStats {
  customer_id: string;
  order_count: number;
  net_spend: string;
  first_order_at: string | null;
  last_order_at: string | null;
  previous_order_at: string | null;
  last_event_at: string | null;
}

async function storedStats(org: string): Promise<Map<string, StoredStats>> {
  const rows = await sql<StoredStats>(
    `select customer_id, order_count, net_spend::text as net_spend, first_order_at, last_order_at, previous_order_at, last_event_at
       from public.customer_profiles where org_id = $1`,
    [org],
  );
  return new Map(rows.map((r) => [r.customer_id, r]));
}

/** A customer's segments, as the membership table holds them (profile p). */
const MEMBERS = `array(select m.segment_id from public.segment_memberships m where m.customer_id = p.customer_id order by m.segment_id) as segment_ids`;

const ms = (ts: string | null) => (ts === null ? null : Date.parse(ts));

/** Profiles as stored and as a full classification with the stored cut points computes them. */
async function profilesMatchClassification(org: string): Promise<void> {
  const columns = `customer_id, order_count, net_spend, aov, first_order_at, last_order_at, previous_order_at, last_event_at,
    r_score, f_score, m_score, rfm_segment, lifecycle_stage, effective_stage, value_tier, ticket_band, referral_count,
    segment_ids, next_transition_at`;
  const stored = await sql(`select ${columns.replace('segment_ids', MEMBERS)} from public.customer_profiles p where org_id = $1 order by customer_id`, [org]);
  const computed = await sql(`select ${columns} from private.classify($1, $2) order by customer_id`, [org, NOW]);
  expect(computed.map((r) => ({ ...r, net_spend: Number(r.net_spend), aov: r.aov === null ? null : Number(r.aov) }))).toEqual(
    stored.map((r) => ({ ...r, net_spend: Number(r.net_spend), aov: r.aov === null ? null : Number(r.aov) })),
  );
}

describe('incremental statistics', () => {
  it('follows inserts, refunds, cancellations, moves and deletes', async () => {
    const { org, ids } = await newOrg(2);
    const [a, b] = ids as [string, string];
    const first = await insertOrder(org, a, { at: ago(40), total: 100 });
    const second = await insertOrder(org, a, { at: ago(10), total: 60 });
    await insertOrder(org, a, { at: ago(5), total: 500, status: 'pending' });
    let s = (await storedStats(org)).get(a)!;
    expect([s.order_count, s.net_spend, ms(s.first_order_at), ms(s.last_order_at), ms(s.previous_order_at)]).toEqual([
      2, '160.00', nowMs - 40 * DAY, nowMs - 10 * DAY, nowMs - 40 * DAY,
    ]);

    await sql(`update public.orders set refunded_amount = 25 where id = $1`, [second]);
    expect((await storedStats(org)).get(a)!.net_spend).toBe('135.00');

    await sql(`update public.orders set status = 'cancelled' where id = $1`, [first]);
    s = (await storedStats(org)).get(a)!;
    expect([s.order_count, s.net_spend, ms(s.first_order_at), s.previous_order_at]).toEqual([1, '35.00', nowMs - 10 * DAY, null]);

    await sql(`update public.orders set customer_id = $2 where id = $1`, [second, b]);
    const moved = await storedStats(org);
    expect([moved.get(a)!.order_count, moved.get(a)!.net_spend, moved.get(a)!.last_order_at]).toEqual([0, '0.00', null]);
    expect([moved.get(b)!.order_count, moved.get(b)!.net_spend]).toEqual([1, '35.00']);

    await sql(`delete from public.orders where customer_id = $1`, [b]);
    expect((await storedStats(org)).get(b)!.order_count).toBe(0);
    const [profile] = await sql<{ r_score: number | null; rfm_segment: string | null; lifecycle_stage: string }>(
      `select r_score, rfm_segment, lifecycle_stage from public.customer_profiles where customer_id = $1`,
      [b],
    );
    expect(profile).toEqual({ r_score: null, rfm_segment: null, lifecycle_stage: 'prospect' });

    expect((await sql<{ n: number }>(`select private.rebuild_stats($1) as n`, [org]))[0]!.n).toBe(0);
    await profilesMatchClassification(org);
  });

  it('handles statements that touch many customers at once', async () => {
    const { org, ids } = await newOrg(30);
    await sql(
      `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
       select $1, c, 'import', gen_random_uuid()::text, $3::timestamptz - make_interval(days => g * 7), 10 * g, 'USD', 'paid'
         from unnest($2::uuid[]) as c, generate_series(1, 5) as g`,
      [org, ids, NOW],
    );
    await sql(`update public.orders set refunded_amount = total / 2 where org_id = $1 and total > 30`, [org]);
    await sql(`delete from public.orders where org_id = $1 and total = 10`, [org]);
    const stats = await storedStats(org);
    for (const id of ids) {
      expect([stats.get(id)!.order_count, stats.get(id)!.net_spend]).toEqual([4, '95.00']);
    }
    expect((await sql<{ n: number }>(`select private.rebuild_stats($1) as n`, [org]))[0]!.n).toBe(0);
    await profilesMatchClassification(org);
  });

  it('keeps the latest event for the prospect and lead rules', async () => {
    const { org, ids } = await newOrg(1);
    const id = ids[0]!;
    await sql(`insert into public.events (org_id, customer_id, kind, occurred_at, recorded_by) values ($1, $2, 'visit', $3, null)`, [org, id, ago(100)]);
    await sql(`insert into public.events (org_id, customer_id, kind, occurred_at, recorded_by) values ($1, $2, 'cart', $3, null)`, [org, id, ago(20)]);
    let s = (await storedStats(org)).get(id)!;
    expect(ms(s.last_event_at)).toBe(nowMs - 20 * DAY);
    await sql(`delete from public.events where customer_id = $1 and kind = 'cart'`, [id]);
    s = (await storedStats(org)).get(id)!;
    expect(ms(s.last_event_at)).toBe(nowMs - 100 * DAY);
    const [p] = await sql<{ lifecycle_stage: string }>(`select lifecycle_stage from public.customer_profiles where customer_id = $1`, [id]);
    expect(p!.lifecycle_stage).toBe('prospect');
  });

  it('can defer classification to the dirty queue for bulk loads', async () => {
    const { org, ids } = await newOrg(3);
    await fullRun(org);
    await sql(
      `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
       select $1, c, 'import', gen_random_uuid()::text, $3, 42, 'USD', 'paid' from unnest($2::uuid[]) as c`,
      [org, ids, ago(3)],
      { 'portrait.defer_classification': 'on' },
    );
    const stats = await storedStats(org);
    expect(ids.map((id) => stats.get(id)!.order_count)).toEqual([1, 1, 1]);
    const queued = await sql<{ customer_id: string }>(`select customer_id from private.dirty_customers where org_id = $1 order by 1`, [org]);
    expect(queued.map((r) => r.customer_id)).toEqual([...ids].sort());
    const [before] = await sql<{ lifecycle_stage: string }>(`select lifecycle_stage from public.customer_profiles where customer_id = $1`, [ids[0]]);
    expect(before!.lifecycle_stage).toBe('prospect');

    const [run] = await sql<{ r: { scope: string; scanned: number; changed: number; next_after: string | null } }>(
      `select private.recompute($1, 'dirty', null, 100, null, $2) as r`,
      [org, NOW],
    );
    expect(run!.r).toMatchObject({ scope: 'queue', scanned: 3, changed: 3, next_after: null });
    expect(await sql(`select 1 from private.dirty_customers where org_id = $1`, [org])).toEqual([]);
    const [after] = await sql<{ lifecycle_stage: string }>(`select lifecycle_stage from public.customer_profiles where customer_id = $1`, [ids[0]]);
    expect(after!.lifecycle_stage).toBe('new');
    await profilesMatchClassification(org);
  });

  it('updates an order\'s customer from its stored figures and the order, and recounts where the order cannot tell', async () => {
    const { org, ids } = await newOrg(1);
    const id = ids[0]!;
    await insertOrder(org, id, { at: ago(30), total: 40 });
    // A drift planted in the stored figures: the per-order path builds on them, a recount would
    // repair them at once.
    await sql(`update public.customer_profiles set net_spend = net_spend + 1000 where customer_id = $1`, [id]);
    const middle = await insertOrder(org, id, { at: ago(20), total: 10 });
    const latest = await insertOrder(org, id, { at: ago(1), total: 20 });
    expect((await storedStats(org)).get(id)).toMatchObject({ order_count: 3, net_spend: '1070.00' });
    // A refund, and an order cancelled that was neither the first, the last nor the previous one:
    // the order tells the figures.
    await sql(`update public.orders set refunded_amount = 4 where id = $1`, [middle]);
    expect((await storedStats(org)).get(id)).toMatchObject({ order_count: 3, net_spend: '1066.00' });
    const early = await insertOrder(org, id, { at: ago(25), total: 5 });
    await sql(`update public.orders set status = 'cancelled' where id = $1`, [early]);
    expect((await storedStats(org)).get(id)).toMatchObject({ order_count: 3, net_spend: '1066.00' });
    // The latest order cancelled: the previous order's time is not in the order, so the customer
    // is recounted (and the planted drift goes).
    await sql(`update public.orders set status = 'cancelled' where id = $1`, [latest]);
    const s = (await storedStats(org)).get(id)!;
    expect([s.order_count, s.net_spend, ms(s.last_order_at), ms(s.previous_order_at)]).toEqual([2, '46.00', Date.parse(ago(20)), Date.parse(ago(30))]);
    expect((await sql<{ n: number }>(`select private.rebuild_stats($1) as n`, [org]))[0]!.n).toBe(0);
  });

  it("tells the segments an order's customer joined and left from its two segments digests", async () => {
    // 40 segment hashes; 300 random sets of them: the masks find each set from the XOR of its
    // hashes alone. Hashes that are not independent (one the XOR of two others) get no masks.
    const [decoded] = await sql<{ exact: number; sets: number; dependent: string[] | null }>(
      `with h as (
         select array_agg(hashtextextended(md5(g::text)::uuid::text, 0) order by g) as hashes from generate_series(1, 40) g
       ), m as (
         select h.hashes, private.segments_digest_masks(h.hashes) as masks from h
       ), sets as (
         select s, array(select i from generate_series(1, 40) i where hashtext(s::text || '/' || i::text) % 3 = 0 order by i) as members
           from generate_series(1, 300) s
       ), digests as (
         select sets.members, (select coalesce(bit_xor(m.hashes[i]), 0) from unnest(sets.members) i) as digest
           from sets, m
       )
       select count(*) filter (where array(select i from generate_series(1, 40) i
                                            where bit_count(int8send(d.digest & m.masks[i])) % 2 = 1 order by i) = d.members)::integer as exact,
              count(*)::integer as sets,
              private.segments_digest_masks(array[11, 22, 11 # 22]::bigint[])::text[] as dependent
         from digests d, m`,
    );
    expect(decoded).toEqual({ exact: 300, sets: 300, dependent: null });
  });

  it('repairs statistics that drifted from the orders', async () => {
    const { org, ids } = await newOrg(2);
    await insertOrder(org, ids[0]!, { at: ago(3), total: 10 });
    await sql(`update public.customer_profiles set net_spend = 999 where customer_id = $1`, [ids[0]]);
    expect((await sql<{ n: number }>(`select private.rebuild_stats($1) as n`, [org]))[0]!.n).toBe(1);
    expect((await storedStats(org)).get(ids[0]!)!.net_spend).toBe('10.00');
    await profilesMatchClassification(org);
  });
});

describe('concurrent writers', () => {
  it.runIf(process.env.DATABASE_URL)('never lose an order written at the same time for the same customer', async () => {
    const { org, ids } = await newOrg(1);
    const id = ids[0]!;
    const one = new pg.Client({ connectionString: t.url! });
    const two = new pg.Client({ connectionString: t.url! });
    await one.connect();
    await two.connect();
    try {
      const insert = `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
                      values ($1, $2, 'import', gen_random_uuid()::text, now() - interval '1 day', $3, 'USD', 'paid')`;
      await one.query('begin');
      await two.query('begin');
      await one.query(insert, [org, id, 10]);
      const blocked = two.query(insert, [org, id, 20]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await one.query('commit');
      await blocked;
      await two.query('commit');
    } finally {
      await one.end();
      await two.end();
    }
    const s = (await storedStats(org)).get(id)!;
    expect([s.order_count, s.net_spend]).toEqual([2, '30.00']);
    expect((await sql<{ n: number }>(`select private.rebuild_stats($1) as n`, [org]))[0]!.n).toBe(0);
  });
});

type Op =
  | { kind: 'insert'; customer: number; days: number; cents: number; status: 'paid' | 'refunded' | 'cancelled' | 'pending' }
  | { kind: 'insertMany'; customers: number[]; days: number; cents: number }
  | { kind: 'refund'; order: number; share: number }
  | { kind: 'status'; order: number; status: 'paid' | 'refunded' | 'cancelled' | 'pending' }
  | { kind: 'move'; order: number; customer: number }
  | { kind: 'retime'; order: number; days: number }
  | { kind: 'delete'; order: number }
  | { kind: 'refundAll'; customer: number }
  | { kind: 'event'; customer: number; days: number }
  | { kind: 'deleteEvents'; customer: number }
  | { kind: 'visit'; customer: number; days: number; score: number }
  | { kind: 'deleteVisits'; customer: number };

const CUSTOMERS = 5;
const statusArb = fc.constantFrom('paid', 'paid', 'paid', 'refunded', 'cancelled', 'pending') as fc.Arbitrary<
  'paid' | 'refunded' | 'cancelled' | 'pending'
>;
const customerArb = fc.nat(CUSTOMERS - 1);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('insert' as const), customer: customerArb, days: fc.nat(400), cents: fc.integer({ min: 0, max: 50_000 }), status: statusArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insertMany' as const), customers: fc.uniqueArray(customerArb, { minLength: 1, maxLength: 3 }), days: fc.nat(400), cents: fc.integer({ min: 1, max: 50_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refund' as const), order: fc.nat(), share: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('status' as const), order: fc.nat(), status: statusArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('move' as const), order: fc.nat(), customer: customerArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retime' as const), order: fc.nat(), days: fc.nat(400) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), order: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('refundAll' as const), customer: customerArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('event' as const), customer: customerArb, days: fc.nat(200) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteEvents' as const), customer: customerArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('visit' as const), customer: customerArb, days: fc.nat(200), score: fc.nat(10) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteVisits' as const), customer: customerArb }) },
);

describe("an order's customer", () => {
  it('is classified as a full classification classifies it, under the benchmark\'s rules on every kind of field', async () => {
    const { org, ids } = await newOrg(48);
    const countries = ['US', 'CA', 'CN', 'DE', null];
    const industries = ['Retail', 'Software', null];
    for (const [i, id] of ids.entries()) {
      await sql(
        `update public.customers set country = $2, industry = $3, is_partner = $4, created_at = $5, referred_by = $6,
                is_valid = $7, invalid_reason = $8 where id = $1`,
        [id, countries[i % 5], industries[i % 3], i % 4 === 0, ago((i * 37) % 400), i % 6 === 5 ? ids[i - 1] : null,
         i % 11 !== 7, i % 11 === 7 ? 'bounced' : null],
      );
    }
    const tags: string[] = [];
    for (let n = 1; n <= 5; n++) {
      const [row] = await sql<{ id: string }>(`insert into public.tags (org_id, name, created_by) values ($1, $2, null) returning id`, [org, `Tag 0${n}`]);
      tags.push(row!.id);
    }
    for (const [i, id] of ids.entries()) {
      for (const [n, tag] of tags.entries()) {
        if ((i + n) % 3 === 0 || (n >= 3 && i % 2 === 0)) {
          await sql(`insert into public.customer_tags (org_id, customer_id, tag_id, source, added_by) values ($1, $2, $3, 'manual', null)`, [org, id, tag]);
        }
      }
      if (i % 5 === 1) {
        await sql(`insert into public.events (org_id, customer_id, kind, occurred_at, recorded_by) values ($1, $2, 'visit', $3, null)`, [org, id, ago(i % 30)]);
      }
      // Two thirds buy, at ages and amounts spread over every window and cut point.
      for (let k = 0; k < (i % 3) * 2 + (i % 7 === 0 ? 4 : 0); k++) {
        await insertOrder(org, id, { at: ago(((i * 13 + k * 29) % 500) + 1), total: 20 + ((i * 17 + k * 41) % 400) });
      }
    }
    const segmentIds: string[] = [];
    for (const [index, rule] of segmentRules().entries()) {
      const resolved = JSON.stringify(rule).replace(/"\$segment(\d+)"/g, (_, n: string) => JSON.stringify(segmentIds[Number(n)]));
      const [row] = await sql<{ id: string }>(`insert into public.segments (org_id, name, rule) values ($1, $2, $3::jsonb) returning id`, [org, `Segment ${index + 1}`, resolved]);
      segmentIds.push(row!.id);
    }
    await fullRun(org);
    await profilesMatchClassification(org);

    // One order per statement: each customer through the per-order path (a new order, a refund,
    // a status change, an order deleted), against the cut points of the full run.
    for (const [i, id] of ids.entries()) {
      const order = await insertOrder(org, id, { at: ago(i % 4 === 0 ? 0 : (i * 7) % 200), total: 5 + ((i * 53) % 900) });
      if (i % 3 === 1) await sql(`update public.orders set refunded_amount = total / 2 where id = $1`, [order]);
      if (i % 5 === 2) await sql(`update public.orders set status = 'cancelled' where id = $1`, [order]);
      if (i % 7 === 3) await sql(`delete from public.orders where id = $1`, [order]);
    }
    const [moved] = await sql<{ n: number }>(
      `select count(*)::integer as n from public.stage_changes where org_id = $1 and source = 'computed' and changed_at = $2`,
      [org, NOW],
    );
    expect(moved!.n).toBeGreaterThan(0);
    await profilesMatchClassification(org);
  });
});

interface ModelOrder extends OrderFact {
  id: string;
  customer: number;
}

describe('incremental equals full', () => {
  it('for random streams of order inserts, updates, refunds and deletes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 14 }), async (ops) => {
        const { org, ids } = await newOrg(CUSTOMERS);
        // A first full run fixes the cut points; the stream then scores against them.
        await insertOrder(org, ids[0]!, { at: ago(20), total: 50 });
        await insertOrder(org, ids[1]!, { at: ago(120), total: 150 });
        await fullRun(org);
        // Rules on satisfaction and on the F score's change since that full run.
        await sql(`insert into public.segments (org_id, name, rule) values
          ($1, 'Asked lately', '{"field": "days_since_satisfaction", "op": "lte", "value": 30}'),
          ($1, 'Buying less, unhappy', '{"any": [{"field": "f_score_change", "op": "lt", "value": 0}, {"field": "satisfaction_avg", "op": "lt", "value": 50}]}')`, [org]);
        const orders: ModelOrder[] = [
          { id: '', customer: 0, orderedAt: nowMs - 20 * DAY, totalCents: 5000, refundedCents: 0, status: 'paid' },
          { id: '', customer: 1, orderedAt: nowMs - 120 * DAY, totalCents: 15000, refundedCents: 0, status: 'paid' },
        ];
        const initial = await sql<{ id: string; customer_id: string }>(`select id, customer_id from public.orders where org_id = $1`, [org]);
        for (const o of orders) o.id = initial.find((r) => r.customer_id === ids[o.customer])!.id;
        const events: Array<{ customer: number; at: number }> = [];
        const pick = (n: number) => orders[n % orders.length]!;

        for (const op of ops) {
          switch (op.kind) {
            case 'insert': {
              const refundedCents = op.status === 'refunded' ? op.cents : 0;
              const id = await insertOrder(org, ids[op.customer]!, {
                at: ago(op.days), total: op.cents / 100, refunded: refundedCents / 100, status: op.status,
              });
              orders.push({ id, customer: op.customer, orderedAt: nowMs - op.days * DAY, totalCents: op.cents, refundedCents, status: op.status });
              break;
            }
            case 'insertMany': {
              const rows = await sql<{ id: string; customer_id: string }>(
                `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
                 select $1, c, 'import', gen_random_uuid()::text, $3, $4, 'USD', 'paid' from unnest($2::uuid[]) as c
                 returning id, customer_id`,
                [org, op.customers.map((c) => ids[c]), ago(op.days), op.cents / 100],
              );
              for (const row of rows) {
                orders.push({ id: row.id, customer: ids.indexOf(row.customer_id), orderedAt: nowMs - op.days * DAY, totalCents: op.cents, refundedCents: 0, status: 'paid' });
              }
              break;
            }
            case 'refund': {
              if (!orders.length) break;
              const o = pick(op.order);
              const refundedCents = Math.floor(o.totalCents * op.share);
              await sql(`update public.orders set refunded_amount = $2 where id = $1`, [o.id, refundedCents / 100]);
              o.refundedCents = refundedCents;
              break;
            }
            case 'status': {
              if (!orders.length) break;
              const o = pick(op.order);
              await sql(`update public.orders set status = $2 where id = $1`, [o.id, op.status]);
              o.status = op.status;
              break;
            }
            case 'move': {
              if (!orders.length) break;
              const o = pick(op.order);
              await sql(`update public.orders set customer_id = $2 where id = $1`, [o.id, ids[op.customer]]);
              o.customer = op.customer;
              break;
            }
            case 'retime': {
              if (!orders.length) break;
              const o = pick(op.order);
              await sql(`update public.orders set ordered_at = $2 where id = $1`, [o.id, ago(op.days)]);
              o.orderedAt = nowMs - op.days * DAY;
              break;
            }
            case 'delete': {
              if (!orders.length) break;
              const o = pick(op.order);
              await sql(`delete from public.orders where id = $1`, [o.id]);
              orders.splice(orders.indexOf(o), 1);
              break;
            }
            case 'refundAll': {
              await sql(`update public.orders set status = 'refunded', refunded_amount = total where customer_id = $1`, [ids[op.customer]]);
              for (const o of orders.filter((x) => x.customer === op.customer)) {
                o.status = 'refunded';
                o.refundedCents = o.totalCents;
              }
              break;
            }
            case 'event': {
              await sql(`insert into public.events (org_id, customer_id, kind, occurred_at, recorded_by) values ($1, $2, 'visit', $3, null)`, [
                org, ids[op.customer], ago(op.days),
              ]);
              events.push({ customer: op.customer, at: nowMs - op.days * DAY });
              break;
            }
            case 'visit': {
              await sql(`insert into public.satisfaction_responses (org_id, customer_id, score, scale, channel, recorded_by, responded_at) values ($1, $2, $3, 'nps10', 'phone', null, $4)`, [
                org, ids[op.customer], op.score, ago(op.days),
              ]);
              break;
            }
            case 'deleteVisits': {
              await sql(`delete from public.satisfaction_responses where customer_id = $1`, [ids[op.customer]]);
              break;
            }
            case 'deleteEvents': {
              await sql(`delete from public.events where customer_id = $1`, [ids[op.customer]]);
              events.splice(0, events.length, ...events.filter((e) => e.customer !== op.customer));
              break;
            }
          }
        }

        // The maintained statistics equal the reference computed from the model…
        const stored = await storedStats(org);
        for (const [index, id] of ids.entries()) {
          const expected = statsFromOrders(
            orders.filter((o) => o.customer === index),
            events.filter((e) => e.customer === index).map((e) => e.at),
          );
          const got = stored.get(id)!;
          expect({
            orderCount: got.order_count,
            netSpendCents: Math.round(Number(got.net_spend) * 100),
            firstOrderAt: ms(got.first_order_at),
            lastOrderAt: ms(got.last_order_at),
            previousOrderAt: ms(got.previous_order_at),
            lastEventAt: ms(got.last_event_at),
          }).toEqual(expected);
        }
        // …a recount from scratch finds nothing to repair…
        expect((await sql<{ n: number }>(`select private.rebuild_stats($1) as n`, [org]))[0]!.n).toBe(0);
        expect((await sql<{ n: number }>(`select private.rebuild_satisfaction($1) as n`, [org]))[0]!.n).toBe(0);
        // …and, once the customers satisfaction answers queued are reclassified, every profile is
        // what a full classification with the same cut points gives.
        await dirtyRun(org);
        await profilesMatchClassification(org);
      }),
      { numRuns: runs(20) },
    );
  });
});

// Stage snapshots reconstructed from order history (private.backfill_stage_snapshots): every day's
// customers and net revenue per stage and the moves between stages equal a day-by-day reference
// computed in TypeScript from the same history; the last day equals the live classification;
// rows the engine took are kept; and three years for two thousand customers take seconds.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, lifecycleStage, statsFromOrders, type OrderFact } from '../oracle/engine.ts';
import { LIFECYCLE_STAGES, type LifecycleStage } from '../../shared/rules.ts';
import { atEngineTime, freshDb, type TestDb } from './harness.ts';
import { NOW } from './engine-clock.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => {
  await t?.close();
});

const sql = <Row = Record<string, unknown>>(text: string, params: unknown[] = [], defer = false) =>
  atEngineTime<Row>(t.db, NOW, text, params, { defer });

async function newOrg(): Promise<string> {
  const id = randomUUID();
  await sql(`insert into public.organizations (id, name) values ($1, 'Org')`, [id]);
  return id;
}

interface History {
  id: string;
  createdAt: number;
  orders: OrderFact[];
  events: number[];
  override: { stage: LifecycleStage; at: number } | null;
}

const dayStart = (day: string) => Date.parse(`${day}T00:00:00.000Z`);
const addDays = (day: string, n: number) => new Date(dayStart(day) + n * DAY_MS).toISOString().slice(0, 10);

/** The reference: each customer's stage as of the last instant of each day, from its history. */
function reference(histories: History[], from: string, to: string) {
  const days: string[] = [];
  for (let d = addDays(from, -1); d <= to; d = addDays(d, 1)) days.push(d);
  const stageOn = new Map<string, Map<string, LifecycleStage>>();
  const rows = new Map<string, { customers: number; byStage: Record<string, number>; revenue: Record<string, number>; moves: Record<string, Record<string, number>> }>();
  for (const day of days) {
    const last = dayStart(addDays(day, 1)) - 1;
    const stages = new Map<string, LifecycleStage>();
    const byStage = Object.fromEntries(LIFECYCLE_STAGES.map((s) => [s, 0]));
    const revenue = Object.fromEntries(LIFECYCLE_STAGES.map((s) => [s, 0]));
    for (const h of histories) {
      const orders = h.orders.filter((o) => o.orderedAt <= last);
      const events = h.events.filter((e) => e <= last);
      const since = Math.min(h.createdAt, ...h.orders.filter((o) => o.status === 'paid').map((o) => o.orderedAt), ...h.events);
      if (since > last) continue;
      const stats = statsFromOrders(orders, events);
      const stage = h.override && h.override.at <= last ? h.override.stage : lifecycleStage(stats, last);
      stages.set(h.id, stage);
      byStage[stage]! += 1;
      revenue[stage]! += stats.netSpendCents;
    }
    stageOn.set(day, stages);
    const moves: Record<string, Record<string, number>> = {};
    const before = stageOn.get(addDays(day, -1));
    if (before) {
      for (const [id, stage] of stages) {
        const was = before.get(id);
        if (was && was !== stage) {
          moves[was] ??= {};
          moves[was]![stage] = (moves[was]![stage] ?? 0) + 1;
        }
      }
    }
    rows.set(day, { customers: stages.size, byStage, revenue, moves });
  }
  rows.delete(addDays(from, -1));
  return rows;
}

async function load(org: string, histories: History[]): Promise<void> {
  for (const h of histories) {
    await sql(`insert into public.customers (id, org_id, created_at) values ($1, $2, $3)`, [h.id, org, new Date(h.createdAt).toISOString()]);
    if (h.orders.length) {
      await sql(
        `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, refunded_amount, currency, status)
         select $1, $2, 'import', gen_random_uuid()::text, o.at, o.total, o.refunded, 'USD', o.status::public.order_status
           from unnest($3::timestamptz[], $4::numeric[], $5::numeric[], $6::text[]) as o (at, total, refunded, status)`,
        [
          org, h.id,
          h.orders.map((o) => new Date(o.orderedAt).toISOString()),
          h.orders.map((o) => o.totalCents / 100),
          h.orders.map((o) => o.refundedCents / 100),
          h.orders.map((o) => o.status),
        ],
      );
    }
    for (const e of h.events) {
      await sql(`insert into public.events (org_id, customer_id, kind, occurred_at, recorded_by) values ($1, $2, 'visit', $3, null)`, [
        org, h.id, new Date(e).toISOString(),
      ]);
    }
    if (h.override) {
      await sql(`update public.customer_profiles set stage_override = $2, override_at = $3 where customer_id = $1`, [
        h.id, h.override.stage, new Date(h.override.at).toISOString(),
      ]);
    }
  }
}

interface SnapshotRow {
  day: string;
  customers: number;
  customers_by_stage: Record<string, number>;
  net_revenue_by_stage: Record<string, number>;
  moves: Record<string, Record<string, number>>;
  members_by_segment: Record<string, number>;
  source: string;
}

async function snapshots(org: string): Promise<SnapshotRow[]> {
  return sql<SnapshotRow>(
    `select day::text, customers, customers_by_stage, net_revenue_by_stage, moves, members_by_segment, source
       from public.stage_snapshots where org_id = $1 order by day`,
    [org],
  );
}

const FROM = '2025-01-01';
const TO = '2025-12-31';
const span = dayStart('2026-01-01') - dayStart('2024-06-01');
const base = dayStart('2024-06-01');
const instant = fc.integer({ min: 0, max: span / 1000 }).map((s) => base + s * 1000);

const historyArb: fc.Arbitrary<Omit<History, 'id'>> = fc.record({
  createdAt: instant,
  orders: fc.array(
    fc.record({
      orderedAt: instant,
      totalCents: fc.integer({ min: 0, max: 40_000 }),
      refundedCents: fc.constant(0),
      status: fc.constantFrom('paid', 'paid', 'paid', 'refunded', 'cancelled'),
    }),
    { maxLength: 6 },
  ),
  events: fc.array(instant, { maxLength: 3 }),
  override: fc.option(fc.record({ stage: fc.constantFrom(...LIFECYCLE_STAGES), at: instant }), { freq: 6 }),
}) as fc.Arbitrary<Omit<History, 'id'>>;

describe('backfilled stage snapshots', () => {
  it('equal a day-by-day reconstruction from the same history', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(historyArb, { minLength: 5, maxLength: 25 }), async (drafts) => {
        const org = await newOrg();
        const histories = drafts.map((d) => ({ ...d, id: randomUUID() }));
        for (const h of histories) {
          for (const o of h.orders) if (o.status === 'refunded') o.refundedCents = o.totalCents;
        }
        await load(org, histories);
        const [written] = await sql<{ n: number }>(`select private.backfill_stage_snapshots($1, $2, $3) as n`, [org, FROM, TO]);
        expect(written!.n).toBe(365);
        const expected = reference(histories, FROM, TO);
        for (const row of await snapshots(org)) {
          const want = expected.get(row.day)!;
          expect(row.source).toBe('backfill');
          expect({ day: row.day, customers: row.customers, byStage: row.customers_by_stage }).toEqual({
            day: row.day, customers: want.customers, byStage: want.byStage,
          });
          expect(Object.fromEntries(Object.entries(row.net_revenue_by_stage).map(([k, v]) => [k, Math.round(Number(v) * 100)]))).toEqual(want.revenue);
          expect({ day: row.day, moves: row.moves }).toEqual({ day: row.day, moves: want.moves });
          expect(row.members_by_segment).toEqual({});
        }
      }),
      { numRuns: 6 },
    );
  });

  it('agree with the live classification on the last day, and keep the rows the engine took', async () => {
    const org = await newOrg();
    const nowMs = Date.parse(NOW);
    const histories: History[] = Array.from({ length: 12 }, (_, i) => ({
      id: randomUUID(),
      createdAt: nowMs - 400 * DAY_MS,
      orders: Array.from({ length: i % 4 }, (_, k) => ({
        orderedAt: nowMs - (i * 23 + k * 97 + 1) * DAY_MS, totalCents: 1000 * (k + 1), refundedCents: 0, status: 'paid' as const,
      })),
      events: i % 5 === 0 ? [nowMs - i * 11 * DAY_MS - DAY_MS] : [],
      override: null,
    }));
    await load(org, histories);
    // The engine takes today's row; the backfill must leave it.
    const [chunk] = await sql<{ r: { next_after: string | null } }>(`select private.recompute($1, 'full', null, 20000, null, $2) as r`, [org, NOW]);
    expect(chunk!.r.next_after).toBeNull();
    const today = NOW.slice(0, 10);
    const yesterday = addDays(today, -1);
    await sql(`select private.backfill_stage_snapshots($1, $2, $3)`, [org, addDays(today, -30), today]);
    const rows = await snapshots(org);
    expect(rows.find((r) => r.day === today)!.source).toBe('engine');
    const lastInstant = new Date(dayStart(today) - 1).toISOString();
    const live = await sql<{ stage: string; n: number }>(
      `select effective_stage::text as stage, count(*)::int as n from private.classify($1, $2) group by 1`,
      [org, lastInstant],
    );
    const byStage = rows.find((r) => r.day === yesterday)!.customers_by_stage;
    for (const stage of LIFECYCLE_STAGES) expect(byStage[stage], stage).toBe(live.find((l) => l.stage === stage)?.n ?? 0);
  });

  it('rebuild three years for two thousand customers in seconds', async () => {
    const org = await newOrg();
    // Deterministic history: 2,000 customers, about 8,000 orders and 1,000 events over three years.
    await sql(
      `insert into public.customers (id, org_id, created_at)
       select gen_random_uuid(), $1, $2::timestamptz - make_interval(days => 1100 - (g % 50)) from generate_series(1, 2000) as g`,
      [org, NOW],
      true,
    );
    await sql(
      `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
       select $1, c.id, 'import', gen_random_uuid()::text,
              $2::timestamptz - make_interval(days => ((row_number() over ()) * 7919 % 1090)::int, hours => (g * 5)::int),
              ((row_number() over ()) * 31 % 50000) / 100.0, 'USD', case when g = 4 then 'refunded' else 'paid' end::public.order_status
         from public.customers c, generate_series(1, 4) as g
        where c.org_id = $1 and (g < 3 or hashtext(c.id::text) % 3 = 0)`,
      [org, NOW],
      true,
    );
    await sql(
      `insert into public.events (org_id, customer_id, kind, occurred_at, recorded_by)
       select $1, c.id, 'visit', $2::timestamptz - make_interval(days => abs(hashtext(c.id::text)) % 1000), null
         from public.customers c where c.org_id = $1 and hashtext(c.id::text) % 2 = 0`,
      [org, NOW],
      true,
    );
    const started = Date.now();
    const [written] = await sql<{ n: number }>(`select private.backfill_stage_snapshots($1, $2, $3) as n`, [org, addDays('2026-06-01', -1095), '2026-05-31']);
    const seconds = (Date.now() - started) / 1000;
    console.info(`backfill: ${written!.n} days for 2,000 customers in ${seconds.toFixed(2)} s (${t.kind})`);
    expect(written!.n).toBe(1095);
    expect(seconds).toBeLessThan(t.kind === 'pglite' ? 60 : 20);
    const [last] = await sql<{ customers: number }>(`select customers from public.stage_snapshots where org_id = $1 and day = '2026-05-31'`, [org]);
    expect(last!.customers).toBe(2000);
  });
});

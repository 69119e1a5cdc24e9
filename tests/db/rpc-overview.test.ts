// public.stage_overview, called as the members it is meant for, over three years of daily stage
// snapshots generated here (and, separately, over snapshots the engine's backfill reconstructs):
// every series, the segment sizes and the moves equal what was written, other organizations'
// rows never show, and bad arguments are refused with errors that name them.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lifecycleStages, stageOverviewResultSchema, type LifecycleStage, type StageOverview } from '../../shared/api.ts';
import { freshDb, type TestDb } from './harness.ts';
import { asActor, asUser, createTenants, orgs, rows, sqlState, users, type Actor, type UserName } from './tenants.ts';

let t: TestDb;

const A = orgs.a;
const B = orgs.b;
const DAY_MS = 86_400_000;
const FIRST = '2023-06-01';
const LAST = '2026-05-31';
const dayAt = (first: string, n: number) => new Date(Date.parse(`${first}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

interface SnapshotRow {
  day: string;
  customers_by_stage: Record<LifecycleStage, number>;
  net_revenue_by_stage: Record<LifecycleStage, number>;
  members_by_segment: Record<string, number>;
  moves: Record<string, Record<string, number>>;
}

/** A deterministic, uneven three-year history: every stage and day gets its own numbers. */
function generate(first: string, last: string, salt: number): SnapshotRow[] {
  const out: SnapshotRow[] = [];
  let seed = 0x9e3779b9 ^ salt;
  const next = () => {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) | 0;
    return (seed >>> 0) / 2 ** 32;
  };
  for (let i = 0; dayAt(first, i) <= last; i++) {
    const day = dayAt(first, i);
    const customers = {} as Record<LifecycleStage, number>;
    const revenue = {} as Record<LifecycleStage, number>;
    lifecycleStages.forEach((stage, s) => {
      customers[stage] = Math.floor(50 + 10 * s + i / (s + 1) + 20 * next());
      revenue[stage] = stage === 'prospect' || stage === 'lead' ? 0 : Math.round((customers[stage] * (80 + 40 * s) + next() * 100) * 100) / 100;
    });
    const moves: Record<string, Record<string, number>> = {};
    if (i % 3 !== 0) {
      moves.active = { at_risk: 1 + Math.floor(next() * 5), loyal: Math.floor(next() * 3) };
      moves.at_risk = { churned: 1 + Math.floor(next() * 2) };
      if (i % 7 === 0) moves.churned = { reactivated: 1 };
    }
    // Like the engine's own rows: only days a run took count segment members; backfilled days do not.
    const members_by_segment = i % 10 === 0 ? { [rows.segment]: 100 + i } : {};
    out.push({ day, customers_by_stage: customers, net_revenue_by_stage: revenue, members_by_segment, moves });
  }
  return out;
}

const history = generate(FIRST, LAST, 1);
const otherHistory = generate(FIRST, LAST, 2);

async function insertSnapshots(org: string, snapshots: SnapshotRow[]): Promise<void> {
  await t.db.query(
    `insert into public.stage_snapshots (org_id, day, customers, customers_by_stage, net_revenue_by_stage, members_by_segment, moves, source, as_of)
     select $1, r.day, (select sum(v::bigint) from jsonb_each_text(r.customers_by_stage) as e (k, v)),
            r.customers_by_stage, r.net_revenue_by_stage, r.members_by_segment, r.moves, 'engine', (r.day + 1)::timestamptz
       from jsonb_to_recordset($2::jsonb) as r (day date, customers_by_stage jsonb, net_revenue_by_stage jsonb, members_by_segment jsonb, moves jsonb)`,
    [org, JSON.stringify(snapshots)],
  );
}

beforeAll(async () => {
  t = await freshDb();
  await createTenants(t.db);
  await t.db.exec(`update public.organizations set settings = settings || '{"currency": "CNY"}' where id = '${A}'`);
  // Seed B's segment too, so that a leak of B's names would show.
  await t.db.exec(`insert into public.segments (id, org_id, name, rule) values ('${randomUUID()}', '${B}', 'B secret segment', '{"all": []}')`);
  await insertSnapshots(A, history);
  await insertSnapshots(B, otherHistory);
}, 60_000);
afterAll(async () => {
  await t?.close();
});

async function overview(actor: UserName, from: string | null, to: string | null, org: string | null = A): Promise<StageOverview> {
  return asUser(t.db, actor, async (tx) => {
    const { rows: result } = await tx.query<{ overview: unknown }>('select public.stage_overview($1, $2, $3) as overview', [org, from, to]);
    return stageOverviewResultSchema.parse(result[0]!.overview);
  });
}

function expectedMoves(snapshots: SnapshotRow[]) {
  const sums = new Map<string, number>();
  for (const s of snapshots) {
    for (const [from, tos] of Object.entries(s.moves)) {
      for (const [to, n] of Object.entries(tos)) sums.set(`${from}>${to}`, (sums.get(`${from}>${to}`) ?? 0) + n);
    }
  }
  return [...sums]
    .map(([key, count]) => {
      const [from, to] = key.split('>');
      return { from, to, count };
    })
    .sort((x, y) => y.count - x.count || x.from!.localeCompare(y.from!) || x.to!.localeCompare(y.to!));
}

describe('stage_overview over three years of daily snapshots', () => {
  it('returns every day with one value per stage, as written', async () => {
    const result = await overview('rep', FIRST, LAST);
    expect(history.length).toBeGreaterThan(1090);
    expect(result.org_id).toBe(A);
    expect(result.currency).toBe('CNY');
    expect(result.stages).toEqual([...lifecycleStages]);
    expect(result.days).toEqual(history.map((s) => s.day));
    for (const stage of lifecycleStages) {
      expect(result.customers_by_stage[stage]).toEqual(history.map((s) => s.customers_by_stage[stage]));
      expect(result.net_revenue_by_stage[stage]).toEqual(history.map((s) => s.net_revenue_by_stage[stage]));
    }
  });

  it('sums the moves over the range and over the month of its last day', async () => {
    const result = await overview('admin', FIRST, LAST);
    expect(result.moves).toEqual(expectedMoves(history));
    expect(result.moves.length).toBeGreaterThan(0);
    expect(result.month_moves.from).toBe('2026-05-01');
    expect(result.month_moves.to).toBe(LAST);
    expect(result.month_moves.items).toEqual(expectedMoves(history.filter((s) => s.day >= '2026-05-01')));
  });

  it('keeps to the range asked for', async () => {
    const from = '2025-01-10';
    const to = '2025-03-20';
    const inRange = history.filter((s) => s.day >= from && s.day <= to);
    const result = await overview('rep', from, to);
    expect(result.days).toEqual(inRange.map((s) => s.day));
    expect(result.customers_by_stage.at_risk).toEqual(inRange.map((s) => s.customers_by_stage.at_risk));
    expect(result.moves).toEqual(expectedMoves(inRange));
    // The month of p_to, from its first day.
    expect(result.month_moves.from).toBe('2025-03-01');
    expect(result.month_moves.items).toEqual(expectedMoves(inRange.filter((s) => s.day >= '2025-03-01')));
  });

  it('counts segments on the latest day that counted them, with their names', async () => {
    const to = '2026-05-25';
    const counted = history.filter((s) => s.day <= to && Object.keys(s.members_by_segment).length > 0).at(-1)!;
    const result = await overview('rep', '2026-01-01', to);
    expect(result.segments.day).toBe(counted.day);
    expect(result.segments.items).toEqual([{ id: rows.segment, name: 'Everyone', members: counted.members_by_segment[rows.segment] }]);
    expect(JSON.stringify(result)).not.toContain('B secret segment');
  });

  it("falls back to the segments' current member counts when no day in the range counted them", async () => {
    await t.db.exec(`update public.segments set member_count = 7 where id = '${rows.segment}'`);
    // Days 1..9 after FIRST carry no segment counts.
    const result = await overview('rep', dayAt(FIRST, 1), dayAt(FIRST, 9));
    expect(result.segments).toEqual({ day: null, items: [{ id: rows.segment, name: 'Everyone', members: 7 }] });
  });

  it('answers a range without snapshots with empty series for every stage', async () => {
    const result = await overview('staff', '2020-01-01', '2020-12-31');
    expect(result.days).toEqual([]);
    for (const stage of lifecycleStages) {
      expect(result.customers_by_stage[stage]).toEqual([]);
      expect(result.net_revenue_by_stage[stage]).toEqual([]);
    }
    expect(result.moves).toEqual([]);
    expect(result.month_moves.items).toEqual([]);
  });

  it("shows each organization only its own snapshots", async () => {
    // staff is an admin of B: B's call shows B's numbers, not A's.
    const result = await overview('staff', FIRST, LAST, B);
    expect(result.customers_by_stage.loyal).toEqual(otherHistory.map((s) => s.customers_by_stage.loyal));
    expect(result.customers_by_stage.loyal).not.toEqual(history.map((s) => s.customers_by_stage.loyal));
  });

  it('reads three years in well under a second', async () => {
    // Warm once, then time the second call (the figure is reported; the bound only catches a pathological plan).
    await overview('rep', FIRST, LAST);
    const started = performance.now();
    await overview('rep', FIRST, LAST);
    const elapsed = performance.now() - started;
    console.log(`stage_overview, ${history.length} days × 8 stages (${t.kind}): ${elapsed.toFixed(1)} ms`);
    expect(elapsed).toBeLessThan(1_000);
  });
});

describe('stage_overview over snapshots the backfill reconstructs', () => {
  it("equals the organization's snapshot rows day by day", async () => {
    const org = randomUUID();
    const customer = randomUUID();
    await t.db.exec(`
      insert into public.organizations (id, name) values ('${org}', 'Backfilled');
      insert into public.members (org_id, user_id, role) values ('${org}', '${users.rep}', 'rep');
      insert into public.customers (id, org_id, display_name, created_at) values ('${customer}', '${org}', 'Bo Buyer', '2025-01-01T09:00:00Z');
      insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status) values
        ('${org}', '${customer}', 'manual', 'o-1', '2025-01-02T10:00:00Z', 100, 'USD', 'paid'),
        ('${org}', '${customer}', 'manual', 'o-2', '2025-02-20T10:00:00Z', 50, 'USD', 'paid');
      select private.backfill_stage_snapshots('${org}', '2025-01-01', '2025-12-31');
    `);
    const result = await overview('rep', '2025-01-01', '2025-12-31', org);
    const { rows: stored } = await t.db.query<{ day: string; by_stage: Record<string, number>; revenue: Record<string, number> }>(
      `select to_char(day, 'YYYY-MM-DD') as day, customers_by_stage as by_stage, net_revenue_by_stage as revenue
         from public.stage_snapshots where org_id = $1 order by day`,
      [org],
    );
    expect(result.days).toEqual(stored.map((r) => r.day));
    expect(result.days).toHaveLength(365);
    for (const stage of lifecycleStages) {
      expect(result.customers_by_stage[stage]).toEqual(stored.map((r) => r.by_stage[stage]));
      expect(result.net_revenue_by_stage[stage]).toEqual(stored.map((r) => r.revenue[stage]));
    }
    // One customer: new after the first order, active after the second, then at risk and churned.
    const at = (day: string) => result.days.indexOf(day);
    expect(result.customers_by_stage.new[at('2025-01-05')]).toBe(1);
    expect(result.customers_by_stage.active[at('2025-03-01')]).toBe(1);
    expect(result.net_revenue_by_stage.active[at('2025-03-01')]).toBe(150);
    expect(result.customers_by_stage.churned[at('2025-12-31')]).toBe(1);
    expect(result.moves.map((m) => `${m.from}>${m.to}`).sort()).toEqual(['active>at_risk', 'at_risk>churned', 'new>active', 'prospect>new']);
  });
});

describe('stage_overview refuses', () => {
  const refusals: Array<{ name: string; actor: Actor; args: [string | null, string | null, string | null]; code: string; message?: string }> = [
    { name: "another organization's admin", actor: 'otherAdmin', args: [A, FIRST, LAST], code: '42501', message: 'p_org' },
    { name: 'a signed-in user who belongs nowhere', actor: 'newcomer', args: [A, FIRST, LAST], code: '42501', message: 'p_org' },
    { name: 'anon', actor: 'anon', args: [A, FIRST, LAST], code: '42501' },
    { name: 'the service role (no membership)', actor: 'service_role', args: [A, FIRST, LAST], code: '42501' },
    { name: 'an unknown organization', actor: 'admin', args: [randomUUID(), FIRST, LAST], code: '42501', message: 'p_org' },
    { name: 'no organization', actor: 'admin', args: [null, FIRST, LAST], code: '22023', message: 'p_org' },
    { name: 'no first day', actor: 'admin', args: [A, null, LAST], code: '22023', message: 'p_from is required' },
    { name: 'no last day', actor: 'admin', args: [A, FIRST, null], code: '22023', message: 'p_to is required' },
    { name: 'a first day after the last', actor: 'admin', args: [A, '2026-02-02', '2026-02-01'], code: '22023', message: 'p_from (2026-02-02) must be on or before p_to' },
    { name: 'more than five years', actor: 'admin', args: [A, '2020-01-01', '2025-01-05'], code: '22023', message: 'at most 1830 days' },
  ];

  it.each(refusals)('$name', async ({ actor, args, code, message }) => {
    let error: { code?: string; message?: string } | null = null;
    try {
      await asActor(t.db, actor, (tx) => tx.query('select public.stage_overview($1, $2, $3)', args));
    } catch (caught) {
      error = caught as { code?: string; message?: string };
    }
    expect(error?.code).toBe(code);
    if (message) expect(error?.message).toContain(message);
  });

  it('accepts exactly five years', async () => {
    expect(await sqlState(asUser(t.db, 'rep', (tx) => tx.query('select public.stage_overview($1, $2, $3)', [A, '2020-01-01', '2025-01-04'])))).toBeNull();
  });
});

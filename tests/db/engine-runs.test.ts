// Engine runs: chunked full runs recorded in recompute_runs, diff-based writes (a second full run
// with nothing new writes nothing), the drift pass that moves a customer to at_risk at day 91
// without a full run and touches only customers whose time has come, stage changes, errors
// recorded in the run, abandoned runs, settings changes, and the admin-only API entry point.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atEngineTime, asRole, freshDb, type TestDb } from './harness.ts';
import { NOW, nowMs, DAY, at, ago } from './engine-clock.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => {
  await t?.close();
});

const sql = <Row = Record<string, unknown>>(text: string, params: unknown[] = []) => atEngineTime<Row>(t.db, NOW, text, params);

interface Chunk {
  run_id: number;
  kind: string;
  scope: string;
  scanned: number;
  changed: number;
  rows_written: number;
  next_after: string | null;
  full_recommended: boolean;
  error: string | null;
}

async function run(org: string, kind: 'full' | 'dirty' | 'drift', options: { limit?: number; now?: string } = {}): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  let after: string | null = null;
  let runId: number | null = null;
  do {
    const [row]: Array<{ r: Chunk }> = await sql<{ r: Chunk }>(`select private.recompute($1, $2, $3, $4, $5, $6) as r`, [
      org, kind, after, options.limit ?? 20000, runId, options.now ?? NOW,
    ]);
    chunks.push(row!.r);
    after = row!.r.next_after as string | null;
    runId = row!.r.run_id as number;
  } while (after);
  return chunks;
}

async function newOrg(settings: unknown = {}): Promise<string> {
  const id = randomUUID();
  await sql(`insert into public.organizations (id, name, settings) values ($1, 'Org', $2)`, [id, JSON.stringify(settings)]);
  return id;
}

async function customerWithOrders(org: string, daysAgo: number[], total = 20): Promise<string> {
  const id = randomUUID();
  await sql(`insert into public.customers (id, org_id) values ($1, $2)`, [id, org]);
  if (daysAgo.length) {
    await sql(
      `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
       select $1, $2, 'manual', gen_random_uuid()::text, $3::timestamptz - make_interval(days => d), $4, 'USD', 'paid'
         from unnest($5::int[]) as d`,
      [org, id, NOW, total, daysAgo],
    );
  }
  return id;
}

async function profile(id: string): Promise<{ lifecycle_stage: string; effective_stage: string; next_transition_at: string | null; segment_ids: string[]; reasons: Record<string, Record<string, unknown>> }> {
  const [row] = await sql<Awaited<ReturnType<typeof profile>>>(`select p.*, private.customer_reasons(p.org_id, p.customer_id) as reasons,
            array(select m.segment_id from public.segment_memberships m where m.customer_id = p.customer_id order by m.segment_id) as segment_ids
       from public.customer_profiles p where p.customer_id = $1`, [id]);
  return row!;
}

/** Row versions of the organization's profiles: they change whenever a row is written. */
async function versions(org: string): Promise<Map<string, string>> {
  const rows = await sql<{ customer_id: string; v: string }>(`select customer_id, xmin::text as v from public.customer_profiles where org_id = $1`, [org]);
  return new Map(rows.map((r) => [r.customer_id, r.v]));
}

describe('full runs', () => {
  it('read every customer in one pass, write the changed ones in chunks and record the run', async () => {
    const org = await newOrg();
    for (let i = 0; i < 23; i++) await customerWithOrders(org, i % 3 ? [i * 5] : []);
    // Every reason stale: each of the 23 profiles is written again.
    await sql(`update public.customer_profiles set reasons_version = null where org_id = $1`, [org]);
    const chunks = await run(org, 'full', { limit: 5 });
    expect(chunks.map((c) => c.scanned)).toEqual([23, 0, 0, 0, 0]);
    expect(chunks.map((c) => c.changed)).toEqual([5, 5, 5, 5, 3]);
    expect(chunks.slice(0, -1).every((c) => c.next_after !== null)).toBe(true);
    const [pending] = await sql<{ n: number }>(`select coalesce(sum(cardinality(customer_ids)), 0)::int as n from private.run_pending where run_id = $1`, [chunks[0]!.run_id]);
    expect(pending!.n).toBe(0);
    expect(new Set(chunks.map((c) => c.run_id)).size).toBe(1);
    expect(chunks.every((c) => c.kind === 'full' && c.scope === 'all' && c.error === null)).toBe(true);
    const [recorded] = await sql<Record<string, unknown>>(`select * from public.recompute_runs where id = $1`, [chunks[0]!.run_id]);
    expect(recorded).toMatchObject({ org_id: org, kind: 'full', customers_scanned: 23, error: null });
    expect(recorded!.finished_at).not.toBeNull();
    expect(Date.parse(recorded!.as_of as string)).toBe(nowMs);
    expect(recorded!.details).toMatchObject({ scope: 'all', chunks: 5, cut_points_refreshed: true, next_after: null });
    const [cuts] = await sql<{ run_id: number; buyers: number }>(`select run_id::int as run_id, buyers from public.cut_points where org_id = $1`, [org]);
    expect(cuts).toEqual({ run_id: chunks[0]!.run_id, buyers: 15 });
  });

  it('write nothing when nothing changed, and only what changed otherwise', async () => {
    const org = await newOrg();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await customerWithOrders(org, Array.from({ length: (i % 4) + 1 }, (_, k) => i * 7 + k * 3)));
    await run(org, 'full', { limit: 7 });
    const before = await versions(org);
    const second = await run(org, 'full', { limit: 7 });
    expect(second.reduce((n, c) => n + c.rows_written, 0)).toBe(0);
    expect(second.reduce((n, c) => n + c.changed, 0)).toBe(0);
    expect(await versions(org)).toEqual(before);
    const [recorded] = await sql<{ rows_written: number; customers_changed: number; customers_scanned: number }>(
      `select rows_written, customers_changed, customers_scanned from public.recompute_runs where id = $1`,
      [second[0]!.run_id],
    );
    expect(recorded).toEqual({ rows_written: 0, customers_changed: 0, customers_scanned: 20 });

    // One customer changes behind the engine's back (classification deferred): the next full run
    // writes that profile and nothing else of the unchanged ones.
    await t.db.transaction(async (tx) => {
      await tx.query(`select set_config('portrait.engine_now', $1, true), set_config('portrait.defer_classification', 'on', true)`, [NOW]);
      await tx.query(
        `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
         values ($1, $2, 'manual', 'late-1', $3, 5, 'USD', 'paid')`,
        [org, ids[19], ago(1)],
      );
    });
    const afterDefer = await versions(org);
    const third = await run(org, 'full', { limit: 7 });
    const changed = third.reduce((n, c) => n + c.changed, 0);
    expect(changed).toBeGreaterThanOrEqual(1);
    const after = await versions(org);
    const written = [...after].filter(([id, v]) => afterDefer.get(id) !== v).map(([id]) => id);
    expect(written.length).toBe(changed);
    expect(written).toContain(ids[19]);
  });

  it('record stage changes as computed moves with their reason', async () => {
    const org = await newOrg();
    const id = await customerWithOrders(org, [95]);
    const changes = await sql<{ from_stage: string; to_stage: string; source: string; reason: Record<string, unknown> }>(
      `select from_stage, to_stage, source, reason from public.stage_changes where customer_id = $1 order by id`,
      [id],
    );
    expect(changes).toEqual([
      {
        from_stage: 'prospect',
        to_stage: 'at_risk',
        source: 'computed',
        reason: { code: 'no_order_beyond_at_risk_days', last_order_at: expect.any(String), threshold_days: 90, days_since_last_order: 95 },
      },
    ]);
  });

  it('rewrite every reason when the settings changed since the cut points were taken', async () => {
    const org = await newOrg();
    const active = await customerWithOrders(org, [10, 20]);
    const risky = await customerWithOrders(org, [70]);
    await run(org, 'full');
    await sql(`update public.organizations set settings = $2 where id = $1`, [org, JSON.stringify({ lifecycle: { at_risk_days: 60 } })]);
    const [dirty] = await run(org, 'dirty');
    expect(dirty!.full_recommended).toBe(true);
    const chunks = await run(org, 'full');
    expect(chunks[0]!.full_recommended).toBe(false);
    expect((await profile(risky)).lifecycle_stage).toBe('at_risk');
    expect((await profile(active)).reasons.lifecycle_stage).toMatchObject({ code: 'recent_buyer', at_risk_days: 60 });
    const [again] = await run(org, 'dirty');
    expect(again!.full_recommended).toBe(false);
  });

  it('record an error that stops a run, and close runs left open', async () => {
    const org = await newOrg();
    await customerWithOrders(org, [3]);
    await sql(`insert into public.segments (org_id, name, rule) values ($1, 'All', '{"all": []}')`, [org]);
    await sql(`update private.engine_state set membership_sql = 'no_such_function(r.order_count)' where org_id = $1`, [org]);
    const [failed] = await run(org, 'full');
    expect(failed!.error).toMatch(/no_such_function/);
    expect(failed!.next_after).toBeNull();
    const [recorded] = await sql<{ error: string; finished_at: string | null }>(`select error, finished_at from public.recompute_runs where id = $1`, [failed!.run_id]);
    expect(recorded!.error).toMatch(/no_such_function/);
    expect(recorded!.finished_at).not.toBeNull();
    await sql(`select private.compile_org_segments($1)`, [org]);

    await customerWithOrders(org, [4]);
    // Both reasons stale: two profiles to write, one per chunk.
    await sql(`update public.customer_profiles set reasons_version = null where org_id = $1`, [org]);
    const [first] = await sql<{ r: Chunk }>(`select private.recompute($1, 'full', null, 1, null, $2) as r`, [org, NOW]);
    expect(first!.r.next_after).not.toBeNull();
    const fresh = await run(org, 'full');
    expect(fresh[0]!.run_id).not.toBe(first!.r.run_id);
    const [abandoned] = await sql<{ error: string }>(`select error from public.recompute_runs where id = $1`, [first!.r.run_id]);
    expect(abandoned!.error).toMatch(/abandoned/);
  });

  it('queue the customers past the first chunk in parts of a chunk, which chunks of another size take across', async () => {
    const org = await newOrg();
    for (let i = 0; i < 23; i++) await customerWithOrders(org, i % 3 ? [i * 5] : []);
    await sql(`update public.customer_profiles set reasons_version = null where org_id = $1`, [org]);
    const [first] = await sql<{ r: Chunk }>(`select private.recompute($1, 'full', null, 5, null, $2) as r`, [org, NOW]);
    expect(first!.r.changed).toBe(5);
    // The 18 others wait in parts of the first chunk's size, one row each.
    const parts = await sql<{ n: number }>(
      `select cardinality(customer_ids) as n from private.run_pending where run_id = $1 order by first_id`, [first!.r.run_id]);
    expect(parts.map((p) => p.n)).toEqual([5, 5, 5, 3]);
    // Chunks of 7 take them across the parts: each customer once, every profile written.
    const changed: number[] = [];
    let after = first!.r.next_after;
    while (after) {
      const [row] = await sql<{ r: Chunk }>(`select private.recompute($1, 'full', $2, 7, $3, $4) as r`, [org, after, first!.r.run_id, NOW]);
      expect(row!.r.error).toBeNull();
      changed.push(row!.r.changed);
      after = row!.r.next_after;
    }
    expect(changed).toEqual([7, 7, 4]);
    const [left] = await sql<{ stale: number; pending: number }>(
      `select (select count(*) from public.customer_profiles where org_id = $1 and reasons_version is null)::int as stale,
              (select count(*) from private.run_pending where run_id = $2)::int as pending`, [org, first!.r.run_id]);
    expect(left).toEqual({ stale: 0, pending: 0 });
  });

  it('refuse an unknown kind and a bad chunk size', async () => {
    const org = await newOrg();
    await expect(sql(`select private.recompute($1, 'weekly')`, [org])).rejects.toMatchObject({ code: '22023' });
    await expect(sql(`select private.recompute($1, 'full', null, 0)`, [org])).rejects.toMatchObject({ code: '22023' });
    await expect(sql(`select private.recompute($1, 'full', $2)`, [org, randomUUID()])).rejects.toMatchObject({ code: '22023' });
  });
});

describe('the drift pass', () => {
  it('moves a customer to at_risk at day 91 without a full run, touching only customers whose time came', async () => {
    const org = await newOrg();
    const crossing = await customerWithOrders(org, [90]);
    const others: string[] = [];
    for (let i = 0; i < 8; i++) others.push(await customerWithOrders(org, [i + 1, i + 2]));
    await run(org, 'full');
    const p = await profile(crossing);
    expect(p.lifecycle_stage).toBe('active');
    // One order 90 days ago: at_risk from day 91, i.e. 91 × 24 h after the order.
    expect(Date.parse(p.next_transition_at!)).toBe(nowMs + DAY);
    const before = await versions(org);

    const early = await run(org, 'drift', { now: new Date(nowMs + DAY - 1).toISOString() });
    expect(early.reduce((n, c) => n + c.scanned, 0)).toBe(0);

    const drift = await run(org, 'drift', { now: at(1) });
    expect(drift.reduce((n, c) => n + c.scanned, 0)).toBe(1);
    expect(drift.reduce((n, c) => n + c.changed, 0)).toBe(1);
    const moved = await profile(crossing);
    expect(moved.lifecycle_stage).toBe('at_risk');
    // Next: churned at day 181.
    expect(Date.parse(moved.next_transition_at!)).toBe(nowMs + 91 * DAY);
    const after = await versions(org);
    expect([...after].filter(([id, v]) => before.get(id) !== v).map(([id]) => id)).toEqual([crossing]);

    const [change] = await sql<{ from_stage: string; to_stage: string; changed_at: string }>(
      `select from_stage, to_stage, changed_at from public.stage_changes where customer_id = $1 order by id desc limit 1`,
      [crossing],
    );
    expect(change).toMatchObject({ from_stage: 'active', to_stage: 'at_risk' });
    expect(Date.parse(change!.changed_at)).toBe(nowMs + DAY);
    const [recorded] = await sql<{ kind: string; customers_scanned: number; finished_at: string | null }>(
      `select kind, customers_scanned, finished_at from public.recompute_runs where id = $1`,
      [drift[0]!.run_id],
    );
    expect(recorded).toMatchObject({ kind: 'drift', customers_scanned: 1 });
    expect(recorded!.finished_at).not.toBeNull();
  });

  it('follows new → active at day 31, at_risk → churned at day 181, reactivated → at_risk, lead → prospect', async () => {
    const org = await newOrg();
    const fresh = await customerWithOrders(org, [30]);
    const risky = await customerWithOrders(org, [180]);
    const back = await customerWithOrders(org, [90, 300]);
    const lead = await customerWithOrders(org, []);
    await sql(`insert into public.events (org_id, customer_id, kind, occurred_at, recorded_by) values ($1, $2, 'visit', $3, null)`, [org, lead, ago(90)]);
    await run(org, 'full');
    expect(await Promise.all([fresh, risky, back, lead].map(async (id) => (await profile(id)).lifecycle_stage))).toEqual([
      'new', 'at_risk', 'reactivated', 'lead',
    ]);
    const drift = await run(org, 'drift', { now: at(1) });
    expect(drift[0]!.scanned).toBe(4);
    expect(await Promise.all([fresh, risky, back, lead].map(async (id) => (await profile(id)).lifecycle_stage))).toEqual([
      'active', 'churned', 'at_risk', 'prospect',
    ]);
    // Nothing changes with time for the churned prospect and the prospect any more.
    expect((await profile(lead)).next_transition_at).toBeNull();
    expect((await profile(risky)).next_transition_at).toBeNull();
  });

  it("wakes customers when a rule's day count passes", async () => {
    const org = await newOrg();
    const recent = await customerWithOrders(org, [9]);
    const seg = randomUUID();
    await sql(`insert into public.segments (id, org_id, name, rule) values ($1, $2, 'Recent', $3)`, [
      seg, org, JSON.stringify({ field: 'last_order_at', op: 'within_days', value: 10 }),
    ]);
    await run(org, 'dirty');
    expect((await profile(recent)).segment_ids).toEqual([seg]);
    // Out of "within 10 days" at day 11: two days from now.
    expect(Date.parse((await profile(recent)).next_transition_at!)).toBe(nowMs + 2 * DAY);
    await run(org, 'drift', { now: at(2) });
    expect((await profile(recent)).segment_ids).toEqual([]);
  });
  it('in chunks, takes the customers due beyond the first chunk from run_pending and moves one or two memberships of each', async () => {
    const org = await newOrg();
    const [atRisk, churned, recent] = [randomUUID(), randomUUID(), randomUUID()].sort();
    for (const [id, rule] of [
      [atRisk, { field: 'lifecycle_stage', op: 'in', value: ['at_risk'] }],
      [churned, { field: 'lifecycle_stage', op: 'in', value: ['churned'] }],
      [recent, { field: 'last_order_at', op: 'within_days', value: 120 }],
    ] as const) {
      await sql(`insert into public.segments (id, org_id, name, rule) values ($1, $2, $3, $4)`, [id, org, id, JSON.stringify(rule)]);
    }
    // Day 91: at_risk (joins one segment); day 181: churned (leaves one, joins another); an order
    // 120 days ago leaves "within 120 days" at day 121 (leaves one).
    const joins = [await customerWithOrders(org, [90]), await customerWithOrders(org, [90])];
    const swaps = [await customerWithOrders(org, [180]), await customerWithOrders(org, [180])];
    const leaves = await customerWithOrders(org, [120]);
    const stays = await customerWithOrders(org, [3]);
    await run(org, 'full');
    expect((await profile(joins[0]!)).segment_ids).toEqual([recent]);
    expect((await profile(swaps[0]!)).segment_ids).toEqual([atRisk]);
    expect((await profile(leaves)).segment_ids).toEqual([atRisk, recent].sort());

    const drift = await run(org, 'drift', { now: at(1), limit: 2 });
    expect(drift.map((c) => c.scanned)).toEqual([2, 2, 1]);
    for (const id of joins) expect((await profile(id)).segment_ids).toEqual([atRisk, recent].sort());
    for (const id of swaps) expect((await profile(id)).segment_ids).toEqual([churned]);
    expect((await profile(leaves)).segment_ids).toEqual([atRisk]);
    expect((await profile(stays)).segment_ids).toEqual([recent]);
    const [recorded] = await sql<{ memberships_written: number; pending: number }>(
      `select (r.details ->> 'memberships_written')::integer as memberships_written,
              (select coalesce(sum(cardinality(rp.customer_ids)), 0) from private.run_pending rp where rp.run_id = r.id)::integer as pending
         from public.recompute_runs r where r.id = $1`,
      [drift[0]!.run_id],
    );
    expect(recorded).toEqual({ memberships_written: 2 + 4 + 1, pending: 0 });
  });
});

describe('stage snapshots from runs', () => {
  it('are upserted for the day of a full or drift run', async () => {
    const org = await newOrg();
    await customerWithOrders(org, [90], 30);
    await customerWithOrders(org, [5], 12.5);
    await customerWithOrders(org, []);
    await run(org, 'full');
    await run(org, 'drift', { now: at(1) });
    const rows = await sql<{ day: string; customers: number; customers_by_stage: Record<string, number>; net_revenue_by_stage: Record<string, number>; moves: Record<string, Record<string, number>>; source: string }>(
      `select day::text, customers, customers_by_stage, net_revenue_by_stage, moves, source from public.stage_snapshots where org_id = $1 order by day`,
      [org],
    );
    expect(rows.map((r) => r.day)).toEqual(['2026-06-01', '2026-06-02']);
    expect(rows[0]).toMatchObject({
      customers: 3,
      source: 'engine',
      customers_by_stage: { prospect: 1, lead: 0, new: 1, active: 1, loyal: 0, at_risk: 0, churned: 0, reactivated: 0 },
      net_revenue_by_stage: { new: 12.5, active: 30, prospect: 0 },
      moves: { prospect: { new: 1, active: 1 } },
    });
    expect(rows[1]).toMatchObject({
      customers_by_stage: { prospect: 1, new: 1, active: 0, at_risk: 1 },
      net_revenue_by_stage: { at_risk: 30 },
      moves: { active: { at_risk: 1 } },
    });
  });
});

describe('the figures a full run gathers chunk by chunk', () => {
  it('equal a snapshot counted from the profiles, and give the segments their member counts', async () => {
    const org = await newOrg();
    for (let i = 0; i < 23; i++) await customerWithOrders(org, Array.from({ length: i % 5 }, (_, k) => i * 9 + k * 40), 10 + i);
    const repeat = randomUUID();
    const recent = randomUUID();
    await sql(`insert into public.segments (id, org_id, name, rule) values ($1, $3, 'Repeat', $4), ($2, $3, 'Recent', $5)`, [
      repeat, recent, org,
      JSON.stringify({ field: 'order_count', op: 'gte', value: 2 }),
      JSON.stringify({ field: 'last_order_at', op: 'within_days', value: 60 }),
    ]);
    await run(org, 'full', { limit: 4 });
    const read = async () =>
      (await sql<Record<string, unknown>>(
        `select customers, customers_by_stage, net_revenue_by_stage, members_by_segment, moves from public.stage_snapshots where org_id = $1`,
        [org],
      ))[0];
    const gathered = await read();
    await sql(`select private.take_stage_snapshot($1, $2)`, [org, NOW]);
    expect(gathered).toEqual(await read());
    expect(gathered!.customers).toBe(23);
    const counts = await sql<{ id: string; member_count: number }>(`select id, member_count from public.segments where org_id = $1 and is_active`, [org]);
    const members = gathered!.members_by_segment as Record<string, number>;
    for (const c of counts) expect(c.member_count).toBe(members[c.id]);
    expect(members[repeat]).toBeGreaterThan(0);
    // The snapshot counts members through the profiles' segments digests: the same as the memberships themselves.
    const stored = await sql<{ segment_id: string; n: number }>(
      `select segment_id, count(*)::integer as n from public.segment_memberships where org_id = $1 group by segment_id`,
      [org],
    );
    expect(Object.fromEntries(stored.map((m) => [m.segment_id, m.n]))).toEqual(
      Object.fromEntries(Object.entries(members).filter(([, n]) => n > 0)),
    );
  });
});

describe('recompute_segments through the API', () => {
  it('runs for an admin of the organization only', async () => {
    const org = await newOrg();
    await customerWithOrders(org, [3]);
    const admin = randomUUID();
    const staff = randomUUID();
    const outsider = randomUUID();
    await sql(
      `insert into auth.users (id, email, aud, role, created_at)
       select u, u || '@example.test', 'authenticated', 'authenticated', now() from unnest($1::uuid[]) as u`,
      [[admin, staff, outsider]],
    );
    const otherOrg = await newOrg();
    await sql(`insert into public.members (org_id, user_id, role) values ($1, $2, 'admin'), ($1, $3, 'staff'), ($4, $5, 'admin')`, [
      org, admin, staff, otherOrg, outsider,
    ]);
    const call = (user: string | null) =>
      asRole(t.db, user ? 'authenticated' : 'anon', user ? { sub: user } : {}, async (tx) =>
        (await tx.query<{ r: Record<string, unknown> }>(`select public.recompute_segments($1, 'full') as r`, [org])).rows[0]!.r,
      );
    await expect(call(admin)).resolves.toMatchObject({ kind: 'full', chunks: 1, scanned: 1, error: null });
    await expect(call(staff)).rejects.toMatchObject({ code: '42501' });
    await expect(call(outsider)).rejects.toMatchObject({ code: '42501' });
    await expect(call(null)).rejects.toMatchObject({ code: '42501' });
    // Going around the wrapper does not help a non-admin either.
    await expect(
      asRole(t.db, 'authenticated', { sub: staff }, (tx) => tx.query(`select private.recompute($1, 'full')`, [org])),
    ).rejects.toMatchObject({ code: '42501' });
  });
});

describe("the engine's clock", () => {
  it('is now for a signed-in admin, whatever moment they ask for; only the service role may give another, within bounds, and it is recorded', async () => {
    const org = await newOrg();
    const customer = await customerWithOrders(org, [3]);
    const admin = randomUUID();
    await sql(`insert into auth.users (id, email, aud, role, created_at) values ($1::uuid, $1::text || '@example.test', 'authenticated', 'authenticated', now())`, [admin]);
    await sql(`insert into public.members (org_id, user_id, role) values ($1, $2, 'admin')`, [org, admin]);
    const asAdmin = <T>(fn: (tx: Parameters<Parameters<typeof asRole>[3]>[0]) => Promise<T>) =>
      asRole(t.db, 'authenticated', { sub: admin }, fn, { commit: true });

    // An admin passing a moment is refused, and nothing is written.
    const runsBefore = (await sql<{ n: number }>(`select count(*)::int as n from public.recompute_runs where org_id = $1`, [org]))[0]!.n;
    await expect(asAdmin((tx) => tx.query(`select private.recompute($1, 'full', null, 20000, null, '2099-01-01T00:00:00Z')`, [org])))
      .rejects.toMatchObject({ code: '42501', message: expect.stringContaining('p_now') });
    expect((await sql<{ n: number }>(`select count(*)::int as n from public.recompute_runs where org_id = $1`, [org]))[0]!.n).toBe(runsBefore);

    // An admin's run (through the API entry point) is as of now even with the engine's clock set.
    const answer = await asAdmin(async (tx) => {
      await tx.query(`select set_config('portrait.engine_now', '2099-01-01T00:00:00Z', true)`);
      return (await tx.query<{ r: { run_id: number; error: string | null } }>(`select public.recompute_segments($1, 'full') as r`, [org])).rows[0]!.r;
    });
    expect(answer.error).toBeNull();
    const [adminRun] = await sql<{ as_of: string; now: string; given: boolean; finished: boolean }>(
      `select as_of, now() as now, (details ->> 'as_of_given')::boolean as given, finished_at is not null as finished
         from public.recompute_runs where id = $1`, [answer.run_id]);
    expect(Math.abs(Date.parse(adminRun!.as_of) - Date.now())).toBeLessThan(60_000);
    expect(adminRun!.given).toBe(false);
    expect(adminRun!.finished).toBe(true);
    const [latest] = await sql<{ changed_at: string | null }>(`select max(changed_at) as changed_at from public.stage_changes where customer_id = $1`, [customer]);
    expect(latest!.changed_at === null || Date.parse(latest!.changed_at) <= Date.now() + 60_000).toBe(true);

    // The service role: another moment within bounds is recorded as given; 2099 is refused.
    const serviceRun = await asRole(t.db, 'service_role', {}, async (tx) =>
      (await tx.query<{ r: { run_id: number; as_of: string; error: string | null } }>(
        `select private.recompute($1, 'full', null, 20000, null, $2) as r`, [org, NOW])).rows[0]!.r, { commit: true });
    expect(serviceRun.error).toBeNull();
    expect(Date.parse(serviceRun.as_of)).toBe(nowMs);
    const [recorded] = await sql<{ details: { as_of_given: boolean; as_of_given_by: string } }>(
      `select details from public.recompute_runs where id = $1`, [serviceRun.run_id]);
    expect(recorded!.details).toMatchObject({ as_of_given: true, as_of_given_by: 'service_role' });
    await expect(asRole(t.db, 'service_role', {}, (tx) => tx.query(`select private.recompute($1, 'full', null, 20000, null, '2099-01-01T00:00:00Z')`, [org])))
      .rejects.toMatchObject({ code: '22023', message: expect.stringContaining('p_now') });
    await expect(sql(`select private.recompute($1, 'drift', null, 20000, null, now() + interval '2 days')`, [org]))
      .rejects.toMatchObject({ code: '22023' });
    expect((await sql<{ n: number }>(`select count(*)::int as n from public.recompute_runs where org_id = $1 and finished_at is null`, [org]))[0]!.n).toBe(0);
  });
});

describe("a customer's reasons", () => {
  it('are derived for members of the organization only', async () => {
    const org = await newOrg();
    const customer = await customerWithOrders(org, [3]);
    await run(org, 'full');
    const [member, outsider] = [randomUUID(), randomUUID()];
    await sql(
      `insert into auth.users (id, email, aud, role, created_at)
       select u, u::text || '@example.test', 'authenticated', 'authenticated', now() from unnest($1::uuid[]) as u`,
      [[member, outsider]],
    );
    await sql(`insert into public.members (org_id, user_id, role) values ($1, $2, 'rep')`, [org, member]);
    const reasons = (user: string) =>
      asRole(t.db, 'authenticated', { sub: user }, async (tx) =>
        (await tx.query<{ r: Record<string, { code: string }> }>(`select private.customer_reasons($1, $2) as r`, [org, customer])).rows[0]!.r);
    await expect(reasons(member)).resolves.toMatchObject({ lifecycle_stage: { code: 'first_order_recent' } });
    await expect(reasons(outsider)).rejects.toMatchObject({ code: '42501' });
  });
});

// Contact statistics and the shared pool (公海): last contact and open follow-ups kept by triggers
// (bulk statements and deferred classification included), recycle rules at their boundaries per
// tier and per stage, the drift pass recycling only due customers with a history row, settings
// moving recycle times, the claim limits, pool_customers and my_pool_returns, and the rule fields
// in segments with their wake-up times. Results are checked against the zod schemas in shared/api.ts.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimCustomerResultSchema, myPoolReturnsResultSchema, poolCustomersResultSchema } from '../../shared/api.ts';
import { RULE_FIELDS } from '../../shared/rules.ts';
import { orgSettingsSchema } from '../../shared/settings.ts';
import type { Queryable } from '../../supabase/local/db.ts';
import { atEngineTime, freshDb, type TestDb } from './harness.ts';
import { asUser, createTenants, users, type UserName } from './tenants.ts';

const S = '2026-06-01T12:00:00.000Z';
const sMs = Date.parse(S);
const DAY = 86_400_000;
/** S moved by a number of days (negative: before). */
const at = (days: number) => new Date(sMs + days * DAY).toISOString();

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
  await createTenants(t.db);
});
afterAll(async () => {
  await t?.close();
});

/** Runs statements as postgres in one transaction with the engine's clock at `now`. */
const pg = <Row = Record<string, unknown>>(now: string, text: string, params: unknown[] = []) => atEngineTime<Row>(t.db, now, text, params);

/** A new organization with admin and rep of org A as its admin and rep, and fixed cut points (vip ≥ 100, super ≥ 1000). */
async function newOrg(settings: unknown = {}): Promise<string> {
  const org = randomUUID();
  await pg(S, `insert into public.organizations (id, name, settings) values ($1, 'Pool org', $2)`, [org, JSON.stringify(settings)]);
  await pg(S, `insert into public.members (org_id, user_id, role, display_name) values ($1, $2, 'admin', 'Ada'), ($1, $3, 'rep', 'Rei')`, [
    org, users.admin, users.rep,
  ]);
  await pg(
    S,
    `insert into public.cut_points (org_id, computed_at, buyers, recency_days, monetary_spend, vip_min_spend, super_min_spend, median_aov, settings)
     values ($1, $2, 100, '{10,20,30,40}', '{10,20,30,40}', 100, 1000, 50, private.org_settings_with_defaults('{}'))`,
    [org, S],
  );
  return org;
}

/** A customer owned by `owner` since `ownedAt`, with one paid order of `spend` placed `orderDaysAgo` before S. */
async function customer(org: string, opts: { owner?: string | null; ownedAt?: string; spend?: number; orderAt?: string } = {}): Promise<string> {
  const id = randomUUID();
  await pg(opts.ownedAt ?? S, `insert into public.customers (id, org_id, display_name, owner_id) values ($1, $2, 'C', $3)`, [
    id, org, opts.owner ?? null,
  ]);
  if (opts.spend !== undefined) {
    await pg(
      opts.ownedAt ?? S,
      `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
       values ($1, $2, 'manual', gen_random_uuid()::text, $3, $4, 'USD', 'paid')`,
      [org, id, opts.orderAt ?? at(-5), opts.spend],
    );
  }
  return id;
}

interface Row {
  owner_id: string | null;
  owned_since: string | null;
  last_contact_at: string | null;
  open_follow_ups: number;
  recycle_at: string | null;
  value_tier: string;
  effective_stage: string;
  next_transition_at: string | null;
}
async function state(id: string): Promise<Row> {
  const [row] = await pg<Row>(
    S,
    `select c.owner_id, c.owned_since, p.last_contact_at, p.open_follow_ups, p.recycle_at, p.value_tier::text, p.effective_stage::text,
            p.next_transition_at
       from public.customers c join public.customer_profiles p on p.customer_id = c.id where c.id = $1`,
    [id],
  );
  return row!;
}
const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());

async function drift(org: string, now: string): Promise<Record<string, unknown>> {
  const [row] = await pg<{ r: Record<string, unknown> }>(now, `select private.recompute($1, 'drift', null, 1000, null, $2) as r`, [org, now]);
  const [run] = await pg<{ details: Record<string, unknown> }>(now, `select details from public.recompute_runs where id = $1`, [row!.r.run_id]);
  return { ...row!.r, details: run!.details };
}

async function failure(user: UserName, fn: (tx: Queryable) => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await asUser(t.db, user, fn);
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { code: e.code ?? '', message: e.message ?? '' };
  }
  throw new Error('expected the call to fail');
}

describe('contact statistics', () => {
  it('follow mail events, notes and completed follow-ups, and count open follow-ups', async () => {
    const org = await newOrg();
    const id = await customer(org);
    expect(await state(id)).toMatchObject({ last_contact_at: null, open_follow_ups: 0 });

    await pg(S, `insert into public.notes (org_id, customer_id, author_id, body, created_at) values ($1, $2, null, 'Hi', $3)`, [org, id, at(-10)]);
    expect(iso((await state(id)).last_contact_at)).toBe(at(-10));

    const [fu] = await pg<{ id: string }>(
      S,
      `insert into public.follow_ups (org_id, customer_id, assignee_id, created_by, due_at) values ($1, $2, null, null, $3), ($1, $2, null, null, $3) returning id`,
      [org, id, at(1)],
    );
    expect((await state(id)).open_follow_ups).toBe(2);
    await pg(S, `update public.follow_ups set done_at = $2 where id = $1`, [fu!.id, at(-3)]);
    expect(await state(id)).toMatchObject({ open_follow_ups: 1 });
    expect(iso((await state(id)).last_contact_at)).toBe(at(-3));

    // A visit is not a contact; a mail is.
    await pg(S, `insert into public.events (org_id, customer_id, kind, occurred_at, recorded_by) values ($1, $2, 'visit', $3, null)`, [org, id, at(-1)]);
    expect(iso((await state(id)).last_contact_at)).toBe(at(-3));
    await pg(S, `insert into public.events (org_id, customer_id, kind, occurred_at, recorded_by) values ($1, $2, 'email_out', $3, null)`, [org, id, at(-2)]);
    expect(iso((await state(id)).last_contact_at)).toBe(at(-2));
    // Removing the mail goes back to the completed follow-up; reopening it to the note.
    await pg(S, `delete from public.events where customer_id = $1 and kind = 'email_out'`, [id]);
    expect(iso((await state(id)).last_contact_at)).toBe(at(-3));
    await pg(S, `update public.follow_ups set done_at = null where id = $1`, [fu!.id]);
    expect(await state(id)).toMatchObject({ open_follow_ups: 2 });
    expect(iso((await state(id)).last_contact_at)).toBe(at(-10));
  });

  it('are kept by one statement over many customers, and under deferred classification (the customers are queued)', async () => {
    const org = await newOrg();
    const a = await customer(org);
    const b = await customer(org);
    await pg(S, `insert into public.notes (org_id, customer_id, author_id, body, created_at) select $1, x, null, 'Bulk', $3 from unnest($2::uuid[]) as x`, [
      org, [a, b], at(-4),
    ]);
    expect([iso((await state(a)).last_contact_at), iso((await state(b)).last_contact_at)]).toEqual([at(-4), at(-4)]);

    const queued = await t.db.transaction(async (tx) => {
      await tx.query(`select set_config('portrait.defer_classification', 'on', true)`);
      await tx.query(`insert into public.events (org_id, customer_id, kind, occurred_at, recorded_by) select $1, x, 'email_in', $3, null from unnest($2::uuid[]) as x`, [
        org, [a, b], at(-1),
      ]);
      return (await tx.query<{ customer_id: string }>(`select customer_id from private.dirty_customers where org_id = $1 order by 1`, [org])).rows;
    });
    expect(queued.map((r) => r.customer_id)).toEqual([a, b].sort());
    expect([iso((await state(a)).last_contact_at), iso((await state(b)).last_contact_at)]).toEqual([at(-1), at(-1)]);
  });

  it('follow an event that becomes a mail, moves or stops being one, and a note moved to another customer', async () => {
    const org = await newOrg();
    const a = await customer(org);
    const b = await customer(org);
    const [ev] = await pg<{ id: string }>(
      S,
      `insert into public.events (org_id, customer_id, kind, occurred_at, recorded_by) values ($1, $2, 'visit', $3, null) returning id`,
      [org, a, at(-5)],
    );
    expect((await state(a)).last_contact_at).toBeNull();
    await pg(S, `update public.events set kind = 'email_in' where id = $1`, [ev!.id]);
    expect(iso((await state(a)).last_contact_at)).toBe(at(-5));
    await pg(S, `update public.events set occurred_at = $2 where id = $1`, [ev!.id, at(-2)]);
    expect(iso((await state(a)).last_contact_at)).toBe(at(-2));
    await pg(S, `update public.events set customer_id = $2 where id = $1`, [ev!.id, b]);
    expect((await state(a)).last_contact_at).toBeNull();
    expect(iso((await state(b)).last_contact_at)).toBe(at(-2));
    await pg(S, `update public.events set kind = 'call' where id = $1`, [ev!.id]);
    expect((await state(b)).last_contact_at).toBeNull();

    const [note] = await pg<{ id: string }>(
      S,
      `insert into public.notes (org_id, customer_id, author_id, body, created_at) values ($1, $2, null, 'Hi', $3) returning id`,
      [org, a, at(-7)],
    );
    expect(iso((await state(a)).last_contact_at)).toBe(at(-7));
    await pg(S, `update public.notes set customer_id = $2 where id = $1`, [note!.id, b]);
    expect((await state(a)).last_contact_at).toBeNull();
    expect(iso((await state(b)).last_contact_at)).toBe(at(-7));
    await pg(S, `delete from public.notes where id = $1`, [note!.id]);
    expect((await state(b)).last_contact_at).toBeNull();
  });

  it("follow a merge: the kept customer gets the merged one's notes and follow-ups", async () => {
    const org = await newOrg();
    const keep = await customer(org);
    const merge = await customer(org);
    await pg(S, `insert into public.notes (org_id, customer_id, author_id, body, created_at) values ($1, $2, null, 'Old', $3)`, [org, merge, at(-6)]);
    await pg(S, `insert into public.follow_ups (org_id, customer_id, assignee_id, created_by, due_at) values ($1, $2, null, null, $3)`, [org, merge, at(2)]);
    await asUser(t.db, 'admin', (tx) => tx.query('select public.merge_customers($1, $2, $3, $4)', [org, keep, merge, randomUUID()]), { commit: true });
    expect(await state(keep)).toMatchObject({ open_follow_ups: 1 });
    expect(iso((await state(keep)).last_contact_at)).toBe(at(-6));
  });
});

const RULES = { pool: { recycle_days: { by_tier: { super: 60, vip: 45, normal: 30 }, by_stage: { churned: 15 } } } };

describe('recycle rules', () => {
  it('return an owned customer to the pool after N days without follow-up: N−1 stays, N and N+1 go, per tier and per stage', async () => {
    const org = await newOrg(RULES);
    // [days N, spend (tier), order placed (stage)]
    // Orders placed `before` days before the customer was taken (the stage is classified then).
    const cases: Array<{ n: number; spend: number; before: number; tier: string; stage: string }> = [
      { n: 30, spend: 50, before: 200, tier: 'normal', stage: 'churned' },
      { n: 30, spend: 50, before: 100, tier: 'normal', stage: 'at_risk' },
      { n: 45, spend: 500, before: 100, tier: 'vip', stage: 'at_risk' },
      { n: 60, spend: 5000, before: 100, tier: 'super', stage: 'at_risk' },
    ];
    // The churned one goes by its stage (15), even though its tier says 30.
    cases[0]!.n = 15;
    const made: Array<{ id: string; due: boolean; n: number }> = [];
    for (const c of cases) {
      for (const k of [c.n - 1, c.n, c.n + 1]) {
        // Owned since k days before S; the order is older, so the last contact is never later.
        const id = await customer(org, { owner: users.rep, ownedAt: at(-k), spend: c.spend, orderAt: at(-k - c.before) });
        const s = await state(id);
        expect([s.value_tier, s.effective_stage]).toEqual([c.tier, c.stage]);
        expect(iso(s.recycle_at)).toBe(at(-k + c.n));
        made.push({ id, due: k >= c.n, n: c.n });
      }
    }
    // An unowned customer and one owned by a customer with no rule (settings without "new").
    const pool = await customer(org, { spend: 50 });
    expect((await state(pool)).recycle_at).toBeNull();

    const run = await drift(org, S);
    expect(run.error ?? null).toBeNull();
    expect((run.details as { recycled: number }).recycled).toBe(made.filter((m) => m.due).length);
    for (const m of made) {
      const s = await state(m.id);
      expect(s.owner_id, `${m.n} days, due ${m.due}`).toBe(m.due ? null : users.rep);
      expect(s.recycle_at === null).toBe(m.due);
    }
    // Each recycled customer has one history row saying so, by the engine.
    const history = await pg<{ customer_id: string; from_owner_id: string; to_owner_id: string | null; reason: string; changed_by: string | null; note: string }>(
      S,
      `select customer_id, from_owner_id, to_owner_id, reason::text, changed_by, note from public.ownership_changes
        where org_id = $1 and reason = 'recycled' order by customer_id`,
      [org],
    );
    expect(history.map((h) => h.customer_id)).toEqual(made.filter((m) => m.due).map((m) => m.id).sort());
    for (const h of history) {
      expect(h).toMatchObject({ from_owner_id: users.rep, to_owner_id: null, changed_by: null });
      expect(h.note).toContain('pool.recycle_days');
    }
    // The next drift has nothing to recycle.
    expect(((await drift(org, S)).details as { recycled: number }).recycled).toBe(0);
  });

  it('count from the last contact, and follow settings changes', async () => {
    const org = await newOrg(RULES);
    const id = await customer(org, { owner: users.rep, ownedAt: at(-20), spend: 50, orderAt: at(-100) });
    expect(iso((await state(id)).recycle_at)).toBe(at(10));
    // A note five days ago restarts the count.
    await pg(S, `insert into public.notes (org_id, customer_id, author_id, body, created_at) values ($1, $2, null, 'Called', $3)`, [org, id, at(-5)]);
    expect(iso((await state(id)).recycle_at)).toBe(at(25));
    // A shorter rule moves it at once; no rule for the tier clears it.
    await pg(S, `update public.organizations set settings = $2 where id = $1`, [org, JSON.stringify({ pool: { recycle_days: { by_tier: { normal: 20 } } } })]);
    expect(iso((await state(id)).recycle_at)).toBe(at(15));
    await pg(S, `update public.organizations set settings = $2 where id = $1`, [org, JSON.stringify({ pool: { recycle_days: { by_tier: { vip: 20 } } } })]);
    expect((await state(id)).recycle_at).toBeNull();
  });

  it('are checked in the settings (SQL and zod say the same)', async () => {
    const bad = { pool: { recycle_days: { by_tier: { gold: 3, vip: 0 }, by_stage: { churned: 1.5 } }, max_owned_per_rep: -1, extra: 1 } };
    const [row] = await pg<{ problems: string[] }>(S, `select private.org_settings_problems($1) as problems`, [JSON.stringify(bad)]);
    const zodIssues = orgSettingsSchema.safeParse(bad).error?.issues.map((i) => i.path.join('.')).sort();
    expect(zodIssues).toEqual(['pool', 'pool.max_owned_per_rep', 'pool.recycle_days.by_stage.churned', 'pool.recycle_days.by_tier', 'pool.recycle_days.by_tier.vip'].sort());
    expect(row!.problems).toEqual([
      'unknown setting "pool.extra"',
      'pool.max_owned_per_rep must be null (no limit) or a whole number from 1 to 1000000',
      'pool.recycle_days.by_tier.vip must be a whole number of days from 1 to 3650',
      'pool.recycle_days.by_tier: "gold" is not a value tier (one of normal, vip, super)',
      'pool.recycle_days.by_stage.churned must be a whole number of days from 1 to 3650',
    ]);
    const [ok] = await pg<{ problems: string[] }>(S, `select private.org_settings_problems($1) as problems`, [
      JSON.stringify({ ...RULES, pool: { ...RULES.pool, max_owned_per_rep: 100, max_claims_per_day: null } }),
    ]);
    expect(ok!.problems).toEqual([]);
    // The defaults are the same on both sides: everything off.
    const [defaults] = await pg<{ d: unknown }>(S, `select private.org_settings_with_defaults('{}') -> 'pool' as d`);
    expect(defaults!.d).toEqual(orgSettingsSchema.parse({}).pool);
    expect(orgSettingsSchema.parse(RULES).pool.recycle_days.by_stage).toEqual({ churned: 15 });
  });
});

describe('claiming and the pool', () => {
  it('claims start the count, release clears it, and the portrait says when the customer returns', async () => {
    const org = await newOrg(RULES);
    // No orders: a prospect of the normal tier (30 days), whatever the real clock says.
    const id = await customer(org);
    const answer = await asUser(t.db, 'rep', async (tx) =>
      claimCustomerResultSchema.parse((await tx.query<{ r: unknown }>('select public.claim_customer($1, $2, $3) as r', [org, id, randomUUID()])).rows[0]!.r),
      { commit: true },
    );
    const s = await state(id);
    expect(s.owner_id).toBe(users.rep);
    expect(s.recycle_at).not.toBeNull();
    expect(Date.parse(s.recycle_at!) - Date.parse(s.owned_since!)).toBe(30 * DAY);
    expect(iso(answer.portrait.recycle_at)).toBe(iso(s.recycle_at));

    const returns = await asUser(t.db, 'rep', async (tx) =>
      myPoolReturnsResultSchema.parse(
        (await tx.query<{ r: unknown }>(`select coalesce(jsonb_agg(to_jsonb(x)), '[]') as r from public.my_pool_returns($1, $2) x`, [org, 31])).rows[0]!.r,
      ),
    );
    expect(returns.map((r) => r.customer_id)).toEqual([id]);
    expect(await asUser(t.db, 'rep', async (tx) => (await tx.query('select * from public.my_pool_returns($1, $2)', [org, 28])).rows)).toEqual([]);
    // Another member has none.
    expect(await asUser(t.db, 'admin', async (tx) => (await tx.query('select * from public.my_pool_returns($1)', [org])).rows)).toEqual([]);

    await asUser(t.db, 'rep', (tx) => tx.query('select public.release_customer($1, $2, null, $3)', [org, id, randomUUID()]), { commit: true });
    expect(await state(id)).toMatchObject({ owner_id: null, owned_since: null, recycle_at: null });
  });

  it('limits how many customers a rep owns and claims a day (P0001); admins are not limited', async () => {
    const org = await newOrg({ pool: { max_owned_per_rep: 2 } });
    const ids = await Promise.all([0, 1, 2, 3].map(() => customer(org)));
    for (const id of ids.slice(0, 2)) {
      await asUser(t.db, 'rep', (tx) => tx.query('select public.claim_customer($1, $2, $3)', [org, id, randomUUID()]), { commit: true });
    }
    const refused = await failure('rep', (tx) => tx.query('select public.claim_customer($1, $2, $3)', [org, ids[2], randomUUID()]));
    expect(refused).toEqual({
      code: 'P0001',
      message: 'p_customer: you already own 2 customers, the most a rep may own in this organization (pool.max_owned_per_rep)',
    });
    expect((await state(ids[2]!)).owner_id).toBeNull();
    await asUser(t.db, 'admin', (tx) => tx.query('select public.claim_customer($1, $2, $3)', [org, ids[2], randomUUID()]), { commit: true });
    expect((await state(ids[2]!)).owner_id).toBe(users.admin);

    // Releasing one makes room; the daily limit then counts the claims of the last 24 hours.
    await pg(S, `update public.organizations set settings = $2 where id = $1`, [org, JSON.stringify({ pool: { max_owned_per_rep: 5, max_claims_per_day: 2 } })]);
    const daily = await failure('rep', (tx) => tx.query('select public.claim_customer($1, $2, $3)', [org, ids[3], randomUUID()]));
    expect(daily).toEqual({
      code: 'P0001',
      message: 'p_customer: you claimed 2 customers in the last 24 hours, the most a rep may claim in a day in this organization (pool.max_claims_per_day)',
    });
    // Assigning is not claiming.
    await asUser(t.db, 'admin', (tx) => tx.query('select public.assign_customer($1, $2, $3, $4)', [org, ids[3], users.rep, randomUUID()]), { commit: true });
    expect((await state(ids[3]!)).owner_id).toBe(users.rep);
  });

  it('pool_customers lists unowned valid customers by net spend, filtered by a rule, with when they were pooled', async () => {
    const org = await newOrg(RULES);
    const big = await customer(org, { spend: 800 });
    const small = await customer(org, { spend: 20 });
    const owned = await customer(org, { owner: users.rep, spend: 900 });
    const invalid = await customer(org, { spend: 999 });
    await pg(S, `update public.customers set is_valid = false where id = $1`, [invalid]);
    const back = await customer(org, { owner: users.rep, spend: 300 });
    await asUser(t.db, 'rep', (tx) => tx.query('select public.release_customer($1, $2, null, $3)', [org, back, randomUUID()]), { commit: true });
    await pg(S, `insert into public.notes (org_id, customer_id, author_id, body, created_at) values ($1, $2, null, 'x', now() - interval '40 days')`, [org, small]);

    const list = (filter: unknown, limit = 50, user: UserName = 'staff') =>
      asUser(t.db, user, async (tx) =>
        poolCustomersResultSchema.parse(
          (await tx.query<{ r: unknown }>(`select coalesce(jsonb_agg(to_jsonb(x)), '[]') as r from public.pool_customers($1, $2, $3) x`, [
            org, filter === null ? null : JSON.stringify(filter), limit,
          ])).rows[0]!.r,
        ),
      );
    // Staff of A is not a member of this organization.
    expect((await failure('staff', (tx) => tx.query('select * from public.pool_customers($1)', [org]))).code).toBe('42501');

    const all = await list(null, 50, 'rep');
    expect(all.map((r) => r.customer_id)).toEqual([big, back, small]);
    expect(all.find((r) => r.customer_id === big)).toMatchObject({ value_tier: 'vip', order_count: 1, net_spend: 800, pooled_at: null });
    const [pooled] = await pg<{ changed_at: string }>(S, `select changed_at from public.ownership_changes where customer_id = $1 and to_owner_id is null`, [back]);
    expect(iso(all.find((r) => r.customer_id === back)!.pooled_at)).toBe(iso(pooled!.changed_at));
    expect((await list(null, 1, 'rep')).map((r) => r.customer_id)).toEqual([big]);

    expect((await list({ field: 'net_spend', op: 'lt', value: 500 }, 50, 'rep')).map((r) => r.customer_id)).toEqual([back, small]);
    expect((await list({ field: 'days_since_last_contact', op: 'gte', value: 39 }, 50, 'rep')).map((r) => r.customer_id)).toEqual([small]);
    expect((await list({ field: 'owner', op: 'in', value: ['me'] }, 50, 'rep'))).toEqual([]);
    expect((await list({ field: 'owner', op: 'in', value: ['unowned'] }, 50, 'rep')).length).toBe(3);
    expect((await list({ field: 'is_valid', op: 'eq', value: false }, 50, 'rep')).map((r) => r.customer_id)).toEqual([invalid]);
    expect(owned).toBeTruthy();

    const bad = await failure('rep', (tx) => tx.query('select * from public.pool_customers($1, $2)', [org, JSON.stringify({ all: [{ field: 'nope', op: 'gt', value: 1 }] })]));
    expect(bad).toEqual({ code: '22023', message: 'p_filter.all[0].field: unknown field "nope"' });
    expect(await failure('rep', (tx) => tx.query('select * from public.pool_customers($1, null, $2)', [org, 201]))).toEqual({
      code: '22023',
      message: 'p_limit must be between 1 and 200',
    });
  });
  it('pool_customers filters by every rule field the segment language has (shared/rules.ts)', async () => {
    const org = await newOrg(RULES);
    const ids = [await customer(org, { spend: 800 }), await customer(org, { spend: 20 }), await customer(org)];
    const call = (filter: unknown) =>
      asUser(t.db, 'rep', async (tx) =>
        (await tx.query<{ customer_id: string }>('select customer_id from public.pool_customers($1, $2) order by customer_id', [org, JSON.stringify(filter)]))
          .rows.map((r) => r.customer_id),
      );
    const value = (f: (typeof RULE_FIELDS)[number]) =>
      ({ number: { op: 'gte', value: 0 }, set: { op: 'in', value: [f.allowed?.[0] ?? 'US'] }, tags: { op: 'has', value: 'vip' },
         date: { op: 'within_days', value: 30 }, boolean: { op: 'eq', value: true } })[f.kind];
    const everyone = [...ids].sort();
    expect(await call({ any: [] })).toEqual([]);
    expect(await call({ all: [] })).toEqual(everyone);
    for (const f of RULE_FIELDS) {
      const condition = { field: f.field, ...value(f) };
      // A field the pool's row lacks fails the call (no such column); one it has splits the pool in two.
      const matching = await call(condition);
      const rest = await call({ not: condition });
      expect([...matching, ...rest].sort(), f.field).toEqual(everyone);
    }
  });
});

describe('rule fields in segments', () => {
  it('leave days_until_recycle missing for unowned customers (no rule on it holds for them)', async () => {
    const org = await newOrg(RULES);
    const unowned = await customer(org, { spend: 50, orderAt: at(-10) });
    // Owned since 28 days before S (normal tier: 30 days): returns to the pool 2 days after S.
    const owned = await customer(org, { owner: users.rep, ownedAt: at(-28), spend: 50, orderAt: at(-10) });
    expect(iso((await state(owned)).recycle_at)).toBe(at(2));
    const matching = async (rule: unknown) =>
      (await pg<{ id: string }>(S, `select x as id from private.evaluate_rule($1, $2, $3) as x order by 1`, [org, JSON.stringify(rule), S])).map((r) => r.id);
    expect(await matching({ field: 'days_until_recycle', op: 'lte', value: 3 })).toEqual([owned]);
    expect(await matching({ field: 'days_until_recycle', op: 'gte', value: 0 })).toEqual([owned]);
    expect(await matching({ not: { field: 'days_until_recycle', op: 'gte', value: 0 } })).toEqual([unowned]);
  });

  it('wake the drift pass when days since the last contact or days until recycling cross a rule', async () => {
    const org = await newOrg(RULES);
    const quiet = await pg<{ id: string }>(S, `insert into public.segments (org_id, name, rule) values ($1, 'Quiet', $2) returning id`, [
      org, JSON.stringify({ field: 'days_since_last_contact', op: 'gt', value: 10 }),
    ]);
    const leaving = await pg<{ id: string }>(S, `insert into public.segments (org_id, name, rule) values ($1, 'Leaving', $2) returning id`, [
      org, JSON.stringify({ all: [{ field: 'days_until_recycle', op: 'lte', value: 3 }, { field: 'owner', op: 'in', value: ['owned'] }, { field: 'open_follow_ups', op: 'eq', value: 0 }] }),
    ]);
    await pg(S, `select private.recompute($1, 'dirty', null, 1000, null, $2)`, [org, S]);
    // Owned since S, contacted at S: recycled at S + 30 days; "Leaving" from S + 27 days, "Quiet" after 11 days.
    const id = await customer(org, { owner: users.rep, ownedAt: S, spend: 50, orderAt: at(-100) });
    await pg(S, `insert into public.notes (org_id, customer_id, author_id, body, created_at) values ($1, $2, null, 'Hi', $3)`, [org, id, S]);
    const s = await state(id);
    expect(iso(s.recycle_at)).toBe(at(30));
    const members = async () =>
      (await pg<{ segment_id: string }>(S, `select segment_id from public.segment_memberships where customer_id = $1 order by 1`, [id])).map((r) => r.segment_id);
    expect(await members()).toEqual([]);
    // The next wake-up is the earlier of the two (a lifecycle window may come first: at_risk at 90 days is far).
    expect(iso(s.next_transition_at)).toBe(at(11));
    await drift(org, at(11));
    expect(await members()).toEqual([quiet[0]!.id]);
    expect(iso((await state(id)).next_transition_at)).toBe(at(27));
    await drift(org, at(27));
    expect((await members()).sort()).toEqual([quiet[0]!.id, leaving[0]!.id].sort());
    // An open follow-up takes it out at once (the dirty queue is not needed: the trigger classifies).
    await pg(at(27), `insert into public.follow_ups (org_id, customer_id, assignee_id, created_by, due_at) values ($1, $2, null, null, $3)`, [org, id, at(28)]);
    expect(await members()).toEqual([quiet[0]!.id]);
  });
});

// The classification of supabase/README.md (section 3, "What the engine computes") on small
// hand-computed datasets: every R × F cell, every lifecycle rule at its boundaries, cut points with
// ties, tiers, the ticket band, refunds, referral counts, reasons, and a manual override that
// survives a full run. "Now" is fixed.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atEngineTime, freshDb, type TestDb } from './harness.ts';
import { NOW, ago } from './engine-clock.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => {
  await t?.close();
});

/** Runs one statement in its own transaction with the engine's clock set to NOW. */
const sql = <Row = Record<string, unknown>>(text: string, params: unknown[] = []) => atEngineTime<Row>(t.db, NOW, text, params);

async function newOrg(settings: unknown = {}): Promise<string> {
  const id = randomUUID();
  await sql(`insert into public.organizations (id, name, settings) values ($1, 'Org', $2)`, [id, JSON.stringify(settings)]);
  return id;
}

interface OrderSpec {
  at: string;
  total: number;
  refunded?: number;
  status?: 'paid' | 'refunded' | 'cancelled' | 'pending';
}

async function customer(org: string, orders: OrderSpec[] = [], fields: Record<string, unknown> = {}): Promise<string> {
  const id = randomUUID();
  const names = ['id', 'org_id', ...Object.keys(fields)];
  const values = [id, org, ...Object.values(fields)];
  await sql(
    `insert into public.customers (${names.join(', ')}) values (${names.map((_, i) => `$${i + 1}`).join(', ')})`,
    values,
  );
  if (orders.length) await addOrders(org, id, orders);
  return id;
}

async function addOrders(org: string, customerId: string, orders: OrderSpec[]): Promise<void> {
  await sql(
    `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, refunded_amount, currency, status)
     select $1, $2, 'manual', gen_random_uuid()::text, o.at, o.total, o.refunded, 'USD', o.status::public.order_status
       from unnest($3::timestamptz[], $4::numeric[], $5::numeric[], $6::text[]) as o (at, total, refunded, status)`,
    [org, customerId, orders.map((o) => o.at), orders.map((o) => o.total), orders.map((o) => o.refunded ?? 0), orders.map((o) => o.status ?? 'paid')],
  );
}

async function fullRun(org: string, limit = 20000): Promise<Array<Record<string, unknown>>> {
  const chunks: Array<Record<string, unknown>> = [];
  let after: string | null = null;
  let runId: number | null = null;
  do {
    const [row] = await sql<{ r: Record<string, unknown> }>(`select private.recompute($1, 'full', $2, $3, $4, $5) as r`, [
      org,
      after,
      limit,
      runId,
      NOW,
    ]);
    chunks.push(row!.r);
    after = row!.r.next_after as string | null;
    runId = row!.r.run_id as number;
  } while (after);
  return chunks;
}

interface Profile {
  customer_id: string;
  order_count: number;
  net_spend: string;
  aov: string | null;
  r_score: number | null;
  f_score: number | null;
  m_score: number | null;
  rfm_segment: string | null;
  lifecycle_stage: string;
  stage_override: string | null;
  effective_stage: string;
  value_tier: string;
  ticket_band: string | null;
  referral_count: number;
  reasons: Record<string, { code: string; [k: string]: unknown }>;
  next_transition_at: string | null;
}

async function profile(id: string): Promise<Profile> {
  const [row] = await sql<Profile>(`select p.*, private.customer_reasons(p.org_id, p.customer_id) as reasons from public.customer_profiles p where p.customer_id = $1`, [id]);
  return row!;
}

async function setCuts(org: string, cuts: { recency: number[]; monetary: number[]; vip: number; superMin: number; median: number }) {
  await sql(
    `insert into public.cut_points (org_id, computed_at, buyers, recency_days, monetary_spend, vip_min_spend, super_min_spend, median_aov, settings)
     values ($1, $2, 100, $3, $4, $5, $6, $7, private.org_settings_with_defaults('{}'))
     on conflict (org_id) do update set recency_days = excluded.recency_days, monetary_spend = excluded.monetary_spend,
       vip_min_spend = excluded.vip_min_spend, super_min_spend = excluded.super_min_spend, median_aov = excluded.median_aov`,
    [org, NOW, cuts.recency, cuts.monetary, cuts.vip, cuts.superMin, cuts.median],
  );
}

/** Orders for a customer with `count` paid orders, the latest `days` ago, the others a day apart before it. */
const ordersEnding = (days: number, count: number, total = 10): OrderSpec[] =>
  Array.from({ length: count }, (_, i) => ({ at: ago(days + i), total }));

describe('RFM', () => {
  it('puts every R × F cell in the segment supabase/README.md section 3 gives it', async () => {
    const org = await newOrg();
    // Cut points fixed by hand: R = 1 + #{c : days < c}.
    await setCuts(org, { recency: [10, 20, 30, 40], monetary: [10, 20, 30, 40], vip: 1000, superMin: 2000, median: 10 });
    const daysForR: Record<number, number> = { 5: 5, 4: 15, 3: 25, 2: 35, 1: 45 };
    const ordersForF: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 6 };
    const expected: Record<string, string> = {
      '5,1': 'new_customer', '5,2': 'potential_loyalist', '5,3': 'potential_loyalist', '5,4': 'champions', '5,5': 'champions',
      '4,1': 'promising', '4,2': 'potential_loyalist', '4,3': 'potential_loyalist', '4,4': 'loyal', '4,5': 'loyal',
      '3,1': 'about_to_sleep', '3,2': 'about_to_sleep', '3,3': 'need_attention', '3,4': 'loyal', '3,5': 'loyal',
      '2,1': 'hibernating', '2,2': 'hibernating', '2,3': 'at_risk', '2,4': 'at_risk', '2,5': 'cant_lose',
      '1,1': 'lost', '1,2': 'hibernating', '1,3': 'at_risk', '1,4': 'at_risk', '1,5': 'cant_lose',
    };
    const cells: Array<{ id: string; r: number; f: number }> = [];
    for (const r of [5, 4, 3, 2, 1]) {
      for (const f of [1, 2, 3, 4, 5]) {
        cells.push({ id: await customer(org, ordersEnding(daysForR[r]!, ordersForF[f]!)), r, f });
      }
    }
    for (const cell of cells) {
      const p = await profile(cell.id);
      expect([p.r_score, p.f_score, p.rfm_segment], `R${cell.r} F${cell.f}`).toEqual([cell.r, cell.f, expected[`${cell.r},${cell.f}`]]);
      expect(p.reasons.rfm_segment).toEqual({ code: 'recency_frequency_grid', segment: expected[`${cell.r},${cell.f}`], r: cell.r, f: cell.f });
    }
  });

  it('scores F in the fixed buckets 1, 2, 3, 4–5, 6+', async () => {
    const org = await newOrg();
    await setCuts(org, { recency: [10, 20, 30, 40], monetary: [10, 20, 30, 40], vip: 1000, superMin: 2000, median: 10 });
    const scores: Array<[number, number]> = [[1, 1], [2, 2], [3, 3], [4, 4], [5, 4], [6, 5], [9, 5]];
    for (const [orders, f] of scores) {
      const id = await customer(org, ordersEnding(1, orders));
      expect((await profile(id)).f_score, `${orders} orders`).toBe(f);
    }
  });

  it('takes R and M cut points with percentile_disc over buyers, so that ties score alike', async () => {
    const org = await newOrg();
    // Net spend 10, 10, 10, 20, 30: q20..q80 at positions 1, 2, 3, 4 → 10, 10, 10, 20.
    // Days since the last order 1, 2, 3, 4, 5: cuts 1, 2, 3, 4.
    const spends = [10, 10, 10, 20, 30];
    const ids: string[] = [];
    for (const [i, spend] of spends.entries()) ids.push(await customer(org, [{ at: ago(i + 1), total: spend }]));
    await customer(org); // a prospect does not count
    await fullRun(org);
    const [cuts] = await sql<{ buyers: number; recency_days: number[]; monetary_spend: string[] }>(
      `select buyers, recency_days, monetary_spend::text[] as monetary_spend from public.cut_points where org_id = $1`,
      [org],
    );
    expect(cuts).toEqual({ buyers: 5, recency_days: [1, 2, 3, 4], monetary_spend: ['10.00', '10.00', '10.00', '20.00'] });
    const got = await Promise.all(ids.map(async (id) => {
      const p = await profile(id);
      return [p.r_score, p.m_score];
    }));
    // R = 1 + #{c : days < c}: days 1 → 1 + 3 = 4; 2 → 3; 3 → 2; 4 → 1; 5 → 1.
    // M = 1 + #{c : spend > c}: 10 → 1; 20 → 1 + 3 = 4; 30 → 5.
    expect(got).toEqual([[4, 1], [3, 1], [2, 1], [1, 4], [1, 5]]);
  });

  it('gives non-buyers no scores, RFM segment, ticket band or AOV', async () => {
    const org = await newOrg();
    const id = await customer(org);
    await fullRun(org);
    const p = await profile(id);
    expect([p.r_score, p.f_score, p.m_score, p.rfm_segment, p.ticket_band, p.aov, p.value_tier]).toEqual([
      null, null, null, null, null, null, 'normal',
    ]);
    expect(p.reasons.rfm_segment).toEqual({ code: 'no_orders' });
  });
});

describe('lifecycle stages at their boundaries', () => {
  let org: string;
  beforeAll(async () => {
    org = await newOrg();
  });

  const stageOf = async (orders: OrderSpec[], events: string[] = []) => {
    const id = await customer(org, orders);
    for (const at of events) {
      await sql(`insert into public.events (org_id, customer_id, kind, occurred_at, recorded_by) values ($1, $2, 'visit', $3, null)`, [org, id, at]);
    }
    await fullRun(org);
    return profile(id);
  };

  it.each([
    ['one order 30 days ago is new', [ago(30)], 'new'],
    ['one order 30 days and 23 hours ago is still new (days are whole)', [ago(30, 23)], 'new'],
    ['one order 31 days ago is active', [ago(31)], 'active'],
    ['one order 90 days ago is active', [ago(90)], 'active'],
    ['one order 91 days ago is at risk', [ago(91)], 'at_risk'],
    ['one order 180 days ago is at risk', [ago(180)], 'at_risk'],
    ['one order 181 days ago is churned', [ago(181)], 'churned'],
    ['three recent orders are active', [ago(1), ago(2), ago(3)], 'active'],
    ['four recent orders are loyal', [ago(1), ago(2), ago(3), ago(4)], 'loyal'],
    ['four orders, the last 91 days ago, are at risk', [ago(91), ago(92), ago(93), ago(94)], 'at_risk'],
    ['a return after a 181-day gap is reactivated', [ago(10), ago(191)], 'reactivated'],
    ['a return after exactly 180 days is not', [ago(10), ago(190)], 'active'],
    ['reactivated lasts until day 90', [ago(90), ago(271)], 'reactivated'],
    ['and ends at day 91', [ago(91), ago(272)], 'at_risk'],
    ['reactivated wins over loyal', [ago(5), ago(200), ago(201), ago(202)], 'reactivated'],
    ['the gap counts between the last two orders only', [ago(5), ago(6), ago(300)], 'active'],
  ])('%s', async (_label, times, stage) => {
    const p = await stageOf(times.map((at) => ({ at, total: 10 })));
    expect(p.lifecycle_stage).toBe(stage);
    expect(p.effective_stage).toBe(stage);
  });

  it.each([
    ['no orders and no events is a prospect', [], 'prospect'],
    ['an event 90 days ago makes a lead', [ago(90)], 'lead'],
    ['an event 91 days ago does not', [ago(91)], 'prospect'],
    ['the latest event counts', [ago(200), ago(3)], 'lead'],
  ])('%s', async (_label, events, stage) => {
    const p = await stageOf([], events);
    expect(p.lifecycle_stage).toBe(stage);
  });

  it('does not count refunded, cancelled or pending orders', async () => {
    const p = await stageOf([
      { at: ago(1), total: 50, status: 'refunded', refunded: 50 },
      { at: ago(2), total: 50, status: 'cancelled' },
      { at: ago(3), total: 50, status: 'pending' },
      { at: ago(100), total: 20 },
    ]);
    expect([p.order_count, p.net_spend, p.lifecycle_stage]).toEqual([1, '20.00', 'at_risk']);
  });

  it("follows the organization's lifecycle settings", async () => {
    const other = await newOrg({ lifecycle: { new_order_days: 7, at_risk_days: 30, churned_days: 60, loyal_min_orders: 2 } });
    const newer = await customer(other, [{ at: ago(8), total: 5 }]);
    const risky = await customer(other, [{ at: ago(31), total: 5 }]);
    const gone = await customer(other, [{ at: ago(61), total: 5 }]);
    const loyal = await customer(other, [{ at: ago(1), total: 5 }, { at: ago(2), total: 5 }]);
    await fullRun(other);
    expect(await Promise.all([newer, risky, gone, loyal].map(async (id) => (await profile(id)).lifecycle_stage))).toEqual([
      'active', 'at_risk', 'churned', 'loyal',
    ]);
  });

  it('stores the reason with the numbers behind the stage', async () => {
    const p = await stageOf([{ at: ago(10), total: 10 }, { at: ago(191), total: 10 }]);
    expect(p.reasons.lifecycle_stage).toEqual({
      code: 'returned_after_gap',
      order_count: 2,
      last_order_at: expect.any(String),
      previous_order_at: expect.any(String),
      gap_days: 181,
      gap_threshold_days: 180,
      window_days: 90,
    });
    expect(Date.parse(p.reasons.lifecycle_stage!.last_order_at as string)).toBe(Date.parse(ago(10)));
    for (const field of ['lifecycle_stage', 'r_score', 'f_score', 'm_score', 'rfm_segment', 'value_tier', 'ticket_band', 'referral_count']) {
      expect(p.reasons[field]?.code, field).toEqual(expect.any(String));
    }
  });
});

describe('value tiers and ticket bands', () => {
  it('puts net spend at or above percentile_disc 0.99 in super and 0.90 in vip, ties included', async () => {
    const org = await newOrg();
    // Twenty buyers: 10, 20, …, 180, then 190 twice. 0.90 → position 18 → 180; 0.99 → position 20 → 190.
    const spends = [...Array.from({ length: 18 }, (_, i) => (i + 1) * 10), 190, 190];
    const ids: string[] = [];
    for (const spend of spends) ids.push(await customer(org, [{ at: ago(5), total: spend }]));
    const nonBuyer = await customer(org);
    await fullRun(org);
    const tiers = await Promise.all(ids.map(async (id) => (await profile(id)).value_tier));
    expect(tiers).toEqual([...Array(17).fill('normal'), 'vip', 'super', 'super']);
    expect((await profile(nonBuyer)).value_tier).toBe('normal');
    const [cuts] = await sql<{ vip_min_spend: string; super_min_spend: string }>(
      `select vip_min_spend, super_min_spend from public.cut_points where org_id = $1`,
      [org],
    );
    expect(cuts).toEqual({ vip_min_spend: '180.00', super_min_spend: '190.00' });
    expect((await profile(ids[17]!)).reasons.value_tier).toEqual({ code: 'high_spender', net_spend: 180, percentile: 0.9 });
  });

  it("follows the organization's tier percentiles", async () => {
    const org = await newOrg({ tiers: { vip_percentile: 0.5, super_percentile: 0.75 } });
    const ids: string[] = [];
    for (const spend of [10, 20, 30, 40]) ids.push(await customer(org, [{ at: ago(5), total: spend }]));
    await fullRun(org);
    // 0.5 → position 2 → 20; 0.75 → position 3 → 30.
    expect(await Promise.all(ids.map(async (id) => (await profile(id)).value_tier))).toEqual(['normal', 'vip', 'super', 'super']);
  });

  it('bands AOV at or above the median (percentile_disc 0.5) as high, ties included', async () => {
    const org = await newOrg();
    // AOVs 10, 20, 20, 30 → median at position 2 → 20.
    const a = await customer(org, [{ at: ago(1), total: 10 }]);
    const b = await customer(org, [{ at: ago(1), total: 15 }, { at: ago(2), total: 25 }]);
    const c = await customer(org, [{ at: ago(1), total: 20 }]);
    const d = await customer(org, [{ at: ago(1), total: 30 }]);
    const none = await customer(org);
    await fullRun(org);
    const bands = await Promise.all([a, b, c, d, none].map(async (id) => (await profile(id)).ticket_band));
    expect(bands).toEqual(['low', 'high', 'high', 'high', null]);
    expect((await profile(b)).aov).toBe('20.00');
  });

  it('rounds AOV to the cent', async () => {
    const org = await newOrg();
    const id = await customer(org, [{ at: ago(1), total: 10 }, { at: ago(2), total: 10 }, { at: ago(3), total: 0.01 }]);
    expect((await profile(id)).aov).toBe('6.67');
  });
});

describe('refunds and referrals', () => {
  it('lowers net spend by partial refunds and drops fully refunded orders, in the same transaction', async () => {
    const org = await newOrg();
    const id = await customer(org, [{ at: ago(3), total: 100 }, { at: ago(2), total: 50 }]);
    expect([(await profile(id)).order_count, (await profile(id)).net_spend]).toEqual([2, '150.00']);
    await sql(`update public.orders set refunded_amount = 30 where customer_id = $1 and total = 100`, [id]);
    expect([(await profile(id)).order_count, (await profile(id)).net_spend, (await profile(id)).aov]).toEqual([2, '120.00', '60.00']);
    await sql(`update public.orders set status = 'refunded', refunded_amount = 50 where customer_id = $1 and total = 50`, [id]);
    const p = await profile(id);
    expect([p.order_count, p.net_spend, p.aov]).toEqual([1, '70.00', '70.00']);
    expect(p.reasons.m_score?.net_spend).toBe(70);
  });

  it('counts the customers who name a customer as their referrer', async () => {
    const org = await newOrg();
    const referrer = await customer(org);
    const first = await customer(org, [], { referred_by: referrer });
    await customer(org, [], { referred_by: referrer });
    expect((await profile(referrer)).referral_count).toBe(2);
    await sql(`update public.customers set referred_by = null where id = $1`, [first]);
    expect((await profile(referrer)).referral_count).toBe(1);
    expect((await profile(referrer)).reasons.referral_count).toEqual({ code: 'customers_referred', count: 1 });
  });

  it('records why a customer is invalid', async () => {
    const org = await newOrg();
    const id = await customer(org);
    await sql(`update public.customers set is_valid = false, invalid_reason = 'Bounced twice' where id = $1`, [id]);
    expect((await profile(id)).reasons.validity).toEqual({ code: 'marked_invalid', reason: 'Bounced twice' });
    await sql(`update public.customers set is_valid = true, invalid_reason = null where id = $1`, [id]);
    expect((await profile(id)).reasons.validity).toBeUndefined();
  });

  it('writes a profile again only when an edit of its customer changes its classification', async () => {
    const org = await newOrg();
    const id = await customer(org, [{ at: ago(20), total: 40 }]);
    await sql(`update public.customers set is_valid = false, invalid_reason = 'Bounced' where id = $1`, [id]);
    const version = async () => (await sql<{ v: string }>(`select xmin::text as v from public.customer_profiles where customer_id = $1`, [id]))[0]!.v;
    const before = await version();
    // Another reason: the portrait says it (reasons are derived when read), the profile is not written.
    await sql(`update public.customers set invalid_reason = 'Bounced twice' where id = $1`, [id]);
    expect((await profile(id)).reasons.validity).toEqual({ code: 'marked_invalid', reason: 'Bounced twice' });
    expect(await version()).toBe(before);
    // Valid again: still nothing of the stored classification changes.
    await sql(`update public.customers set is_valid = true, invalid_reason = null where id = $1`, [id]);
    expect(await version()).toBe(before);
    expect((await profile(id)).reasons.validity).toBeUndefined();
  });
});

describe('manual override', () => {
  it('survives a full run and is shown beside the computed stage', async () => {
    const org = await newOrg();
    const id = await customer(org, [{ at: ago(200), total: 10 }]);
    await fullRun(org);
    expect((await profile(id)).lifecycle_stage).toBe('churned');
    await sql(
      `update public.customer_profiles set stage_override = 'loyal', override_at = $2, override_reason = 'Key account' where customer_id = $1`,
      [id, NOW],
    );
    await addOrders(org, id, [{ at: ago(1), total: 10 }]);
    await fullRun(org);
    const p = await profile(id);
    expect([p.stage_override, p.lifecycle_stage, p.effective_stage]).toEqual(['loyal', 'reactivated', 'loyal']);
    // The computed move happened behind the override: the timeline shows what people saw.
    const changes = await sql<{ from_stage: string; to_stage: string }>(
      `select from_stage, to_stage from public.stage_changes where customer_id = $1 order by id`,
      [id],
    );
    expect(changes).toEqual([{ from_stage: 'prospect', to_stage: 'churned' }]);
  });
});

describe('the read-only classification', () => {
  it('equals the stored profiles after incremental changes (same cut points)', async () => {
    const org = await newOrg();
    for (let i = 0; i < 12; i++) await customer(org, ordersEnding(i * 17, (i % 5) + 1, 10 + i));
    await fullRun(org);
    const ids = (await sql<{ id: string }>(`select id from public.customers where org_id = $1 order by id`, [org])).map((r) => r.id);
    await addOrders(org, ids[0]!, [{ at: ago(0, 1), total: 99 }]);
    await sql(`update public.orders set refunded_amount = total where customer_id = $1`, [ids[1]]);
    await sql(`delete from public.orders where customer_id = $1`, [ids[2]]);
    const stored = await sql(
      `select customer_id, order_count, net_spend::numeric, aov::numeric, r_score, f_score, m_score, rfm_segment, lifecycle_stage,
              effective_stage, value_tier, ticket_band, referral_count,
              array(select m.segment_id from public.segment_memberships m where m.customer_id = p.customer_id order by m.segment_id) as segment_ids, next_transition_at
         from public.customer_profiles p where org_id = $1 order by customer_id`,
      [org],
    );
    const computed = await sql(
      `select customer_id, order_count, net_spend, aov, r_score, f_score, m_score, rfm_segment, lifecycle_stage,
              effective_stage, value_tier, ticket_band, referral_count, segment_ids, next_transition_at
         from private.classify($1, $2) order by customer_id`,
      [org, NOW],
    );
    expect(computed).toEqual(stored);
  });

  it('equals the stored profiles, contact statistics and recycle times after contacts, follow-ups and owner changes', async () => {
    const org = await newOrg({ pool: { recycle_days: { by_tier: { normal: 30, vip: 45 }, by_stage: { churned: 15, at_risk: 20 } } } });
    const owner = randomUUID();
    await sql(`insert into auth.users (id, email, aud, role, created_at) values ($1, $2, 'authenticated', 'authenticated', now())`, [owner, `${owner}@c.test`]);
    await sql(`insert into public.members (org_id, user_id, role, display_name) values ($1, $2, 'rep', 'Owner')`, [org, owner]);
    for (let i = 0; i < 12; i++) await customer(org, ordersEnding(i * 17, (i % 5) + 1, 10 + i * 40));
    await fullRun(org);
    const ids = (await sql<{ id: string }>(`select id from public.customers where org_id = $1 order by id`, [org])).map((r) => r.id);
    // Owners taken at different moments, contacts of every kind, follow-ups opened and done, then undone.
    for (const [i, id] of ids.entries()) {
      if (i % 2 === 0) {
        // Taken now, then backdated (the owner stays): classified as of now both times.
        await sql(`update public.customers set owner_id = $2 where id = $1`, [id, owner]);
        await sql(`update public.customers set owned_since = $2 where id = $1`, [id, ago(i * 3)]);
      }
      if (i % 3 === 0) await sql(`insert into public.notes (org_id, customer_id, author_id, body, created_at) values ($1, $2, null, 'n', $3)`, [org, id, ago(i)]);
      if (i % 4 === 1) await sql(`insert into public.events (org_id, customer_id, kind, occurred_at) values ($1, $2, 'email_in', $3)`, [org, id, ago(i * 2)]);
      if (i % 5 === 2) {
        await sql(`insert into public.follow_ups (org_id, customer_id, assignee_id, created_by, due_at, done_at) values ($1, $2, null, null, $3, $4), ($1, $2, null, null, $3, null)`, [
          org, id, ago(-2), ago(i),
        ]);
      }
    }
    await sql(`update public.follow_ups set done_at = null where org_id = $1 and done_at is not null and customer_id = $2`, [org, ids[2]]);
    await sql(`delete from public.notes where customer_id = $1`, [ids[0]]);
    await sql(`update public.customers set owner_id = null where id = $1`, [ids[4]]);
    await addOrders(org, ids[6]!, [{ at: ago(0, 2), total: 900 }]);

    const stored = await sql(
      `select p.customer_id, p.effective_stage, p.value_tier, p.next_transition_at, p.recycle_at, p.last_contact_at, p.open_follow_ups
         from public.customer_profiles p where org_id = $1 order by customer_id`,
      [org],
    );
    const computed = await sql(
      `select k.customer_id, k.effective_stage, k.value_tier, k.next_transition_at, k.recycle_at,
              greatest((select max(e.occurred_at) from public.events e where e.customer_id = k.customer_id and e.kind in ('email_in', 'email_out')),
                       (select max(n.created_at) from public.notes n where n.customer_id = k.customer_id),
                       (select max(f.done_at) from public.follow_ups f where f.customer_id = k.customer_id)) as last_contact_at,
              (select count(*) from public.follow_ups f where f.customer_id = k.customer_id and f.done_at is null)::integer as open_follow_ups
         from private.classify($1, $2) k order by customer_id`,
      [org, NOW],
    );
    expect(computed).toEqual(stored);
    // The rules were at work: owned customers have recycle times, the others none.
    expect(stored.filter((r) => r.recycle_at !== null).length).toBeGreaterThan(2);
    expect(stored.some((r) => r.last_contact_at !== null && (r.open_follow_ups as number) > 0)).toBe(true);
  });
});

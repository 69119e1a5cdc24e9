// The demo data's follow-ups, mail, owners and satisfaction visits (the last section of
// supabase/seed.sql): what the demo shows in the popup's lists and the card's timeline, read
// through the RPCs as the demo members.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerTimelineResultSchema, myFollowUpsResultSchema, myPoolReturnsResultSchema, poolCustomersResultSchema } from '../../shared/api.ts';
import { seedPath } from '../../supabase/local/migrate.ts';
import { asRole, freshDb, type TestDb } from './harness.ts';

const lotus = '10000000-0000-4000-8000-000000000000';
const northwind = '20000000-0000-4000-8000-000000000000';
const reps: Record<string, string> = { [lotus]: '10000000-0000-4000-8000-0000000000b1', [northwind]: '20000000-0000-4000-8000-0000000000b1' };
const demoUser = '30000000-0000-4000-8000-0000000000d1';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
  await t.db.exec(await readFile(seedPath, 'utf8'));
}, 300_000);
afterAll(async () => {
  await t?.close();
});

const as = <T>(user: string, fn: Parameters<typeof asRole<T>>[3]) => asRole(t.db, 'authenticated', { sub: user, aud: 'authenticated' }, fn);

const myFollowUps = (user: string, org: string, until: Date) =>
  as(user, async (tx) => {
    const { rows } = await tx.query<{ result: unknown }>(
      `select coalesce(jsonb_agg(f), '[]') as result from public.my_follow_ups($1, $2) as f`,
      [org, until.toISOString()],
    );
    return myFollowUpsResultSchema.parse(rows[0]!.result);
  });

async function customerId(org: string, email: string): Promise<string> {
  const { rows } = await t.db.query<{ id: string }>('select id from public.customers where org_id = $1 and primary_email = $2', [org, email]);
  return rows[0]!.id;
}

describe('demo follow-ups', () => {
  it.each([
    ['Lotus Tea Co.', lotus],
    ['Northwind Outfitters', northwind],
  ])("gives %s's rep follow-ups overdue, due today and later", async (_name, org) => {
    const endOfToday = new Date();
    endOfToday.setUTCHours(24, 0, 0, 0);
    const dueByToday = await myFollowUps(reps[org]!, org, endOfToday);
    const later = await myFollowUps(reps[org]!, org, new Date(Date.now() + 30 * 86_400_000));
    expect(dueByToday.filter((f) => f.overdue).length).toBeGreaterThanOrEqual(2);
    // Today's include one due at the end of the day (UTC), overdue only in its last hour.
    expect(dueByToday.length).toBeGreaterThanOrEqual(3);
    expect(later.length).toBeGreaterThan(dueByToday.length);
    expect(later.some((f) => !f.overdue)).toBe(true);
    expect(later.every((f) => f.display_name && f.effective_stage)).toBe(true);
    const { rows } = await t.db.query<{ done: number }>(
      `select count(*)::int as done from public.follow_ups where org_id = $1 and assignee_id = $2 and done_at is not null`,
      [org, reps[org]],
    );
    expect(rows[0]!.done).toBeGreaterThan(0);
  });

  it('gives the demo login follow-ups in both organizations', async () => {
    const until = new Date(Date.now() + 2 * 86_400_000);
    expect((await myFollowUps(demoUser, lotus, until)).length).toBeGreaterThan(0);
    expect((await myFollowUps(demoUser, northwind, until)).some((f) => f.overdue)).toBe(true);
  });
});

describe("the demo customers' timelines", () => {
  it("show Li Wei's orders, notes, stage changes, tags, mail, follow-ups and visits at Lotus", async () => {
    const liWei = await customerId(lotus, 'li.wei@example.com');
    const page = await as(reps[lotus]!, async (tx) => {
      const { rows } = await tx.query<{ result: unknown }>('select public.customer_timeline($1, $2, null, 100) as result', [lotus, liWei]);
      return customerTimelineResultSchema.parse(rows[0]!.result);
    });
    const kinds = new Set(page.items.map((item) => item.kind));
    for (const kind of ['order', 'note', 'stage_change', 'tag_added', 'event', 'follow_up_created', 'follow_up_completed', 'ownership_change', 'satisfaction'] as const) {
      expect(kinds, kind).toContain(kind);
    }
    const mail = page.items.filter((item) => item.kind === 'event' && (item.event_kind === 'email_in' || item.event_kind === 'email_out'));
    expect(new Set(mail.map((item) => (item.kind === 'event' ? item.event_kind : '')))).toEqual(new Set(['email_in', 'email_out']));
    expect(page.open_follow_ups.length).toBeGreaterThan(0);
  });

  it('show the claim of Maria Garcia at Lotus', async () => {
    const maria = await customerId(lotus, 'maria.garcia@example.com');
    const { rows } = await t.db.query<{ reason: string; to_owner_id: string }>(
      'select reason::text, to_owner_id from public.ownership_changes where customer_id = $1',
      [maria],
    );
    expect(rows).toEqual([{ reason: 'claimed', to_owner_id: reps[lotus] }]);
  });

  it('have satisfaction answers on both scales', async () => {
    const { rows } = await t.db.query<{ scale: string; n: number }>(
      `select scale::text, count(*)::int as n from public.satisfaction_responses group by 1 order by 1`,
    );
    expect(rows.map((r) => r.scale)).toEqual(['csat5', 'nps10']);
    expect(rows.every((r) => r.n >= 10)).toBe(true);
  });
});

describe('demo pool (公海)', () => {
  it.each([
    ['Lotus Tea Co.', lotus],
    ['Northwind Outfitters', northwind],
  ])("gives %s recycle rules, a rep with customers returning within a week, and a pool to claim from", async (_name, org) => {
    const { rows: settings } = await t.db.query<{ pool: { recycle_days: { by_tier: Record<string, number> } } }>(
      `select settings -> 'pool' as pool from public.organizations where id = $1`,
      [org],
    );
    expect(settings[0]!.pool.recycle_days.by_tier).toEqual({ super: 60, vip: 45, normal: 30 });
    const returns = await as(reps[org]!, async (tx) => {
      const { rows } = await tx.query<{ result: unknown }>(
        `select coalesce(jsonb_agg(r), '[]') as result from public.my_pool_returns($1, 7) as r`,
        [org],
      );
      return myPoolReturnsResultSchema.parse(rows[0]!.result);
    });
    // Some within the week (the overdue ones are there too until the first drift pass takes them).
    expect(returns.filter((r) => Date.parse(r.recycle_at) > Date.now()).length).toBeGreaterThan(3);
    const pool = await as(reps[org]!, async (tx) => {
      const { rows } = await tx.query<{ result: unknown }>(
        `select coalesce(jsonb_agg(p), '[]') as result from public.pool_customers($1, null, 50) as p`,
        [org],
      );
      return poolCustomersResultSchema.parse(rows[0]!.result);
    });
    expect(pool.length).toBe(50);
    // The first drift pass returns the overdue ones to the pool, as recycled.
    const { rows: run } = await t.db.query<{ r: { error: string | null; run_id: number } }>(`select private.recompute($1, 'drift') as r`, [org]);
    expect(run[0]!.r.error).toBeNull();
    const { rows: recycled } = await t.db.query<{ n: number }>(
      `select count(*)::int as n from public.ownership_changes where org_id = $1 and reason = 'recycled'`,
      [org],
    );
    expect(recycled[0]!.n).toBeGreaterThan(0);
  });
});

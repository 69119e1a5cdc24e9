// merge_customers and duplicate_customers: what moves, what is kept, who may merge, and which pairs
// are listed as likely duplicates with why.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mergeCustomersResultSchema } from '../../shared/api.ts';
import { freshDb, type TestDb } from './harness.ts';
import { asActor, asUser, createTenants, orgs, rows, users, sqlState } from './tenants.ts';

let t: TestDb;

const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const KEEP = id(0xe001);
const MERGE = id(0xe002);
const REFERRED = id(0xe003);
const A = orgs.a;

async function seedPair() {
  await t.db.exec(`
    delete from public.customer_merges;
    delete from public.customers where id in ('${KEEP}', '${MERGE}', '${REFERRED}');
    insert into public.customers (id, org_id, display_name, primary_email, city, created_by) values
      ('${KEEP}', '${A}', 'Lena Keep', 'lena@example.com', null, '${users.admin}'),
      ('${MERGE}', '${A}', 'Lena K.', 'lena.k@gmial.com', 'Hamburg', '${users.admin}');
    insert into public.customers (id, org_id, display_name, referred_by, created_by) values
      ('${REFERRED}', '${A}', 'Rita Referred', '${MERGE}', '${users.admin}');
    -- The primary emails are recorded as identities by the customers' trigger.
    insert into public.customer_identities (org_id, kind, value, customer_id) values
      ('${A}', 'phone', '+4915112345678', '${MERGE}');
    insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status) values
      ('${A}', '${KEEP}', 'manual', 'M-1', now() - interval '40 days', 100, 'EUR', 'paid'),
      ('${A}', '${MERGE}', 'manual', 'M-2', now() - interval '20 days', 50, 'EUR', 'paid'),
      ('${A}', '${MERGE}', 'manual', 'M-3', now() - interval '10 days', 25, 'EUR', 'paid');
    insert into public.events (org_id, customer_id, kind, occurred_at) values
      ('${A}', '${MERGE}', 'email_in', now() - interval '2 days');
    insert into public.customer_tags (org_id, customer_id, tag_id, source, added_by) values
      ('${A}', '${KEEP}', '${rows.tagVip}', 'manual', '${users.admin}'),
      ('${A}', '${MERGE}', '${rows.tagVip}', 'manual', '${users.rep}'),
      ('${A}', '${MERGE}', '${rows.tagSpare}', 'manual', '${users.rep}');
    insert into public.notes (org_id, customer_id, author_id, body) values
      ('${A}', '${MERGE}', '${users.rep}', 'Called about a return.');
    insert into public.stage_changes (org_id, customer_id, from_stage, to_stage, changed_at, source, reason) values
      ('${A}', '${MERGE}', 'prospect', 'lead', now() - interval '30 days', 'computed', '{"code": "merged-history"}'),
      ('${A}', '${MERGE}', 'lead', 'new', now() - interval '20 days', 'computed', '{"code": "merged-history"}');
  `);
}

const count = async (sql: string, params: unknown[] = []) => Number((await t.db.query<{ n: string }>(sql, params)).rows[0]!.n);

beforeAll(async () => {
  t = await freshDb();
  await createTenants(t.db);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

beforeEach(seedPair);

const merge = (actor: 'admin' | 'rep' | 'staff' | 'otherAdmin', org: string, keep: string | null, mergeId: string | null, requestId: string | null = null) =>
  asActor(
    t.db,
    actor,
    async (tx) => (await tx.query<{ r: Record<string, unknown> }>(`select public.merge_customers($1, $2, $3, $4) as r`, [org, keep, mergeId, requestId])).rows[0]!.r,
    { commit: true },
  );

describe('merge_customers', () => {
  it('moves satisfaction answers, and the kept customer\'s figures count both customers\' answers', async () => {
    await t.db.exec(`
      insert into public.satisfaction_responses (org_id, customer_id, score, scale, channel, recorded_by, responded_at) values
        ('${A}', '${KEEP}', 2, 'csat5', 'phone', '${users.rep}', now() - interval '30 days'),
        ('${A}', '${MERGE}', 10, 'nps10', 'visit', '${users.rep}', now() - interval '3 days');
    `);
    const result = await merge('admin', A, KEEP, MERGE);
    expect(result).toMatchObject({ moved: { satisfaction_responses: 1 } });
    const figures = (await t.db.query(
      `select responses, last_score, last_scale::text, last_score_100, avg_score_100::text from public.customer_satisfaction where customer_id = $1`,
      [KEEP],
    )).rows;
    expect(figures).toEqual([{ responses: 2, last_score: 10, last_scale: 'nps10', last_score_100: 100, avg_score_100: '62.50' }]);
    expect(await count(`select count(*) as n from public.customer_satisfaction where customer_id = $1`, [MERGE])).toBe(0);
    expect(await count(`select private.rebuild_satisfaction($1) as n`, [A])).toBe(0);
  });

  it('moves identities, orders, events, tags, notes and stage history to the kept customer and deletes the other', async () => {
    await t.db.exec(`update public.customer_profiles set stage_override = 'loyal', override_by = '${users.admin}', override_at = now(), override_reason = 'Met at the fair' where customer_id = '${MERGE}'`);
    const history = await count(`select count(*) as n from public.stage_changes where customer_id = $1`, [MERGE]);
    expect(history).toBeGreaterThanOrEqual(2);
    const result = await merge('admin', A, KEEP, MERGE);
    expect(mergeCustomersResultSchema.safeParse(result).success).toBe(true);
    expect(result).toMatchObject({
      kept_customer_id: KEEP,
      merged_customer_id: MERGE,
      already_merged: false,
      moved: { customer_identities: 2, orders: 2, events: 1, notes: 1, stage_changes: history, customer_tags: 1 },
    });
    expect(await count(`select count(*) as n from public.customers where id = $1`, [MERGE])).toBe(0);
    expect(await count(`select count(*) as n from public.orders where customer_id = $1`, [KEEP])).toBe(3);
    expect(await count(`select count(*) as n from public.customer_identities where customer_id = $1`, [KEEP])).toBe(3);
    expect(await count(`select count(*) as n from public.events where customer_id = $1`, [KEEP])).toBe(1);
    expect(await count(`select count(*) as n from public.notes where customer_id = $1`, [KEEP])).toBe(1);
    const tags = await t.db.query<{ tag_id: string }>(`select tag_id from public.customer_tags where customer_id = $1 order by tag_id`, [KEEP]);
    expect(tags.rows.map((r) => r.tag_id)).toEqual([rows.tagVip, rows.tagSpare].sort());
    // The merged customer's stage history is now the kept customer's, dates and all.
    const moved = await t.db.query<{ from_stage: string; to_stage: string }>(
      `select from_stage::text, to_stage::text from public.stage_changes where customer_id = $1 and reason ->> 'code' = 'merged-history' order by changed_at`,
      [KEEP],
    );
    expect(moved.rows).toEqual([
      { from_stage: 'prospect', to_stage: 'lead' },
      { from_stage: 'lead', to_stage: 'new' },
    ]);
    // The kept record took what it lacked; a referral now points at it.
    const kept = (await t.db.query(`select display_name, primary_email, primary_phone, city from public.customers where id = $1`, [KEEP])).rows[0];
    expect(kept).toEqual({ display_name: 'Lena Keep', primary_email: 'lena@example.com', primary_phone: null, city: 'Hamburg' });
    expect((await t.db.query(`select referred_by from public.customers where id = $1`, [REFERRED])).rows[0]).toEqual({ referred_by: KEEP });
    // Recomputed: the kept customer's portrait counts all three orders.
    const profile = (await t.db.query<{ order_count: number; net_spend: string }>(`select order_count, net_spend::text from public.customer_profiles where customer_id = $1`, [KEEP])).rows[0]!;
    expect(profile).toEqual({ order_count: 3, net_spend: '175.00' });
    // The stage set by hand on the merged customer is kept (the kept one had none).
    expect((await t.db.query(`select effective_stage::text, override_reason from public.customer_profiles where customer_id = $1`, [KEEP])).rows[0]).toEqual({
      effective_stage: 'loyal',
      override_reason: 'Met at the fair',
    });
    // Recorded: who merged what, and the merged record as it was.
    const record = (await t.db.query(`select kept_customer_id, merged_customer_id, merged_by, merged_customer ->> 'display_name' as name from public.customer_merges`)).rows;
    expect(record).toEqual([{ kept_customer_id: KEEP, merged_customer_id: MERGE, merged_by: users.admin, name: 'Lena K.' }]);
  });

  it('merges two members of the same segment: the kept one stays a member once', async () => {
    await t.db.exec(`insert into public.segment_memberships (org_id, segment_id, customer_id)
                     values ('${A}', '${rows.segment}', '${KEEP}'), ('${A}', '${rows.segment}', '${MERGE}') on conflict do nothing`);
    await merge('admin', A, KEEP, MERGE);
    expect(await count(`select count(*) as n from public.segment_memberships where segment_id = $1 and customer_id = $2`, [rows.segment, KEEP])).toBe(1);
    expect(await count(`select count(*) as n from public.segment_memberships where customer_id = $1`, [MERGE])).toBe(0);
  });

  it('is idempotent: the same merge again, or the same request id, changes nothing and answers the same', async () => {
    const requestId = id(0xe0f1);
    const first = await merge('admin', A, KEEP, MERGE, requestId);
    const replay = await merge('admin', A, KEEP, MERGE, requestId);
    expect(replay).toEqual({ ...first, already_merged: true });
    // The id of another request is refused rather than replayed.
    expect(await sqlState(merge('admin', A, rows.unownedCustomer, rows.staffCustomer, requestId))).toBe('22023');
    const again = await merge('admin', A, KEEP, MERGE);
    expect(again).toMatchObject({ already_merged: true, merge_id: first.merge_id, moved: first.moved });
    expect(await count(`select count(*) as n from public.customer_merges`)).toBe(1);
    expect(await count(`select count(*) as n from public.orders where customer_id = $1`, [KEEP])).toBe(3);
    // Merging the deleted customer into someone else is refused.
    expect(await sqlState(merge('admin', A, rows.unownedCustomer, MERGE))).toBe('22023');
  });

  it('is for admins only: a rep or staff member cannot merge, and nothing moves', async () => {
    expect(await sqlState(merge('rep', A, KEEP, MERGE))).toBe('42501');
    expect(await sqlState(merge('staff', A, KEEP, MERGE))).toBe('42501');
    // Nor through the private helper directly.
    expect(
      await sqlState(asUser(t.db, 'rep', (tx) => tx.query(`select private.apply_customer_merge($1, $2, $3, null)`, [A, KEEP, MERGE]))),
    ).toBe('42501');
    expect(await count(`select count(*) as n from public.orders where customer_id = $1`, [MERGE])).toBe(2);
  });

  it("refuses another organization's ids and callers who are not admins of the organization", async () => {
    // Org B's customer named in org A.
    expect(await sqlState(merge('admin', A, KEEP, rows.customerB))).toBe('22023');
    expect(await sqlState(merge('admin', A, rows.customerB, MERGE))).toBe('22023');
    // An admin of B cannot merge in A, and A's admin cannot act in B.
    expect(await sqlState(merge('otherAdmin', A, KEEP, MERGE))).toBe('42501');
    expect(await sqlState(merge('admin', orgs.b, rows.customerB, MERGE))).toBe('42501');
    expect(await count(`select count(*) as n from public.customers where id in ($1, $2)`, [MERGE, rows.customerB])).toBe(2);
  });

  it('names the bad argument (22023)', async () => {
    for (const [keep, m, text] of [
      [null, MERGE, /p_keep is required/],
      [KEEP, null, /p_merge is required/],
      [KEEP, KEEP, /p_merge must be another customer/],
    ] as const) {
      const error = await merge('admin', A, keep, m).catch((e: { code: string; message: string }) => e);
      expect(error).toMatchObject({ code: '22023' });
      expect((error as { message: string }).message).toMatch(text);
    }
  });

  it('lets admins, and only admins, read the merge record', async () => {
    await merge('admin', A, KEEP, MERGE);
    const seen = async (actor: 'admin' | 'rep' | 'staff' | 'otherAdmin') =>
      asActor(t.db, actor, async (tx) => (await tx.query(`select 1 from public.customer_merges where org_id = $1`, [A])).rows.length);
    expect(await seen('admin')).toBe(1);
    expect(await seen('rep')).toBe(0);
    expect(await seen('staff')).toBe(0);
    expect(await seen('otherAdmin')).toBe(0);
  });
});

describe('duplicate_customers', () => {
  it('lists likely pairs with why, and not look-alikes', async () => {
    await t.db.exec(`
      insert into public.organizations (id, name, settings) values ('${id(0xd0)}', 'Dup Org', '{"default_phone_region": "US"}');
      insert into public.members (org_id, user_id, role) values ('${id(0xd0)}', '${users.admin}', 'admin'), ('${id(0xd0)}', '${users.rep}', 'rep');
      insert into public.customers (id, org_id, display_name, primary_email, primary_phone, city) values
        ('${id(0xd1)}', '${id(0xd0)}', 'Ann Lee', 'ann.lee@gmail.com', '(415) 555-2671', null),
        ('${id(0xd2)}', '${id(0xd0)}', 'A. Lee', 'ann.lee@gmial.com', null, null),
        ('${id(0xd3)}', '${id(0xd0)}', 'Bo Chan', 'bo@gmail.con', '+52 415 555 2671', null),
        ('${id(0xd4)}', '${id(0xd0)}', 'Carla Diaz', 'info@alpha.example', null, 'Lyon'),
        ('${id(0xd5)}', '${id(0xd0)}', 'carla  diaz', 'info@beta.example', null, 'lyon'),
        ('${id(0xd6)}', '${id(0xd0)}', 'Dan Ek', 'bo@yahoo.com', null, null);
    `);
    const pairs = await asUser(t.db, 'rep', async (tx) =>
      (
        await tx.query<{ customer_id: string; duplicate_id: string; reasons: string[] }>(
          `select customer_id, duplicate_id, reasons from public.duplicate_customers where org_id = $1 order by 1, 2`,
          [id(0xd0)],
        )
      ).rows,
    );
    expect(pairs).toEqual([
      { customer_id: id(0xd1), duplicate_id: id(0xd2), reasons: ['email_domain_typo'] },
      { customer_id: id(0xd1), duplicate_id: id(0xd3), reasons: ['same_phone'] },
      { customer_id: id(0xd4), duplicate_id: id(0xd5), reasons: ['same_name_and_city'] },
    ]);
    // The same subscriber number under another country code (a number typed without one) is a likely duplicate;
    // bo@gmail.con is a typo of gmail.com, not of yahoo.com; info@alpha / info@beta are different domains.
    const typo = await t.db.query<{ d: string }>(`select private.canonical_email_domain('gmail.con') as d union all select private.canonical_email_domain('hotmial.com') union all select private.canonical_email_domain('example.org')`);
    expect(typo.rows.map((r) => r.d)).toEqual(['gmail.com', 'hotmail.com', 'example.org']);
    // Another organization's members see none of these pairs.
    const other = await asUser(t.db, 'otherAdmin', async (tx) => (await tx.query(`select 1 from public.duplicate_customers where org_id = $1`, [id(0xd0)])).rows.length);
    expect(other).toBe(0);
  });
});

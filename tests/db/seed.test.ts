// The demo seed (supabase/seed.sql) on a freshly migrated database: what it contains, that two
// loads are identical, that its logins work, and that the customers other tests rely on are there.
import { readFile } from 'node:fs/promises';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPath } from '../../supabase/local/migrate.ts';
import type { Queryable } from '../../supabase/local/db.ts';
import { freshDb, type TestDb } from './harness.ts';

const lotus = '10000000-0000-4000-8000-000000000000';
const northwind = '20000000-0000-4000-8000-000000000000';
const password = 'portrait-demo';
const logins: Array<[email: string, memberships: Array<[org: string, role: string]>]> = [
  ['admin@lotus.test', [[lotus, 'admin']]],
  ['rep@lotus.test', [[lotus, 'rep']]],
  ['staff@lotus.test', [[lotus, 'staff']]],
  ['admin@northwind.test', [[northwind, 'admin']]],
  ['rep@northwind.test', [[northwind, 'rep']]],
  ['staff@northwind.test', [[northwind, 'staff']]],
  ['demo@portrait.test', [[lotus, 'admin'], [northwind, 'rep']]],
];

let seed: string;
let a: TestDb;
let b: TestDb;
const seconds: number[] = [];

async function load(t: TestDb) {
  const started = performance.now();
  await t.db.exec(seed);
  seconds.push((performance.now() - started) / 1000);
}

beforeAll(async () => {
  seed = await readFile(seedPath, 'utf8');
  a = await freshDb();
  await load(a);
  b = await freshDb();
  await load(b);
  console.log(`seed.sql on ${a.kind}: ${seconds.map((s) => `${s.toFixed(1)} s`).join(', ')}`);
}, 300_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
});

const one = async <T>(db: Queryable, sql: string, params?: unknown[]) => (await db.query<T>(sql, params)).rows[0]!;
const count = async (db: Queryable, sql: string, params?: unknown[]) => Number((await one<{ n: string }>(db, sql, params)).n);

describe('demo logins', () => {
  it('are documented at the top of seed.sql', () => {
    const header = seed.slice(0, seed.indexOf('\n\n'));
    expect(header).toMatch(new RegExp(`Demo password:\\s*${password}`));
    for (const [email] of logins) expect(header).toContain(email);
  });

  it('exist as GoTrue would have created them, with bcrypt hashes of the demo password', async () => {
    const { rows } = await a.db.query<{
      email: string;
      encrypted_password: string;
      aud: string;
      role: string;
      confirmed: boolean;
      provider: string;
      tokens: string[];
      identity_email: string | null;
      identity_provider: string | null;
    }>(
      `select u.email, u.encrypted_password, u.aud, u.role, u.email_confirmed_at is not null as confirmed,
              u.raw_app_meta_data ->> 'provider' as provider,
              array[u.confirmation_token, u.recovery_token, u.email_change_token_new, u.email_change] as tokens,
              i.identity_data ->> 'email' as identity_email, i.provider as identity_provider
         from auth.users u left join auth.identities i on i.user_id = u.id and i.provider_id = u.id::text
        order by u.email`,
    );
    expect(rows.map((r) => r.email).sort()).toEqual(logins.map(([email]) => email).sort());
    const verified = new Map<string, boolean>();
    for (const row of rows) {
      expect(row).toMatchObject({ aud: 'authenticated', role: 'authenticated', confirmed: true, provider: 'email' });
      expect(row.tokens).toEqual(['', '', '', '']);
      expect(row).toMatchObject({ identity_email: row.email, identity_provider: 'email' });
      expect(row.encrypted_password).toMatch(/^\$2[aby]\$10\$/);
      if (!verified.has(row.encrypted_password)) {
        verified.set(row.encrypted_password, await bcrypt.compare(password, row.encrypted_password));
        expect(await bcrypt.compare('wrong-password', row.encrypted_password)).toBe(false);
      }
      expect(verified.get(row.encrypted_password), row.email).toBe(true);
    }
  });

  it('give each login the documented role in each organization', async () => {
    const { rows } = await a.db.query<{ email: string; org_id: string; role: string }>(
      `select u.email, m.org_id, m.role::text as role from public.members m join auth.users u on u.id = m.user_id order by 1, 2`,
    );
    const expected = logins.flatMap(([email, memberships]) => memberships.map(([org_id, role]) => ({ email, org_id, role })));
    expect(rows).toEqual(expected.sort((x, y) => x.email.localeCompare(y.email) || x.org_id.localeCompare(y.org_id)));
  });
});

describe('generated data', () => {
  it('has two organizations with their currency and phone region', async () => {
    const { rows } = await a.db.query<{ id: string; name: string; currency: string; region: string }>(
      `select id, name, settings ->> 'currency' as currency, settings ->> 'default_phone_region' as region
         from public.organizations order by name`,
    );
    expect(rows).toEqual([
      { id: lotus, name: 'Lotus Tea Co.', currency: 'CNY', region: 'CN' },
      { id: northwind, name: 'Northwind Outfitters', currency: 'USD', region: 'US' },
    ]);
  });

  it('has about 2,000 customers per organization with orders, events, tags and notes', async () => {
    for (const org of [lotus, northwind]) {
      const c = await one<Record<string, string>>(
        a.db,
        `select (select count(*) from public.customers where org_id = $1) as customers,
                (select count(*) from public.customers where org_id = $1 and kind = 'company') as companies,
                (select count(*) from public.orders where org_id = $1) as orders,
                (select count(*) from public.events where org_id = $1) as events,
                (select count(*) from public.tags where org_id = $1) as tags,
                (select count(*) from public.customer_tags where org_id = $1) as customer_tags,
                (select count(*) from public.notes where org_id = $1) as notes,
                (select count(*) from public.customer_identities where org_id = $1 and kind = 'phone') as phones,
                (select count(*) from public.customer_identities where org_id = $1 and kind = 'shop_customer') as shop_customers,
                (select count(*) from public.customer_identities where org_id = $1 and kind = 'shop_order') as shop_orders,
                (select count(*) from public.customer_identities where org_id = $1 and kind = 'domain') as domains`,
        [org],
      );
      const n = Object.fromEntries(Object.entries(c).map(([k, v]) => [k, Number(v)]));
      expect(n.customers, 'customers').toBeGreaterThanOrEqual(2000);
      expect(n.customers, 'customers').toBeLessThan(2100);
      expect(n.companies, 'companies').toBeGreaterThan(60);
      expect(n.orders, 'orders').toBeGreaterThan(3000);
      expect(n.events, 'events').toBeGreaterThan(2000);
      expect(n.tags, 'tags').toBeGreaterThanOrEqual(15);
      expect(n.customer_tags, 'customer_tags').toBeGreaterThan(1500);
      expect(n.notes, 'notes').toBeGreaterThan(500);
      expect(n.phones, 'phones').toBeGreaterThan(1200);
      expect(n.shop_customers, 'shop_customers').toBeGreaterThan(1000);
      expect(n.shop_orders, 'shop_orders').toBeGreaterThan(800);
      expect(n.domains, 'domains').toBeGreaterThan(30);
    }
  });

  it('has a shop-like order history: mostly one-time buyers, a long tail, refunds and cancellations', async () => {
    for (const org of [lotus, northwind]) {
      const h = await one<Record<string, string>>(
        a.db,
        `with per_customer as (
           select c.id, count(o.id) filter (where o.status = 'paid') as paid
             from public.customers c left join public.orders o on o.org_id = c.org_id and o.customer_id = c.id
            where c.org_id = $1 group by c.id
         ), anchor as (select created_at + interval '1200 days' as t from public.organizations where id = $1)
         select (select count(*) filter (where paid = 0)::float / count(*) from per_customer) as non_buyers,
                (select count(*) filter (where paid = 1)::float / count(*) filter (where paid > 0) from per_customer) as one_time,
                (select max(paid) from per_customer) as most,
                (select count(*) from per_customer where paid >= 10) as heavy,
                (select count(*) from public.orders where org_id = $1 and status = 'refunded') as refunded,
                (select count(*) from public.orders where org_id = $1 and status = 'cancelled') as cancelled,
                (select count(*) from public.orders where org_id = $1 and status = 'paid' and refunded_amount > 0) as partly_refunded,
                (select extract(day from t - min(ordered_at)) from public.orders, anchor where org_id = $1 group by t) as oldest_days,
                (select extract(day from t - max(ordered_at)) from public.orders, anchor where org_id = $1 group by t) as newest_days`,
        [org],
      );
      expect(Number(h.non_buyers)).toBeGreaterThan(0.15);
      expect(Number(h.non_buyers)).toBeLessThan(0.25);
      expect(Number(h.one_time)).toBeGreaterThan(0.5);
      expect(Number(h.one_time)).toBeLessThan(0.7);
      expect(Number(h.most)).toBeGreaterThanOrEqual(20);
      expect(Number(h.heavy)).toBeGreaterThan(10);
      expect(Number(h.refunded)).toBeGreaterThan(20);
      expect(Number(h.cancelled)).toBeGreaterThan(20);
      expect(Number(h.partly_refunded)).toBeGreaterThan(10);
      expect(Number(h.oldest_days)).toBeGreaterThan(900);
      expect(Number(h.oldest_days)).toBeLessThanOrEqual(1096);
      expect(Number(h.newest_days)).toBeLessThanOrEqual(2);
    }
  });

  it('stores every identity normalised, as the API and the extension will look it up', async () => {
    expect(await count(a.db, `select count(*) as n from public.customer_identities where kind = 'phone' and value !~ '^\\+[1-9][0-9]{6,14}$'`)).toBe(0);
    expect(
      await count(
        a.db,
        `select count(*) as n from public.customer_identities i
          where i.value is distinct from private.normalize_identity(i.kind::text, i.value, private.org_default_phone_region(i.org_id))`,
      ),
    ).toBe(0);
    expect(
      await count(
        a.db,
        `select count(*) as n from public.customers c
          where c.primary_email is not null
            and not exists (select 1 from public.customer_identities i
                             where i.org_id = c.org_id and i.kind = 'email' and i.value = c.primary_email and i.customer_id = c.id)`,
      ),
    ).toBe(0);
    // Lotus writes mainland numbers the ways people do; all of them end up as +86 mobiles.
    expect(await count(a.db, `select count(*) as n from public.customers where org_id = $1 and country = 'CN' and primary_phone !~ '^\\+861[3-9][0-9]{9}$'`, [lotus])).toBe(0);
    expect(await count(a.db, `select count(*) as n from public.customers where org_id = $1 and country = 'US' and primary_phone !~ '^\\+1[2-9][0-9]{2}55501[0-9]{2}$'`, [northwind])).toBe(0);
  });

  it('records where each manual tag was added', async () => {
    const p = await one<Record<string, string>>(
      a.db,
      `select count(*) filter (where source = 'manual') as manual,
              count(*) filter (where source = 'manual' and (added_by is null or page_url is null or page_title is null)) as manual_without_provenance,
              count(*) filter (where source = 'import') as imported,
              count(*) filter (where page_url like 'https://mail.google.com/%') as gmail,
              count(*) filter (where page_url like 'https://outlook.office.com/%') as outlook,
              count(*) filter (where page_url like 'https://admin.shopify.com/%') as shopify
         from public.customer_tags`,
    );
    expect(Number(p.manual)).toBeGreaterThan(2000);
    expect(Number(p.manual_without_provenance)).toBe(0);
    expect(Number(p.imported)).toBeGreaterThan(200);
    for (const site of ['gmail', 'outlook', 'shopify'] as const) expect(Number(p[site]), site).toBeGreaterThan(50);
  });

  it('comes with every portrait computed and stage snapshots over the whole three years', async () => {
    for (const org of [lotus, northwind]) {
      const e = await one<Record<string, number>>(
        a.db,
        `select (select count(*)::int from public.customers c
                  where c.org_id = $1
                    and not exists (select 1 from public.customer_profiles p
                                     where p.org_id = c.org_id and p.customer_id = c.id and p.lifecycle_stage is not null)) as without_portrait,
                (select count(distinct p.lifecycle_stage)::int from public.customer_profiles p where p.org_id = $1) as stages,
                (select count(*)::int from public.customer_profiles p where p.org_id = $1 and p.value_tier = 'super') as super,
                (select count(*)::int from public.stage_snapshots s where s.org_id = $1) as snapshot_days,
                (select count(*)::int from private.dirty_customers d where d.org_id = $1) as queued`,
        [org],
      );
      expect(e).toMatchObject({ without_portrait: 0, stages: 8, queued: 0 });
      expect(e.super).toBeGreaterThan(0);
      // One snapshot a day over the whole history: three full years up to today.
      const span = await one<{ first: string; last: string; days: number; first_order: string }>(
        a.db,
        `select min(s.day)::text as first, max(s.day)::text as last, count(*)::int as days,
                (select min(o.ordered_at)::date::text from public.orders o where o.org_id = $1) as first_order
           from public.stage_snapshots s where s.org_id = $1`,
        [org],
      );
      const today = new Date().toISOString().slice(0, 10);
      const threeYearsAgo = new Date(`${today}T00:00:00Z`);
      threeYearsAgo.setUTCFullYear(threeYearsAgo.getUTCFullYear() - 3);
      expect(span.last).toBe(today);
      expect(span.first <= threeYearsAgo.toISOString().slice(0, 10)).toBe(true);
      expect(span.first <= span.first_order).toBe(true);
      expect(span.days).toBe(e.snapshot_days);
      expect(span.days).toBeGreaterThanOrEqual(3 * 365 + 1);
    }
  });

  it('has a handful of active rule segments per organization, each with members the engine computed', async () => {
    for (const org of [lotus, northwind]) {
      const { rows } = await a.db.query<{ name: string; rule: Record<string, unknown>; member_count: number; members: number; computed: boolean }>(
        `select s.name, s.rule, s.member_count,
                (select count(*)::int from public.segment_memberships m where m.segment_id = s.id) as members,
                s.computed_at is not null as computed
           from public.segments s where s.org_id = $1 and s.is_active order by s.name`,
        [org],
      );
      expect(rows.length).toBeGreaterThanOrEqual(4);
      for (const segment of rows) {
        expect(segment.members, segment.name).toBeGreaterThan(0);
        expect(segment.member_count, segment.name).toBe(segment.members);
        expect(segment.computed, segment.name).toBe(true);
      }
      // Value, region, tags and win-back rules, and one built on another segment.
      const fields = JSON.stringify(rows.map((segment) => segment.rule));
      for (const part of ['"value_tier"', '"country"', '"tags"', '"lifecycle_stage"', '"segment"']) expect(fields).toContain(part);
      // Today's snapshot counts the members per segment.
      const snapshot = await one<{ members: Record<string, number> }>(
        a.db,
        'select members_by_segment as members from public.stage_snapshots where org_id = $1 and day = current_date',
        [org],
      );
      expect(Object.keys(snapshot.members)).toHaveLength(rows.length);
    }
  });

  it('dates each customer\'s first stage from the history, not from the day the demo data was loaded', async () => {
    for (const org of [lotus, northwind]) {
      const e = await one<Record<string, number>>(
        a.db,
        `select (select count(*)::int from public.stage_changes sc where sc.org_id = $1) as changes,
                (select count(*)::int from public.stage_changes sc
                  where sc.org_id = $1 and sc.changed_at >= date_trunc('day', now())) as today,
                (select coalesce(sum(v.value::int), 0)::int
                   from public.stage_snapshots s, jsonb_each(s.moves) f, jsonb_each(f.value) v
                  where s.org_id = $1 and s.day = current_date) as moves_today`,
        [org],
      );
      // About 2,000 customers got a stage; only those whose stage begins today count as moving today.
      expect(e.changes).toBeGreaterThan(1_000);
      expect(e.today).toBeLessThan(20);
      expect(e.moves_today).toBe(e.today);
    }
  });

  it('leaves nothing of its own behind in the session', async () => {
    const row = await one<{ tables: string | null; setting: string | null }>(
      a.db,
      `select to_regclass('pg_temp.seed_customer')::text as tables, current_setting('portrait.defer_classification', true) as setting`,
    );
    expect(row.tables).toBeNull();
    expect(row.setting ?? '').toBe('');
  });
});

describe('determinism', () => {
  // Times are compared as offsets from the load's anchor (today 00:00 UTC, the day the seed ran),
  // so two loads on different days compare equal too.
  const checksums = `
    with anchor as (select created_at + interval '1200 days' as t from public.organizations where id = '${lotus}')
    select
      (select md5(string_agg(concat_ws('|', c.id, c.org_id, c.display_name, c.kind, c.company_id, c.primary_email, c.primary_phone,
                                       c.country, c.region, c.city, c.industry, c.company_size, c.acquisition_source, c.owner_id,
                                       c.referred_by, c.is_partner, c.is_valid, c.invalid_reason, c.created_at - anchor.t), ',' order by c.id))
         from public.customers c, anchor) as customers,
      (select md5(string_agg(concat_ws('|', o.id, o.customer_id, o.source, o.external_id, o.ordered_at - anchor.t, o.total,
                                       o.refunded_amount, o.currency, o.status), ',' order by o.id))
         from public.orders o, anchor) as orders,
      (select md5(string_agg(concat_ws('|', i.org_id, i.kind, i.value, i.customer_id), ',' order by i.org_id, i.value, i.kind))
         from public.customer_identities i) as identities,
      (select md5(string_agg(concat_ws('|', e.customer_id, e.kind, e.occurred_at - anchor.t, e.details, e.recorded_by), ','
                             order by e.customer_id, e.occurred_at, e.kind, e.details::text))
         from public.events e, anchor) as events,
      (select md5(string_agg(concat_ws('|', ct.customer_id, ct.tag_id, ct.source, ct.added_by, ct.added_at - anchor.t, ct.page_url,
                                       ct.page_title), ',' order by ct.customer_id, ct.tag_id))
         from public.customer_tags ct, anchor) as customer_tags,
      (select md5(string_agg(concat_ws('|', n.id, n.customer_id, n.author_id, n.body, n.created_at - anchor.t), ',' order by n.id))
         from public.notes n, anchor) as notes`;

  it('gives identical data on two fresh databases', async () => {
    const [first, second] = await Promise.all([one<Record<string, string>>(a.db, checksums), one<Record<string, string>>(b.db, checksums)]);
    for (const value of Object.values(first)) expect(value).toMatch(/^[0-9a-f]{32}$/);
    expect(second).toEqual(first);
  });
});

describe('customers other tests look up', () => {
  const customer = (db: Queryable, org: string, email: string) =>
    one<{ id: string; display_name: string } | undefined>(
      db,
      `select c.id, c.display_name from public.customer_identities i join public.customers c on c.id = i.customer_id
        where i.org_id = $1 and i.kind = 'email' and i.value = $2`,
      [org, email],
    );

  const history = (db: Queryable, id: string) =>
    one<{ paid: number; days_since_last: number; days_between_last_two: number | null; tags: string[] }>(
      db,
      `with anchor as (select o.created_at + interval '1200 days' as t from public.organizations o
                         join public.customers c on c.org_id = o.id where c.id = $1),
            paid as (select ordered_at from public.orders where customer_id = $1 and status = 'paid')
       select (select count(*)::int from paid) as paid,
              (select extract(day from t - max(ordered_at))::int from paid, anchor group by t) as days_since_last,
              (select extract(day from max(ordered_at) - (select ordered_at from paid order by ordered_at desc offset 1 limit 1))::int from paid)
                as days_between_last_two,
              array(select t.name from public.customer_tags ct join public.tags t on t.id = ct.tag_id
                     where ct.customer_id = $1 order by t.name collate "C") as tags`,
      [id],
    );

  it('Li Wei: loyal at Lotus Tea Co., reactivated at Northwind Outfitters', async () => {
    const atLotus = await customer(a.db, lotus, 'li.wei@example.com');
    expect(atLotus?.display_name).toBe('Li Wei');
    expect(await history(a.db, atLotus!.id)).toMatchObject({ paid: 8, days_since_last: 12, tags: ['VIP', '乌龙茶爱好者', '企业礼品'].sort() });
    const phone = await one<{ value: string }>(a.db, `select value from public.customer_identities where customer_id = $1 and kind = 'phone'`, [atLotus!.id]);
    expect(phone.value).toBe('+8613800138000');

    const atNorthwind = await customer(a.db, northwind, 'li.wei@example.com');
    expect(await history(a.db, atNorthwind!.id)).toMatchObject({ paid: 2, days_since_last: 25, days_between_last_two: 535, tags: ['Camper'] });
  });

  it('Maria Garcia: new at Lotus Tea Co., at risk at Northwind Outfitters', async () => {
    const atLotus = await customer(a.db, lotus, 'maria.garcia@example.com');
    expect(atLotus?.display_name).toBe('Maria Garcia');
    expect(await history(a.db, atLotus!.id)).toMatchObject({ paid: 1, days_since_last: 10, tags: ['海外客户', '节日送礼'].sort() });

    const atNorthwind = await customer(a.db, northwind, 'maria.garcia@example.com');
    expect(await history(a.db, atNorthwind!.id)).toMatchObject({ paid: 3, days_since_last: 120, tags: ['Hiker', 'Newsletter'] });
  });

  it('are found by the shop ids their admin pages show (documented at the top of seed.sql)', async () => {
    const owner = async (org: string, kind: string, value: string) =>
      (
        await a.db.query<{ email: string }>(
          `select c.primary_email as email from public.customer_identities i join public.customers c on c.id = i.customer_id
            where i.org_id = $1 and i.kind = $2::public.identity_kind and i.value = $3`,
          [org, kind, value],
        )
      ).rows.map((row) => row.email);
    const expected: Array<[string, string, string, string]> = [
      [northwind, 'shop_order', 'shopify:5499000005', 'li.wei@example.com'],
      [northwind, 'shop_order', 'shopify:5499000003', 'maria.garcia@example.com'],
      [northwind, 'shop_customer', 'shopify:9001', 'li.wei@example.com'],
      [northwind, 'shop_customer', 'shopify:9002', 'maria.garcia@example.com'],
      [northwind, 'shop_order', 'woocommerce:30001', 'li.wei@example.com'],
      [northwind, 'shop_customer', 'woocommerce:9001', 'li.wei@example.com'],
      [lotus, 'shop_order', 'woocommerce:9708', 'li.wei@example.com'],
      [lotus, 'shop_order', 'woocommerce:9709', 'maria.garcia@example.com'],
      [lotus, 'shop_customer', 'woocommerce:9001', 'li.wei@example.com'],
      [lotus, 'shop_order', 'shopify:6100000001', 'maria.garcia@example.com'],
      [lotus, 'shop_customer', 'shopify:7300009002', 'maria.garcia@example.com'],
    ];
    for (const [org, kind, value, email] of expected) expect(await owner(org, kind, value), `${kind} ${value}`).toEqual([email]);
    // The second stores' orders await payment: they change no statistics.
    const pending = await one<{ n: number }>(
      a.db,
      `select count(*)::int as n from public.orders where external_id in ('30001', '6100000001') and status = 'pending'`,
    );
    expect(pending.n).toBe(2);
  });

  it('have ids that strict UUID validators accept (version 4, RFC 4122 variant)', async () => {
    const { rows } = await a.db.query<{ id: string }>(
      `select id::text from public.customers where primary_email in ('li.wei@example.com', 'maria.garcia@example.com', 'hostile.markup@example.com')
       union all select id::text from public.notes union all select id::text from public.tags`,
    );
    expect(rows.length).toBeGreaterThan(6);
    for (const { id } of rows) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('has the stages the engine computes from those histories', async () => {
    const { rows } = await a.db.query<{ org_id: string; email: string; stage: string }>(
      `select c.org_id, c.primary_email as email, p.lifecycle_stage::text as stage
         from public.customers c join public.customer_profiles p on p.customer_id = c.id
        where c.primary_email in ('li.wei@example.com', 'maria.garcia@example.com', 'hostile.markup@example.com')
        order by 1, 2`,
    );
    expect(rows).toEqual([
      { org_id: lotus, email: 'hostile.markup@example.com', stage: 'lead' },
      { org_id: lotus, email: 'li.wei@example.com', stage: 'loyal' },
      { org_id: lotus, email: 'maria.garcia@example.com', stage: 'new' },
      { org_id: northwind, email: 'hostile.markup@example.com', stage: 'lead' },
      { org_id: northwind, email: 'li.wei@example.com', stage: 'reactivated' },
      { org_id: northwind, email: 'maria.garcia@example.com', stage: 'at_risk' },
    ]);
  });

  it('keeps the hostile name, note and tag verbatim', async () => {
    for (const org of [lotus, northwind]) {
      const hostile = await customer(a.db, org, 'hostile.markup@example.com');
      expect(hostile?.display_name).toBe('<img src=x onerror=alert(1)>');
      const extra = await one<{ note: string; tags: string[] }>(
        a.db,
        `select (select body from public.notes where customer_id = $1) as note,
                array(select t.name from public.customer_tags ct join public.tags t on t.id = ct.tag_id where ct.customer_id = $1) as tags`,
        [hostile!.id],
      );
      expect(extra.note).toContain('<script>alert("note")</script>');
      expect(extra.tags).toEqual(['<svg onload=alert(1)>']);
    }
  });
});

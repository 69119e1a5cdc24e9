// The benchmark dataset (README.md "Performance budgets", CRM-1M shape), generated set-based in SQL straight into the
// tables: generate_series for the rows and hashes of row numbers for every value, so the same
// scale always gives the same data (relative to its anchor day).
//
//   customers   N; 20 % never ordered; 8 countries, 6 industries, 5 % referred by another
//   orders      ≈ 10 per customer over 36 months: 60 % of buyers order once, the rest follow a
//               long tail (exponential, capped); 92 % paid (5 % of those partly refunded),
//               3 % refunded, 3 % cancelled, 2 % pending
//   events      ≈ 20 per customer (mail, visits, carts…), spread over each customer's life
//   tags        50, about 1.5 per customer (imported); 20 rule segments over every kind of field
//   identities  an email each, a phone for half, a shop customer id for half of the buyers
//
// Triggers are off while loading (session_replication_role = replica: no per-row work, no
// foreign-key checks; the generator keeps every reference valid itself), then the segments are
// written with triggers on so the engine compiles them, and a full run builds every profile.
import type { Db, Queryable } from '../../supabase/local/db.ts';

export interface DatasetCounts {
  customers: number;
  orders: number;
  events: number;
  identities: number;
  customerTags: number;
  segments: number;
  loadSeconds: number;
}

export const COUNTRIES = ['US', 'CN', 'DE', 'GB', 'FR', 'JP', 'CA', 'AU'];
const INDUSTRIES = ['Retail', 'Software', 'Manufacturing', 'Health', 'Education', 'Finance'];
const SOURCES = ['shopify', 'referral', 'ads', 'organic', 'event'];

/** A uniform number in [0, 1) from a row number and a salt: the same inputs, the same value. */
export const u = (expr: string, salt: number) => `((hashint8extended((${expr})::bigint, ${salt}) & 2147483647)::float8 / 2147483648.0)`;

/**
 * A deterministic, random-looking uuid from a row number and a salt (random like the
 * gen_random_uuid ids of real rows, so that id order and insertion order do not coincide).
 */
export const hashUuid = (expr: string, salt: number) =>
  `(lpad(to_hex(hashint8extended((${expr})::bigint, ${salt})), 16, '0') || lpad(to_hex(hashint8extended((${expr})::bigint, ${salt + 1})), 16, '0'))::uuid`;

/** Salts per organization, so that two generated organizations share no ids. */
const orgSalt = (org: string) => (parseInt(org.replace(/-/g, '').slice(-6), 16) % 100_000) * 10;

/** The deterministic uuid of the i-th customer of an organization. */
export const customerUuid = (org: string, expr: string) => hashUuid(expr, 1_000_000 + orgSalt(org));

export const TAG_COUNT = 50;
export const tagUuid = (org: string, expr: string) => hashUuid(expr, 3_000_000 + orgSalt(org));
const orderUuid = (org: string, expr: string) => hashUuid(expr, 5_000_000 + orgSalt(org));

/** Days of history: 36 months. */
const HISTORY_DAYS = 1095;

/**
 * Per-customer parameters, as a SQL derived table over customer numbers lo..hi:
 * i, id, start (first seen), span_end (last activity), buyer, n_orders, n_events.
 */
function customerParams(org: string, lo: string, hi: string): string {
  return `(
    select i,
           ${customerUuid(org, 'i')} as id,
           anchor - make_interval(secs => (${u('i', 3)} * ${HISTORY_DAYS} * 86400)::float8) as start,
           ${u('i', 7)} >= 0.2 as buyer,
           case when ${u('i', 7)} < 0.2 then 0
                when ${u('i', 8)} < 0.6 then 1
                else least(400, 2 + floor(-ln(1 - ${u('i', 9)}) * 27.75)::integer) end as n_orders,
           floor(-ln(1 - ${u('i', 11)}) * 20)::integer as n_events,
           -- half of the repeat buyers stop partway (they become at risk or churned)
           case when ${u('i', 6)} < 0.5 then 0.3 + 0.7 * ${u('i', 12)} else 1.0 end as active_share
      from generate_series(${lo}::bigint, ${hi}::bigint) as i,
           (select date_trunc('day', now()) as anchor) as a
  ) p`;
}

async function replica<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.exec(`set local session_replication_role = replica; set local synchronous_commit = off;`);
    return fn(tx);
  });
}

export interface OrgSpec {
  org: string;
  name: string;
  customers: number;
}

export interface LoadOptions {
  /** Customers per statement (progress and memory). */
  batch?: number;
  /** Statements run at once on separate connections (1 for PGlite). */
  parallel?: number;
  log?: (line: string) => void;
}

const LOADED_TABLES = ['customers', 'customer_profiles', 'customer_identities', 'orders', 'events', 'customer_tags', 'tags'];

/**
 * Loads organizations of generated data. The loaded tables' indexes (except those foreign keys
 * depend on) are dropped while loading and built again afterwards, which is much faster than
 * maintaining them row by row.
 */
export async function loadOrganizations(db: Db, specs: OrgSpec[], options: LoadOptions = {}): Promise<Map<string, DatasetCounts>> {
  const log = options.log ?? (() => undefined);
  const batch = options.batch ?? 50_000;
  const parallel = Math.max(1, options.parallel ?? 2);
  const result = new Map<string, DatasetCounts>();

  // Secondary indexes, and primary keys and unique constraints that no foreign key depends on:
  // dropped while loading, built again afterwards (the constraints then also check the data).
  const { rows: indexes } = await db.query<{ drop: string; create: string }>(
    `select format('drop index %I.%I', n.nspname, ic.relname) as drop, pg_get_indexdef(i.indexrelid) as create
       from pg_index i
       join pg_class c on c.oid = i.indrelid
       join pg_class ic on ic.oid = i.indexrelid
       join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relname = any($1)
        and not exists (select from pg_constraint k where k.conindid = i.indexrelid)
     union all
     select format('alter table %I.%I drop constraint %I', n.nspname, c.relname, k.conname),
            format('alter table %I.%I add constraint %I %s', n.nspname, c.relname, k.conname, pg_get_constraintdef(k.oid))
       from pg_constraint k
       join pg_class c on c.oid = k.conrelid
       join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relname = any($1) and k.contype in ('p', 'u')
        and not exists (select from pg_constraint f where f.contype = 'f' and f.conindid = k.conindid)`,
    [LOADED_TABLES],
  );
  for (const index of indexes) await db.exec(index.drop);

  try {
    for (const spec of specs) {
      const started = Date.now();
      log(`Generating ${spec.name}: ${spec.customers.toLocaleString('en')} customers`);
      await db.query(`insert into public.organizations (id, name) values ($1, $2)`, [spec.org, spec.name]);
      await replica(db, (tx) => tx.exec(tagsSql(spec.org)));
      const ranges: Array<[number, number]> = [];
      for (let lo = 1; lo <= spec.customers; lo += batch) ranges.push([lo, Math.min(spec.customers, lo + batch - 1)]);
      let next = 0;
      const worker = async () => {
        while (next < ranges.length) {
          const [lo, hi] = ranges[next++]!;
          const t0 = Date.now();
          await replica(db, (tx) => tx.exec(batchSql(spec.org, lo, hi)));
          log(`  customers ${lo.toLocaleString('en')}–${hi.toLocaleString('en')} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        }
      };
      await Promise.all(Array.from({ length: Math.min(parallel, ranges.length) }, worker));
      result.set(spec.org, { customers: 0, orders: 0, events: 0, identities: 0, customerTags: 0, segments: 0, loadSeconds: (Date.now() - started) / 1000 });
    }
  } finally {
    const t0 = Date.now();
    // Build the indexes again, in parallel on separate connections.
    let next = 0;
    const worker = async () => {
      while (next < indexes.length) {
        const index = indexes[next++]!;
        await db.transaction(async (tx) => {
          await tx.exec(`set local maintenance_work_mem = '512MB'`);
          await tx.exec(index.create);
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, indexes.length) }, worker));
    log(`  ${indexes.length} indexes built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  await db.exec(`analyze ${LOADED_TABLES.map((t) => `public.${t}`).join(', ')}`);

  // Each customer's statistics, set-based (what the order and event triggers would have kept up
  // row by row); the engine's private.rebuild_stats checks them afterwards.
  for (const spec of specs) {
    const t0 = Date.now();
    await replica(db, (tx) => tx.exec(`
      update public.customer_profiles p set
        order_count = coalesce(o.n, 0), net_spend = coalesce(o.s, 0),
        aov = case when o.n > 0 then round(o.s / o.n, 2) end,
        first_order_at = o.f_at, last_order_at = o.l_at, previous_order_at = o.pv_at, last_event_at = e.e_at
      from public.customers c
      left join (
        select o.customer_id, count(*)::integer as n, sum(o.total - o.refunded_amount) as s,
               min(o.ordered_at) as f_at, max(o.ordered_at) as l_at,
               (array_agg(o.ordered_at order by o.ordered_at desc))[2] as pv_at
          from public.orders o
         where o.org_id = '${spec.org}' and o.status = 'paid'
         group by o.customer_id
      ) o on o.customer_id = c.id
      left join (
        select e.customer_id, max(e.occurred_at) as e_at
          from public.events e
         where e.org_id = '${spec.org}'
         group by e.customer_id
      ) e on e.customer_id = c.id
      where c.org_id = '${spec.org}' and p.org_id = c.org_id and p.customer_id = c.id`));
    await db.exec(`vacuum analyze public.customer_profiles`);
    log(`  ${spec.name}: statistics in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  for (const spec of specs) {
    // Segments with triggers on: the engine validates and compiles them.
    const segmentIds: string[] = [];
    for (const [index, rule] of segmentRules().entries()) {
      const resolved = JSON.stringify(rule).replace(/"\$segment(\d+)"/g, (_, n: string) => JSON.stringify(segmentIds[Number(n)]));
      const { rows } = await db.query<{ id: string }>(
        `insert into public.segments (org_id, name, rule) values ($1, $2, $3::jsonb) returning id`,
        [spec.org, segmentName(index), resolved],
      );
      segmentIds.push(rows[0]!.id);
    }
    const counts = (
      await db.query<Record<string, string>>(
        `select (select count(*) from public.customers where org_id = $1) as customers,
                (select count(*) from public.orders where org_id = $1) as orders,
                (select count(*) from public.events where org_id = $1) as events,
                (select count(*) from public.customer_identities where org_id = $1) as identities,
                (select count(*) from public.customer_tags where org_id = $1) as customer_tags,
                (select count(*) from public.segments where org_id = $1) as segments`,
        [spec.org],
      )
    ).rows[0]!;
    const entry = result.get(spec.org)!;
    Object.assign(entry, {
      customers: Number(counts.customers),
      orders: Number(counts.orders),
      events: Number(counts.events),
      identities: Number(counts.identities),
      customerTags: Number(counts.customer_tags),
      segments: Number(counts.segments),
    });
  }
  return result;
}

function tagsSql(org: string): string {
  return `
    insert into public.tags (id, org_id, name, colour, category)
    select ${tagUuid(org, 't')}, '${org}'::uuid, 'Tag ' || lpad(t::text, 2, '0'),
           '#' || lpad(to_hex((${u('t', 21)} * 16777215)::integer), 6, '0'),
           (array['demographic','preference','behaviour','value','custom']::public.tag_category[])[1 + t % 5]
      from generate_series(1, ${TAG_COUNT}) as t;`;
}

function batchSql(org: string, lo: number, hi: number): string {
  const anchor = `(select date_trunc('day', now()))`;
  return `
        insert into public.customers (id, org_id, display_name, kind, primary_email, primary_phone, country, city,
                                      industry, acquisition_source, referred_by, is_partner, is_valid, created_at, updated_at)
        select p.id, '${org}'::uuid, 'Customer ' || p.i, 'person',
               'c' || p.i || '@bench.example',
               case when ${u('p.i', 1)} < 0.5 then '+1415' || (2000000 + p.i)::text end,
               (array['${COUNTRIES.join("','")}'])[1 + floor(${u('p.i', 2)} * ${COUNTRIES.length})::integer],
               'City ' || (1 + floor(${u('p.i', 13)} * 200)::integer),
               (array['${INDUSTRIES.join("','")}'])[1 + floor(${u('p.i', 14)} * ${INDUSTRIES.length})::integer],
               (array['${SOURCES.join("','")}'])[1 + floor(${u('p.i', 15)} * ${SOURCES.length})::integer],
               case when p.i > 10 and ${u('p.i', 16)} < 0.05 then ${customerUuid(org, `1 + floor(${u('p.i', 17)} * (p.i - 1))::bigint`)} end,
               ${u('p.i', 18)} < 0.01,
               ${u('p.i', 19)} >= 0.02,
               p.start, p.start
          from ${customerParams(org, String(lo), String(hi))};

        insert into public.customer_profiles (org_id, customer_id, computed_at)
        select '${org}'::uuid, ${customerUuid(org, 'i')}, now() from generate_series(${lo}::bigint, ${hi}::bigint) as i;

        insert into public.customer_identities (org_id, kind, value, customer_id)
        select '${org}'::uuid, 'email'::public.identity_kind, 'c' || i || '@bench.example', ${customerUuid(org, 'i')}
          from generate_series(${lo}::bigint, ${hi}::bigint) as i
        union all
        select '${org}'::uuid, 'phone'::public.identity_kind, '+1415' || (2000000 + i)::text, ${customerUuid(org, 'i')}
          from generate_series(${lo}::bigint, ${hi}::bigint) as i
         where ${u('i', 1)} < 0.5
        union all
        select '${org}'::uuid, 'shop_customer'::public.identity_kind, 'shopify:' || (1000000 + i)::text, ${customerUuid(org, 'i')}
          from generate_series(${lo}::bigint, ${hi}::bigint) as i
         where ${u('i', 7)} >= 0.2 and ${u('i', 20)} < 0.5;

        insert into public.orders (id, org_id, customer_id, source, external_id, ordered_at, total, refunded_amount,
                                   currency, status, created_at, updated_at)
        select ${orderUuid(org, 'p.i * 1000 + k')}, '${org}'::uuid, p.id, 'import', p.i || '-' || k,
               t.at, t.total,
               case when t.s < 0.92 and ${u('p.i * 1000 + k', 33)} < 0.05 then round(t.total * 0.3, 2)
                    when t.s >= 0.92 and t.s < 0.95 then t.total
                    else 0 end,
               'USD',
               case when t.s < 0.92 then 'paid' when t.s < 0.95 then 'refunded' when t.s < 0.98 then 'cancelled' else 'pending' end::public.order_status,
               t.at, t.at
          from ${customerParams(org, String(lo), String(hi))}
         cross join lateral generate_series(1, p.n_orders) as k
         cross join lateral (
           select case when k = 1 then p.start
                       else p.start + (${anchor} - p.start) * p.active_share * ${u('p.i * 1000 + k', 31)} end as at,
                  round((5 + 600 * power(${u('p.i * 1000 + k', 32)}, 3))::numeric, 2) as total,
                  ${u('p.i * 1000 + k', 34)} as s
         ) as t;

        insert into public.events (org_id, customer_id, kind, occurred_at)
        select '${org}'::uuid, p.id,
               (array['email_in','email_out','visit','cart','checkout','review','referral','support','call','meeting']::public.event_kind[])
                 [1 + floor(${u('p.i * 1000 + k', 41)} * 10)::integer],
               p.start + (${anchor} - p.start) * power(${u('p.i * 1000 + k', 42)}, 0.7)
          from ${customerParams(org, String(lo), String(hi))}
         cross join lateral generate_series(1, p.n_events) as k;

        insert into public.customer_tags (org_id, customer_id, tag_id, source, added_at)
        select '${org}'::uuid, ${customerUuid(org, 'i')},
               ${tagUuid(org, `1 + (floor(${u('i', 51)} * ${TAG_COUNT})::integer + k * 7) % ${TAG_COUNT}`)},
               'import', now()
          from generate_series(${lo}::bigint, ${hi}::bigint) as i
         cross join lateral generate_series(1, floor(${u('i', 52)} * 4)::integer) as k;
`;
}

/** The name of the dataset's segment with this index in segmentRules() ("Segment 01" first). */
export const segmentName = (index: number) => `Segment ${String(index + 1).padStart(2, '0')}`;

/** 20 rule segments touching every kind of field the rule language has. "$segmentN" is the N-th segment's id. */
export function segmentRules(): unknown[] {
  return [
    { field: 'value_tier', op: 'in', value: ['vip', 'super'] },
    { field: 'lifecycle_stage', op: 'in', value: ['at_risk'] },
    { all: [{ field: 'order_count', op: 'gte', value: 5 }, { field: 'country', op: 'in', value: ['US', 'CA'] }] },
    { field: 'net_spend', op: 'between', value: [100, 1000] },
    { field: 'days_since_last_order', op: 'lte', value: 30 },
    { field: 'tags', op: 'has', value: 'Tag 01' },
    { any: [{ field: 'rfm_segment', op: 'in', value: ['champions', 'loyal'] }, { field: 'm_score', op: 'eq', value: 5 }] },
    { not: { field: 'lifecycle_stage', op: 'in', value: ['churned'] } },
    { field: 'last_event_at', op: 'within_days', value: 14 },
    { field: 'ticket_band', op: 'in', value: ['high'] },
    { field: 'first_order_at', op: 'before_days', value: 365 },
    { all: [{ field: 'r_score', op: 'gte', value: 4 }, { field: 'f_score', op: 'lte', value: 2 }] },
    { field: 'tags', op: 'any', value: ['Tag 02', 'Tag 03'] },
    { field: 'referral_count', op: 'gt', value: 0 },
    { field: 'aov', op: 'gt', value: 150 },
    { field: 'created_at', op: 'within_days', value: 90 },
    { all: [{ segment: '$segment0' }, { field: 'country', op: 'in', value: ['CN'] }] },
    { field: 'industry', op: 'in', value: ['Retail'] },
    { field: 'is_partner', op: 'eq', value: true },
    { all: [{ field: 'lifecycle_stage', op: 'in', value: ['new', 'active'] }, { field: 'tags', op: 'all', value: ['Tag 04', 'Tag 05'] }] },
  ];
}

// The backfill-shop function in real Deno behind the local API, against fake shops on 127.0.0.1
// that follow the documented protocols (tests/fakes): a 3-page WooCommerce history with a 429 and
// a failure mid-way, and a Shopify history under the cost-based throttle with a failure mid-way.
// After the resume every order is there exactly once.
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack } from './harness.ts';
import { SHOPIFY_TOKEN, shopifyCustomerNode, shopifyOrderNode, startFakeShopify, type FakeShopify } from '../fakes/shopify.ts';
import { WOO_KEY, WOO_SECRET, startFakeWoo, wooCustomerRecord, wooOrderRecord, type FakeWoo } from '../fakes/woocommerce.ts';

let stack: Awaited<ReturnType<typeof startTestStack>>;
let woo: FakeWoo;
let shopify: FakeShopify;

const ORG = '00000000-0000-4000-8000-0000000bf001';
const WOO_CONNECTION = '00000000-0000-4000-8000-0000000bf0c1';
const SHOPIFY_CONNECTION = '00000000-0000-4000-8000-0000000bf0c2';
const WOO_ORDERS = 250;
const WOO_CUSTOMERS = 30;
const SHOPIFY_ORDERS = 60;
const SHOPIFY_CUSTOMERS = 12;

const day = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 86_400_000);

async function invoke(body: Record<string, unknown>, token = stack.serviceRoleKey): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${stack.apiUrl}/functions/v1/backfill-shop`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const query = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await stack.db.query<T & Record<string, unknown>>(sql, params)).rows;
const backfillOf = async (connection: string) => (await query(`select * from public.shop_backfills where shop_connection_id = $1`, [connection]))[0]!;

beforeAll(async () => {
  const wooCustomers = Array.from({ length: WOO_CUSTOMERS }, (_, i) => wooCustomerRecord(i + 1));
  // Every third order is a guest's (customer_id 0); the others belong to the registered customers.
  const wooOrders = Array.from({ length: WOO_ORDERS }, (_, i) => wooOrderRecord(i + 1, i % 3 === 0 ? null : wooCustomers[i % WOO_CUSTOMERS]!, day(i)));
  woo = await startFakeWoo({ orders: wooOrders, customers: wooCustomers });

  const shopifyCustomers = Array.from({ length: SHOPIFY_CUSTOMERS }, (_, i) => shopifyCustomerNode(i + 1));
  const shopifyOrders = Array.from({ length: SHOPIFY_ORDERS }, (_, i) => shopifyOrderNode(i + 1, shopifyCustomers[i % SHOPIFY_CUSTOMERS]!, day(i)));
  // A small bucket (drained when the test starts): the first query is throttled and every orders page must wait.
  shopify = await startFakeShopify({ orders: shopifyOrders, customers: shopifyCustomers }, { maximumAvailable: 100, restoreRate: 100 });

  stack = await startTestStack({ functions: true });
  await stack.db.exec(`
    insert into public.organizations (id, name, settings) values ('${ORG}', 'Backfill Org', '{"default_phone_region": "US"}');
    insert into public.shop_connections (id, org_id, provider, shop_domain, webhook_secret, api_base_url, api_key, api_secret) values
      ('${WOO_CONNECTION}', '${ORG}', 'woocommerce', 'kaffee.example.de', 'wc-secret-0123456789-abcdefghij', '${woo.url}', '${WOO_KEY}', '${WOO_SECRET}'),
      ('${SHOPIFY_CONNECTION}', '${ORG}', 'shopify', 'tea-house.myshopify.com', 'shpss_0123456789abcdef0123456789abcdef', '${shopify.url}', '${SHOPIFY_TOKEN}', null);
  `);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await woo?.close();
  await shopify?.close();
});

describe('shop_backfills', () => {
  it('gets a pending backfill for every new shop connection', async () => {
    const rows = await query(`select state, phase, cursor, orders_done from public.shop_backfills where org_id = $1 order by shop_connection_id`, [ORG]);
    expect(rows).toEqual([
      { state: 'pending', phase: 'customers', cursor: null, orders_done: 0 },
      { state: 'pending', phase: 'customers', cursor: null, orders_done: 0 },
    ]);
  });
});

describe('backfill-shop: WooCommerce', () => {
  it('pulls 3 pages of orders with a 429 on the way, stops at a failure mid-way and resumes there: every order once', async () => {
    woo.faults.push({ resource: 'orders', page: 2, times: 1, status: 429, retryAfter: '1' });
    woo.faults.push({ resource: 'orders', page: 3, times: 1, status: 500 });

    const first = await invoke({ connection_id: WOO_CONNECTION, budget_ms: 60_000 });
    expect(first.status).toBe(200);
    const [firstRun] = first.body.backfills as Array<Record<string, unknown>>;
    expect(firstRun).toMatchObject({ state: 'failed', phase: 'orders', customers_done: WOO_CUSTOMERS, orders_done: 200 });
    expect(String(firstRun!.error)).toMatch(/orders page 3: 500/);
    const stopped = await backfillOf(WOO_CONNECTION);
    expect(stopped).toMatchObject({ state: 'failed', phase: 'orders', cursor: '3', orders_done: 200 });
    expect(await query(`select count(*)::int as n from public.orders where org_id = $1 and source = 'woocommerce'`, [ORG])).toEqual([{ n: 200 }]);

    const second = await invoke({ connection_id: WOO_CONNECTION });
    expect(second.status).toBe(200);
    expect((second.body.backfills as Array<Record<string, unknown>>)[0]).toMatchObject({ state: 'done', orders_done: WOO_ORDERS, error: null });

    // Every order exactly once, with the shop's totals.
    const orders = await query<{ n: number; distinct_ids: number; total: string }>(
      `select count(*)::int as n, count(distinct external_id)::int as distinct_ids, sum(total)::text as total
         from public.orders where org_id = $1 and source = 'woocommerce'`,
      [ORG],
    );
    const expectedTotal = Array.from({ length: WOO_ORDERS }, (_, i) => 10 + ((i + 1) % 37) * 2.5).reduce((a, b) => a + b, 0);
    expect(orders).toEqual([{ n: WOO_ORDERS, distinct_ids: WOO_ORDERS, total: expectedTotal.toFixed(2) }]);
    // Applied through the webhook path: one applied delivery per order, none twice.
    expect(await query(`select count(*)::int as n, count(processed_at)::int as processed from public.inbound_events where shop_connection_id = $1`, [WOO_CONNECTION])).toEqual([
      { n: WOO_ORDERS, processed: WOO_ORDERS },
    ]);
    // Refunds (every tenth order) as the webhook path records them.
    expect(await query(`select count(*)::int as n from public.orders where org_id = $1 and source = 'woocommerce' and status = 'refunded' and refunded_amount = total`, [ORG])).toEqual([
      { n: WOO_ORDERS / 10 },
    ]);

    // Registered customers once each, matched to their orders by shop customer id.
    const customers = await query<{ n: number }>(
      `select count(distinct i.customer_id)::int as n from public.customer_identities i where i.org_id = $1 and i.kind = 'shop_customer' and i.value like 'woocommerce:%'`,
      [ORG],
    );
    expect(customers).toEqual([{ n: WOO_CUSTOMERS }]);
    const orphans = await query(
      `select o.external_id from public.orders o
         join public.customer_identities i on i.org_id = o.org_id and i.kind = 'shop_customer' and i.customer_id = o.customer_id
        where o.org_id = $1 and o.source = 'woocommerce' and i.value like 'woocommerce:%'`,
      [ORG],
    );
    expect(orphans.length).toBe(WOO_ORDERS - Math.ceil(WOO_ORDERS / 3));

    // The portraits are current: every customer's profile counts its paid orders and has a stage.
    const stale = await query(
      `select p.customer_id from public.customer_profiles p
        where p.org_id = $1
          and p.order_count <> (select count(*) from public.orders o where o.org_id = p.org_id and o.customer_id = p.customer_id and o.status = 'paid')`,
      [ORG],
    );
    expect(stale).toEqual([]);
    expect(await query(`select count(*)::int as n from public.customer_profiles where org_id = $1 and order_count > 0 and lifecycle_stage = 'prospect'`, [ORG])).toEqual([{ n: 0 }]);

    // The pages the shop served: customers once; orders 1 once, 2 after its 429, 3 after the resume.
    const served = woo.requests.filter((r) => r.resource === 'orders').map((r) => `${r.page}:${r.status}`);
    expect(served).toEqual(['1:200', '2:429', '2:200', '3:500', '3:200']);
    expect(woo.requests.every((r) => r.perPage === 100)).toBe(true);

    // A call after the end changes nothing.
    const again = await invoke({ connection_id: WOO_CONNECTION });
    expect((again.body.backfills as Array<Record<string, unknown>>)[0]).toMatchObject({ state: 'done', pages_this_call: 0 });
    expect(await query(`select count(*)::int as n from public.orders where org_id = $1 and source = 'woocommerce'`, [ORG])).toEqual([{ n: WOO_ORDERS }]);
  }, 120_000);

  it('rebuilds the stage history over the backfilled period when it is done', async () => {
    // Every day from the first backfilled order to today has its snapshot, reconstructed from the orders.
    const today = new Date().toISOString().slice(0, 10);
    const days = await query<{ first: string; last: string; n: number }>(
      `select min(day)::text as first, max(day)::text as last, count(*)::int as n from public.stage_snapshots where org_id = $1`,
      [ORG],
    );
    const span = Math.round((Date.parse(today) - day(0).getTime()) / 86_400_000) + 1;
    expect(days).toEqual([{ first: day(0).toISOString().slice(0, 10), last: today, n: span }]);
    // A day in the middle of the history counts the customers who had paid for an order by then.
    const mid = day(120).toISOString().slice(0, 10);
    const [snapshot] = await query<{ source: string; customers: number; buyers: number }>(
      `select s.source, s.customers,
              (select count(distinct o.customer_id)::int from public.orders o
                where o.org_id = s.org_id and o.status = 'paid' and o.ordered_at < (s.day + 1)::timestamp at time zone 'UTC') as buyers
         from public.stage_snapshots s where s.org_id = $1 and s.day = $2`,
      [ORG, mid],
    );
    expect(snapshot!.source).toBe('backfill');
    expect(snapshot!.buyers).toBeGreaterThan(0);
    expect(snapshot!.customers).toBeGreaterThanOrEqual(snapshot!.buyers);
  });

  it('starts over on request and recognises the orders it already applied, rewriting no portrait', async () => {
    const before = await query(`select count(*)::int as n from public.inbound_events where shop_connection_id = $1`, [WOO_CONNECTION]);
    // The row versions of the profiles: pages that change nothing write none of them again.
    const profiles = () => query(`select customer_id, xmin::text as version from public.customer_profiles where org_id = $1 order by customer_id`, [ORG]);
    const profilesBefore = await profiles();
    expect(profilesBefore.length).toBeGreaterThan(WOO_CUSTOMERS);
    const res = await invoke({ connection_id: WOO_CONNECTION, restart: true });
    expect((res.body.backfills as Array<Record<string, unknown>>)[0]).toMatchObject({ state: 'done', orders_done: WOO_ORDERS });
    expect(await query(`select count(*)::int as n from public.orders where org_id = $1 and source = 'woocommerce'`, [ORG])).toEqual([{ n: WOO_ORDERS }]);
    expect(await query(`select count(*)::int as n from public.inbound_events where shop_connection_id = $1`, [WOO_CONNECTION])).toEqual(before);
    expect(await profiles()).toEqual(profilesBefore);
  }, 120_000);
});

describe('backfill-shop: Shopify', () => {
  it('waits out the cost-based throttle, stops at a failure mid-way and resumes from the cursor: every order once', async () => {
    shopify.faults.push({ resource: 'orders', page: 2, times: 1, kind: 'graphql_internal' });
    shopify.drain();

    const first = await invoke({ connection_id: SHOPIFY_CONNECTION, page_size: 20, budget_ms: 60_000 });
    expect(first.status).toBe(200);
    const [firstRun] = first.body.backfills as Array<Record<string, unknown>>;
    expect(firstRun).toMatchObject({ state: 'failed', phase: 'orders', customers_done: SHOPIFY_CUSTOMERS, orders_done: 20 });
    expect(String(firstRun!.error)).toMatch(/Internal error/);
    expect(Number(firstRun!.throttled)).toBeGreaterThan(0);
    const stopped = await backfillOf(SHOPIFY_CONNECTION);
    expect(stopped.cursor).toEqual(expect.any(String));

    const second = await invoke({ connection_id: SHOPIFY_CONNECTION, page_size: 20 });
    expect((second.body.backfills as Array<Record<string, unknown>>)[0]).toMatchObject({ state: 'done', orders_done: SHOPIFY_ORDERS, customers_done: SHOPIFY_CUSTOMERS });

    const orders = await query(
      `select count(*)::int as n, count(distinct external_id)::int as distinct_ids, min(external_id) as first_id
         from public.orders where org_id = $1 and source = 'shopify'`,
      [ORG],
    );
    expect(orders).toEqual([{ n: SHOPIFY_ORDERS, distinct_ids: SHOPIFY_ORDERS, first_id: '5000000000001' }]);
    // Partial refunds summed as the webhook path does; the order stays paid.
    expect(await query(`select status::text, refunded_amount::text from public.orders where org_id = $1 and external_id = '5000000000009'`, [ORG])).toEqual([
      { status: 'paid', refunded_amount: '5.00' },
    ]);
    // Each customer once, holding all of their orders.
    expect(
      await query(
        `select count(*)::int as n, min(c)::int as fewest from (
           select count(*) as c from public.orders where org_id = $1 and source = 'shopify' group by customer_id) x`,
        [ORG],
      ),
    ).toEqual([{ n: SHOPIFY_CUSTOMERS, fewest: SHOPIFY_ORDERS / SHOPIFY_CUSTOMERS }]);

    // The fake never let a query through that the bucket could not pay for, and the function
    // never asked again for a page it had applied.
    const ok = shopify.requests.filter((r) => r.outcome === 'ok' && r.resource === 'orders').map((r) => r.page);
    expect(ok).toEqual([1, 2, 3]);
    // Throttled only where the cost of a query was not known yet (the first of each kind in a
    // call), and a throttled query is retried only once the bucket can pay for it.
    const outcomes = shopify.requests.map((r) => r.outcome);
    expect(outcomes.filter((o) => o === 'throttled').length).toBeLessThanOrEqual(3);
    expect(outcomes.some((o, i) => o === 'throttled' && outcomes[i + 1] === 'throttled')).toBe(false);
  }, 120_000);
});

describe('backfill-shop: who may call it', () => {
  it('answers 401 without a token, 403 for a rep, and works for an admin', async () => {
    expect((await fetch(`${stack.apiUrl}/functions/v1/backfill-shop`, { method: 'POST', body: '{}' })).status).toBe(401);
    const client = createClient(stack.apiUrl, stack.anonKey, { auth: { persistSession: false } });
    const tokens: Record<string, string> = {};
    for (const role of ['rep', 'admin'] as const) {
      const { data, error } = await client.auth.signUp({ email: `${role}@backfill.test`, password: 'a long password' });
      expect(error).toBeNull();
      await stack.db.query(`insert into public.members (org_id, user_id, role) values ($1, $2, $3)`, [ORG, data.user!.id, role]);
      tokens[role] = data.session!.access_token;
    }
    const rep = await invoke({ connection_id: WOO_CONNECTION }, tokens.rep);
    expect(rep.status).toBe(403);
    const admin = await invoke({ connection_id: WOO_CONNECTION }, tokens.admin);
    expect(admin.status).toBe(200);
    expect((admin.body.backfills as Array<Record<string, unknown>>)[0]).toMatchObject({ state: 'done' });
    const invalid = await invoke({ connection_id: 'not-a-uuid' }, tokens.admin);
    expect(invalid.status).toBe(400);
  }, 60_000);
});

describe('backfill-shop: a shop asking to wait longer than the call may', () => {
  it('pauses with the time to resume, and scheduled calls leave it alone until then', async () => {
    woo.faults.push({ resource: 'customers', page: 1, times: 1, status: 429, retryAfter: '120' });
    const res = await invoke({ connection_id: WOO_CONNECTION, restart: true, budget_ms: 5_000 });
    expect(res.status).toBe(200);
    expect((res.body.backfills as Array<Record<string, unknown>>)[0]).toMatchObject({ state: 'paused', phase: 'customers', pages_this_call: 0 });
    const row = await backfillOf(WOO_CONNECTION);
    expect(String(row.last_error)).toMatch(/429/);
    const waitSeconds = (new Date(row.resume_after as string).getTime() - Date.now()) / 1000;
    expect(waitSeconds).toBeGreaterThan(100);
    expect(waitSeconds).toBeLessThanOrEqual(120);
    // The service role's sweep (no body) finds nothing due: the paused one waits, the rest are done.
    const sweep = await invoke({});
    expect(sweep.status).toBe(200);
    expect(sweep.body.backfills).toEqual([]);
  }, 60_000);
});

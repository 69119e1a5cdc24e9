// The ingest-orders function against the real stack (local API → Deno → database), driven by fake
// shops that follow the documented protocols: real header names, a base64 HMAC-SHA256 over the
// exact bytes sent, Shopify's retries repeating X-Shopify-Webhook-Id, WooCommerce's unsigned
// creation ping.
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack } from './harness.ts';

let stack: Awaited<ReturnType<typeof startTestStack>>;

const ORG = '00000000-0000-4000-8000-00000000f001';
const OTHER_ORG = '00000000-0000-4000-8000-00000000f002';
const SHOPIFY_DOMAIN = 'portrait-test.myshopify.com';
const SHOPIFY_SECRET = 'shpss_0123456789abcdef0123456789abcdef';
const WOO_DOMAIN = 'shop.example.com';
const WOO_SECRET = 'wc-secret-0123456789-abcdefghij';
const OTHER_DOMAIN = 'other-shop.myshopify.com';
const OTHER_SECRET = 'shpss_other_0123456789abcdef012345';

// ---------------------------------------------------------------------------------------------
// Fake shops

interface Delivery {
  headers: Record<string, string>;
  body: Buffer;
}

const sign = (secret: string, body: Buffer) => createHmac('sha256', secret).update(body).digest('base64');

/** A Shopify delivery: JSON body, signed with the app secret, one webhook id per delivery (kept on retries). */
function shopifyDelivery(topic: string, payload: unknown, options: { secret?: string; domain?: string; webhookId?: string } = {}): Delivery {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Shopify-Captain-Hook',
      'x-shopify-topic': topic,
      'x-shopify-shop-domain': options.domain ?? SHOPIFY_DOMAIN,
      'x-shopify-hmac-sha256': sign(options.secret ?? SHOPIFY_SECRET, body),
      'x-shopify-webhook-id': options.webhookId ?? randomUUID(),
      'x-shopify-event-id': randomUUID(),
      'x-shopify-api-version': '2026-10',
      'x-shopify-triggered-at': new Date().toISOString(),
    },
  };
}

/** A WooCommerce delivery: the body is the trimmed JSON the shop signs; the delivery id is new each time. */
function wooDelivery(topic: string, payload: unknown, options: { secret?: string; source?: string; webhookId?: number } = {}): Delivery {
  const body = Buffer.from(JSON.stringify(payload).trim(), 'utf8');
  const [resource, event] = topic.split('.');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'WooCommerce/9.9.0 Hookshot (WordPress/6.8)',
      'x-wc-webhook-source': options.source ?? `https://${WOO_DOMAIN}/`,
      'x-wc-webhook-topic': topic,
      'x-wc-webhook-resource': resource!,
      'x-wc-webhook-event': event!,
      'x-wc-webhook-signature': sign(options.secret ?? WOO_SECRET, body),
      'x-wc-webhook-id': String(options.webhookId ?? 7),
      'x-wc-webhook-delivery-id': createHmac('md5', 'x').update(randomUUID()).digest('hex'),
    },
  };
}

async function deliver(d: Delivery): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${stack.apiUrl}/functions/v1/ingest-orders`, { method: 'POST', headers: d.headers, body: new Uint8Array(d.body) });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { status: res.status, body: { text } };
  }
}

interface ShopifyOrderInput {
  id: number;
  customerId?: number | null;
  email?: string | null;
  phone?: string | null;
  firstName?: string;
  lastName?: string;
  total: string;
  financialStatus?: string;
  createdAt: string;
  updatedAt?: string;
  cancelledAt?: string | null;
  refunds?: Array<{ id: number; amount: string }>;
  country?: string;
}

/** An order as Shopify's REST Admin API (and its order webhooks) describes it, trimmed to a realistic subset. */
function shopifyOrder(o: ShopifyOrderInput) {
  return {
    id: o.id,
    admin_graphql_api_id: `gid://shopify/Order/${o.id}`,
    name: `#${1000 + (o.id % 1000)}`,
    order_number: 1000 + (o.id % 1000),
    email: o.email ?? null,
    contact_email: o.email ?? null,
    phone: o.phone ?? null,
    created_at: o.createdAt,
    processed_at: o.createdAt,
    updated_at: o.updatedAt ?? o.createdAt,
    cancelled_at: o.cancelledAt ?? null,
    cancel_reason: o.cancelledAt ? 'customer' : null,
    currency: 'USD',
    presentment_currency: 'USD',
    subtotal_price: o.total,
    total_price: o.total,
    total_tax: '0.00',
    financial_status: o.financialStatus ?? 'paid',
    fulfillment_status: null,
    test: false,
    tags: '',
    customer:
      o.customerId === null || o.customerId === undefined
        ? null
        : {
            id: o.customerId,
            email: o.email ?? null,
            phone: o.phone ?? null,
            first_name: o.firstName ?? 'Li',
            last_name: o.lastName ?? 'Wei',
            state: 'enabled',
            verified_email: true,
            default_address: { country_code: o.country ?? 'US', country: 'United States' },
          },
    billing_address: {
      first_name: o.firstName ?? 'Li',
      last_name: o.lastName ?? 'Wei',
      name: `${o.firstName ?? 'Li'} ${o.lastName ?? 'Wei'}`,
      address1: '1 Market St',
      city: 'San Francisco',
      zip: '94105',
      phone: o.phone ?? null,
      country: 'United States',
      country_code: o.country ?? 'US',
    },
    line_items: [{ id: o.id * 10 + 1, title: 'Tea', quantity: 1, price: o.total, sku: 'TEA-1' }],
    refunds: (o.refunds ?? []).map((r) => ({
      id: r.id,
      order_id: o.id,
      created_at: o.updatedAt ?? o.createdAt,
      note: null,
      refund_line_items: [],
      transactions: [{ id: r.id * 10, order_id: o.id, kind: 'refund', status: 'success', amount: r.amount, currency: 'USD', gateway: 'manual' }],
    })),
  };
}

function wooOrder(o: { id: number; status: string; total: string; email: string; phone?: string; customerId?: number; created: string; modified: string; refunds?: Array<{ id: number; total: string }> }) {
  return {
    id: o.id,
    parent_id: 0,
    status: o.status,
    currency: 'EUR',
    version: '9.9.0',
    prices_include_tax: false,
    date_created: o.created.replace('Z', ''),
    date_modified: o.modified.replace('Z', ''),
    date_created_gmt: o.created.replace('Z', ''),
    date_modified_gmt: o.modified.replace('Z', ''),
    discount_total: '0.00',
    shipping_total: '0.00',
    total: o.total,
    total_tax: '0.00',
    customer_id: o.customerId ?? 0,
    billing: {
      first_name: 'Anna',
      last_name: 'Schmidt',
      company: '',
      address_1: 'Hauptstr. 1',
      city: 'Berlin',
      postcode: '10115',
      country: 'DE',
      email: o.email,
      phone: o.phone ?? '',
    },
    shipping: { first_name: 'Anna', last_name: 'Schmidt', country: 'DE', phone: '' },
    payment_method: 'bacs',
    date_paid_gmt: o.status === 'processing' || o.status === 'completed' ? o.created.replace('Z', '') : null,
    line_items: [{ id: o.id * 10, name: 'Kaffee', quantity: 1, total: o.total }],
    refunds: o.refunds ?? [],
  };
}

// ---------------------------------------------------------------------------------------------

const count = async (sql: string, params: unknown[] = []) => Number((await stack.db.query<{ n: string }>(sql, params)).rows[0]!.n);
const orderCount = (org = ORG) => count('select count(*) as n from public.orders where org_id = $1', [org]);
const inboundCount = (org = ORG) => count('select count(*) as n from public.inbound_events where org_id = $1', [org]);
const customerCount = (org = ORG) => count('select count(*) as n from public.customers where org_id = $1', [org]);

async function hasEngine(): Promise<boolean> {
  const { rows } = await stack.db.query<{ ok: boolean }>(
    `select to_regprocedure('private.recompute(uuid, text, uuid, integer)') is not null as ok`,
  );
  return rows[0]!.ok;
}

beforeAll(async () => {
  stack = await startTestStack({ functions: true });
  await stack.db.exec(`
    insert into public.organizations (id, name, settings) values
      ('${ORG}', 'Webhook Org', '{"default_phone_region": "US"}'),
      ('${OTHER_ORG}', 'Other Org', '{}');
    insert into public.shop_connections (org_id, provider, shop_domain, webhook_secret) values
      ('${ORG}', 'shopify', '${SHOPIFY_DOMAIN}', '${SHOPIFY_SECRET}'),
      ('${ORG}', 'woocommerce', '${WOO_DOMAIN}', '${WOO_SECRET}'),
      ('${OTHER_ORG}', 'shopify', '${OTHER_DOMAIN}', '${OTHER_SECRET}');
  `);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('ingest-orders: Shopify', () => {
  it('applies a signed orders/create: customer, identities and order', async () => {
    const res = await deliver(
      shopifyDelivery(
        'orders/create',
        shopifyOrder({
          id: 4711,
          customerId: 123,
          email: ' Li.Wei+shop@Example.COM ',
          phone: '(415) 555-2671',
          total: '49.90',
          createdAt: '2026-10-01T09:30:00-05:00',
        }),
      ),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'applied', customer_created: true, changed: true });
    const { rows: orders } = await stack.db.query(`select * from public.orders where org_id = $1`, [ORG]);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ source: 'shopify', external_id: '4711', total: '49.90', refunded_amount: '0.00', currency: 'USD', status: 'paid' });
    expect(new Date(orders[0]!.ordered_at as string).toISOString()).toBe('2026-10-01T14:30:00.000Z');
    const { rows: identities } = await stack.db.query<{ kind: string; value: string; customer_id: string }>(
      `select kind::text, value, customer_id from public.customer_identities where org_id = $1 order by kind, value`,
      [ORG],
    );
    expect(identities.map((i) => `${i.kind}=${i.value}`)).toEqual([
      'email=li.wei+shop@example.com',
      'phone=+14155552671',
      'shop_customer=shopify:123',
      'shop_order=shopify:4711',
    ]);
    expect(new Set(identities.map((i) => i.customer_id)).size).toBe(1);
    const { rows: customers } = await stack.db.query(`select * from public.customers where org_id = $1`, [ORG]);
    expect(customers).toHaveLength(1);
    expect(customers[0]).toMatchObject({
      id: res.body.customer_id,
      display_name: 'Li Wei',
      primary_email: 'li.wei+shop@example.com',
      primary_phone: '+14155552671',
      country: 'US',
      acquisition_source: 'shopify',
    });
    const { rows: events } = await stack.db.query(`select provider::text, topic, processed_at is not null as done from public.inbound_events where org_id = $1`, [ORG]);
    expect(events).toEqual([{ provider: 'shopify', topic: 'orders/create', done: true }]);
    if (await hasEngine()) {
      const { rows: profiles } = await stack.db.query(`select order_count, net_spend::text from public.customer_profiles where customer_id = $1`, [res.body.customer_id]);
      expect(profiles[0]).toMatchObject({ order_count: 1, net_spend: '49.90' });
    }
  });

  it('refuses a tampered body, a wrong secret or missing headers with 401 and writes nothing', async () => {
    const before = { orders: await orderCount(), inbound: await inboundCount(), customers: await customerCount() };
    const payload = shopifyOrder({ id: 5001, customerId: 900, email: 'mallory@example.com', total: '10.00', createdAt: '2026-10-02T10:00:00Z' });

    const tampered = shopifyDelivery('orders/create', payload);
    tampered.body = Buffer.from(tampered.body.toString('utf8').replace('"10.00"', '"0.01"'), 'utf8');
    expect((await deliver(tampered)).status).toBe(401);

    expect((await deliver(shopifyDelivery('orders/create', payload, { secret: 'shpss_not-the-shops-secret-at-all' }))).status).toBe(401);
    // Another shop's valid secret does not sign for this shop.
    expect((await deliver(shopifyDelivery('orders/create', payload, { secret: OTHER_SECRET }))).status).toBe(401);

    for (const header of ['x-shopify-hmac-sha256', 'x-shopify-shop-domain', 'x-shopify-topic']) {
      const d = shopifyDelivery('orders/create', payload);
      delete d.headers[header];
      expect((await deliver(d)).status, `without ${header}`).toBe(401);
    }
    const unknownShop = shopifyDelivery('orders/create', payload, { domain: 'unknown-shop.myshopify.com' });
    expect((await deliver(unknownShop)).status).toBe(401);
    const garbage = shopifyDelivery('orders/create', payload);
    garbage.headers['x-shopify-hmac-sha256'] = 'not base64 at all!';
    expect((await deliver(garbage)).status).toBe(401);
    const bare = await fetch(`${stack.apiUrl}/functions/v1/ingest-orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    expect(bare.status).toBe(401);

    expect({ orders: await orderCount(), inbound: await inboundCount(), customers: await customerCount() }).toEqual(before);
  });

  it('applies the same delivery once however often the shop retries it', async () => {
    const delivery = shopifyDelivery(
      'orders/paid',
      shopifyOrder({ id: 6001, customerId: 601, email: 'retry@example.com', total: '25.00', createdAt: '2026-10-03T08:00:00Z' }),
    );
    const statuses: unknown[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await deliver(delivery);
      expect(res.status).toBe(200);
      statuses.push(res.body.status);
    }
    expect(statuses[0]).toBe('applied');
    expect(statuses.slice(1)).toEqual(Array(9).fill('duplicate'));
    // Retries racing each other are recognised too.
    const racing = shopifyDelivery(
      'orders/paid',
      shopifyOrder({ id: 6002, customerId: 601, email: 'retry@example.com', total: '5.00', createdAt: '2026-10-03T09:00:00Z' }),
    );
    const raced = await Promise.all(Array.from({ length: 10 }, () => deliver(racing)));
    expect(raced.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(raced.filter((r) => r.body.status === 'applied')).toHaveLength(1);

    expect(await count(`select count(*) as n from public.orders where org_id = $1 and external_id in ('6001', '6002')`, [ORG])).toBe(2);
    expect(await count(`select count(*) as n from public.customers c join public.customer_identities i on i.customer_id = c.id where i.value = 'retry@example.com'`)).toBe(1);
  });

  it("applies two shops' deliveries that carry the same webhook id (one in each organization), and still dedupes a replay", async () => {
    // A third organization with its own shop, so that the other tests' counts stay as they are.
    const thirdOrg = '00000000-0000-4000-8000-00000000f003';
    const thirdDomain = 'third-shop.myshopify.com';
    const thirdSecret = 'shpss_third_0123456789abcdef012345';
    await stack.db.query(`insert into public.organizations (id, name) values ($1, 'Third Org')`, [thirdOrg]);
    await stack.db.query(`insert into public.shop_connections (org_id, provider, shop_domain, webhook_secret) values ($1, 'shopify', $2, $3)`, [thirdOrg, thirdDomain, thirdSecret]);
    const webhookId = `shared-${randomUUID()}`;
    const ours = shopifyDelivery(
      'orders/create',
      shopifyOrder({ id: 6101, customerId: 611, email: 'same-id-a@example.com', total: '11.00', createdAt: '2026-10-03T10:00:00Z' }),
      { webhookId },
    );
    const theirs = shopifyDelivery(
      'orders/create',
      shopifyOrder({ id: 6102, customerId: 612, email: 'same-id-b@example.com', total: '12.00', createdAt: '2026-10-03T10:00:00Z' }),
      { webhookId, domain: thirdDomain, secret: thirdSecret },
    );
    const first = await deliver(ours);
    const second = await deliver(theirs);
    expect([first.status, first.body.status]).toEqual([200, 'applied']);
    expect([second.status, second.body.status]).toEqual([200, 'applied']);
    expect(await count(`select count(*) as n from public.orders where org_id = $1 and external_id = '6101'`, [ORG])).toBe(1);
    expect(await count(`select count(*) as n from public.orders where org_id = $1 and external_id = '6102'`, [thirdOrg])).toBe(1);
    // A real replay to either shop is still recognised.
    expect((await deliver(theirs)).body.status).toBe('duplicate');
    expect((await deliver(ours)).body.status).toBe('duplicate');
    expect(await count(`select count(*) as n from public.inbound_events where event_key = $1`, [`webhook:${webhookId}`])).toBe(2);
  });

  it('counts a refund once, whether refunds/create or orders/updated reports it first, and ignores stale deliveries', async () => {
    const created = '2026-10-04T10:00:00Z';
    await deliver(shopifyDelivery('orders/create', shopifyOrder({ id: 7001, customerId: 701, email: 'refund@example.com', total: '100.00', createdAt: created })));
    const refund = {
      id: 9901,
      order_id: 7001,
      created_at: '2026-10-05T10:00:00Z',
      note: 'damaged',
      restock: false,
      refund_line_items: [],
      transactions: [{ id: 99010, order_id: 7001, kind: 'refund', status: 'success', amount: '30.00', currency: 'USD' }],
    };
    expect((await deliver(shopifyDelivery('refunds/create', refund))).body).toMatchObject({ status: 'applied', changed: true });
    const updated = shopifyOrder({
      id: 7001, customerId: 701, email: 'refund@example.com', total: '100.00', createdAt: created,
      updatedAt: '2026-10-05T10:00:01Z', financialStatus: 'partially_refunded', refunds: [{ id: 9901, amount: '30.00' }],
    });
    expect((await deliver(shopifyDelivery('orders/updated', updated))).status).toBe(200);
    const row = async () =>
      (await stack.db.query(`select total::text, refunded_amount::text, status::text from public.orders where org_id = $1 and external_id = '7001'`, [ORG])).rows[0];
    expect(await row()).toEqual({ total: '100.00', refunded_amount: '30.00', status: 'paid' });

    // An older state arriving late changes nothing.
    const stale = shopifyOrder({ id: 7001, customerId: 701, email: 'refund@example.com', total: '100.00', createdAt: created, updatedAt: '2026-10-04T11:00:00Z', financialStatus: 'pending' });
    expect((await deliver(shopifyDelivery('orders/updated', stale))).body).toMatchObject({ status: 'stale' });
    expect(await row()).toEqual({ total: '100.00', refunded_amount: '30.00', status: 'paid' });

    // The rest refunded: the order no longer counts.
    const rest = { ...refund, id: 9902, transactions: [{ ...refund.transactions[0], id: 99020, amount: '70.00' }] };
    await deliver(shopifyDelivery('refunds/create', rest));
    expect(await row()).toEqual({ total: '100.00', refunded_amount: '100.00', status: 'refunded' });

    // A cancelled order stops counting.
    const cancelled = shopifyOrder({ id: 7002, customerId: 701, email: 'refund@example.com', total: '20.00', createdAt: created, updatedAt: '2026-10-06T00:00:00Z', cancelledAt: '2026-10-06T00:00:00Z', financialStatus: 'voided' });
    await deliver(shopifyDelivery('orders/cancelled', cancelled));
    expect((await stack.db.query(`select status::text from public.orders where external_id = '7002'`)).rows[0]).toEqual({ status: 'cancelled' });
  });

  it('keeps 64-bit shop ids exact and answers 200 to topics it does not use', async () => {
    const bigId = '820982911946154508';
    const body = Buffer.from(
      JSON.stringify(shopifyOrder({ id: 1, customerId: 2, email: 'big@example.com', total: '1.00', createdAt: '2026-10-07T00:00:00Z' }))
        .replace('"id":1,', `"id":${bigId},`)
        .replace('"id":2,', '"id":9007199254740993,'),
      'utf8',
    );
    const d: Delivery = { body, headers: { ...shopifyDelivery('orders/create', {}).headers, 'x-shopify-hmac-sha256': sign(SHOPIFY_SECRET, body) } };
    expect((await deliver(d)).status).toBe(200);
    const { rows } = await stack.db.query(`select value from public.customer_identities where org_id = $1 and value in ($2, $3)`, [
      ORG,
      `shopify:${bigId}`,
      'shopify:9007199254740993',
    ]);
    expect(rows).toHaveLength(2);

    const ignored = await deliver(shopifyDelivery('products/update', { id: 1, title: 'Tea' }));
    expect(ignored).toMatchObject({ status: 200, body: { status: 'ignored' } });
  });

  it('rejects an authentic but unreadable order with 422, writes no order and records why', async () => {
    const before = await orderCount();
    const d = shopifyDelivery('orders/create', { id: 8001, created_at: '2026-10-08T00:00:00Z', currency: 'USD' });
    const res = await deliver(d);
    expect(res.status).toBe(422);
    expect(await orderCount()).toBe(before);
    const { rows } = await stack.db.query<{ error: string | null; processed: boolean }>(
      `select error, processed_at is not null as processed from public.inbound_events where org_id = $1 and error is not null`,
      [ORG],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.error).toMatch(/total_price/);
    expect(rows[0]!.processed).toBe(false);
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const big = shopifyOrder({ id: 8100, customerId: 810, email: 'big-body@example.com', total: '1.00', createdAt: '2026-10-08T00:00:00Z' });
    (big as Record<string, unknown>).note = 'x'.repeat(1024 * 1024);
    const before = await inboundCount();
    const res = await deliver(shopifyDelivery('orders/create', big));
    expect(res.status).toBe(413);
    expect(await inboundCount()).toBe(before);
  });
});

describe('ingest-orders: WooCommerce', () => {
  it('answers the unsigned creation ping with 200 and writes nothing', async () => {
    const before = { orders: await orderCount(), inbound: await inboundCount() };
    const res = await fetch(`${stack.apiUrl}/functions/v1/ingest-orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'WooCommerce/9.9.0 Hookshot (WordPress/6.8)' },
      body: 'webhook_id=7',
    });
    expect(res.status).toBe(200);
    expect({ orders: await orderCount(), inbound: await inboundCount() }).toEqual(before);
  });

  it('applies order.created, order.updated with a refund and order.deleted, each once', async () => {
    const base = { id: 2001, total: '80.00', email: 'Anna.Schmidt@Example.de', phone: '+49 30 901820', customerId: 55, created: '2026-10-10T12:00:00Z' };
    const created = wooDelivery('order.created', wooOrder({ ...base, status: 'processing', modified: '2026-10-10T12:00:00Z' }));
    expect((await deliver(created)).body).toMatchObject({ status: 'applied', customer_created: true });
    // The shop sends it again (a new delivery id, the same order version): applied once.
    expect((await deliver(wooDelivery('order.created', wooOrder({ ...base, status: 'processing', modified: '2026-10-10T12:00:00Z' })))).body).toMatchObject({ status: 'duplicate' });

    const refunded = wooOrder({ ...base, status: 'processing', modified: '2026-10-11T09:00:00Z', refunds: [{ id: 2101, total: '-20.00' }] });
    expect((await deliver(wooDelivery('order.updated', refunded))).body).toMatchObject({ status: 'applied', changed: true });
    const row = async () =>
      (await stack.db.query(`select total::text, refunded_amount::text, status::text, currency from public.orders where source = 'woocommerce' and external_id = '2001'`)).rows[0];
    expect(await row()).toEqual({ total: '80.00', refunded_amount: '20.00', status: 'paid', currency: 'EUR' });
    const { rows: ids } = await stack.db.query(`select kind::text, value from public.customer_identities where customer_id = (select customer_id from public.orders where source = 'woocommerce' and external_id = '2001') order by kind`);
    expect(ids).toEqual([
      { kind: 'email', value: 'anna.schmidt@example.de' },
      { kind: 'phone', value: '+4930901820' },
      { kind: 'shop_customer', value: 'woocommerce:55' },
      { kind: 'shop_order', value: 'woocommerce:2001' },
    ]);

    expect((await deliver(wooDelivery('order.deleted', { id: 2001 }))).status).toBe(200);
    expect(await row()).toMatchObject({ status: 'cancelled' });
  });

  it('refuses an unsigned or wrongly signed order with 401', async () => {
    const before = await orderCount();
    const d = wooDelivery('order.created', wooOrder({ id: 2002, status: 'completed', total: '5.00', email: 'x@example.de', created: '2026-10-12T00:00:00Z', modified: '2026-10-12T00:00:00Z' }));
    const unsigned = { ...d, headers: { ...d.headers } };
    delete unsigned.headers['x-wc-webhook-signature'];
    expect((await deliver(unsigned)).status).toBe(401);
    expect((await deliver(wooDelivery('order.created', JSON.parse(d.body.toString()), { secret: 'wrong-secret-0123456789' }))).status).toBe(401);
    expect((await deliver(wooDelivery('order.created', JSON.parse(d.body.toString()), { source: 'https://evil.example.net/' }))).status).toBe(401);
    expect(await orderCount()).toBe(before);
  });
});

describe('ingest-orders under a concurrent burst', () => {
  it('applies 1,000 concurrent deliveries of 200 orders exactly once each, with correct stats', async () => {
    const org = OTHER_ORG;
    const customers = 80;
    const orders = 200;
    interface Planned {
      delivery: Delivery;
    }
    const expected = new Map<number, { total: number; refunded: number; status: string; customer: number }>();
    const planned: Planned[] = [];
    const day = (d: number, h = 0) => new Date(Date.UTC(2026, 8, 1 + d, h)).toISOString();
    for (let n = 0; n < orders; n++) {
      const orderId = 30_000 + n;
      const customer = n % customers;
      const total = (10 + (n % 37)).toFixed(2);
      const base = { id: orderId, customerId: 40_000 + customer, email: `burst${customer}@example.com`, total, createdAt: day(n % 60) };
      const refund = n % 4 === 0 ? [{ id: 50_000 + n, amount: '3.00' }] : [];
      const finalStatus = n % 10 === 0 ? 'voided' : refund.length ? 'partially_refunded' : 'paid';
      const create = shopifyDelivery('orders/create', shopifyOrder({ ...base, financialStatus: 'pending', updatedAt: day(n % 60, 1) }), { domain: OTHER_DOMAIN, secret: OTHER_SECRET });
      const paid = shopifyDelivery('orders/paid', shopifyOrder({ ...base, financialStatus: 'paid', updatedAt: day(n % 60, 2) }), { domain: OTHER_DOMAIN, secret: OTHER_SECRET });
      const last = shopifyDelivery(
        'orders/updated',
        shopifyOrder({ ...base, financialStatus: finalStatus, cancelledAt: finalStatus === 'voided' ? day(n % 60, 3) : null, refunds: refund, updatedAt: day(n % 60, 3) }),
        { domain: OTHER_DOMAIN, secret: OTHER_SECRET },
      );
      // Five deliveries per order: three states, two of them retried by the shop.
      planned.push({ delivery: create }, { delivery: create }, { delivery: paid }, { delivery: last }, { delivery: last });
      expected.set(orderId, {
        total: Number(total),
        refunded: refund.length ? 3 : 0,
        status: finalStatus === 'voided' ? 'cancelled' : 'paid',
        customer,
      });
    }
    // A fixed shuffle, so that a failure can be replayed.
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = planned.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [planned[i], planned[j]] = [planned[j]!, planned[i]!];
    }
    expect(planned).toHaveLength(1000);

    const results: Array<{ status: number; body: Record<string, unknown> }> = [];
    let next = 0;
    const worker = async () => {
      while (next < planned.length) {
        const item = planned[next++]!;
        results.push(await deliver(item.delivery));
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));

    expect(results.filter((r) => r.status !== 200).map((r) => r.body)).toEqual([]);
    expect(results.filter((r) => r.body.status === 'duplicate')).toHaveLength(400);
    expect(await orderCount(org)).toBe(orders);
    expect(await customerCount(org)).toBe(customers);
    expect(await inboundCount(org)).toBe(600);

    const { rows } = await stack.db.query<{ external_id: string; total: string; refunded_amount: string; status: string; email: string }>(
      `select o.external_id, o.total::text, o.refunded_amount::text, o.status::text, c.primary_email as email
         from public.orders o join public.customers c on c.id = o.customer_id
        where o.org_id = $1`,
      [org],
    );
    for (const row of rows) {
      const want = expected.get(Number(row.external_id))!;
      expect({ total: Number(row.total), refunded: Number(row.refunded_amount), status: row.status, email: row.email }).toEqual({
        total: want.total,
        refunded: want.refunded,
        status: want.status,
        email: `burst${want.customer}@example.com`,
      });
    }

    // Per customer: counted orders and net spend, from the plan.
    const stats = new Map<string, { orders: number; net: number }>();
    for (const want of expected.values()) {
      const email = `burst${want.customer}@example.com`;
      const s = stats.get(email) ?? { orders: 0, net: 0 };
      if (want.status === 'paid') {
        s.orders += 1;
        s.net += want.total - want.refunded;
      }
      stats.set(email, s);
    }
    if (await hasEngine()) {
      const { rows: profiles } = await stack.db.query<{ email: string; order_count: number; net_spend: string }>(
        `select c.primary_email as email, p.order_count, p.net_spend::text
           from public.customer_profiles p join public.customers c on c.id = p.customer_id
          where p.org_id = $1`,
        [org],
      );
      expect(profiles).toHaveLength(customers);
      for (const p of profiles) {
        const want = stats.get(p.email)!;
        expect({ email: p.email, orders: p.order_count, net: Number(p.net_spend) }).toEqual({ email: p.email, orders: want.orders, net: want.net });
      }
    }
  }, 180_000);
});

describe('private.ingest_order', () => {
  it('is not executable by API clients', async () => {
    for (const role of ['anon', 'authenticated']) {
      const { rows } = await stack.db.query<{ ok: boolean }>(
        `select has_function_privilege($1, 'private.ingest_order(uuid, text, text, jsonb, text, uuid)', 'execute') as ok`,
        [role],
      );
      expect(rows[0]!.ok, role).toBe(false);
    }
  });
});

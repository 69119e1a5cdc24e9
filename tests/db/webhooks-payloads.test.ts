// The webhook helpers of supabase/functions/_shared/webhooks.ts on their own (they are
// runtime-neutral): body size limit, signature check, exact numbers, payload mapping and event keys.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  PayloadTooLarge,
  detectProvider,
  eventKey,
  isWooPing,
  mapDelivery,
  parseJsonExact,
  readBodyLimited,
  shopDomainCandidates,
  verifyHmacSha256,
} from '../../supabase/functions/_shared/webhooks.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('reading a delivery', () => {
  it('refuses a declared Content-Length over the limit before reading', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const request = new Request('http://x/', { method: 'POST', body, headers: { 'content-length': String(2 * 1024 * 1024) }, duplex: 'half' } as RequestInit);
    await expect(readBodyLimited(request, 1024 * 1024)).rejects.toBeInstanceOf(PayloadTooLarge);
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it('cuts off a streamed body without a length at the limit', async () => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 64 * 1024;
        controller.enqueue(new Uint8Array(64 * 1024));
        if (sent > 10 * 1024 * 1024) controller.close();
      },
    });
    const request = new Request('http://x/', { method: 'POST', body, duplex: 'half' } as RequestInit);
    await expect(readBodyLimited(request, 1024 * 1024)).rejects.toBeInstanceOf(PayloadTooLarge);
    expect(sent).toBeLessThan(2 * 1024 * 1024);
  });

  it('returns the exact bytes of a body within the limit', async () => {
    const text = '{"id": 1, "note": "größe ✓"}';
    const request = new Request('http://x/', { method: 'POST', body: text });
    expect(new TextDecoder().decode(await readBodyLimited(request))).toBe(text);
  });
});

describe('signatures', () => {
  const secret = 'shpss_0123456789abcdef';
  const body = bytes('{"id":4711,"total_price":"49.90"}');
  const good = createHmac('sha256', secret).update(body).digest('base64');

  it('accepts the base64 HMAC-SHA256 of the raw body and nothing else', async () => {
    expect(await verifyHmacSha256(secret, body, good)).toBe(true);
    expect(await verifyHmacSha256(secret, bytes('{"id":4711,"total_price":"0.01"}'), good)).toBe(false);
    expect(await verifyHmacSha256('another-secret', body, good)).toBe(false);
    expect(await verifyHmacSha256(secret, body, createHmac('sha256', secret).update(body).digest('hex'))).toBe(false);
    expect(await verifyHmacSha256(secret, body, good.slice(0, -4))).toBe(false);
    expect(await verifyHmacSha256(secret, body, '')).toBe(false);
    expect(await verifyHmacSha256(secret, body, null)).toBe(false);
    expect(await verifyHmacSha256('', body, good)).toBe(false);
  });

  it('signs bytes, not a re-serialised object: whitespace matters', async () => {
    expect(await verifyHmacSha256(secret, bytes('{"id": 4711, "total_price": "49.90"}'), good)).toBe(false);
  });
});

describe('headers', () => {
  it('tells the providers and their shops apart', () => {
    expect(detectProvider(new Headers({ 'x-shopify-hmac-sha256': 'x' }))).toBe('shopify');
    expect(detectProvider(new Headers({ 'x-wc-webhook-signature': 'x' }))).toBe('woocommerce');
    expect(detectProvider(new Headers({ 'content-type': 'application/json' }))).toBeNull();
    expect(shopDomainCandidates('shopify', new Headers({ 'x-shopify-shop-domain': 'Cool-Shop.myshopify.com' }))).toEqual(['cool-shop.myshopify.com']);
    expect(shopDomainCandidates('woocommerce', new Headers({ 'x-wc-webhook-source': 'https://www.shop.example.com/' }))).toEqual([
      'www.shop.example.com',
      'shop.example.com',
    ]);
    expect(shopDomainCandidates('woocommerce', new Headers({ 'x-wc-webhook-source': 'not a url' }))).toEqual([]);
    expect(shopDomainCandidates('shopify', new Headers({ 'x-shopify-shop-domain': 'evil.com/../x' }))).toEqual([]);
  });

  it('recognises only WooCommerce’s unsigned ping', () => {
    expect(isWooPing(new Headers(), bytes('webhook_id=12'))).toBe(true);
    expect(isWooPing(new Headers({ 'x-wc-webhook-signature': 'x' }), bytes('webhook_id=12'))).toBe(false);
    expect(isWooPing(new Headers(), bytes('{"id":1}'))).toBe(false);
    expect(isWooPing(new Headers(), bytes('webhook_id=12&x=1'))).toBe(false);
  });
});

describe('payloads', () => {
  it('keeps 64-bit ids and amounts exact', () => {
    expect(parseJsonExact('{"id": 820982911946154508, "total": 19.10, "n": [1, 2.50]}')).toEqual({ id: '820982911946154508', total: '19.10', n: ['1', '2.50'] });
  });

  it('maps a Shopify order: statuses, refunds counted from successful refund transactions, customer', () => {
    const order = {
      id: '4711',
      created_at: '2026-10-01T09:30:00-05:00',
      processed_at: '2026-10-01T09:31:00-05:00',
      updated_at: '2026-10-02T10:00:00-05:00',
      currency: 'USD',
      total_price: '100.00',
      financial_status: 'partially_refunded',
      email: 'li@example.com',
      customer: { id: '123', first_name: 'Li', last_name: 'Wei', phone: '+14155552671', default_address: { country_code: 'US' } },
      refunds: [
        { id: '1', transactions: [{ amount: '10.00', kind: 'refund', status: 'success' }, { amount: '5.55', kind: 'refund', status: 'success' }] },
        { id: '2', transactions: [{ amount: '99.00', kind: 'refund', status: 'failure' }] },
        { id: '3', transactions: [{ amount: '1.00', kind: 'sale', status: 'success' }] },
      ],
    };
    const mapped = mapDelivery('shopify', 'orders/updated', order);
    expect(mapped).toMatchObject({
      ok: true,
      resourceId: '4711',
      modifiedAt: '2026-10-02T15:00:00.000Z',
      order: {
        action: 'upsert',
        external_id: '4711',
        ordered_at: '2026-10-01T14:31:00.000Z',
        total: '100.00',
        status: 'paid',
        refunds: [{ id: '1', amount: '15.55' }, { id: '2', amount: '0' }, { id: '3', amount: '0' }],
        customer: { external_id: '123', email: 'li@example.com', phone: '+14155552671', name: 'Li Wei', country: 'US' },
      },
    });
    const status = (patch: Record<string, unknown>) => {
      const m = mapDelivery('shopify', 'orders/updated', { ...order, ...patch });
      return m.ok ? m.order.status : m.error;
    };
    expect(status({ financial_status: 'paid' })).toBe('paid');
    expect(status({ financial_status: 'pending' })).toBe('pending');
    expect(status({ financial_status: 'authorized' })).toBe('pending');
    expect(status({ financial_status: 'refunded' })).toBe('refunded');
    expect(status({ financial_status: 'voided' })).toBe('cancelled');
    expect(status({ financial_status: 'paid', cancelled_at: '2026-10-03T00:00:00Z' })).toBe('cancelled');
  });

  it('maps a Shopify refund to the refund of its order', () => {
    const mapped = mapDelivery('shopify', 'refunds/create', {
      id: '9901',
      order_id: '4711',
      created_at: '2026-10-05T10:00:00Z',
      transactions: [{ amount: '30.00', kind: 'refund', status: 'success' }],
      refund_line_items: [],
    });
    expect(mapped).toMatchObject({ ok: true, order: { action: 'refund', external_id: '4711', refunds: [{ id: '9901', amount: '30' }] } });
  });

  it('maps WooCommerce orders: zone-less GMT dates, statuses, negative refund totals, guests', () => {
    const order = {
      id: '2001',
      status: 'completed',
      currency: 'EUR',
      date_created_gmt: '2026-10-10T12:00:00',
      date_modified_gmt: '2026-10-11T09:00:00',
      total: '80.00',
      customer_id: '0',
      billing: { first_name: 'Anna', last_name: 'Schmidt', email: 'anna@example.de', phone: '030 901820', country: 'DE' },
      refunds: [{ id: '2101', total: '-20.00' }],
    };
    expect(mapDelivery('woocommerce', 'order.updated', order)).toMatchObject({
      ok: true,
      modifiedAt: '2026-10-11T09:00:00.000Z',
      order: {
        ordered_at: '2026-10-10T12:00:00.000Z',
        status: 'paid',
        refunds: [{ id: '2101', amount: '20.00' }],
        customer: { external_id: null, email: 'anna@example.de', phone: '030 901820', name: 'Anna Schmidt', country: 'DE' },
      },
    });
    const status = (s: string) => {
      const m = mapDelivery('woocommerce', 'order.updated', { ...order, status: s });
      return m.ok ? m.order.status : m.error;
    };
    expect(['processing', 'completed', 'on-hold', 'pending', 'refunded', 'cancelled', 'failed', 'checkout-draft'].map(status)).toEqual([
      'paid', 'paid', 'pending', 'pending', 'refunded', 'cancelled', 'cancelled', 'pending',
    ]);
    expect(mapDelivery('woocommerce', 'order.deleted', { id: '2001' })).toMatchObject({ ok: true, order: { action: 'delete', external_id: '2001' } });
  });

  it('says what is wrong with a payload it cannot read', () => {
    const mapped = mapDelivery('shopify', 'orders/create', { id: 'abc', created_at: 'yesterday', currency: 'usd' });
    expect(mapped.ok).toBe(false);
    if (!mapped.ok) expect(mapped.error).toMatch(/id|created_at|currency|total_price/);
  });
});

describe('event keys', () => {
  it('uses Shopify’s webhook id, and what a WooCommerce delivery is about', () => {
    const shopify = new Headers({ 'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' });
    expect(eventKey('shopify', shopify, 'a.myshopify.com', 'orders/create', { resourceId: '1', modifiedAt: null })).toBe('webhook:b54557e4-bdd9-4b37-8a5f-bf7d70bcd043');
    expect(eventKey('shopify', new Headers(), 'a.myshopify.com', 'orders/create', { resourceId: '1', modifiedAt: '2026-01-01T00:00:00.000Z' })).toBe(
      'a.myshopify.com:orders/create:1:2026-01-01T00:00:00.000Z',
    );
    const woo = (deliveryId: string) => new Headers({ 'x-wc-webhook-delivery-id': deliveryId });
    const about = { resourceId: '2001', modifiedAt: '2026-10-11T09:00:00.000Z' };
    // Two deliveries of the same order version share a key, whatever their delivery ids.
    expect(eventKey('woocommerce', woo('aaa'), 'shop.example.com', 'order.updated', about)).toBe(eventKey('woocommerce', woo('bbb'), 'shop.example.com', 'order.updated', about));
    expect(eventKey('woocommerce', woo('aaa'), 'shop.example.com', 'order.updated', about)).not.toBe(
      eventKey('woocommerce', woo('aaa'), 'shop.example.com', 'order.updated', { ...about, modifiedAt: '2026-10-12T00:00:00.000Z' }),
    );
  });
});

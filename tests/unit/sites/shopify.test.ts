import { afterEach, describe, expect, it } from 'vitest';
import * as shopify from '../../../extension/sites/shopify.ts';
import { fixtureHtml, loadFixture, loadPage, noSettings, type LoadedPage } from './load-fixture.ts';

const store = 'https://admin.shopify.com/store/northwind-outfitters';
const orderUrl = `${store}/orders/5499000005`;
const customerUrl = `${store}/customers/9002`;

let page: LoadedPage | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

function open(name: string, url: string, html?: string): Document {
  page = html === undefined ? loadFixture(name, url) : loadPage(html, url);
  return page.document;
}

/** The fixture with every class attribute removed: what a new admin release does to them. */
const withoutClasses = (name: string) => fixtureHtml(name).replace(/\sclass="[^"]*"/g, '');

describe('shopify adapter', () => {
  it('applies to the Shopify admin', () => {
    expect([...shopify.matches]).toEqual(['https://admin.shopify.com/*']);
  });

  describe('recordFromUrl', () => {
    it.each([
      [`${store}/orders/5499000005`, { kind: 'shop_order', id: '5499000005', store: 'northwind-outfitters' }],
      [`${store}/orders/5499000005/refund?x=1`, { kind: 'shop_order', id: '5499000005', store: 'northwind-outfitters' }],
      [`${store}/customers/9002#notes`, { kind: 'shop_customer', id: '9002', store: 'northwind-outfitters' }],
    ])('%s', (url, record) => {
      expect(shopify.recordFromUrl(url)).toEqual(record);
    });

    it.each([
      `${store}/orders`,
      `${store}/orders/new`,
      `${store}/draft_orders/5499000005`,
      `${store}/customers`,
      `${store}/products/123`,
      'https://admin.shopify.com.evil.example/store/x/orders/1',
      'http://admin.shopify.com/store/x/orders/1',
      // The local stack's demo pages stand for the admin only in the build `npm start` makes.
      'http://127.0.0.1:54321/demo/shopify/store/x/orders/1',
      'not a url',
    ])('nothing for %s', (url) => {
      expect(shopify.recordFromUrl(url)).toBeNull();
    });
  });

  describe('shopify-order.html (an order page)', () => {
    it('reads the order id from the URL, the customer link, the contact links, and names them all Li Wei', () => {
      const result = shopify.participants(open('shopify-order.html', orderUrl), noSettings);
      expect(result.mode).toBe('record');
      expect(result.degraded).toBe(false);
      expect(result.identifiers).toEqual([
        { kind: 'shop_order', value: 'shopify:5499000005' },
        { kind: 'shop_customer', value: 'shopify:9001' },
        { kind: 'email', value: 'li.wei@example.com' },
        { kind: 'phone', value: '+1 628-555-0142' },
      ]);
      expect(Object.values(result.names ?? {})).toEqual(['Li Wei', 'Li Wei', 'Li Wei', 'Li Wei']);
      expect(result.anchor?.textContent).toBe('#1005');
    });

    it('takes the order id from the URL whatever the page shows', () => {
      const result = shopify.participants(open('shopify-order.html', `${store}/orders/5400000123`), noSettings);
      expect(result.identifiers[0]).toEqual({ kind: 'shop_order', value: 'shopify:5400000123' });
    });

    it('does not read the timeline, whose comments name other people', () => {
      const result = shopify.participants(open('shopify-order.html', orderUrl), noSettings);
      const values = result.identifiers.map((id) => id.value);
      expect(values).not.toContain('robin.hale@example.org');
      expect(values).not.toContain('jordan.lee@northwind-outfitters.example');
    });

    it('does not depend on class names', () => {
      const result = shopify.participants(open('', orderUrl, withoutClasses('shopify-order.html')), noSettings);
      expect(result.identifiers.map((id) => id.kind)).toEqual(['shop_order', 'shop_customer', 'email', 'phone']);
    });

    it('falls back to the customer card text when the address is not a link', () => {
      const html = fixtureHtml('shopify-order.html').replace(/<a id="customer-email"[^>]*>([^<]*)<\/a>/, '<span>$1</span>');
      const result = shopify.participants(open('', orderUrl, html), noSettings);
      expect(result.identifiers).toContainEqual({ kind: 'email', value: 'li.wei@example.com' });
      expect(result.identifiers.map((id) => id.value)).not.toContain('robin.hale@example.org');
    });

    it('leaves out the user and internal domains', () => {
      const result = shopify.participants(open('shopify-order.html', orderUrl), { ownAddresses: [], internalDomains: ['example.com'] });
      expect(result.identifiers.map((id) => id.kind)).toEqual(['shop_order', 'shop_customer', 'phone']);
    });

    it('still has the order id while the page is a skeleton', () => {
      const result = shopify.participants(open('', orderUrl, '<!doctype html><html><body><main id="AppFrameMain"></main></body></html>'), noSettings);
      expect(result).toMatchObject({ mode: 'record', identifiers: [{ kind: 'shop_order', value: 'shopify:5499000005' }] });
    });

    it('watches the main area', () => {
      const document = open('shopify-order.html', orderUrl);
      expect(shopify.watchRoots(document).map((root) => root.id)).toEqual(['AppFrameMain']);
    });
  });

  describe('shopify-customer.html (a customer page)', () => {
    it('reads the customer id from the URL and the address shown as text, named by the page title', () => {
      const result = shopify.participants(open('shopify-customer.html', customerUrl), noSettings);
      expect(result.mode).toBe('record');
      expect(result.identifiers).toEqual([
        { kind: 'shop_customer', value: 'shopify:9002' },
        { kind: 'email', value: 'maria.garcia@example.com' },
      ]);
      expect(result.names).toEqual({ 'shop_customer:shopify:9002': 'Maria Garcia', 'email:maria.garcia@example.com': 'Maria Garcia' });
    });

    it('does not take the link to the last order for another identity', () => {
      const result = shopify.participants(open('shopify-customer.html', customerUrl), noSettings);
      expect(result.identifiers.map((id) => id.kind)).not.toContain('shop_order');
    });
  });

  it('shows nothing on the order list', () => {
    const result = shopify.participants(open('shopify-order.html', `${store}/orders`), noSettings);
    expect(result.identifiers).toEqual([]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import * as woocommerce from '../../../extension/sites/woocommerce.ts';
import { fixtureHtml, loadFixture, loadPage, noSettings, type LoadedPage } from './load-fixture.ts';

const shop = 'https://shop.lotustea.example';
const classicUrl = `${shop}/wp-admin/post.php?post=9708&action=edit`;
const hposUrl = `${shop}/wp-admin/admin.php?page=wc-orders&action=edit&id=9708`;

let page: LoadedPage | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

function open(url: string, html = fixtureHtml('woocommerce-order.html')): Document {
  page = html === fixtureHtml('woocommerce-order.html') ? loadFixture('woocommerce-order.html', url) : loadPage(html, url);
  return page.document;
}

const liWei = [
  { kind: 'shop_order', value: 'woocommerce:9708' },
  { kind: 'shop_customer', value: 'woocommerce:9001' },
  { kind: 'email', value: 'li.wei@example.com' },
  { kind: 'phone', value: '+86 138 0013 8000' },
];

describe('woocommerce adapter', () => {
  it('is registered at runtime, per shop origin, for its admin pages only', () => {
    expect(woocommerce.matches).toEqual([]);
    expect(woocommerce.registration).toBe('runtime');
    expect(woocommerce.matchesFor(shop)).toEqual([`${shop}/wp-admin/*`, `${shop}/*/wp-admin/*`]);
  });

  describe('orderFromUrl: both order screens', () => {
    it.each([
      [classicUrl, { id: '9708', screen: 'classic' }],
      [`${shop}/wp-admin/post.php?action=edit&post=9708&classic-editor`, { id: '9708', screen: 'classic' }],
      [hposUrl, { id: '9708', screen: 'hpos' }],
      [`${shop}/wp-admin/admin.php?id=12&action=edit&page=wc-orders`, { id: '12', screen: 'hpos' }],
      [`${shop}/shop/wp-admin/admin.php?page=wc-orders&action=edit&id=77`, { id: '77', screen: 'hpos' }],
    ])('%s', (url, order) => {
      expect(woocommerce.orderFromUrl(url)).toEqual(order);
    });

    it.each([
      `${shop}/wp-admin/post.php?post=9708`,
      `${shop}/wp-admin/post.php?post=abc&action=edit`,
      `${shop}/wp-admin/admin.php?page=wc-orders`,
      `${shop}/wp-admin/admin.php?page=wc-orders&action=new`,
      `${shop}/wp-admin/admin.php?page=wc-settings&action=edit&id=3`,
      `${shop}/wp-admin/edit.php?post_type=shop_order`,
      `${shop}/checkout/order-received/9708/`,
      `http://shop.lotustea.example/wp-admin/post.php?post=9708&action=edit`,
    ])('nothing for %s', (url) => {
      expect(woocommerce.orderFromUrl(url)).toBeNull();
    });
  });

  describe('woocommerce-order.html (the order form)', () => {
    it.each([
      ['the classic screen', classicUrl],
      ['the HPOS screen', hposUrl],
    ])('on %s: the order id, the customer account, the billing email and phone, named Li Wei', (_screen, url) => {
      const result = woocommerce.participants(open(url), noSettings);
      expect(result.mode).toBe('record');
      expect(result.identifiers).toEqual(liWei);
      expect(new Set(Object.values(result.names ?? {}))).toEqual(new Set(['Li Wei']));
      expect(result.anchor?.id).toBe('order_data');
    });

    it('takes the order id from the URL', () => {
      const result = woocommerce.participants(open(`${shop}/wp-admin/admin.php?page=wc-orders&action=edit&id=9709`), noSettings);
      expect(result.identifiers[0]).toEqual({ kind: 'shop_order', value: 'woocommerce:9709' });
    });

    it('a guest order has no customer account', () => {
      const html = fixtureHtml('woocommerce-order.html').replace(/<option value="9001" selected>[^<]*<\/option>/, '');
      const result = woocommerce.participants(open(classicUrl, html), noSettings);
      expect(result.identifiers.map((id) => id.kind)).toEqual(['shop_order', 'email', 'phone']);
    });

    it('does not read the order notes, which name colleagues', () => {
      const result = woocommerce.participants(open(classicUrl), noSettings);
      expect(result.identifiers.map((id) => id.value)).not.toContain('rep@lotus.test');
    });

    it('leaves out internal domains', () => {
      const result = woocommerce.participants(open(classicUrl), { ownAddresses: [], internalDomains: ['example.com'] });
      expect(result.identifiers.map((id) => id.kind)).toEqual(['shop_order', 'shop_customer', 'phone']);
    });

    it('reads nothing when post.php edits something else than an order', () => {
      const html = fixtureHtml('woocommerce-order.html')
        .replace('value="shop_order"', 'value="product"')
        .replace('id="order_data"', 'id="product_data"');
      expect(woocommerce.participants(open(`${shop}/wp-admin/post.php?post=12&action=edit`, html), noSettings).identifiers).toEqual([]);
    });

    it('watches the order data panel', () => {
      expect(woocommerce.watchRoots(open(classicUrl)).map((root) => root.id)).toEqual(['order_data']);
    });
  });
});

// WooCommerce shop domains in the background: adding one needs the host permission the options
// page asked for, registers the content script for that origin's admin pages only, and makes the
// background answer content scripts there; removing one undoes all of it. The browser's
// permissions and scripting APIs are an in-memory stand-in here; tests/e2e/shops.spec.ts runs the
// same flow in Chromium.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createBackground } from '../../../extension/background/service.ts';
import {
  createShopScripts,
  normalizeShopOrigin,
  syncShopScripts,
  type ShopScriptsBrowser,
} from '../../../extension/features/options/shop-domains.ts';
import { memoryArea, storageArea, type KeyValueArea } from '../../../extension/platform/storage/storage.ts';
import { fakeBackend, manualClock } from './fakes.ts';

afterEach(() => {
  fakeBrowser.reset();
  vi.restoreAllMocks();
});

const runtimeId = fakeBrowser.runtime.id;
const options = { id: runtimeId, url: `chrome-extension://${runtimeId}/options.html` };
const shop = 'https://shop.lotustea.example';
const tabOn = (url: string) => ({ id: runtimeId, url, tab: { id: 7 }, frameId: 0 });
const orderPage = `${shop}/wp-admin/post.php?post=9708&action=edit`;

/** The browser's permissions and scripting, in memory. */
function fakeBrowserApis() {
  const granted = new Set<string>();
  const scripts = new Map<string, { id: string; matches: string[]; js: string[] }>();
  const api: ShopScriptsBrowser = {
    permissions: {
      contains: async ({ origins }) => origins.every((origin) => granted.has(origin)),
      remove: async ({ origins }) => {
        for (const origin of origins) granted.delete(origin);
        return true;
      },
    },
    scripting: {
      async registerContentScripts(list) {
        for (const script of list) {
          if (scripts.has(script.id)) throw new Error(`Duplicate script ID '${script.id}'`);
          scripts.set(script.id, { id: script.id, matches: script.matches, js: script.js });
        }
      },
      async unregisterContentScripts(filter) {
        for (const id of filter?.ids ?? [...scripts.keys()]) {
          if (!scripts.delete(id)) throw new Error(`Nonexistent script ID '${id}'`);
        }
      },
      async getRegisteredContentScripts(filter) {
        return [...scripts.values()].filter((script) => !filter?.ids || filter.ids.includes(script.id));
      },
    },
  };
  return { api, granted, scripts };
}

function start(browserApis = fakeBrowserApis(), local: KeyValueArea = storageArea(fakeBrowser.storage.local)) {
  const server = fakeBackend();
  const clock = manualClock();
  const background = createBackground({
    runtimeId,
    extensionOrigin: `chrome-extension://${runtimeId}/`,
    local,
    session: memoryArea(),
    push: async () => {},
    buildApi: { apiUrl: server.backend.apiUrl, anonKey: server.backend.anonKey },
    createBackend: () => server.backend,
    clock,
    lookupWindowMs: 5,
    shopScripts: createShopScripts(browserApis.api),
  });
  return {
    ...browserApis,
    background,
    send: (message: unknown, sender: object = options) => background.handleMessage(message, sender) as Promise<Record<string, unknown>>,
  };
}

describe('shop domains as people write them', () => {
  it.each([
    ['shop.lotustea.example', shop],
    ['  https://shop.lotustea.example/wp-admin/post.php?post=1&action=edit ', shop],
    ['SHOP.LotusTea.example/', shop],
    ['https://xn--fsq.example', 'https://xn--fsq.example'],
  ])('%j is the shop %s', (input, origin) => {
    expect(normalizeShopOrigin(input)).toBe(origin);
  });

  it.each([
    ['http://shop.lotustea.example', 'not https'],
    ['ftp://shop.lotustea.example', 'not https'],
    ['https://user:pw@shop.lotustea.example', 'credentials'],
    ['https://shop.lotustea.example:8443', 'a port'],
    ['localhost', 'no dot'],
    ['192.168.1.20', 'an IP address'],
    ['shop .example', 'a space'],
    ['mail.google.com', 'a site Portrait already supports'],
    ['admin.shopify.com', 'a site Portrait already supports'],
    ['', 'empty'],
  ])('refuses %j (%s)', (input) => {
    expect(normalizeShopOrigin(input)).toBeNull();
  });
});

describe('adding and removing a shop domain', () => {
  it('refuses a shop whose permission was not granted, and registers nothing', async () => {
    const harness = start();
    expect(await harness.send({ type: 'settings/shop-domain', action: 'add', domain: 'shop.lotustea.example' })).toEqual({
      ok: false,
      error: 'forbidden',
      message: `Portrait has no permission to read ${shop}`,
    });
    expect(harness.scripts.size).toBe(0);
    expect(await harness.send({ type: 'settings/get' })).toMatchObject({ settings: { shopDomains: [] } });
  });

  it('refuses what is not a shop address with a clear error', async () => {
    const harness = start();
    expect(await harness.send({ type: 'settings/shop-domain', action: 'add', domain: 'http://shop.lotustea.example' })).toEqual({
      ok: false,
      error: 'invalid-message',
      message: '"http://shop.lotustea.example" is not the https address of a shop (for example shop.example.com)',
    });
  });

  it('registers the content script for the admin pages of a granted shop, and trusts its content scripts', async () => {
    const harness = start();
    // Before: the shop's pages are not Portrait's.
    expect(await harness.send({ type: 'portrait/settings' }, tabOn(orderPage))).toMatchObject({ ok: false, error: 'forbidden' });

    harness.granted.add(`${shop}/*`);
    const answer = await harness.send({ type: 'settings/shop-domain', action: 'add', domain: `${shop}/wp-admin/` });
    expect(answer).toMatchObject({ ok: true, settings: { shopDomains: [shop] } });
    expect([...harness.scripts.values()]).toEqual([
      { id: `portrait-shop:${shop}`, matches: [`${shop}/wp-admin/*`, `${shop}/*/wp-admin/*`], js: ['content-scripts/woocommerce.js'] },
    ]);

    expect(await harness.send({ type: 'portrait/settings' }, tabOn(orderPage))).toMatchObject({ ok: true, enabled: true });
    expect(await harness.send({ type: 'portrait/settings' }, tabOn(`${shop}/shop/wp-admin/admin.php?page=wc-orders&action=edit&id=1`))).toMatchObject({ ok: true });
    // The shop's storefront and other hosts stay untrusted; content scripts may not change settings.
    expect(await harness.send({ type: 'portrait/settings' }, tabOn(`${shop}/cart/`))).toMatchObject({ ok: false, error: 'forbidden' });
    expect(await harness.send({ type: 'portrait/settings' }, tabOn('https://other.example/wp-admin/post.php'))).toMatchObject({ ok: false, error: 'forbidden' });
    expect(await harness.send({ type: 'settings/shop-domain', action: 'remove', domain: shop }, tabOn(orderPage))).toMatchObject({
      ok: false,
      error: 'forbidden',
    });

    // Adding it again keeps one entry and one script.
    await harness.send({ type: 'settings/shop-domain', action: 'add', domain: 'shop.lotustea.example' });
    expect(harness.scripts.size).toBe(1);
    expect(await harness.send({ type: 'settings/get' })).toMatchObject({ settings: { shopDomains: [shop] } });
  });

  it('switching WooCommerce off in the popup refuses lookups from shop pages', async () => {
    const harness = start();
    harness.granted.add(`${shop}/*`);
    await harness.send({ type: 'settings/shop-domain', action: 'add', domain: shop });
    await harness.send({ type: 'settings/site', site: 'woocommerce', enabled: false });
    expect(await harness.send({ type: 'portrait/settings' }, tabOn(orderPage))).toMatchObject({ ok: true, enabled: false });
    expect(
      await harness.send({ type: 'portrait/lookup', identifiers: [{ kind: 'shop_order', value: 'woocommerce:9708' }] }, tabOn(orderPage)),
    ).toEqual({ ok: false, error: 'forbidden', message: 'Portrait is switched off for this site' });
  });

  it('removing a shop unregisters its script, gives the permission back and stops trusting its pages', async () => {
    const harness = start();
    harness.granted.add(`${shop}/*`);
    await harness.send({ type: 'settings/shop-domain', action: 'add', domain: shop });
    const answer = await harness.send({ type: 'settings/shop-domain', action: 'remove', domain: shop });
    expect(answer).toMatchObject({ ok: true, settings: { shopDomains: [] } });
    expect(harness.scripts.size).toBe(0);
    expect(harness.granted.has(`${shop}/*`)).toBe(false);
    expect(await harness.send({ type: 'portrait/settings' }, tabOn(orderPage))).toMatchObject({ ok: false, error: 'forbidden' });
  });

  it('after a restart, registers the scripts the browser lost and drops those whose permission was taken back', async () => {
    const local = storageArea(fakeBrowser.storage.local);
    const first = start(fakeBrowserApis(), local);
    first.granted.add(`${shop}/*`);
    first.granted.add('https://second.example/*');
    await first.send({ type: 'settings/shop-domain', action: 'add', domain: shop });
    await first.send({ type: 'settings/shop-domain', action: 'add', domain: 'second.example' });

    // A new browser session: the permission for the second shop is gone, no script is registered,
    // and a stray registration of an earlier version is left over.
    const apis = fakeBrowserApis();
    apis.granted.add(`${shop}/*`);
    apis.scripts.set('portrait-shop:https://old.example', { id: 'portrait-shop:https://old.example', matches: [], js: [] });
    const second = start(apis, local);
    await second.send({ type: 'settings/get' });
    await vi.waitFor(() => expect([...apis.scripts.keys()]).toEqual([`portrait-shop:${shop}`]));
  });
});

describe('syncShopScripts', () => {
  it('answers the origins that stay registered', async () => {
    const apis = fakeBrowserApis();
    apis.granted.add('https://a.example/*');
    const scripts = createShopScripts(apis.api);
    expect(await syncShopScripts(scripts, ['https://a.example', 'https://b.example'])).toEqual(['https://a.example']);
    expect(await scripts.registered()).toEqual(['https://a.example']);
  });

  it('says so when the browser cannot register content scripts', async () => {
    const scripts = createShopScripts({ permissions: fakeBrowserApis().api.permissions });
    await expect(scripts.register('https://a.example')).rejects.toThrow('scripting API missing');
  });
});

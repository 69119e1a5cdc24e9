// The overlay on shop admin pages, in Chromium with the built extension, the real background and
// the local stack with the demo data (supabase/seed.sql). The real admin URLs are routed to the
// fixture pages; the overlay lives in a closed shadow root, read through CDP.
//
// Shopify: the content script is in the manifest (admin.shopify.com). WooCommerce: the shop domain
// is added on the options page — the click asks for the origin's host permission, the background
// checks it and registers the content script with scripting.registerContentScripts — and the
// order page on that origin then shows the overlay. Chromium's permission prompt cannot be
// answered by automation; the test grants the site the way the Extensions page's "Site access"
// does (chrome.developerPrivate on chrome://extensions), after which the options page's
// permissions.request resolves as granted without a prompt.
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page, Worker } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { serveDocument, signInThroughPopup } from './helpers/extension.ts';
import { inspectShadowDom, type ShadowDom } from './helpers/cdp.ts';
import { startTestStack, type TestStack } from './helpers/stack.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const shopifyStore = 'https://admin.shopify.com/store/northwind-outfitters';
const wooOrigin = 'https://shop.lotustea.example';
const demoPassword = 'portrait-demo';


async function openPage(context: BrowserContext, url: string, html: string): Promise<{ page: Page; errors: Error[] }> {
  await serveDocument(context, new URL(url).origin, () => html);
  const page = await context.newPage();
  const errors: Error[] = [];
  page.on('pageerror', (error) => errors.push(error));
  page.on('console', (message) => {
    if (message.type() === 'warning' || message.type() === 'error') console.log(`[page] ${message.text()}`);
  });
  await page.goto(url);
  return { page, errors };
}

const pillQuery = { tag: 'button', attributes: { 'data-testid': 'portrait-pill' }, inClosedShadowRoot: true };

async function overlayShowing(shadow: ShadowDom, view: string, timeoutMs = 15_000) {
  try {
    return await shadow.find({ attributes: { 'data-testid': 'portrait-overlay', 'data-view': view }, inClosedShadowRoot: true }, timeoutMs);
  } catch (error) {
    const shown = await shadow.findAll({ attributes: { 'data-testid': 'portrait-overlay' }, inClosedShadowRoot: true });
    throw new Error(`The overlay does not show "${view}" but ${JSON.stringify(shown.map((n) => [n.attributes['data-view'], n.text]))}`, { cause: error });
  }
}

/** Waits until the pill reads `pattern` (name and stage; while loading it shows the name alone). */
async function pillText(shadow: ShadowDom, pattern: RegExp): Promise<string> {
  await expect.poll(async () => (await shadow.findAll(pillQuery))[0]?.text ?? '', { timeout: 15_000 }).toMatch(pattern);
  return (await shadow.find(pillQuery)).text;
}

function signIn(context: BrowserContext, extensionId: string, email: string): Promise<void> {
  return signInThroughPopup(context, extensionId, email, demoPassword);
}

/** The length of the stylesheet inside the overlay's closed shadow root (0: its CSS did not load). */
async function overlayCssLength(page: Page, shadow: ShadowDom): Promise<number> {
  const root = await shadow.find({ attributes: { 'data-testid': 'portrait-overlay' }, inClosedShadowRoot: true });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  const { object } = await cdp.send('DOM.resolveNode', { backendNodeId: root.backendNodeId });
  const { result } = await cdp.send('Runtime.callFunctionOn', {
    objectId: object.objectId!,
    functionDeclaration: 'function () { return [...this.getRootNode().querySelectorAll("style")].reduce((n, s) => n + s.textContent.length, 0); }',
    returnByValue: true,
  });
  await cdp.detach();
  return result.value as number;
}

test.describe('shop admin pages with the real background and the local stack', () => {
  test.describe.configure({ timeout: 120_000 });
  let stack: TestStack;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    stack = await startTestStack();
  });

  test.afterAll(async () => {
    await stack?.stop();
  });

  test('Shopify order and customer pages show the seeded customers; in-page navigation follows', async ({ context, extensionId }) => {
    await signIn(context, extensionId, 'admin@northwind.test');

    // Order #1005 (id 5499000005) is Li Wei's, reactivated at Northwind Outfitters.
    const { page, errors } = await openPage(context, `${shopifyStore}/orders/5499000005`, fixture('shopify-order.html'));
    const shadow = await inspectShadowDom(page);
    await overlayShowing(shadow, 'customer');
    await pillText(shadow, /^Li Wei\s*Reactivated/);
    // One person, not a switcher of their ids and addresses.
    expect((await shadow.find(pillQuery)).text).not.toMatch(/more on this page/);
    await shadow.click(await shadow.find(pillQuery));
    await shadow.find({ tag: 'h2', text: 'Li Wei', inClosedShadowRoot: true });
    expect(await shadow.findByRole('button', 'Remove tag Camper')).toHaveLength(1);
    expect(await overlayCssLength(page, shadow)).toBeGreaterThan(1_000);

    // "Next": the admin changes the URL with pushState and renders order #1003, Maria Garcia's.
    await page.getByRole('link', { name: 'Next' }).click();
    await expect(page).toHaveURL(`${shopifyStore}/orders/5499000003`);
    await pillText(shadow, /^Maria Garcia\s*At risk/);
    // Back (popstate) returns to Li Wei.
    await page.goBack();
    await expect(page).toHaveURL(`${shopifyStore}/orders/5499000005`);
    await pillText(shadow, /^Li Wei\s*Reactivated/);
    // A URL change alone (no change to the page) is followed too.
    await page.evaluate((url) => history.pushState({}, '', url), `${shopifyStore}/orders/5499000003`);
    await pillText(shadow, /^Maria Garcia\s*At risk/);
    expect(errors).toEqual([]);
    await shadow.detach();

    // Maria Garcia's customer page (customer 9002).
    const customer = await openPage(context, `${shopifyStore}/customers/9002`, fixture('shopify-customer.html'));
    const customerShadow = await inspectShadowDom(customer.page);
    await overlayShowing(customerShadow, 'customer');
    await pillText(customerShadow, /^Maria Garcia\s*At risk/);
    await customerShadow.detach();
  });

  test('Shopify: the URL id decides even when the page shows someone else, and an unknown order is "Not a customer yet"', async ({ context, extensionId }) => {
    await signIn(context, extensionId, 'admin@northwind.test');

    // An order nobody has, from a buyer nobody has: "Not a customer yet", with add as lead.
    const newBuyer = fixture('shopify-order.html')
      .replaceAll('li.wei@example.com', 'first.time.buyer@example.net')
      .replaceAll('Li Wei', 'Robin Hale')
      .replaceAll('/customers/9001', '/customers/7299999999')
      .replaceAll('+1 628-555-0142', '')
      .replaceAll('+1%20628-555-0142', '');
    const unknown = await openPage(context, `${shopifyStore}/orders/5400999999`, newBuyer);
    const shadow = await inspectShadowDom(unknown.page);
    await overlayShowing(shadow, 'unknown');
    await pillText(shadow, /^Robin Hale\s*Not a customer yet/);
    await shadow.click(await shadow.find(pillQuery));
    await shadow.find({ tag: 'button', text: 'Add as lead', inClosedShadowRoot: true });
    expect(await shadow.findAll({ tag: 'p', text: 'first.time.buyer@example.net', inClosedShadowRoot: true })).toHaveLength(1);
    await shadow.detach();

    // The same order page without any address: named, but nothing to add a lead by.
    const noAddress = newBuyer.replace(/<a id="customer-email"[^>]*>[^<]*<\/a>/, '');
    const bare = await openPage(context, `${shopifyStore}/orders/5400999998`, noAddress);
    const bareShadow = await inspectShadowDom(bare.page);
    await overlayShowing(bareShadow, 'unknown');
    await bareShadow.click(await bareShadow.find(pillQuery));
    await bareShadow.find({ tag: 'p', text: /no email address/, inClosedShadowRoot: true });
    expect(await bareShadow.findAll({ tag: 'button', text: 'Add as lead', inClosedShadowRoot: true })).toEqual([]);
    await bareShadow.detach();
  });

  test('WooCommerce: a shop domain added on the options page gets the overlay on both order screens', async ({ context, extensionId, serviceWorker }) => {
    await signIn(context, extensionId, 'admin@lotus.test');

    // Before the shop is added, its order page gets no content script at all.
    const before = await openPage(context, `${wooOrigin}/wp-admin/post.php?post=9708&action=edit`, fixture('woocommerce-order.html'));
    const beforeShadow = await inspectShadowDom(before.page);
    await before.page.waitForTimeout(1_500);
    expect(await beforeShadow.findAll({ tag: 'portrait-overlay' })).toEqual([]);
    await beforeShadow.detach();
    await before.page.close();

    // The background refuses a shop whose permission the user did not grant.
    const options = await context.newPage();
    await options.goto(`chrome-extension://${extensionId}/options.html`);
    const refused = await options.evaluate(() =>
      (globalThis as unknown as { chrome: typeof import('wxt/browser').browser }).chrome.runtime.sendMessage({
        type: 'settings/shop-domain',
        action: 'add',
        domain: 'other-shop.example',
      }),
    );
    expect(refused).toMatchObject({ ok: false, error: 'forbidden' });
    // Bad input: a clear error, nothing saved.
    await options.getByLabel(/Shop address/).fill('http://plain-http.example');
    await options.getByRole('button', { name: 'Add shop' }).click();
    await expect(options.getByTestId('shop-notice')).toHaveText('“http://plain-http.example” is not the https address of a shop.');

    // The user allows the site (what the Extensions page's site access does), then adds it here.
    const extensionsPage = await context.newPage();
    await extensionsPage.goto('chrome://extensions');
    await extensionsPage.evaluate(
      ([id, pattern]) =>
        (globalThis as unknown as { chrome: { developerPrivate: { addHostPermission(id: string, host: string): Promise<void> } } }).chrome.developerPrivate.addHostPermission(id!, pattern!),
      [extensionId, `${wooOrigin}/*`],
    );
    await extensionsPage.close();
    await options.getByLabel(/Shop address/).fill('shop.lotustea.example/wp-admin/');
    await options.getByRole('button', { name: 'Add shop' }).click();
    await expect(options.getByTestId('shop-notice')).toHaveText(`Added ${wooOrigin}. Open or reload an order page there.`);
    await expect(options.getByTestId('shop-domains')).toContainText(wooOrigin);

    const registered = await registeredScripts(serviceWorker);
    expect(registered).toEqual([
      {
        id: `portrait-shop:${wooOrigin}`,
        js: ['content-scripts/woocommerce.js'],
        matches: [`${wooOrigin}/*/wp-admin/*`, `${wooOrigin}/wp-admin/*`],
        persistAcrossSessions: true,
      },
    ]);

    // Classic screen: order 9708 is Li Wei's, loyal at Lotus Tea Co.
    const classic = await openPage(context, `${wooOrigin}/wp-admin/post.php?post=9708&action=edit`, fixture('woocommerce-order.html'));
    const shadow = await inspectShadowDom(classic.page);
    await overlayShowing(shadow, 'customer');
    await pillText(shadow, /^Li Wei\s*Loyal/);
    expect(await overlayCssLength(classic.page, shadow)).toBeGreaterThan(1_000);
    expect(classic.errors).toEqual([]);
    await shadow.detach();

    // HPOS screen: order 9709 is Maria Garcia's. The page shows a guest checkout with an address
    // nobody has, so only the order id in the URL can name her.
    const guest = fixture('woocommerce-order.html')
      .replaceAll('li.wei@example.com', 'guest.buyer@example.net')
      .replace(/<option value="9001" selected>[^<]*<\/option>/, '')
      .replaceAll('+86 138 0013 8000', '')
      .replaceAll('+86%20138%200013%208000', '');
    const hpos = await openPage(context, `${wooOrigin}/wp-admin/admin.php?page=wc-orders&action=edit&id=9709`, guest);
    const hposShadow = await inspectShadowDom(hpos.page);
    await overlayShowing(hposShadow, 'customer');
    await pillText(hposShadow, /^Maria Garcia\s*New/);
    await hposShadow.detach();

    // Removing the shop unregisters its script and gives the permission back.
    await options.getByRole('button', { name: `Remove ${wooOrigin}` }).click();
    await expect(options.getByTestId('shop-notice')).toHaveText(`Removed ${wooOrigin}.`);
    expect(await registeredScripts(serviceWorker)).toEqual([]);
    expect(
      await serviceWorker.evaluate(
        (origin) => (globalThis as unknown as { chrome: typeof import('wxt/browser').browser }).chrome.permissions.contains({ origins: [`${origin}/*`] }),
        wooOrigin,
      ),
    ).toBe(false);
  });
});

async function registeredScripts(worker: Worker) {
  return worker.evaluate(async () => {
    const { chrome } = globalThis as unknown as { chrome: typeof import('wxt/browser').browser };
    const scripts = await chrome.scripting.getRegisteredContentScripts();
    return scripts.map(({ id, js, matches, persistAcrossSessions }) => ({ id, js, matches: [...(matches ?? [])].sort(), persistAcrossSessions }));
  });
}

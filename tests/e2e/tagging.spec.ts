// Tagging from any page in real Chromium with the built extension, against the real local stack.
//
// A context-menu click or the shortcut hands the tab to the extension (activeTab) through a user
// gesture, which a test cannot give: Playwright cannot open the browser's context menu, and its
// key presses go to the page, not to the browser's shortcut handling. So:
// - the tests call the very handlers the menu and shortcut listeners call (`tagFromMenu`,
//   `tagFromCommand`, exposed on the service worker's scope), with the click data Chrome would
//   pass;
// - the page is served on an origin the extension may script without a gesture: the local API's
//   origin (http://127.0.0.1:54321, one of its host permissions), routed to a fixture page. From
//   there on everything is real: the background probes the frame and injects the dialog script
//   with `scripting.executeScript`, the dialog runs in a closed shadow root, its messages are
//   checked (sender frame and document, zod), the write goes through the persistent queue to the
//   local API and Postgres.
// What this does not show: that Chrome grants activeTab on a real menu click or shortcut, and
// that the menu item appears on a selection or a mailto: link (both are Chrome's own behaviour,
// declared in the manifest and in features/tagger/background/gestures.ts).
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page, Worker } from '@playwright/test';
import type { browser } from 'wxt/browser';
import { expect, test } from './fixtures.ts';
import { signInThroughPopup, stopServiceWorker } from './helpers/extension.ts';
import { inspectShadowDom, type ShadowDom } from './helpers/cdp.ts';
import { builtApiUrl, createTeam, startTestStack, type TestStack, type TestTeam } from './helpers/stack.ts';

test.describe.configure({ timeout: 90_000 });

let stack: TestStack;
let team: TestTeam;
const phoneCustomer = { name: 'Zhang Min', phone: '+8613800138000', id: '' };
const leadEmail = `new.buyer.${Math.random().toString(36).slice(2, 8)}@example.org`;
const pagePath = '/e2e/any-page.html';
const pageUrl = `${builtApiUrl}${pagePath}`;
const pageTitle = 'Trade fair 2026 – exhibitor contacts';

test.beforeAll(async () => {
  test.setTimeout(180_000);
  stack = await startTestStack();
  team = await createTeam(stack, 'Lotus Trading (tagging e2e)');
  // Numbers written without a country code are read as Chinese in this organization.
  await stack.db.query(`update public.organizations set settings = settings || '{"default_phone_region": "CN"}' where id = $1`, [team.orgId]);
  const [row] = (
    await stack.db.query<{ id: string }>(
      'insert into public.customers (org_id, display_name, primary_phone) values ($1, $2, $3) returning id',
      [team.orgId, phoneCustomer.name, phoneCustomer.phone],
    )
  ).rows;
  phoneCustomer.id = row!.id;
});

test.afterAll(async () => {
  await stack?.stop();
});

test.afterEach(async ({ context }) => {
  stack.network('online');
  await context.setOffline(false);
});

function signIn(context: BrowserContext, extensionId: string): Promise<void> {
  return signInThroughPopup(context, extensionId, team.rep.email, team.rep.password);
}

/** The fixture page on the local API's origin, with `text` selected (when given). */
async function openAnyPage(context: BrowserContext): Promise<Page> {
  const html = readFileSync(new URL('./fixtures/any-page.html', import.meta.url), 'utf8')
    .replace('__EMAIL__', team.customer.email)
    .replace('__LEAD__', leadEmail);
  await context.route(`${builtApiUrl}/e2e/**`, (route) => route.fulfill({ contentType: 'text/html; charset=utf-8', body: html }));
  const page = await context.newPage();
  await page.goto(pageUrl);
  return page;
}

async function select(page: Page, elementId: string): Promise<string> {
  return page.evaluate((id) => {
    const range = document.createRange();
    range.selectNodeContents(document.getElementById(id)!);
    const selection = document.getSelection()!;
    selection.removeAllRanges();
    selection.addRange(range);
    return selection.toString();
  }, elementId);
}

type Gesture = { ok: true; frameId: number } | { ok: false; message: string } | null;

/** What the context-menu listener does for a click with this data, in the page's tab. */
function clickMenu(worker: Worker, info: { menuItemId: string; selectionText?: string; linkUrl?: string }): Promise<Gesture> {
  return worker.evaluate(
    async ({ info, url }) => {
      const scope = globalThis as unknown as {
        chrome: typeof browser;
        portraitTagger: { tagFromMenu(info: object, tab: { id?: number }): Promise<Gesture> };
      };
      const [tab] = await scope.chrome.tabs.query({ url });
      return scope.portraitTagger.tagFromMenu({ frameId: 0, pageUrl: url, editable: false, ...info }, { id: tab?.id });
    },
    { info, url: pageUrl },
  );
}

/** What the shortcut's listener does, in the page's tab. */
function pressShortcut(worker: Worker): Promise<Gesture> {
  return worker.evaluate(async (url) => {
    const scope = globalThis as unknown as {
      chrome: typeof browser;
      portraitTagger: { tagFromCommand(command: string, tab: { id?: number }): Promise<Gesture> };
    };
    const [tab] = await scope.chrome.tabs.query({ url });
    return scope.portraitTagger.tagFromCommand('tag-customer', { id: tab?.id });
  }, pageUrl);
}

const inDialog = (testId: string, extra: Record<string, string> = {}) => ({
  attributes: { 'data-testid': testId, ...extra },
  inClosedShadowRoot: true,
});

/** Types into the dialog's tag input (focused through CDP, as Tab would) and presses Enter. */
async function typeTagAndSave(page: Page, shadow: ShadowDom, tag: string): Promise<void> {
  const input = await shadow.find(inDialog('tagger-tag-input'));
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  await cdp.send('DOM.focus', { backendNodeId: input.backendNodeId });
  await cdp.detach();
  await page.keyboard.type(tag);
  await page.keyboard.press('Enter');
}

async function tagsOf(customerId: string, name: string) {
  return (
    await stack.db.query<{ page_url: string | null; page_title: string | null; source: string }>(
      `select ct.page_url, ct.page_title, ct.source::text from public.customer_tags ct
         join public.tags t on t.id = ct.tag_id
        where ct.customer_id = $1 and t.name = $2`,
      [customerId, name],
    )
  ).rows;
}

test('an email selected on any page: the dialog shows the customer and Enter saves the tag with the page', async ({ context, extensionId, serviceWorker }) => {
  await signIn(context, extensionId);
  const page = await openAnyPage(context);
  const selectionText = await select(page, 'email');

  expect(await clickMenu(serviceWorker, { menuItemId: 'portrait-tag-selection', selectionText })).toEqual({ ok: true, frameId: 0 });

  const shadow = await inspectShadowDom(page);
  await shadow.find(inDialog('portrait-tag-dialog', { 'data-state': 'ready' }), 10_000);
  // The dialog lives in a closed shadow root: the page cannot see into it.
  expect(await page.evaluate(() => [...document.body.children].filter((e) => e.shadowRoot).length)).toBe(0);
  await shadow.find({ ...inDialog('tagger-candidate-name'), text: /^Li Wei/ });

  await typeTagAndSave(page, shadow, 'Trade fair 2026');
  await shadow.find({ ...inDialog('tagger-saved', { 'data-pending': 'false' }), text: 'Tagged Li Wei.' });
  expect(await tagsOf(team.customer.id, 'Trade fair 2026')).toEqual([{ page_url: pageUrl, page_title: pageTitle, source: 'manual' }]);
  // The keys typed into the dialog never reached the page's listeners.
  expect(await page.evaluate(() => (window as unknown as { pageKeys: string[] }).pageKeys)).toEqual([]);
  // The dialog closes by itself after saving, and its frame may send nothing more.
  await expect.poll(async () => (await shadow.findAll(inDialog('portrait-tag-dialog'))).length, { timeout: 5_000 }).toBe(0);
  await shadow.detach();
});

test('a phone number in another format resolves to the seeded customer; a name resolves through search_customers', async ({ context, extensionId, serviceWorker }) => {
  await signIn(context, extensionId);
  const page = await openAnyPage(context);

  // "138 0013 8000" on the page; +8613800138000 in the database.
  const phoneText = await select(page, 'phone');
  expect(await clickMenu(serviceWorker, { menuItemId: 'portrait-tag-selection', selectionText: phoneText })).toMatchObject({ ok: true });
  let shadow = await inspectShadowDom(page);
  await shadow.find({ ...inDialog('tagger-candidate-name'), text: /^Zhang Min/ }, 10_000);
  await typeTagAndSave(page, shadow, 'Called from fair');
  await shadow.find(inDialog('tagger-saved'));
  expect(await tagsOf(phoneCustomer.id, 'Called from fair')).toEqual([{ page_url: pageUrl, page_title: pageTitle, source: 'manual' }]);
  await expect.poll(async () => (await shadow.findAll(inDialog('portrait-tag-dialog'))).length, { timeout: 5_000 }).toBe(0);
  await shadow.detach();

  // A name, through the shortcut: the dialog reads the selection itself.
  await select(page, 'name');
  expect(await pressShortcut(serviceWorker)).toMatchObject({ ok: true });
  shadow = await inspectShadowDom(page);
  await shadow.find({ ...inDialog('tagger-candidate-name'), text: /^Li Wei/ }, 10_000);
  await typeTagAndSave(page, shadow, 'Met at reception');
  await shadow.find(inDialog('tagger-saved'));
  expect(await tagsOf(team.customer.id, 'Met at reception')).toHaveLength(1);
  await shadow.detach();
});

test('a mailto: link of someone unknown: saving adds them as a lead with the name typed', async ({ context, extensionId, serviceWorker }) => {
  await signIn(context, extensionId);
  const page = await openAnyPage(context);
  const linkUrl = await page.locator('#mailto').evaluate((a) => (a as HTMLAnchorElement).href);

  expect(await clickMenu(serviceWorker, { menuItemId: 'portrait-tag-link', linkUrl })).toMatchObject({ ok: true });
  const shadow = await inspectShadowDom(page);
  await shadow.find(inDialog('tagger-new-lead'), 10_000);
  const nameInput = await shadow.find(inDialog('tagger-lead-name'));
  const cdp = await context.newCDPSession(page);
  await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  await cdp.send('DOM.focus', { backendNodeId: nameInput.backendNodeId });
  await cdp.detach();
  await page.keyboard.type('Wang Fang');
  await typeTagAndSave(page, shadow, 'Samples requested');
  await shadow.find(inDialog('tagger-saved'));

  const [lead] = (
    await stack.db.query<{ id: string; display_name: string }>(
      `select c.id, c.display_name from public.customers c
         join public.customer_identities i on i.customer_id = c.id
        where i.org_id = $1 and i.kind = 'email' and i.value = $2`,
      [team.orgId, leadEmail],
    )
  ).rows;
  expect(lead?.display_name).toBe('Wang Fang');
  expect(await tagsOf(lead!.id, 'Samples requested')).toEqual([{ page_url: pageUrl, page_title: pageTitle, source: 'manual' }]);
  await shadow.detach();
});

test('in Chinese when the language setting says so, with the page\'s keys kept out', async ({ context, extensionId, serviceWorker }) => {
  await signIn(context, extensionId);
  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId}/popup.html`);
  expect(
    await options.evaluate(() =>
      (globalThis as unknown as { chrome: typeof browser }).chrome.runtime.sendMessage({
        type: 'settings/preferences',
        ownAddresses: [],
        internalDomains: [],
        language: 'zh-CN',
      }),
    ),
  ).toMatchObject({ ok: true });
  await options.close();

  const page = await openAnyPage(context);
  expect(await clickMenu(serviceWorker, { menuItemId: 'portrait-tag-selection', selectionText: await select(page, 'email') })).toMatchObject({ ok: true });
  const shadow = await inspectShadowDom(page);
  await shadow.find(inDialog('portrait-tag-dialog', { 'data-state': 'ready', lang: 'zh-CN' }), 10_000);
  await shadow.find({ tag: 'h2', text: '标记客户', inClosedShadowRoot: true });
  // The stage in its Chinese name (extension/README.md, "Vocabulary"), whichever the engine computed.
  await shadow.find({ ...inDialog('tagger-candidate-name'), text: /^Li Wei(潜在|意向|新|活跃|忠诚|沉睡|流失|回流)客户$/ });
  // Escape closes the dialog; the page heard none of it.
  await page.keyboard.press('Escape');
  await expect.poll(async () => (await shadow.findAll(inDialog('portrait-tag-dialog'))).length, { timeout: 5_000 }).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { pageKeys: string[] }).pageKeys)).toEqual([]);
  await shadow.detach();
});

/** Runs extension code in the page's frame (as the dialog's script runs) and returns the background's answer. */
function sendFromPageFrame(worker: Worker, message: object): Promise<{ ok: boolean; error?: string }> {
  return worker.evaluate(
    async ({ message, url }) => {
      const { chrome } = globalThis as unknown as { chrome: typeof browser };
      const [tab] = await chrome.tabs.query({ url });
      const [injection] = await chrome.scripting.executeScript({
        target: { tabId: tab!.id!, frameIds: [0] },
        func: (m: object) => (globalThis as unknown as { chrome: typeof browser }).chrome.runtime.sendMessage(m),
        args: [message],
      });
      return injection!.result as { ok: boolean; error?: string };
    },
    { message, url: pageUrl },
  );
}

test('the dialog\'s messages are answered only in the document it was injected into', async ({ context, extensionId, serviceWorker }) => {
  await signIn(context, extensionId);
  const page = await openAnyPage(context);
  const forged = { type: 'tagger/save', identifier: { kind: 'email', value: team.customer.email }, tags: ['Forged'], displayName: null, pageTitle: null };

  // Before any menu click or shortcut: refused.
  expect(await sendFromPageFrame(serviceWorker, forged)).toMatchObject({ ok: false, error: 'forbidden' });
  // Malformed, even from the page's own frame: refused before anything else.
  expect(await sendFromPageFrame(serviceWorker, { type: 'tagger/save', tags: ['x'] })).toMatchObject({ ok: false });

  expect(await clickMenu(serviceWorker, { menuItemId: 'portrait-tag-selection', selectionText: 'Li Wei' })).toMatchObject({ ok: true });
  expect(await sendFromPageFrame(serviceWorker, { type: 'tagger/resolve', text: 'Li Wei' })).toMatchObject({ ok: true });

  // The page navigates: a new document in the same tab and frame is not the one handed over.
  await page.reload();
  expect(await sendFromPageFrame(serviceWorker, forged)).toMatchObject({ ok: false, error: 'forbidden' });
  expect(await tagsOf(team.customer.id, 'Forged')).toEqual([]);
});

test('tagging offline is kept through a stopped service worker and lands exactly once', async ({ context, extensionId, serviceWorker }) => {
  await signIn(context, extensionId);
  const page = await openAnyPage(context);
  const selectionText = await select(page, 'email');

  // Offline: the browser and the API both.
  await context.setOffline(true);
  stack.network('offline');
  expect(await clickMenu(serviceWorker, { menuItemId: 'portrait-tag-selection', selectionText })).toMatchObject({ ok: true });
  const shadow = await inspectShadowDom(page);
  await shadow.find(inDialog('portrait-tag-dialog', { 'data-state': 'ready' }), 10_000);
  await shadow.find({ ...inDialog('tagger-who-status'), text: /^Offline/ });
  await typeTagAndSave(page, shadow, 'Offline fair tag');
  await shadow.find(inDialog('tagger-saved', { 'data-pending': 'true' }), 10_000);
  await shadow.detach();

  // The browser's offline emulation is lifted before the worker stops (a worker started later
  // would otherwise inherit it); the API stays unreachable until the new worker runs.
  await context.setOffline(false);
  await stopServiceWorker(page, extensionId);
  expect(await tagsOf(team.customer.id, 'Offline fair tag')).toEqual([]);

  // Back online; opening the popup starts a new worker, which sends the queue.
  stack.network('online');
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await expect.poll(() => tagsOf(team.customer.id, 'Offline fair tag'), { timeout: 20_000 }).toEqual([
    { page_url: pageUrl, page_title: pageTitle, source: 'manual' },
  ]);
  await popup.reload();
  await expect(popup.getByTestId('signed-in-email')).toHaveText(team.rep.email);
  await expect(popup.getByTestId('pending-writes')).toHaveCount(0);
  await page.waitForTimeout(1_500);
  expect(await tagsOf(team.customer.id, 'Offline fair tag')).toHaveLength(1);
  const [requests] = (
    await stack.db.query<{ count: string }>(
      `select count(*) from public.api_requests where org_id = $1 and rpc = 'tag_customer' and arguments -> 'tags' ? 'Offline fair tag'`,
      [team.orgId],
    )
  ).rows;
  expect(Number(requests?.count)).toBe(1);
});

// The UI in both languages, in real Chromium with the built extension against the local stack: the
// language option switches the options page, the popup and, live, the overlay
// on an open Gmail thread; the expanded overlay is saved as a screenshot in each language
// (test-results/…/overlay-zh-CN.png and overlay-en.png).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page, TestInfo } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { serveDocument, signInThroughPopup } from './helpers/extension.ts';
import { inspectShadowDom, type PiercedNode, type ShadowDom } from './helpers/cdp.ts';
import { createTeam, startTestStack, type TestStack, type TestTeam } from './helpers/stack.ts';

const gmailThreadUrl = 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQbfxkKqPGsJwVrdZcQwPzRmNtL';
const threadFixture = readFileSync(new URL('./fixtures/gmail-thread.html', import.meta.url), 'utf8');

const pillQuery = { tag: 'button', attributes: { 'data-testid': 'portrait-pill' }, inClosedShadowRoot: true };
const cardQuery = { attributes: { 'data-testid': 'portrait-card' }, inClosedShadowRoot: true };

test.describe.configure({ timeout: 90_000 });

let stack: TestStack;
let team: TestTeam;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  stack = await startTestStack();
  team = await createTeam(stack, 'Lotus Tea Co. (e2e)');
  const { orgId, customer } = team;
  await stack.db.query(`update public.organizations set settings = settings || '{"currency": "CNY"}' where id = $1`, [orgId]);
  // Li Wei, the thread's latest sender, becomes a loyal buyer: eight paid orders over two years,
  // the latest 12 days ago, and one refunded.
  const orders: Array<[number, number, string]> = [
    [700, 1288, 'paid'], [560, 468, 'paid'], [420, 2680, 'paid'], [300, 388, 'paid'], [200, 568, 'refunded'],
    [150, 888, 'paid'], [75, 1688, 'paid'], [40, 328, 'paid'], [12, 968, 'paid'],
  ];
  for (const [ago, total, status] of orders) {
    await stack.db.query(
      `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, refunded_amount, currency, status)
       values ($1, $2, 'manual', $3, now() - make_interval(days => $4::integer, hours => 2), $5::numeric,
               case when $6::text = 'refunded' then $5::numeric else 0 end, 'CNY', $6::public.order_status)`,
      [orgId, customer.id, `E2E-${ago}`, ago, total, status],
    );
  }
  for (const name of ['VIP', '乌龙茶爱好者']) {
    const [tag] = (await stack.db.query<{ id: string }>('insert into public.tags (org_id, name) values ($1, $2) returning id', [orgId, name])).rows;
    await stack.db.query(`insert into public.customer_tags (org_id, customer_id, tag_id, source) values ($1, $2, $3, 'manual')`, [orgId, customer.id, tag!.id]);
  }
  // A full engine run, as the scheduler does: cut points, RFM, tier, ticket band.
  const [run] = (await stack.db.query<{ answer: { error?: string } }>(`select private.recompute($1, 'full') as answer`, [orgId])).rows;
  expect(run?.answer.error ?? null).toBeNull();
});

test.afterAll(async () => {
  await stack?.stop();
});

test.beforeEach(() => {
  // Without a CJK font Chromium draws Chinese as empty boxes; .ci/run installs fonts-wqy-microhei.
  let fonts = '';
  try {
    fonts = execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' });
  } catch {
    // fontconfig missing: no fonts either.
  }
  expect(fonts.trim(), 'a font with Chinese glyphs (apt-get install fonts-wqy-microhei)').not.toBe('');
});

function signIn(context: BrowserContext, extensionId: string): Promise<void> {
  return signInThroughPopup(context, extensionId, team.rep.email, team.rep.password);
}

async function openThread(context: BrowserContext): Promise<{ page: Page; shadow: ShadowDom; errors: Error[] }> {
  await serveDocument(context, 'https://mail.google.com', threadFixture.replaceAll('li.wei@example.com', team.customer.email));
  const page = await context.newPage();
  const errors: Error[] = [];
  page.on('pageerror', (error) => errors.push(error));
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(gmailThreadUrl);
  const shadow = await inspectShadowDom(page);
  await shadow.find({ attributes: { 'data-testid': 'portrait-overlay', 'data-view': 'customer' }, inClosedShadowRoot: true }, 20_000);
  return { page, shadow, errors };
}

/** The pill's text once it matches `text` (it changes in place when the language does). */
async function pillShowing(shadow: ShadowDom, text: RegExp, timeoutMs = 10_000): Promise<PiercedNode> {
  return shadow.find({ ...pillQuery, text }, timeoutMs);
}

async function chooseLanguage(context: BrowserContext, extensionId: string, label: string): Promise<Page> {
  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId}/options.html`);
  await options.locator('select[name="language"]').selectOption({ label });
  await options.locator('select[name="language"]').locator('xpath=ancestor::form').getByRole('button').click();
  return options;
}

/** Saves the expanded card (inside the closed shadow root) as a PNG beside the test's results. */
async function screenshotCard(page: Page, card: PiercedNode, testInfo: TestInfo, name: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  const { model } = await cdp.send('DOM.getBoxModel', { backendNodeId: card.backendNodeId });
  await cdp.detach();
  const [x1, y1, , , x3, y3] = model.border;
  const margin = 12;
  const clip = { x: x1! - margin, y: y1! - 56, width: x3! - x1! + 2 * margin, height: y3! - y1! + 56 + margin };
  const path = testInfo.outputPath(name);
  await page.screenshot({ path, clip });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

test('the language option switches the options page, the popup and, live, the overlay to 简体中文', async ({ context, extensionId }, testInfo) => {
  await signIn(context, extensionId);
  const { page, shadow, errors } = await openThread(context);
  await pillShowing(shadow, /^Li Wei\s*Loyal\b/, 15_000);

  // The options page follows the choice as soon as it is saved, <html lang> included.
  const options = await chooseLanguage(context, extensionId, '简体中文');
  await expect(options.getByRole('heading', { level: 1 })).toHaveText('Portrait 选项');
  await expect(options.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(options).toHaveTitle('Portrait 选项');
  await expect(options.getByRole('status')).toHaveText('已保存。');

  // The open Gmail tab changes language without a reload.
  await pillShowing(shadow, /^Li Wei\s*忠诚客户/);
  await shadow.find({ attributes: { 'data-testid': 'portrait-overlay', lang: 'zh-CN' }, inClosedShadowRoot: true });
  await shadow.click(await shadow.find(pillQuery));
  const card = await shadow.find({ ...cardQuery, text: /关键数据|订单数/ });
  expect(card.text).toContain('忠诚客户');
  // The stage's reason, in the engine's words.
  expect(card.text).toContain('共 8 单，最近一次在12天前。');
  const badgeText = (await shadow.findAll({ tag: 'ul', attributes: { 'aria-label': '客户分类' }, inClosedShadowRoot: true }))[0]?.text ?? '';
  expect(badgeText).toMatch(/普通|贵宾|超级贵宾/);
  expect(badgeText).toMatch(/高客单|低客单/);
  expect(badgeText).toMatch(/(冠军客户|忠诚客户|潜在忠诚客户|新客户|有潜力客户|需要关注客户|即将沉睡客户|不可流失客户|流失风险客户|已流失客户|休眠客户) R\d F\d M\d/);
  // Numbers and dates for the locale: CNY from Intl in zh-CN, relative times in Chinese.
  expect(card.text).toMatch(/净消费¥[\d,]+/);
  expect(card.text).toContain('最近一次下单12天前');
  expect(card.text).toMatch(/\d{4}年\d{1,2}月\d{1,2}日/);
  expect(card.text).toContain('更新于');
  expect(await shadow.findByRole('button', '移除标签 VIP')).toHaveLength(1);
  await screenshotCard(page, card, testInfo, 'overlay-zh-CN.png');

  // The popup opens in Chinese too.
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await expect(popup.getByRole('button', { name: '退出登录' })).toBeVisible();
  await expect(popup.locator('html')).toHaveAttribute('lang', 'zh-CN');
  expect(errors).toEqual([]);
  await shadow.detach();
});

test('in English, the same portrait reads in English', async ({ context, extensionId }, testInfo) => {
  await signIn(context, extensionId);
  const options = await chooseLanguage(context, extensionId, 'English');
  await expect(options.locator('html')).toHaveAttribute('lang', 'en');
  await expect(options.getByRole('status')).toHaveText('Saved.');
  const { page, shadow, errors } = await openThread(context);
  await shadow.click(await pillShowing(shadow, /^Li Wei\s*Loyal\b/, 15_000));
  const card = await shadow.find({ ...cardQuery, text: /Orders/ });
  expect(card.text).toContain('8 orders, the last 12 days ago.');
  expect(card.text).toMatch(/Net spend(CN)?¥[\d,]+/);
  expect(card.text).toContain('Last order12 days ago');
  for (const chinese of ['忠诚客户', '客户分类', '关键数据', '标签']) expect(card.text).not.toContain(chinese);
  await screenshotCard(page, card, testInfo, 'overlay-en.png');
  expect(errors).toEqual([]);
  await shadow.detach();
});

// The card's actions in Chromium with the built extension and the real background against the
// local stack: the timeline (loaded when the card opens, from card-actions.js), follow-ups made
// offline landing once, the overdue mark on the pill, claiming a customer from the pool and a
// satisfaction visit logged offline.
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { serveDocument, signInThroughPopup } from './helpers/extension.ts';
import { inspectShadowDom, type ShadowDom } from './helpers/cdp.ts';
import { createTeam, startTestStack, type TestStack, type TestTeam } from './helpers/stack.ts';

const gmailThreadUrl = 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQbfxkKqPGsJwVrdZcQwPzRmNtL';
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

test.describe.configure({ timeout: 90_000 });

let stack: TestStack;
let team: TestTeam;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  stack = await startTestStack();
  team = await createTeam(stack);
  await stack.db.query(
    `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, refunded_amount, currency, status)
     values ($1, $2, 'manual', 'E2E-1001', now() - interval '3 days', 120, 0, 'CNY', 'paid')`,
    [team.orgId, team.customer.id],
  );
  await stack.db.query(
    `insert into public.notes (org_id, customer_id, author_id, body, created_at) values ($1, $2, $3, 'Asked for the <b>catalogue</b>', now() - interval '2 days')`,
    [team.orgId, team.customer.id, team.rep.userId],
  );
  await stack.db.query(
    `insert into public.stage_changes (org_id, customer_id, from_stage, to_stage, changed_at, source, changed_by, reason)
     values ($1, $2, 'lead', 'new', now() - interval '3 days', 'computed', null, '{}')`,
    [team.orgId, team.customer.id],
  );
});

test.afterAll(async () => {
  await stack?.stop();
});
test.afterEach(() => stack.network('online'));

const threadWithCustomer = () => fixture('gmail-thread.html').replaceAll('li.wei@example.com', team.customer.email);
const pillQuery = { tag: 'button', attributes: { 'data-testid': 'portrait-pill' }, inClosedShadowRoot: true };
const count = async (sql: string, params: unknown[]) => Number((await stack.db.query<{ count: string }>(sql, params)).rows[0]!.count);

async function openCard(context: BrowserContext, extensionId: string): Promise<{ page: Page; shadow: ShadowDom }> {
  await signInThroughPopup(context, extensionId, team.rep.email, team.rep.password);
  await serveDocument(context, new URL(gmailThreadUrl).origin, threadWithCustomer());
  const page = await context.newPage();
  await page.goto(gmailThreadUrl);
  const shadow = await inspectShadowDom(page);
  await shadow.find({ attributes: { 'data-testid': 'portrait-overlay', 'data-view': 'customer' }, inClosedShadowRoot: true }, 15_000);
  await shadow.click(await shadow.find(pillQuery));
  await shadow.find({ attributes: { 'data-testid': 'portrait-card-actions' }, inClosedShadowRoot: true }, 15_000);
  return { page, shadow };
}

const button = (shadow: ShadowDom, text: string | RegExp) => shadow.find({ tag: 'button', text, inClosedShadowRoot: true }, 15_000);

test('the card loads the timeline when it opens: orders, notes and stage changes, as text', async ({ context, extensionId }) => {
  const { shadow } = await openCard(context, extensionId);
  const timeline = await shadow.find({ attributes: { 'data-testid': 'portrait-timeline' }, inClosedShadowRoot: true });
  await expect
    .poll(async () => (await shadow.findAll({ tag: 'li', attributes: { 'data-kind': 'order' }, inClosedShadowRoot: true })).length, { timeout: 15_000 })
    .toBe(1);
  expect(await shadow.findAll({ tag: 'li', attributes: { 'data-kind': 'note' }, inClosedShadowRoot: true })).toHaveLength(1);
  // The stage change seeded above, and the one the engine made when the order arrived.
  const stages = await shadow.findAll({ tag: 'li', attributes: { 'data-kind': 'stage_change' }, inClosedShadowRoot: true });
  expect(stages.map((node) => node.text)).toContainEqual(expect.stringContaining('Stage: Lead → New'));
  // The note's markup is text, not elements.
  expect(await shadow.findAll({ tag: 'b', inClosedShadowRoot: true })).toHaveLength(0);
  expect(timeline).toBeTruthy();
  await shadow.detach();
});

test('a follow-up for tomorrow made offline is pending, then lands once', async ({ context, extensionId }) => {
  const { shadow } = await openCard(context, extensionId);
  stack.network('offline');
  await shadow.click(await button(shadow, 'Follow up'));
  await shadow.click(await button(shadow, 'Save follow-up'));
  await shadow.find({ attributes: { 'data-testid': 'portrait-open-follow-up' }, text: /Saving/, inClosedShadowRoot: true }, 15_000);
  const landed = () => count('select count(*) from public.follow_ups where customer_id = $1 and done_at is null', [team.customer.id]);
  expect(await landed()).toBe(0);
  stack.network('online');
  // The background retries with backoff; a new message (the popup) wakes the queue at once.
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await expect.poll(landed, { timeout: 30_000 }).toBe(1);
  const [row] = (await stack.db.query<{ due_at: Date | string }>('select due_at from public.follow_ups where customer_id = $1', [team.customer.id])).rows;
  const due = new Date(row!.due_at).getTime();
  expect(due).toBeGreaterThan(Date.now());
  expect(due).toBeLessThan(Date.now() + 2 * 86_400_000);
  await popup.waitForTimeout(1_500);
  expect(await landed()).toBe(1);
  await shadow.detach();
});

test('an overdue follow-up marks the pill and is listed in the popup', async ({ context, extensionId }) => {
  await stack.db.query(
    `insert into public.follow_ups (org_id, customer_id, assignee_id, created_by, due_at, note) values ($1, $2, $3, $3, now() - interval '2 days', 'Send the price list')`,
    [team.orgId, team.customer.id, team.rep.userId],
  );
  const { shadow } = await openCard(context, extensionId);
  await shadow.find({ attributes: { 'data-testid': 'portrait-overdue' }, text: 'Follow-up overdue', inClosedShadowRoot: true }, 15_000);
  await shadow.detach();
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await expect(popup.getByTestId('follow-ups-overdue')).toContainText(team.customer.name, { timeout: 15_000 });
});

test('claiming a customer from the pool in the card makes the rep the owner', async ({ context, extensionId }) => {
  await stack.db.query('update public.customers set owner_id = null where id = $1', [team.customer.id]);
  const { shadow } = await openCard(context, extensionId);
  await shadow.click(await button(shadow, 'Claim'));
  const owner = async () => (await stack.db.query<{ owner_id: string | null }>('select owner_id from public.customers where id = $1', [team.customer.id])).rows[0]!.owner_id;
  await expect.poll(owner, { timeout: 15_000 }).toBe(team.rep.userId);
  await shadow.find({ attributes: { 'data-testid': 'portrait-owner' }, text: /You/, inClosedShadowRoot: true }, 15_000);
  await shadow.detach();
});

test('a visit logged offline lands once', async ({ context, extensionId }) => {
  const { shadow } = await openCard(context, extensionId);
  stack.network('offline');
  await shadow.click(await button(shadow, 'Log a visit'));
  await shadow.click(await shadow.find({ tag: 'input', attributes: { name: 'portrait-visit-score', type: 'radio' }, inClosedShadowRoot: true }));
  await shadow.click(await button(shadow, 'Save visit'));
  await shadow.find({ tag: 'p', text: /Saved offline/, inClosedShadowRoot: true }, 15_000);
  const landed = () => count('select count(*) from public.satisfaction_responses where customer_id = $1', [team.customer.id]);
  expect(await landed()).toBe(0);
  stack.network('online');
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await expect.poll(landed, { timeout: 30_000 }).toBe(1);
  await popup.waitForTimeout(1_500);
  expect(await landed()).toBe(1);
  await shadow.detach();
});

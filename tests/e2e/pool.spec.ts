// The pool (公海) in Chromium with the built extension, the real background and the local stack:
// an admin assigns a customer from the card to a colleague with the keyboard; a rep claims a pool
// customer from the card and sees when they will return to the pool; the Overview's Pool view
// lists the pool and claims from it (at a popup's width and on a small laptop screen); the popup
// lists the customers returning soon. The last three need the recycle rules and the pool RPCs
// (pool_customers, my_pool_returns, the portrait's recycle_at).
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
const colleague = { email: '', userId: '', name: 'Mei Colleague' };

test.beforeAll(async () => {
  test.setTimeout(120_000);
  stack = await startTestStack();
  team = await createTeam(stack, 'Lotus Pool (e2e)');
  colleague.email = `mei.${Math.random().toString(36).slice(2, 8)}@lotus.example`;
  const signup = await fetch(`${stack.directUrl}/auth/v1/signup`, {
    method: 'POST',
    headers: { apikey: stack.anonKey, 'content-type': 'application/json' },
    body: JSON.stringify({ email: colleague.email, password: 'correct horse battery' }),
  });
  if (!signup.ok) throw new Error(`Sign-up failed: ${signup.status} ${await signup.text()}`);
  colleague.userId = ((await signup.json()) as { user: { id: string } }).user.id;
  await stack.db.query(`insert into public.members (org_id, user_id, role, display_name) values ($1, $2, 'rep', $3)`, [
    team.orgId,
    colleague.userId,
    colleague.name,
  ]);
});

test.afterAll(async () => {
  await stack?.stop();
});
test.afterEach(() => stack.network('online'));

const threadWithCustomer = () => fixture('gmail-thread.html').replaceAll('li.wei@example.com', team.customer.email);
const pillQuery = { tag: 'button', attributes: { 'data-testid': 'portrait-pill' }, inClosedShadowRoot: true };
const ownerOf = async (customerId: string) =>
  (await stack.db.query<{ owner_id: string | null }>('select owner_id from public.customers where id = $1', [customerId])).rows[0]!.owner_id;
const setRole = (role: 'rep' | 'admin') =>
  stack.db.query('update public.members set role = $3 where org_id = $1 and user_id = $2', [team.orgId, team.rep.userId, role]);

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

test('an admin assigns a customer from the card to a colleague, with the keyboard', async ({ context, extensionId }) => {
  await setRole('admin');
  await stack.db.query('update public.customers set owner_id = null where id = $1', [team.customer.id]);
  try {
    const { page, shadow } = await openCard(context, extensionId);
    await shadow.click(await button(shadow, 'Assign to…'));
    // The picker opens focused on the member list, on the first member who is not the owner (by
    // name: the colleague before the admin); Tab reaches Assign, Enter assigns.
    const picker = await shadow.find({ tag: 'select', inClosedShadowRoot: true }, 15_000);
    expect(picker).toBeTruthy();
    const options = await shadow.findAll({ tag: 'option', inClosedShadowRoot: true });
    expect(options.map((option) => option.text)).toEqual([
      expect.stringContaining(`${colleague.name} (sales rep)`),
      expect.stringContaining('Rei Rep (admin)'),
    ]);
    await page.waitForTimeout(300);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => ownerOf(team.customer.id), { timeout: 15_000 }).toBe(colleague.userId);
    const history = await stack.db.query<{ reason: string; to_owner: string; changed_by: string }>(
      'select reason::text, to_owner_id as to_owner, changed_by from public.ownership_changes where customer_id = $1 order by changed_at desc limit 1',
      [team.customer.id],
    );
    expect(history.rows[0]).toEqual({ reason: 'assigned', to_owner: colleague.userId, changed_by: team.rep.userId });
    await shadow.find({ attributes: { 'data-testid': 'portrait-owner' }, text: new RegExp(colleague.name), inClosedShadowRoot: true }, 15_000);
    await shadow.detach();
  } finally {
    // An organization keeps at least one admin: the colleague takes over before the rep steps back.
    await stack.db.query(`update public.members set role = 'admin' where org_id = $1 and user_id = $2`, [team.orgId, colleague.userId]);
    await setRole('rep');
  }
});

test('a rep is not offered Assign to…', async ({ context, extensionId }) => {
  const { shadow } = await openCard(context, extensionId);
  await shadow.find({ attributes: { 'data-testid': 'portrait-owner' }, inClosedShadowRoot: true }, 15_000);
  expect(await shadow.findAll({ tag: 'button', text: 'Assign to…', inClosedShadowRoot: true })).toHaveLength(0);
  await shadow.detach();
});

// The recycle rule: normal customers return to the pool after 30 days without a follow-up
// (organization settings, supabase/README.md).
const recycleAfter30Days = () =>
  stack.db.query(`update public.organizations set settings = settings || '{"pool": {"recycle_days": {"by_tier": {"normal": 30}}}}'::jsonb where id = $1`, [
    team.orgId,
  ]);

test('a rep claims a pool customer from the card and sees when they return to the pool; the popup lists them', async ({ context, extensionId }) => {
  await recycleAfter30Days();
  await stack.db.query('update public.customers set owner_id = null where id = $1', [team.customer.id]);
  const { shadow } = await openCard(context, extensionId);
  await shadow.click(await button(shadow, 'Claim'));
  await expect.poll(() => ownerOf(team.customer.id), { timeout: 15_000 }).toBe(team.rep.userId);
  await shadow.find({ attributes: { 'data-testid': 'portrait-owner' }, text: /You/, inClosedShadowRoot: true }, 15_000);
  const warning = await shadow.find({ attributes: { 'data-testid': 'portrait-recycle' }, inClosedShadowRoot: true }, 15_000);
  expect(warning.text).toMatch(/^Returns to the pool in (29|30) days$/);
  await shadow.detach();

  // Two days left: red, in words, and listed in the popup.
  await stack.db.query(
    `update public.organizations set settings = settings || '{"pool": {"recycle_days": {"by_tier": {"normal": 2}}}}'::jsonb where id = $1`,
    [team.orgId],
  );
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  const returning = popup.getByRole('region', { name: 'Returning to the pool' });
  await expect(returning).toContainText(team.customer.name, { timeout: 15_000 });
  await expect(returning.locator('[data-urgent="true"]')).toHaveCount(1);
});

test('the Overview lists the pool and claims from it, at a popup width and on a small laptop', async ({ context, extensionId }) => {
  await stack.db.query('update public.customers set owner_id = null where id = $1', [team.customer.id]);
  await signInThroughPopup(context, extensionId, team.rep.email, team.rep.password);
  const page = await context.newPage();
  for (const size of [
    { width: 480, height: 700 },
    { width: 1024, height: 600 },
  ]) {
    await page.setViewportSize(size);
    await page.goto(`chrome-extension://${extensionId}/overview.html#pool`);
    await expect(page.getByRole('button', { name: 'Pool' })).toHaveAttribute('aria-pressed', 'true', { timeout: 15_000 });
    const row = page.getByTestId('pool-row').filter({ hasText: team.customer.name });
    await expect(row).toBeVisible({ timeout: 15_000 });
    // Nothing wider than the window: every row wraps.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  }
  // The stage filter builds a rule: a stage the customer is not in leaves them out.
  await page.getByRole('combobox', { name: 'Lifecycle stage' }).selectOption('churned');
  await expect(page.getByTestId('pool-row').filter({ hasText: team.customer.name })).toHaveCount(0, { timeout: 15_000 });
  await page.getByRole('combobox', { name: 'Lifecycle stage' }).selectOption('');
  const claim = page.getByRole('button', { name: `Claim ${team.customer.name}` }).first();
  await claim.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('pool-row').filter({ hasText: team.customer.name }).getByRole('status')).toHaveText(
    'Claimed: you own this customer now.',
    { timeout: 15_000 },
  );
  expect(await ownerOf(team.customer.id)).toBe(team.rep.userId);
});

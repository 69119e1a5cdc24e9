// The popup and the background in real Chromium against the real local stack.
import type { Page } from '@playwright/test';
import type { browser } from 'wxt/browser';
import { expect, test } from './fixtures.ts';
import { createTeam, startTestStack, type TestStack, type TestTeam } from './helpers/stack.ts';

test.describe.configure({ timeout: 60_000 });

let stack: TestStack;
let team: TestTeam;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  stack = await startTestStack();
  team = await createTeam(stack);
});

test.afterAll(async () => {
  await stack?.stop();
});

/** Sends a message to the background from an extension page, as the popup does. */
function sendFrom(page: Page, message: unknown): Promise<unknown> {
  return page.evaluate(
    (m) => (globalThis as unknown as { chrome: typeof browser }).chrome.runtime.sendMessage(m),
    message,
  );
}

async function openPopup(page: Page, extensionId: string): Promise<void> {
  await page.goto(`chrome-extension://${extensionId}/popup.html`);
  await expect(page.getByRole('heading', { name: 'Portrait' })).toBeVisible();
}

test('signing in through the popup shows the email and the organization', async ({ context, extensionId }) => {
  const page = await context.newPage();
  const errors: Error[] = [];
  page.on('pageerror', (error) => errors.push(error));
  await openPopup(page, extensionId);
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'online');

  await page.getByLabel('Email').fill(team.rep.email);
  await page.getByLabel('Password').fill(team.rep.password);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page.getByTestId('signed-in-email')).toHaveText(team.rep.email);
  await expect(page.getByTestId('active-org')).toContainText(team.orgName);

  // Closing and opening the popup again finds the session kept by the background.
  await page.close();
  const again = await context.newPage();
  await openPopup(again, extensionId);
  await expect(again.getByTestId('signed-in-email')).toHaveText(team.rep.email);

  // The tokens stay in the background's storage: the popup's own storage holds none.
  expect(await again.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length }))).toEqual({ local: 0, session: 0 });

  await again.getByRole('button', { name: 'Sign out' }).click();
  await expect(again.getByLabel('Password')).toBeVisible();
  expect(errors).toEqual([]);
});

test('a wrong password is refused with the API’s reason', async ({ context, extensionId }) => {
  const page = await context.newPage();
  await openPopup(page, extensionId);
  await page.getByLabel('Email').fill(team.rep.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('sign-in-error')).toHaveText('Could not sign in: Invalid login credentials');
});

test('a signed-out extension answers a lookup with a signed-out session, not an error', async ({ context, extensionId }) => {
  const page = await context.newPage();
  await openPopup(page, extensionId);

  const answer = await sendFrom(page, {
    type: 'portrait/lookup',
    identifiers: [{ kind: 'email', value: team.customer.email }],
  });

  expect(answer).toEqual({ ok: true, session: { signedIn: false, reason: 'signed-out' }, results: [], fetchedAt: null, stale: false });
});

test('the per-site switches are kept by the background', async ({ context, extensionId }) => {
  const page = await context.newPage();
  await openPopup(page, extensionId);
  await page.getByLabel('Email').fill(team.rep.email);
  await page.getByLabel('Password').fill(team.rep.password);
  await page.getByRole('button', { name: 'Sign in' }).click();

  const gmail = page.getByRole('switch', { name: 'Gmail' });
  await expect(gmail).toBeChecked();
  await gmail.click();
  await expect(gmail).not.toBeChecked();

  await page.reload();
  await expect(page.getByRole('switch', { name: 'Gmail' })).not.toBeChecked();
  await expect(page.getByRole('switch', { name: 'Outlook' })).toBeChecked();
});

test('the options page checks a URL and key with a real call before saving them', async ({ context, extensionId }) => {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/options.html`);
  await expect(page.getByTestId('api-url')).toHaveText(stack.apiUrl);

  // A key the API does not accept is not saved.
  await page.getByLabel('Anon key').fill('eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.not-a-valid-signature');
  await page.getByRole('button', { name: 'Check and save' }).click();
  await expect(page.getByTestId('api-notice')).toHaveText('The project refused this key.');

  // The right one is.
  await page.getByLabel('Anon key').fill(stack.anonKey);
  await page.getByRole('button', { name: 'Check and save' }).click();
  await expect(page.getByTestId('api-notice')).toHaveText('Saved. Supabase Auth answered with this key.');
  await expect(page.getByTestId('api-url')).toHaveText(stack.apiUrl);

  // Own addresses and internal domains are normalised and kept.
  await page.getByLabel('Your own addresses, one per line').fill('Me@Home.Example\n');
  await page.getByLabel('Internal domains, one per line').fill('@Lotus.Example');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('preferences-notice')).toHaveText('Saved.');
  await page.reload();
  await expect(page.getByLabel('Your own addresses, one per line')).toHaveValue('me@home.example');
  await expect(page.getByLabel('Internal domains, one per line')).toHaveValue('lotus.example');
});

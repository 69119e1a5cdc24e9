// The write queue in real Chromium against the real local stack: writes made while the API cannot
// be reached, or whose answers are lost, survive the service worker being stopped and are applied
// exactly once.
import type { Page } from '@playwright/test';
import type { browser } from 'wxt/browser';
import type { LookupResponse } from '../../extension/features/overlay/schemas.ts';
import type { WriteResponse } from '../../extension/platform/messaging/schemas.ts';
import { expect, test } from './fixtures.ts';
import { stopServiceWorker } from './helpers/extension.ts';
import { createTeam, startTestStack, type TestStack, type TestTeam } from './helpers/stack.ts';

test.describe.configure({ timeout: 90_000 });

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

test.afterEach(() => stack.network('online'));

function sendFrom<T>(page: Page, message: unknown): Promise<T> {
  return page.evaluate(
    (m) => (globalThis as unknown as { chrome: typeof browser }).chrome.runtime.sendMessage(m),
    message,
  ) as Promise<T>;
}

async function signIn(page: Page, extensionId: string): Promise<void> {
  await page.goto(`chrome-extension://${extensionId}/popup.html`);
  await page.getByLabel('Email').fill(team.rep.email);
  await page.getByLabel('Password').fill(team.rep.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('signed-in-email')).toHaveText(team.rep.email);
}

async function countRows(sql: string, params: unknown[]): Promise<number> {
  const [row] = (await stack.db.query<{ count: string }>(sql, params)).rows;
  return Number(row?.count ?? 0);
}

const tagCount = (name: string) =>
  countRows(
    `select count(*) from public.customer_tags ct join public.tags t on t.id = ct.tag_id
      where ct.customer_id = $1 and t.name = $2`,
    [team.customer.id, name],
  );
const noteCount = (body: string) => countRows('select count(*) from public.notes where customer_id = $1 and body = $2', [team.customer.id, body]);
const requestCount = (requestId: string) => countRows('select count(*) from public.api_requests where request_id = $1', [requestId]);

test('a tag and a note made offline are pending, survive a stopped worker and land exactly once', async ({ context, extensionId }) => {
  const page = await context.newPage();
  await signIn(page, extensionId);
  const identifier = { kind: 'email', value: team.customer.email };
  const lookup = await sendFrom<LookupResponse>(page, { type: 'portrait/lookup', identifiers: [identifier] });
  expect(lookup.results[0]?.portrait?.customerId).toBe(team.customer.id);

  // The API goes away: connections to it are refused.
  stack.network('offline');
  const tag = await sendFrom<WriteResponse>(page, {
    type: 'portrait/write',
    write: { op: 'tag', identifier, tags: ['Trade fair 2026'], pageUrl: 'https://mail.google.com/mail/u/0/', pageTitle: 'Re: samples' },
  });
  const note = await sendFrom<WriteResponse>(page, {
    type: 'portrait/write',
    write: { op: 'note', customerId: team.customer.id, body: 'Wants samples in blue, offline note' },
  });
  expect(tag).toEqual({ ok: true, requestId: expect.any(String), pending: true });
  expect(note).toEqual({ ok: true, requestId: expect.any(String), pending: true });
  expect(tag.requestId).not.toBe(note.requestId);

  // A lookup answers from the cache, with the queued writes shown as pending.
  const pendingView = await sendFrom<LookupResponse>(page, { type: 'portrait/lookup', identifiers: [identifier] });
  expect(pendingView.results[0]?.portrait?.tags).toContainEqual(expect.objectContaining({ name: 'Trade fair 2026', pending: true }));
  expect(pendingView.results[0]?.portrait?.notes[0]).toMatchObject({ body: 'Wants samples in blue, offline note', pending: true });
  await page.reload();
  await expect(page.getByTestId('pending-writes')).toHaveText('Changes waiting to sync: 2');

  // The worker is stopped with both writes in its queue; nothing has reached the database.
  await stopServiceWorker(page, extensionId);
  expect(await tagCount('Trade fair 2026')).toBe(0);
  expect(await noteCount('Wants samples in blue, offline note')).toBe(0);

  // The API is back; opening the popup starts a new worker, which sends the queue.
  stack.network('online');
  await page.reload();
  await expect.poll(() => Promise.all([tagCount('Trade fair 2026'), noteCount('Wants samples in blue, offline note')]), { timeout: 20_000 }).toEqual([1, 1]);
  await page.reload();
  await expect(page.getByTestId('signed-in-email')).toHaveText(team.rep.email);
  await expect(page.getByTestId('pending-writes')).toHaveCount(0);

  // Exactly once: one request record each, and nothing more arrives later.
  expect(await requestCount(tag.requestId)).toBe(1);
  expect(await requestCount(note.requestId)).toBe(1);
  await page.waitForTimeout(1_500);
  expect(await tagCount('Trade fair 2026')).toBe(1);
  expect(await noteCount('Wants samples in blue, offline note')).toBe(1);
});

test('a write whose answer was lost is sent again with the same request id and applied once', async ({ context, extensionId }) => {
  const page = await context.newPage();
  await signIn(page, extensionId);

  // Requests reach the API, answers never come back.
  stack.network('lose-answers');
  const body = 'Confirmed the order by phone, answer lost';
  const note = await sendFrom<WriteResponse>(page, {
    type: 'portrait/write',
    write: { op: 'note', customerId: team.customer.id, body },
  });
  expect(note).toMatchObject({ ok: true, pending: true });
  await expect.poll(() => noteCount(body)).toBe(1);

  await stopServiceWorker(page, extensionId);
  stack.network('online');
  await page.reload();

  await expect.poll(async () => (await sendFrom<{ pendingWrites: number }>(page, { type: 'popup/state' })).pendingWrites, { timeout: 20_000 }).toBe(0);
  expect(await noteCount(body)).toBe(1);
  expect(await requestCount(note.requestId)).toBe(1);
});

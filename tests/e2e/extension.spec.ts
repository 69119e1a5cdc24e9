import type { browser } from 'wxt/browser';
import { expect, test } from './fixtures.ts';

// The API the extension was built against (see extension/platform/config.ts).
const apiUrl = (process.env.WXT_SUPABASE_URL || 'http://127.0.0.1:54321').replace(/\/+$/, '');

test('the service worker starts and the manifest asks for no broad access', async ({
  serviceWorker,
  extensionId,
}) => {
  expect(serviceWorker.url()).toBe(`chrome-extension://${extensionId}/background.js`);
  const manifest = await serviceWorker.evaluate(() =>
    (globalThis as unknown as { chrome: typeof browser }).chrome.runtime.getManifest(),
  );
  expect(manifest.name).toBe('Portrait');
  expect(manifest.manifest_version).toBe(3);
  expect(JSON.stringify(manifest)).not.toContain('<all_urls>');
  expect(manifest.permissions).toEqual(['storage', 'alarms', 'contextMenus', 'activeTab', 'scripting']);
  // The WooCommerce content script is registered at runtime, per shop domain the user adds.
  expect((manifest.content_scripts ?? []).flatMap((script) => script.js ?? [])).not.toContain('content-scripts/woocommerce.js');
  expect(manifest.optional_host_permissions).toEqual(['https://*/*']);
  expect([...(manifest.host_permissions ?? [])].sort()).toEqual([
    'http://127.0.0.1:54321/*',
    'http://localhost:54321/*',
    'https://*.supabase.co/*',
  ]);
});

test('the popup shows offline when the API is not reachable', async ({
  context,
  extensionId,
}) => {
  // Refuse the API even if a local stack happens to be running.
  await context.route(`${apiUrl}/**`, (route) => route.abort('connectionrefused'));
  const errors: Error[] = [];
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(error));

  await page.goto(`chrome-extension://${extensionId}/popup.html`);

  await expect(page.getByRole('heading', { name: 'Portrait' })).toBeVisible();
  const state = page.getByTestId('connection-state');
  await expect(state).toHaveAttribute('data-state', 'offline');
  await expect(state).toContainText('not reachable');
  await expect(page.getByTestId('api-url')).toHaveText(apiUrl);
  expect(errors).toEqual([]);
});

test('the popup shows connected when the API answers its health check', async ({
  context,
  extensionId,
}) => {
  await context.route(`${apiUrl}/auth/v1/health`, (route) =>
    route.fulfill({ contentType: 'application/json', body: JSON.stringify({ name: 'GoTrue' }) }),
  );
  const page = await context.newPage();

  await page.goto(`chrome-extension://${extensionId}/popup.html`);

  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'online');
});

test('the options page names itself and the configured API', async ({ context, extensionId }) => {
  const page = await context.newPage();

  await page.goto(`chrome-extension://${extensionId}/options.html`);

  await expect(page.getByRole('heading', { name: 'Portrait options' })).toBeVisible();
  await expect(page.getByTestId('api-url')).toHaveText(apiUrl);
});

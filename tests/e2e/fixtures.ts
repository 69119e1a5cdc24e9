import { test as base, chromium, type BrowserContext, type Worker } from '@playwright/test';
import { chromiumAvailable, chromiumPath, extensionDir, noChromiumMessage } from './chromium.ts';

export interface ExtensionFixtures {
  /** A fresh Chromium profile with the built extension loaded. */
  context: BrowserContext;
  /** The extension's background service worker, once started. */
  serviceWorker: Worker;
  /** The id in `chrome-extension://<id>/`, read from the service worker's URL. */
  extensionId: string;
}

export const test = base.extend<ExtensionFixtures & { requireChromium: void }>({
  requireChromium: [
    // eslint-disable-next-line no-empty-pattern -- Playwright fixtures must destructure their dependencies.
    async ({}, use) => {
      test.skip(!chromiumAvailable(), noChromiumMessage);
      await use();
    },
    { auto: true },
  ],

  // eslint-disable-next-line no-empty-pattern -- see above.
  context: async ({}, use) => {
    const context = await chromium.launchPersistentContext('', {
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--disable-extensions-except=${extensionDir}`,
        `--load-extension=${extensionDir}`,
      ],
    });
    await use(context);
    await context.close();
  },

  serviceWorker: async ({ context }, use) => {
    const worker =
      context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ??
      (await context.waitForEvent('serviceworker', {
        predicate: (w) => w.url().startsWith('chrome-extension://'),
      }));
    await use(worker);
  },

  extensionId: async ({ serviceWorker }, use) => {
    await use(new URL(serviceWorker.url()).host);
  },
});

export const expect = test.expect;

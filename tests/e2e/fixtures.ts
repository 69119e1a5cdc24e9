import { test as base, type BrowserContext, type Worker } from '@playwright/test';
import { chromiumAvailable, noChromiumMessage } from './chromium.ts';
import { extensionWorker, launchWithExtension } from './helpers/extension.ts';

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
    const context = await launchWithExtension();
    await use(context);
    await context.close();
  },

  serviceWorker: async ({ context }, use) => {
    await use(await extensionWorker(context));
  },

  extensionId: async ({ serviceWorker }, use) => {
    await use(new URL(serviceWorker.url()).host);
  },
});

export const expect = test.expect;

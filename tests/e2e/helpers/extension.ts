// Chromium with a built extension loaded, pages of the real sites answered with fixtures, and
// signing in through the popup as a person does: shared by the browser tests' fixture (fixtures.ts), the demo test, the extension benchmark and
// the screenshot script.
import { expect, chromium, type BrowserContext, type Page, type Worker } from '@playwright/test';
import { chromiumPath, extensionDir as builtExtensionDir } from '../chromium.ts';

export interface LaunchOptions {
  /** The unpacked extension; the normal build when absent. */
  extensionDir?: string;
  /** A profile folder to keep; a temporary one when absent. */
  profile?: string;
  viewport?: { width: number; height: number };
  locale?: string;
}

export interface LaunchedExtension {
  context: BrowserContext;
  worker: Worker;
  /** The id in `chrome-extension://<id>/`. */
  extensionId: string;
}

/** Headless Chromium with only this extension loaded. */
export async function launchWithExtension(options: LaunchOptions = {}): Promise<BrowserContext> {
  const dir = options.extensionDir ?? builtExtensionDir;
  return chromium.launchPersistentContext(options.profile ?? '', {
    executablePath: chromiumPath,
    headless: true,
    ...(options.viewport && { viewport: options.viewport, deviceScaleFactor: 1 }),
    ...(options.locale && { locale: options.locale }),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      `--disable-extensions-except=${dir}`,
      `--load-extension=${dir}`,
    ],
  });
}

/** The extension's background service worker, once it has started. */
export async function extensionWorker(context: BrowserContext): Promise<Worker> {
  const isExtension = (worker: Worker) => worker.url().startsWith('chrome-extension://');
  return context.serviceWorkers().find(isExtension) ?? (await context.waitForEvent('serviceworker', { predicate: isExtension }));
}

/** Launches Chromium with the extension and waits for its worker. */
export async function launchExtension(options: LaunchOptions = {}): Promise<LaunchedExtension> {
  const context = await launchWithExtension(options);
  const worker = await extensionWorker(context);
  return { context, worker, extensionId: new URL(worker.url()).host };
}

/** Signs in with the popup's form (as the person in `email`) and closes the popup. */
export async function signInThroughPopup(
  context: BrowserContext,
  extensionId: string,
  email: string,
  password: string,
  timeoutMs = 15_000,
): Promise<void> {
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await popup.getByLabel('Email').fill(email);
  await popup.getByLabel('Password').fill(password);
  await popup.getByRole('button', { name: 'Sign in' }).click();
  await expect(popup.getByTestId('signed-in-email')).toHaveText(email, { timeout: timeoutMs });
  await popup.close();
}

/**
 * Answers every document request to `origin` with `html` (made afresh per request when a function)
 * and fails every other request, as if offline; replaces what the origin was answered with before.
 */
export async function serveDocument(context: BrowserContext, origin: string, html: string | (() => string)): Promise<void> {
  await context.unroute(`${origin}/**`);
  await context.route(`${origin}/**`, (route) =>
    route.request().resourceType() === 'document'
      ? route.fulfill({ contentType: 'text/html; charset=utf-8', body: typeof html === 'function' ? html() : html })
      : route.abort(),
  );
}

/**
 * Stops the extension's service worker the way the browser does when it is idle: through the
 * DevTools protocol on the worker's target. Its memory is gone; storage stays. A page's message or
 * an alarm may start a new worker at once: that one is another target, so the wait is for the
 * stopped one to be gone.
 */
export async function stopServiceWorker(page: Page, extensionId: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const workers = async () =>
    (await cdp.send('Target.getTargets')).targetInfos.filter(
      (target) => target.type === 'service_worker' && target.url.startsWith(`chrome-extension://${extensionId}/`),
    );
  const [worker] = await workers();
  if (!worker) throw new Error('The extension has no running service worker');
  await cdp.send('Target.closeTarget', { targetId: worker.targetId });
  await expect.poll(async () => (await workers()).some((target) => target.targetId === worker.targetId)).toBe(false);
  await cdp.detach();
}

// `npm run screenshots`: the README's pictures, taken from the real extension (the build in
// .output/chrome-mv3) in Chromium against a fresh local stack with the demo data, in English and
// in Simplified Chinese. Each picture is a page the demo serves (a copy of the site's markup, see
// supabase/local/demo-pages.ts) at the site's real URL, with the overlay expanded on a demo
// customer. Written to .github/screenshots/<page>-<language>.png.
//
//   npm run build && npm run screenshots
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from '@playwright/test';
import { chromiumAvailable, chromiumPath, extensionDir, noChromiumMessage } from './e2e/chromium.ts';
import { inspectShadowDom } from './e2e/helpers/cdp.ts';
import { startTestStack } from './e2e/helpers/stack.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const outDir = path.join(repoRoot, '.github', 'screenshots');
const fixturesDir = path.join(repoRoot, 'tests', 'e2e', 'fixtures');

interface Shot {
  name: string;
  /** The site's real URL, answered with the fixture page. */
  url: string;
  fixture: string;
}

const shots: readonly Shot[] = [
  { name: 'gmail', url: 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQbfxkKqPGsJwVrdZcQwPzRmNtL', fixture: 'gmail-thread.html' },
  { name: 'outlook', url: 'https://outlook.office.com/mail/inbox/id/AAQkADAwATM3ZmYAZS1hNDAxLTRmYTYtMDACLTAwCgAQAFgR', fixture: 'outlook-reading.html' },
];

const languages = ['en', 'zh-CN'] as const;

async function signIn(context: BrowserContext, extensionId: string, language: (typeof languages)[number]): Promise<void> {
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await popup.getByLabel('Email').fill('rep@lotus.test');
  await popup.getByLabel('Password').fill('portrait-demo');
  await popup.getByRole('button', { name: 'Sign in' }).click();
  await popup.getByTestId('signed-in-email').waitFor({ timeout: 15_000 });
  await popup.close();

  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId}/options.html`);
  await options.locator('select[name="language"]').selectOption(language);
  await options.locator('form:has(select[name="language"]) button[type="submit"]').click();
  await options.getByTestId('preferences-notice').waitFor();
  await options.close();
}

async function take(context: BrowserContext, shot: Shot, file: string): Promise<void> {
  const html = await readFile(path.join(fixturesDir, shot.fixture), 'utf8');
  const origin = new URL(shot.url).origin;
  await context.route(`${origin}/**`, (route) =>
    route.request().resourceType() === 'document' ? route.fulfill({ contentType: 'text/html; charset=utf-8', body: html }) : route.abort(),
  );
  const page = await context.newPage();
  try {
    await page.goto(shot.url);
    const shadow = await inspectShadowDom(page);
    await shadow.find({ attributes: { 'data-testid': 'portrait-overlay', 'data-view': 'customer' }, inClosedShadowRoot: true }, 20_000);
    await shadow.click(await shadow.find({ tag: 'button', attributes: { 'data-testid': 'portrait-pill' }, inClosedShadowRoot: true }));
    await shadow.find({ attributes: { 'data-testid': 'portrait-card' }, inClosedShadowRoot: true });
    await shadow.detach();
    // Let the card's fonts and layout settle before the picture.
    await page.waitForTimeout(300);
    await page.screenshot({ path: file });
    console.log(`  ${path.relative(repoRoot, file)}`);
  } finally {
    await page.close();
    await context.unroute(`${origin}/**`);
  }
}

async function main(): Promise<void> {
  if (!chromiumAvailable()) throw new Error(noChromiumMessage);
  await mkdir(outDir, { recursive: true });
  const stack = await startTestStack();
  try {
    for (const language of languages) {
      const profile = await mkdtemp(path.join(os.tmpdir(), 'portrait-screenshots-'));
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: chromiumPath,
        headless: true,
        viewport: { width: 1280, height: 800 },
        deviceScaleFactor: 1,
        locale: language,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--hide-scrollbars',
          `--disable-extensions-except=${extensionDir}`,
          `--load-extension=${extensionDir}`,
        ],
      });
      try {
        const worker =
          context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ??
          (await context.waitForEvent('serviceworker', { predicate: (w) => w.url().startsWith('chrome-extension://') }));
        await signIn(context, new URL(worker.url()).host, language);
        for (const shot of shots) await take(context, shot, path.join(outDir, `${shot.name}-${language}.png`));
      } finally {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      }
    }
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

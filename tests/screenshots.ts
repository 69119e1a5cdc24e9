// `npm run screenshots`: the README's pictures, taken from the real extension (the build in
// .output/chrome-mv3) in Chromium against a fresh local stack with the demo data, in English and
// in Simplified Chinese. Each picture is a page the demo serves (a copy of the site's markup, see
// supabase/local/demo-pages.ts) at the site's real URL, with the overlay expanded on a demo
// customer, and the Overview page. Written to .github/screenshots/<page>-<language>.png.
//
//   npm run build && npm run screenshots
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext } from '@playwright/test';
import { chromiumAvailable, noChromiumMessage } from './e2e/chromium.ts';
import { launchExtension, serveDocument } from './e2e/helpers/extension.ts';
import { inspectShadowDom } from './e2e/helpers/cdp.ts';
import { startTestStack } from './e2e/helpers/stack.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const outDir = path.join(repoRoot, '.github', 'screenshots');
const fixturesDir = path.join(repoRoot, 'tests', 'e2e', 'fixtures');

interface Shot {
  name: string;
  /** A demo login of the organization whose customer the page shows (password portrait-demo). */
  signInAs: string;
  /** The site's real URL, answered with the fixture page. */
  url: string;
  fixture: string;
}

const shots: readonly Shot[] = [
  { name: 'gmail', signInAs: 'rep@lotus.test', url: 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQbfxkKqPGsJwVrdZcQwPzRmNtL', fixture: 'gmail-thread.html' },
  { name: 'outlook', signInAs: 'rep@lotus.test', url: 'https://outlook.office.com/mail/inbox/id/AAQkADAwATM3ZmYAZS1hNDAxLTRmYTYtMDACLTAwCgAQAFgR', fixture: 'outlook-reading.html' },
  {
    name: 'shopify',
    signInAs: 'rep@northwind.test',
    url: 'https://admin.shopify.com/store/northwind-outfitters/orders/5499000005',
    fixture: 'shopify-order.html',
  },
];

const languages = ['en', 'zh-CN'] as const;

async function setLanguage(context: BrowserContext, extensionId: string, language: (typeof languages)[number]): Promise<void> {
  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId}/options.html`);
  await options.locator('select[name="language"]').selectOption(language);
  await options.locator('form:has(select[name="language"]) button[type="submit"]').click();
  await options.getByTestId('preferences-notice').waitFor();
  await options.close();
}

async function signIn(context: BrowserContext, extensionId: string, email: string): Promise<void> {
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  const signedIn = popup.getByTestId('signed-in-email');
  const password = popup.locator('input[type="password"]');
  await signedIn.or(password).first().waitFor({ timeout: 15_000 });
  if (await signedIn.isVisible()) {
    if ((await signedIn.textContent()) === email) return popup.close();
    await popup.locator('[data-testid="sign-out"], button:has-text("Sign out"), button:has-text("退出登录")').first().click();
  }
  await popup.locator('input[type="email"]').fill(email);
  await password.fill('portrait-demo');
  await popup.locator('form button[type="submit"]').click();
  await signedIn.waitFor({ timeout: 15_000 });
  await popup.close();
}

async function take(context: BrowserContext, shot: Shot, file: string): Promise<void> {
  const html = await readFile(path.join(fixturesDir, shot.fixture), 'utf8');
  const origin = new URL(shot.url).origin;
  await serveDocument(context, origin, html);
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

/** The Overview page over the demo data's three years (backfilled from its order history). */
async function overview(context: BrowserContext, extensionId: string, file: string): Promise<void> {
  const page = await context.newPage();
  try {
    await page.setViewportSize({ width: 1280, height: 1400 });
    await page.goto(`chrome-extension://${extensionId}/overview.html`);
    await page.getByTestId('charts').waitFor();
    await page.locator('button[data-period="3y"]').click();
    await page.locator('[data-testid="charts"][aria-busy="false"]').waitFor();
    await page.locator('[data-testid="customers-chart"] canvas').first().waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: file });
    console.log(`  ${path.relative(repoRoot, file)}`);
  } finally {
    await page.close();
  }
}

async function main(): Promise<void> {
  if (!chromiumAvailable()) throw new Error(noChromiumMessage);
  await mkdir(outDir, { recursive: true });
  const stack = await startTestStack();
  try {
    for (const language of languages) {
      const profile = await mkdtemp(path.join(os.tmpdir(), 'portrait-screenshots-'));
      const { context, extensionId } = await launchExtension({ profile, viewport: { width: 1280, height: 800 }, locale: language });
      try {
        await setLanguage(context, extensionId, language);
        for (const shot of shots) {
          await signIn(context, extensionId, shot.signInAs);
          await take(context, shot, path.join(outDir, `${shot.name}-${language}.png`));
        }
        await signIn(context, extensionId, 'rep@lotus.test');
        await overview(context, extensionId, path.join(outDir, `overview-${language}.png`));
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

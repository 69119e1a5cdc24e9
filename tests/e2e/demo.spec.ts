// `npm start`'s demo: the local stack on its fixed ports with the demo data, the extension it builds
// (.output/chrome-mv3-demo) and the demo pages it serves at <API>/demo/. A person who follows the
// README signs in from the toolbar button and sees a demo customer's portrait on the Gmail page.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures.ts';
import { inspectShadowDom } from './helpers/cdp.ts';
import { launchExtension, signInThroughPopup } from './helpers/extension.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const demoExtensionDir = path.join(repoRoot, '.output', 'chrome-mv3-demo');
const apiUrl = 'http://127.0.0.1:54321';

/**
 * Runs `npm start -- --headless` until it says it is ready; returns the process and its output. Its
 * ports are fixed (54321, 54322) and lie in the range the system gives outgoing connections, so one
 * may hold a port for a moment: started again then, as the browser tests' relay waits for its port
 * (helpers/stack.ts).
 */
async function startPortrait(dataDir: string): Promise<{ child: ChildProcess; output: () => string }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await startPortraitOnce(dataDir);
    } catch (error) {
      // npm start names a taken port ("… is already in use"), as the system does.
      if (!/already in use/.test((error as Error).message) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

async function startPortraitOnce(dataDir: string): Promise<{ child: ChildProcess; output: () => string }> {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.DISPLAY;
  const child = spawn(path.join(repoRoot, 'node_modules', '.bin', 'tsx'), ['supabase/local/start.ts', '--headless', '--data-dir', dataDir], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (output.includes('Ready.')) {
        clearInterval(timer);
        resolve();
      }
    }, 200);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`));
    });
  });
  return { child, output: () => output };
}

test('npm start serves demo pages on which the extension it built shows a demo customer', async () => {
  test.setTimeout(300_000);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'portrait-demo-'));
  const { child, output } = await startPortrait(dataDir);
  const profile = await mkdtemp(path.join(tmpdir(), 'portrait-demo-profile-'));
  try {
    expect(output()).toContain(`${apiUrl}/demo/`);

    // The demo build runs its content scripts on the demo pages too; the normal build does not.
    const manifest = JSON.parse(await readFile(path.join(demoExtensionDir, 'manifest.json'), 'utf8')) as {
      content_scripts: { matches: string[] }[];
    };
    expect(manifest.content_scripts.flatMap((script) => script.matches)).toContain('http://127.0.0.1/demo/gmail/*');

    const { context, extensionId } = await launchExtension({ extensionDir: demoExtensionDir, profile });
    try {
      // Sign in as the README says: the toolbar button's popup, a demo login.
      await signInThroughPopup(context, extensionId, 'rep@lotus.test', 'portrait-demo');

      // The index lists the pages; the Gmail conversation shows Li Wei's portrait from the demo data.
      const page = await context.newPage();
      await page.goto(`${apiUrl}/demo/`);
      await page.getByRole('link', { name: /Gmail: a conversation with Li Wei/ }).click();
      await expect(page).toHaveURL(/\/demo\/gmail\/thread\/mail\/u\/0\/#inbox\//);
      const shadow = await inspectShadowDom(page);
      await shadow.find({ attributes: { 'data-testid': 'portrait-overlay', 'data-view': 'customer' }, inClosedShadowRoot: true }, 20_000);
      const pill = await shadow.find({ tag: 'button', attributes: { 'data-testid': 'portrait-pill' }, inClosedShadowRoot: true });
      expect(pill.text).toMatch(/^Li Wei\s*(Prospect|Lead|New|Active|Loyal|At risk|Churned|Reactivated)/);
      await shadow.detach();

      // The Outlook reading pane works the same way.
      await page.goto(`${apiUrl}/demo/`);
      await page.getByRole('link', { name: /Outlook on the web: a conversation/ }).click();
      const outlook = await inspectShadowDom(page);
      await outlook.find({ attributes: { 'data-testid': 'portrait-overlay', 'data-view': 'customer' }, inClosedShadowRoot: true }, 20_000);
      await outlook.detach();

      // The Shopify admin pages are Northwind's: sign in there, and the order shows its customer.
      const popup = await context.newPage();
      await popup.goto(`chrome-extension://${extensionId}/popup.html`);
      await popup.getByRole('button', { name: 'Sign out' }).click();
      await popup.getByLabel('Password').waitFor();
      await popup.close();
      await signInThroughPopup(context, extensionId, 'rep@northwind.test', 'portrait-demo');
      await page.goto(`${apiUrl}/demo/`);
      await page.getByRole('link', { name: /Shopify admin: an order of Li Wei/ }).click();
      const shopify = await inspectShadowDom(page);
      await shopify.find({ attributes: { 'data-testid': 'portrait-overlay', 'data-view': 'customer' }, inClosedShadowRoot: true }, 20_000);
      const shopPill = await shopify.find({ tag: 'button', attributes: { 'data-testid': 'portrait-pill' }, inClosedShadowRoot: true });
      expect(shopPill.text).toMatch(/^Li Wei/);
      await shopify.detach();
    } finally {
      await context.close();
    }
  } finally {
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
    await rm(profile, { recursive: true, force: true });
  }
});

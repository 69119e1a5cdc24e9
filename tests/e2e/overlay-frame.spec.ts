// The overlay's frame on real window sizes: the expanded card never runs off the window (only its
// body scrolls), and the user moves it (drag, keyboard), docks it, and finds it where it was left
// after a reload. The overlay is in a closed shadow root, read through CDP (helpers/cdp.ts).
import type { BrowserContext, CDPSession, Page, Worker } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { serveDocument } from './helpers/extension.ts';
import { bigGmailThread } from './fixtures/big-page.ts';
import { inspectShadowDom, type PiercedNode, type ShadowDom } from './helpers/cdp.ts';
import type { PortraitView } from '../../extension/platform/messaging/schemas.ts';

const threadUrl = 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQbfxkKqPGsJwVrdZcQwPzRmNtL';
const day = 86_400_000;

/** A customer with a tall card: many tags and notes. */
function tallPortrait(email: string): PortraitView {
  return {
    customerId: `cus-${email}`,
    orgId: 'org-1',
    displayName: email.split('@')[0]!,
    kind: 'person',
    company: 'Example Ltd',
    primaryEmail: email,
    primaryPhone: '+86 21 5555 0100',
    location: 'Shanghai, CN',
    owner: 'Sam Rep',
    stage: 'active',
    computedStage: 'active',
    stageOverride: null,
    stageReason: null,
    stageHistory: [
      { from: null, to: 'lead', at: new Date(Date.now() - 400 * day).toISOString(), source: 'computed' },
      { from: 'lead', to: 'new', at: new Date(Date.now() - 300 * day).toISOString(), source: 'computed' },
      { from: 'new', to: 'active', at: new Date(Date.now() - 90 * day).toISOString(), source: 'computed' },
    ],
    valueTier: 'vip',
    rfmSegment: 'loyal',
    rfm: { r: 4, f: 4, m: 5 },
    ticketBand: 'high',
    isPartner: true,
    isValid: true,
    orderCount: 5,
    netSpend: 4200,
    aov: 840,
    currency: 'USD',
    lastOrderAt: new Date(Date.now() - 12 * day).toISOString(),
    tags: Array.from({ length: 12 }, (_, i) => ({ id: `t${i}`, name: `tag-number-${i}`, color: null, source: 'manual' as const })),
    segments: [{ id: 's1', name: 'High value' }],
    notes: Array.from({ length: 8 }, (_, i) => ({
      id: `n${i}`,
      body: `Note ${i}: asked about delivery schedules, unit prices and the terms we agreed on last spring.`,
      authorName: 'Sam Rep',
      createdAt: new Date(Date.now() - i * day).toISOString(),
    })),
    studioUrl: null,
    computedAt: new Date().toISOString(),
  };
}

/**
 * Answers lookups and the session from the service worker before the real handler does; the page
 * settings and placements go to the real background (they are what is under test).
 */
async function stubLookups(worker: Worker): Promise<void> {
  await worker.evaluate(() => {
    const scope = globalThis as unknown as { chrome: typeof import('wxt/browser').browser; __tall: (email: string) => unknown };
    const session = { signedIn: true, email: 'sam.rep@acme-trading.com', orgId: 'org-1', orgName: 'Acme Trading', role: 'admin' };
    scope.chrome.runtime.onMessage.addListener((message: { type?: string; identifiers?: Array<{ kind: string; value: string }> }, _sender, sendResponse) => {
      if (message?.type === 'portrait/lookup') {
        sendResponse({
          ok: true,
          session,
          results: (message.identifiers ?? []).map((identifier) => ({ identifier, portrait: scope.__tall(identifier.value) })),
          fetchedAt: null,
          stale: false,
        });
      } else if (message?.type === 'portrait/session') sendResponse({ ok: true, session });
      return false;
    });
  });
  // The portrait factory, serialised into the worker.
  await worker.evaluate(`globalThis.__tall = ${tallPortrait.toString()}; var day = ${day};`);
}

async function openThread(context: BrowserContext, viewport: { width: number; height: number }, addresses = 20): Promise<{ page: Page; shadow: ShadowDom }> {
  await serveDocument(context, 'https://mail.google.com', bigGmailThread({ nodes: 600, addresses, churnMs: 0 }));
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  await page.goto(threadUrl);
  const shadow = await inspectShadowDom(page);
  await shadow.find({ attributes: { 'data-testid': 'portrait-overlay', 'data-view': 'customer' }, inClosedShadowRoot: true }, 10_000);
  return { page, shadow };
}

interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

async function rectOf(page: Page, node: PiercedNode): Promise<Rect> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  const { model } = await cdp.send('DOM.getBoxModel', { backendNodeId: node.backendNodeId });
  await cdp.detach();
  const q = model.border;
  return { left: q[0]!, top: q[1]!, right: q[4]!, bottom: q[5]! };
}

async function scrollSizes(page: Page, node: PiercedNode): Promise<{ scrollHeight: number; clientHeight: number }> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  const { object } = await cdp.send('DOM.resolveNode', { backendNodeId: node.backendNodeId });
  const { result } = await cdp.send('Runtime.callFunctionOn', {
    objectId: object.objectId!,
    functionDeclaration: 'function () { return { scrollHeight: this.scrollHeight, clientHeight: this.clientHeight }; }',
    returnByValue: true,
  });
  await cdp.detach();
  return result.value as { scrollHeight: number; clientHeight: number };
}

const byTestId = (id: string) => ({ attributes: { 'data-testid': id }, inClosedShadowRoot: true });

async function expand(shadow: ShadowDom): Promise<void> {
  await shadow.click(await shadow.find({ ...byTestId('portrait-pill'), tag: 'button' }));
  await shadow.find(byTestId('portrait-card'));
}

function expectInside(rect: Rect, viewport: { width: number; height: number }, what: string): void {
  expect.soft(rect.left, `${what} left`).toBeGreaterThanOrEqual(0);
  expect.soft(rect.top, `${what} top`).toBeGreaterThanOrEqual(0);
  expect.soft(rect.right, `${what} right`).toBeLessThanOrEqual(viewport.width);
  expect.soft(rect.bottom, `${what} bottom`).toBeLessThanOrEqual(viewport.height);
}

test.describe('the expanded card fits the window', () => {
  for (const viewport of [
    { width: 1024, height: 600 },
    { width: 480, height: 700 },
    { width: 1280, height: 800 },
  ]) {
    test(`${viewport.width}×${viewport.height} with a full switcher: header, switcher and footer visible, only the body scrolls`, async ({ context, serviceWorker }) => {
      await stubLookups(serviceWorker);
      const { page, shadow } = await openThread(context, viewport);
      await expand(shadow);
      const switcher = await shadow.find({ tag: 'nav', inClosedShadowRoot: true });
      expect((await shadow.findAll({ tag: 'li', inClosedShadowRoot: true })).length).toBeGreaterThanOrEqual(20);
      for (const id of ['portrait-card', 'portrait-card-header', 'portrait-card-footer', 'portrait-pill']) {
        expectInside(await rectOf(page, await shadow.find(byTestId(id))), viewport, id);
      }
      expectInside(await rectOf(page, switcher), viewport, 'switcher');
      const body = await shadow.find(byTestId('portrait-card-body'));
      const sizes = await scrollSizes(page, body);
      expect(sizes.scrollHeight).toBeGreaterThan(sizes.clientHeight);
      expect(sizes.clientHeight).toBeGreaterThan(40);
      // The note field at the end of the body is reached by scrolling the body.
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
      const { object } = await cdp.send('DOM.resolveNode', { backendNodeId: body.backendNodeId });
      await cdp.send('Runtime.callFunctionOn', { objectId: object.objectId!, functionDeclaration: 'function () { this.scrollTop = this.scrollHeight; }' });
      await cdp.detach();
      const [noteButton] = await shadow.findByRole('button', 'Add note');
      expectInside(await rectOf(page, { backendNodeId: noteButton!.backendNodeId } as PiercedNode), viewport, 'note button');
      await shadow.detach();
    });
  }
});

test.describe('moving the card', () => {
  test('dragged by its top bar, it is found where it was left after a reload', async ({ context, serviceWorker }) => {
    await stubLookups(serviceWorker);
    const viewport = { width: 1280, height: 800 };
    const { page, shadow } = await openThread(context, viewport, 3);
    await expand(shadow);
    const before = await rectOf(page, await shadow.find(byTestId('portrait-card')));
    const header = await rectOf(page, await shadow.find(byTestId('portrait-card-header')));
    const from = { x: header.left + 40, y: (header.top + header.bottom) / 2 };
    const to = { x: 700, y: 140 };
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
    await page.mouse.move(to.x, to.y, { steps: 5 });
    await page.mouse.up();
    const moved = await rectOf(page, await shadow.find(byTestId('portrait-card')));
    // Gmail's default is the lower left; dropped right of the middle, it hangs from the right.
    expect(before.left).toBeLessThan(40);
    expect(Math.abs(moved.left - before.left - (to.x - from.x))).toBeLessThan(2);
    const root = await shadow.find(byTestId('portrait-overlay'));
    expect(root.attributes['data-side']).toBe('right');
    await shadow.detach();

    await page.reload();
    const again = await inspectShadowDom(page);
    await again.find({ attributes: { 'data-testid': 'portrait-overlay', 'data-view': 'customer' }, inClosedShadowRoot: true }, 10_000);
    await expand(again);
    await expect.poll(async () => (await rectOf(page, await again.find(byTestId('portrait-card')))).top).toBeCloseTo(moved.top, 0);
    const after = await rectOf(page, await again.find(byTestId('portrait-card')));
    expect(Math.abs(after.left - moved.left)).toBeLessThan(2);
    await again.detach();
  });

  test('by keyboard: move mode, arrow keys, End docks it to the right edge; Escape ends the move, not the card', async ({ context, serviceWorker }) => {
    await stubLookups(serviceWorker);
    const viewport = { width: 1024, height: 600 };
    const { page, shadow } = await openThread(context, viewport, 3);
    await expand(shadow);
    const [move] = await shadow.findByRole('button', 'Move the card');
    expect(move).toBeDefined();
    const moveNode = await shadow.find({ ...byTestId('portrait-move'), tag: 'button' });
    expect(moveNode.attributes['aria-description']).toMatch(/arrow keys/);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    await cdp.send('DOM.focus', { backendNodeId: moveNode.backendNodeId });
    await cdp.detach();
    const start = await rectOf(page, await shadow.find(byTestId('portrait-pill')));
    await page.keyboard.press('Enter');
    await shadow.find({ ...byTestId('portrait-move'), attributes: { 'data-testid': 'portrait-move', 'aria-pressed': 'true' } });
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    const up = await rectOf(page, await shadow.find(byTestId('portrait-pill')));
    expect(start.top - up.top).toBe(32);
    await page.keyboard.press('End');
    await page.keyboard.press('Escape');
    const root = await shadow.find(byTestId('portrait-overlay'));
    expect(root.attributes['data-docked']).toBe('true');
    expect(root.attributes['data-side']).toBe('right');
    const card = await rectOf(page, await shadow.find(byTestId('portrait-card')));
    expect(card.right).toBe(viewport.width);
    // Still expanded: Escape ended the move only.
    expect(await shadow.findAll(byTestId('portrait-card'))).toHaveLength(1);

    // A smaller window keeps it inside.
    await page.setViewportSize({ width: 480, height: 400 });
    await expect.poll(async () => (await rectOf(page, await shadow.find(byTestId('portrait-card')))).right).toBe(480);
    expectInside(await rectOf(page, await shadow.find(byTestId('portrait-card-header'))), { width: 480, height: 400 }, 'header');
    await shadow.detach();
  });
});

test('offline: the card says so instead of "Updated just now", and says it again when back online', async ({ context, serviceWorker }) => {
  await stubLookups(serviceWorker);
  const { page, shadow } = await openThread(context, { width: 1280, height: 800 }, 3);
  await expand(shadow);
  expect((await shadow.find(byTestId('portrait-card-footer'))).text).toContain('Updated just now');
  await context.setOffline(true);
  await shadow.find({ ...byTestId('portrait-card-footer'), text: /^Offline · showing data fetched just now/ });
  expect((await shadow.find({ ...byTestId('portrait-card-footer') })).text).not.toContain('Updated');
  await context.setOffline(false);
  await shadow.find({ ...byTestId('portrait-card-footer'), text: /^Updated just now/ });
  void page;
  await shadow.detach();
});

test('a page of unknown layout with many unrelated addresses offers at most three people, and says why', async ({ context, serviceWorker }) => {
  await stubLookups(serviceWorker);
  const many = Array.from({ length: 25 }, (_, i) => `person${i}@example.com`).join(', ');
  await serveDocument(context, 'https://mail.google.com', `<!doctype html><html><body><nav>nav.only@example.com</nav><div role="main"><h1>Thread</h1><p>${many}</p></div></body></html>`);
  const page = await context.newPage();
  await page.goto(threadUrl);
  const shadow = await inspectShadowDom(page);
  await shadow.find({ attributes: { 'data-testid': 'portrait-overlay', 'data-view': 'customer' }, inClosedShadowRoot: true }, 10_000);
  await expand(shadow);
  const chips = await shadow.findAll({ tag: 'li', inClosedShadowRoot: true });
  const switcher = await shadow.find({ tag: 'nav', inClosedShadowRoot: true });
  expect(switcher.text).not.toContain('person3');
  expect(chips.filter((chip) => /person\d/.test(chip.text)).length).toBeLessThanOrEqual(3);
  await shadow.find({ attributes: { role: 'note' }, text: /Page layout not recognised/, inClosedShadowRoot: true });
  await shadow.detach();
});

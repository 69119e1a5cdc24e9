// Tagging from any page, through the whole background over fake storage, time and API: the
// gesture injects the dialog into one frame, only that frame's document is answered, the
// selection resolves to a customer, and the save goes through the write queue.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createBackground } from '../../../extension/background/service.ts';
import { memoryArea, storageArea, type KeyValueArea } from '../../../extension/platform/storage/storage.ts';
import { provenanceUrl, type TaggerInjector } from '../../../extension/features/tagger/background/tagger.ts';
import type { TaggerOpenResponse, TaggerResolveResponse } from '../../../extension/features/tagger/schemas.ts';
import type { WriteResponse } from '../../../extension/platform/messaging/schemas.ts';
import { fakeBackend, manualClock, orgA, portraitFor, type FakeBackend, type ManualClock } from './fakes.ts';

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  fakeBrowser.reset();
  vi.restoreAllMocks();
});

const runtimeId = fakeBrowser.runtime.id;
const popup = { id: runtimeId, url: `chrome-extension://${runtimeId}/popup.html` };
const shopUrl = 'https://shop.example/orders/1001#details';
/** The dialog's frame as the browser reports the sender of its messages. */
const dialog = { id: runtimeId, url: shopUrl, tab: { id: 7 }, frameId: 0, documentId: 'doc-1' };
const liWei = { kind: 'email', value: 'li.wei@example.com' } as const;
const zhang = { kind: 'phone', value: '+8613800138000' } as const;
const writeAnswerMs = 500;

/** A browser whose frames answer the probe; records what was injected where. */
function fakeInjector(frames: Record<string, { url: string; documentId: string | null; selection?: string }>) {
  const injected: string[] = [];
  const injector: TaggerInjector = {
    async probe(tabId, frameId) {
      const frame = frames[`${tabId}:${frameId}`];
      if (!frame) throw new Error('Cannot access contents of the page');
      return { url: frame.url, documentId: frame.documentId, selection: frame.selection ?? '' };
    },
    async inject(tabId, frameId) {
      injected.push(`${tabId}:${frameId}`);
    },
  };
  return { injector, injected };
}

function start(options: { server?: FakeBackend; clock?: ManualClock; local?: KeyValueArea; session?: KeyValueArea; injector?: TaggerInjector } = {}) {
  const server = options.server ?? fakeBackend();
  const clock = options.clock ?? manualClock();
  const local = options.local ?? storageArea(fakeBrowser.storage.local);
  const session = options.session ?? memoryArea();
  let ids = 0;
  const background = createBackground({
    runtimeId,
    extensionOrigin: `chrome-extension://${runtimeId}/`,
    local,
    session,
    push: async () => undefined,
    buildApi: { apiUrl: server.backend.apiUrl, anonKey: server.backend.anonKey },
    createBackend: () => server.backend,
    clock,
    random: () => 0.5,
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    lookupWindowMs: 5,
    writeAnswerMs,
    injector: options.injector ?? fakeInjector({ '7:0': { url: shopUrl, documentId: 'doc-1' } }).injector,
  });
  return {
    background,
    server,
    clock,
    local,
    session,
    async send<T>(message: unknown, sender: object = dialog): Promise<T> {
      const answer = background.handleMessage(message, sender);
      await clock.advance(writeAnswerMs);
      return (await answer) as T;
    },
  };
}

async function signedIn(harness: ReturnType<typeof start>) {
  await harness.send({ type: 'account/sign-in', email: 'rep@lotus.test', password: 'correct horse battery' }, popup);
  harness.server.addCustomer(orgA, liWei, portraitFor(liWei, { displayName: 'Li Wei', tags: [{ id: 't1', name: 'VIP', color: null, source: 'manual' }] }));
  harness.server.addCustomer(
    orgA,
    zhang,
    portraitFor(zhang, { customerId: '55555555-5555-4555-8555-555555555555', displayName: 'Zhang Min', primaryPhone: zhang.value, stage: 'loyal' }),
  );
}

const save = (overrides: object = {}) => ({ type: 'tagger/save', identifier: liWei, tags: ['Trade fair 2026'], displayName: null, pageTitle: 'Order 1001', ...overrides });

describe('opening the dialog', () => {
  it('injects the dialog into the clicked frame and answers with whom the selection means', async () => {
    const { injector, injected } = fakeInjector({ '7:0': { url: shopUrl, documentId: 'doc-1' } });
    const harness = start({ injector });
    await signedIn(harness);

    expect(await harness.background.openTagDialog({ tabId: 7, frameId: 0, selectionText: 'Li.Wei@Example.com', linkUrl: null })).toEqual({ ok: true, frameId: 0 });
    expect(injected).toEqual(['7:0']);
    const open = await harness.send<TaggerOpenResponse>({ type: 'tagger/open', selection: 'ignored: the menu said what was selected' });
    expect(open).toMatchObject({ ok: true, language: 'auto', linkUrl: null, session: { signedIn: true, orgId: orgA } });
    expect(open.resolution).toEqual({
      text: 'Li.Wei@Example.com',
      candidates: [{ identifier: liWei, customer: { customerId: expect.any(String), displayName: 'Li Wei', stage: 'active', email: liWei.value, phone: null, tags: ['VIP'] } }],
      searchedName: null,
      suggestedName: null,
      offline: false,
    });
  });

  it('resolves a phone number in another format, a mailto: link and a name', async () => {
    const harness = start();
    await signedIn(harness);

    await harness.background.openTagDialog({ tabId: 7, frameId: 0, selectionText: null, linkUrl: null });
    // The shortcut: the dialog sends the selection it sees.
    const byPhone = await harness.send<TaggerOpenResponse>({ type: 'tagger/open', selection: '138 0013 8000' });
    expect(byPhone.resolution?.candidates).toEqual([{ identifier: zhang, customer: expect.objectContaining({ displayName: 'Zhang Min', stage: 'loyal' }) }]);

    await harness.background.openTagDialog({ tabId: 7, frameId: 0, selectionText: 'write to us', linkUrl: 'mailto:new.buyer@example.org?subject=Hi' });
    const byLink = await harness.send<TaggerOpenResponse>({ type: 'tagger/open', selection: '' });
    expect(byLink.linkUrl).toBe('mailto:new.buyer@example.org?subject=Hi');
    expect(byLink.resolution?.candidates).toEqual([{ identifier: { kind: 'email', value: 'new.buyer@example.org' }, customer: null }]);

    const byName = await harness.send<TaggerResolveResponse>({ type: 'tagger/resolve', text: 'zhang' });
    expect(byName.resolution).toMatchObject({
      searchedName: 'zhang',
      candidates: [{ identifier: zhang, customer: { displayName: 'Zhang Min', phone: zhang.value, tags: [] } }],
    });
    const nobody = await harness.send<TaggerResolveResponse>({ type: 'tagger/resolve', text: 'Nobody Here' });
    expect(nobody.resolution).toMatchObject({ searchedName: 'Nobody Here', candidates: [] });
  });

  it('leaves out the user’s own address and internal domains', async () => {
    const harness = start();
    await signedIn(harness);
    await harness.background.openTagDialog({ tabId: 7, frameId: 0, selectionText: 'rep@lotus.test, ops@lotus-hq.test', linkUrl: null });
    const open = await harness.send<TaggerOpenResponse>({ type: 'tagger/open', selection: '' });
    expect(open.resolution?.candidates).toEqual([]);
  });

  it('says who is signed out without resolving anything', async () => {
    const harness = start();
    await harness.background.openTagDialog({ tabId: 7, frameId: 0, selectionText: 'li.wei@example.com', linkUrl: null });
    const open = await harness.send<TaggerOpenResponse>({ type: 'tagger/open', selection: '' });
    expect(open).toMatchObject({ ok: true, session: { signedIn: false }, resolution: null });
    expect(harness.server.contextCalls).toEqual([]);
  });

  it('falls back to the top frame when the clicked frame cannot be reached, and fails without any', async () => {
    const { injector, injected } = fakeInjector({ '7:0': { url: shopUrl, documentId: 'doc-1' } });
    const harness = start({ injector });
    expect(await harness.background.openTagDialog({ tabId: 7, frameId: 12, selectionText: 'x', linkUrl: null })).toEqual({ ok: true, frameId: 0 });
    expect(injected).toEqual(['7:0']);
    expect(await harness.background.openTagDialog({ tabId: 8, frameId: 0, selectionText: 'x', linkUrl: null })).toMatchObject({ ok: false });
    expect(injected).toEqual(['7:0']);
    // Nothing was granted to tab 8.
    expect(await harness.send({ type: 'tagger/open', selection: '' }, { ...dialog, tab: { id: 8 } })).toMatchObject({ error: 'forbidden' });
  });

  it('does not inject into pages that are not web pages', async () => {
    const { injector, injected } = fakeInjector({ '7:0': { url: 'about:blank', documentId: 'doc-1' } });
    const harness = start({ injector });
    expect(await harness.background.openTagDialog({ tabId: 7, frameId: 0, selectionText: 'x', linkUrl: null })).toMatchObject({ ok: false });
    expect(injected).toEqual([]);
  });
});

describe('who may talk as the dialog', () => {
  it('only the injected frame’s document, until the dialog closes', async () => {
    const harness = start();
    await signedIn(harness);
    const open = { type: 'tagger/open', selection: 'li.wei@example.com' };
    // Before any gesture, nobody.
    expect(await harness.send(open)).toMatchObject({ ok: false, error: 'forbidden' });

    await harness.background.openTagDialog({ tabId: 7, frameId: 0, selectionText: null, linkUrl: null });
    expect(await harness.send(open)).toMatchObject({ ok: true });
    for (const sender of [
      { ...dialog, documentId: 'doc-2' },
      { ...dialog, frameId: 3 },
      { ...dialog, tab: { id: 9 } },
      { ...dialog, id: 'another-extension' },
      popup,
    ]) {
      expect(await harness.send(save(), sender)).not.toMatchObject({ ok: true });
    }
    expect(harness.server.applyAttempts).toEqual([]);

    expect(await harness.send({ type: 'tagger/close' })).toEqual({ ok: true });
    expect(await harness.send(open)).toMatchObject({ ok: false, error: 'forbidden' });
  });

  it('in a browser that names no document, the frame while it stays on the origin', async () => {
    const { injector } = fakeInjector({ '7:0': { url: shopUrl, documentId: null } });
    const harness = start({ injector });
    await signedIn(harness);
    await harness.background.openTagDialog({ tabId: 7, frameId: 0, selectionText: null, linkUrl: null });
    const noDocument = { id: runtimeId, url: 'https://shop.example/orders/1002', tab: { id: 7 }, frameId: 0 };
    expect(await harness.send({ type: 'tagger/close' }, { ...noDocument, url: 'https://evil.example/' })).toMatchObject({ error: 'forbidden' });
    expect(await harness.send({ type: 'tagger/close' }, noDocument)).toEqual({ ok: true });
  });

  it('survives a stopped service worker, and ends when the tab closes', async () => {
    const session = memoryArea();
    const local = memoryArea();
    const server = fakeBackend();
    const first = start({ session, local, server });
    await signedIn(first);
    await first.background.openTagDialog({ tabId: 7, frameId: 0, selectionText: null, linkUrl: null });
    await first.clock.advance(10);

    const second = start({ session, local, server });
    expect(await second.send({ type: 'tagger/open', selection: '' })).toMatchObject({ ok: true });
    second.background.tabClosed(7);
    expect(await second.send({ type: 'tagger/open', selection: '' })).toMatchObject({ error: 'forbidden' });
  });
});

describe('saving', () => {
  it('queues the tag with the frame’s URL as the browser reports it and the page title', async () => {
    const harness = start();
    await signedIn(harness);
    await harness.background.openTagDialog({ tabId: 7, frameId: 0, selectionText: null, linkUrl: null });

    expect(await harness.send<WriteResponse>(save({ tags: ['Trade fair 2026', 'Samples'] }))).toEqual({ ok: true, requestId: expect.any(String), pending: false });
    expect(harness.server.applyAttempts.map((attempt) => attempt.write)).toEqual([
      {
        op: 'tag',
        identifier: liWei,
        tags: ['Trade fair 2026', 'Samples'],
        // Without the fragment; the dialog cannot name another page.
        pageUrl: 'https://shop.example/orders/1001',
        pageTitle: 'Order 1001',
      },
    ]);
  });

  it('names a new lead and sends the identifier in its stored form', async () => {
    const harness = start();
    await signedIn(harness);
    await harness.background.openTagDialog({ tabId: 7, frameId: 0, selectionText: null, linkUrl: null });
    await harness.send(save({ identifier: { kind: 'phone', value: '138 0013 8001' }, displayName: '  Wang Fang ', pageTitle: '  ' }));
    expect(harness.server.applyAttempts.map((attempt) => attempt.write)).toEqual([
      {
        op: 'tag',
        identifier: { kind: 'phone', value: '+8613800138001' },
        tags: ['Trade fair 2026'],
        pageUrl: 'https://shop.example/orders/1001',
        pageTitle: null,
        displayName: 'Wang Fang',
      },
    ]);
  });

  it('records http(s) pages only, without credentials or fragment', () => {
    expect(provenanceUrl('https://user:secret@shop.example/orders/1?x=1#top')).toBe('https://shop.example/orders/1?x=1');
    expect(provenanceUrl('http://127.0.0.1:54321/e2e/any-page.html')).toBe('http://127.0.0.1:54321/e2e/any-page.html');
    for (const url of ['file:///home/me/contacts.html', 'javascript:alert(1)', 'data:text/html,x', 'about:blank', 'not a url', `https://x.example/${'a'.repeat(2100)}`]) {
      expect(provenanceUrl(url)).toBeNull();
    }
  });

  it('refuses an identifier that is none, with nothing queued', async () => {
    const harness = start();
    await signedIn(harness);
    await harness.background.openTagDialog({ tabId: 7, frameId: 0, selectionText: null, linkUrl: null });
    expect(await harness.send(save({ identifier: { kind: 'email', value: 'not an address' } }))).toMatchObject({ ok: false, error: 'invalid-message' });
    expect(await harness.background.services.queue.writes()).toEqual([]);
  });

  it('offline: answers pending, keeps the write through a restart, and applies it once', async () => {
    const local = memoryArea();
    const session = memoryArea();
    const server = fakeBackend();
    const first = start({ local, session, server });
    await signedIn(first);
    await first.background.openTagDialog({ tabId: 7, frameId: 0, selectionText: null, linkUrl: null });
    server.state.online = false;

    const open = await first.send<TaggerOpenResponse>({ type: 'tagger/open', selection: 'wang.fang@example.org' });
    expect(open.resolution).toMatchObject({ offline: true, candidates: [{ identifier: { kind: 'email', value: 'wang.fang@example.org' }, customer: null }] });
    const saved = await first.send<WriteResponse>(save({ identifier: { kind: 'email', value: 'wang.fang@example.org' } }));
    expect(saved).toMatchObject({ ok: true, pending: true });
    expect(server.appliedWrites.size).toBe(0);

    // The worker stops; the network comes back; a new worker sends the queue.
    server.state.online = true;
    const second = start({ local, session, server });
    await second.background.wake();
    await second.clock.advance(10);
    expect([...server.appliedWrites.keys()]).toEqual([saved.requestId]);
    await second.background.wake();
    await second.clock.advance(60_000);
    expect(server.appliedWrites.size).toBe(1);
    expect(await second.background.services.queue.writes()).toEqual([]);
  });
});

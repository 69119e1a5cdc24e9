import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Participants, SiteAdapter } from '../../../extension/sites/common/participants.ts';
import { watchParticipants, type WatchContext } from '../../../extension/features/overlay/watch.ts';
import * as gmail from '../../../extension/sites/gmail.ts';

/** WXT's content script context, reduced to what the watcher uses; `invalidate()` ends it. */
function fakeContext() {
  const onInvalid: Array<() => void> = [];
  const ctx = {
    isValid: true,
    setTimeout: (handler: () => void, timeout?: number) => window.setTimeout(handler, timeout),
    requestIdleCallback: (callback: IdleRequestCallback) =>
      window.setTimeout(() => callback({ didTimeout: false, timeRemaining: () => 50 }), 0),
    addEventListener: (target: EventTarget, type: string, handler: (event: Event) => void) => target.addEventListener(type, handler),
    onInvalidated: (callback: () => void) => {
      onInvalid.push(callback);
      return () => {};
    },
    invalidate() {
      ctx.isValid = false;
      for (const callback of onInvalid) callback();
    },
  };
  return ctx;
}

const settings = () => ({ ownAddresses: [], internalDomains: [] });
const fast = { debounceMs: 10, maxWaitMs: 100, idleTimeoutMs: 10 };
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An adapter that lists `[data-email]` elements under role=main. */
function countingAdapter() {
  const adapter = {
    reads: 0,
    participants(document: Document): Participants {
      adapter.reads++;
      const main = document.querySelector('[role="main"]');
      const identifiers = [...(main?.querySelectorAll('[data-email]') ?? [])].map((el) => ({
        kind: 'email' as const,
        value: el.getAttribute('data-email')!,
      }));
      return { identifiers, anchor: main, mode: 'thread', degraded: false };
    },
    watchRoots: (document: Document) => [...document.querySelectorAll('[role="main"]')],
  } satisfies Pick<SiteAdapter, 'participants' | 'watchRoots'> & { reads: number };
  return adapter;
}

beforeEach(() => {
  document.body.replaceChildren();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('watchParticipants', () => {
  it('reports the participants once, then only when they change', async () => {
    document.body.innerHTML = '<div role="main"><span data-email="a@example.com"></span></div><aside></aside>';
    const ctx = fakeContext();
    const adapter = countingAdapter();
    const seen: string[][] = [];
    watchParticipants(ctx as unknown as WatchContext, document, adapter, settings, (p) => seen.push(p.identifiers.map((id) => id.value)), fast);

    await vi.waitFor(() => expect(seen).toEqual([['a@example.com']]));
    const main = document.querySelector('[role="main"]')!;
    main.append(document.createElement('p'));
    await wait(60);
    expect(seen).toHaveLength(1);

    const chip = document.createElement('span');
    chip.dataset.email = 'b@example.com';
    main.append(chip);
    await vi.waitFor(() => expect(seen).toEqual([['a@example.com'], ['a@example.com', 'b@example.com']]));
    ctx.invalidate();
  });

  it('reads the page once for a burst of changes', async () => {
    document.body.innerHTML = '<div role="main"></div>';
    const ctx = fakeContext();
    const adapter = countingAdapter();
    watchParticipants(ctx as unknown as WatchContext, document, adapter, settings, () => {}, fast);
    await vi.waitFor(() => expect(adapter.reads).toBe(1));
    const main = document.querySelector('[role="main"]')!;
    for (let i = 0; i < 50; i++) main.append(document.createElement('p'));
    await wait(80);
    expect(adapter.reads).toBe(2);
    ctx.invalidate();
  });

  it('reads the first change after a quiet spell at once, and debounces the changes that follow', async () => {
    document.body.innerHTML = '<div role="main"></div>';
    const ctx = fakeContext();
    const adapter = countingAdapter();
    const seen: number[] = [];
    const slow = { debounceMs: 300, maxWaitMs: 400, idleTimeoutMs: 300 };
    watchParticipants(ctx as unknown as WatchContext, document, adapter, settings, (p) => seen.push(p.identifiers.length), slow);
    await vi.waitFor(() => expect(seen).toEqual([0]));
    await wait(450);
    const main = document.querySelector('[role="main"]')!;
    const chip = document.createElement('span');
    chip.dataset.email = 'a@example.com';
    main.append(chip);
    // Well before the 300 ms debounce: the conversation that just opened is read in the next task.
    await wait(40);
    expect(seen).toEqual([0, 1]);
    const readsBefore = adapter.reads;
    // A page that keeps changing right after is read again only once the debounce allows.
    for (let i = 0; i < 10; i++) {
      main.append(document.createElement('p'));
      await wait(10);
    }
    expect(adapter.reads).toBe(readsBefore);
    await vi.waitFor(() => expect(adapter.reads).toBe(readsBefore + 1), { timeout: 1_000 });
    ctx.invalidate();
  });

  it('reads a conversation opened right after the first read at once: neither the first read nor a rescan uses up the immediate read', async () => {
    document.body.innerHTML = '<div role="main"></div>';
    const ctx = fakeContext();
    const adapter = countingAdapter();
    const seen: number[] = [];
    const slow = { debounceMs: 300, maxWaitMs: 400, idleTimeoutMs: 300 };
    const watcher = watchParticipants(ctx as unknown as WatchContext, document, adapter, settings, (p) => seen.push(p.identifiers.length), slow);
    await vi.waitFor(() => expect(seen).toEqual([0]));
    const main = document.querySelector('[role="main"]')!;
    const chip = document.createElement('span');
    chip.dataset.email = 'a@example.com';
    main.append(chip);
    // Well within maxWaitMs of the first read, and before the 300 ms debounce.
    await wait(40);
    expect(seen).toEqual([0, 1]);

    // Settings changed: a rescan reads again at once, and does not delay the next change either.
    await wait(450);
    watcher.rescan();
    await vi.waitFor(() => expect(seen).toEqual([0, 1, 1]));
    const second = document.createElement('span');
    second.dataset.email = 'b@example.com';
    main.append(second);
    await wait(40);
    expect(seen).toEqual([0, 1, 1, 2]);
    ctx.invalidate();
  });

  it('ignores changes outside the watched roots', async () => {
    document.body.innerHTML = '<div role="main"></div><aside></aside>';
    const ctx = fakeContext();
    const adapter = countingAdapter();
    watchParticipants(ctx as unknown as WatchContext, document, adapter, settings, () => {}, fast);
    await vi.waitFor(() => expect(adapter.reads).toBe(1));
    for (let i = 0; i < 20; i++) document.querySelector('aside')!.append(document.createElement('p'));
    await wait(60);
    expect(adapter.reads).toBe(1);
    ctx.invalidate();
  });

  it('watches the body until the app renders its main area, then only the main area', async () => {
    const ctx = fakeContext();
    const adapter = countingAdapter();
    const seen: number[] = [];
    watchParticipants(ctx as unknown as WatchContext, document, adapter, settings, (p) => seen.push(p.identifiers.length), fast);
    await vi.waitFor(() => expect(seen).toEqual([0]));
    const main = document.createElement('div');
    main.setAttribute('role', 'main');
    main.innerHTML = '<span data-email="a@example.com"></span>';
    document.body.append(main);
    await vi.waitFor(() => expect(seen).toEqual([0, 1]));
    const readsBefore = adapter.reads;
    document.body.append(document.createElement('aside'));
    await wait(60);
    expect(adapter.reads).toBe(readsBefore);
    ctx.invalidate();
  });

  it('reads again on in-page navigation', async () => {
    document.body.innerHTML = '<div role="main"></div>';
    const ctx = fakeContext();
    const adapter = countingAdapter();
    watchParticipants(ctx as unknown as WatchContext, document, adapter, settings, () => {}, fast);
    await vi.waitFor(() => expect(adapter.reads).toBe(1));
    window.dispatchEvent(new Event('hashchange'));
    await vi.waitFor(() => expect(adapter.reads).toBe(2));
    window.dispatchEvent(new Event('wxt:locationchange'));
    await vi.waitFor(() => expect(adapter.reads).toBe(3));
    ctx.invalidate();
  });

  it('stops observing when the content script is invalidated', async () => {
    document.body.innerHTML = '<div role="main"></div>';
    const ctx = fakeContext();
    const adapter = countingAdapter();
    watchParticipants(ctx as unknown as WatchContext, document, adapter, settings, () => {}, fast);
    await vi.waitFor(() => expect(adapter.reads).toBe(1));
    ctx.invalidate();
    document.querySelector('[role="main"]')!.append(document.createElement('p'));
    window.dispatchEvent(new Event('hashchange'));
    await wait(60);
    expect(adapter.reads).toBe(1);
  });

  it('follows a Gmail compose window as recipients are added', async () => {
    document.body.innerHTML = `
      <div role="main"></div>
      <div role="dialog"><div role="region">
        <div name="to"><div role="listbox"></div></div>
      </div></div>`;
    const ctx = fakeContext();
    const seen: string[][] = [];
    watchParticipants(ctx as unknown as WatchContext, document, gmail, settings, (p) => seen.push(p.identifiers.map((id) => id.value)), fast);
    await vi.waitFor(() => expect(seen).toEqual([[]]));
    const chip = document.createElement('div');
    chip.setAttribute('role', 'option');
    chip.setAttribute('data-hovercard-id', 'li.wei@example.com');
    document.querySelector('[role="listbox"]')!.append(chip);
    await vi.waitFor(() => expect(seen).toEqual([[], ['li.wei@example.com']]));
    ctx.invalidate();
  });
});

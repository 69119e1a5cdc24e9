import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createPortraitClient, isPagePush, PageRequestError } from '../../../extension/features/page-client.ts';

afterEach(() => fakeBrowser.reset());

const session = { signedIn: false, reason: 'signed-out' } as const;

describe('portrait client (page → background)', () => {
  it('sends the page protocol and returns the answers', async () => {
    const send = vi.fn(async (message: { type: string }) =>
      message.type === 'portrait/lookup'
        ? { ok: true, session, results: [], fetchedAt: null, stale: false }
        : { ok: true, enabled: false, ownAddresses: ['me@example.com', 7], internalDomains: 'acme.example', language: 'auto' },
    );
    const client = createPortraitClient(send);
    const identifiers = [{ kind: 'email' as const, value: 'li.wei@example.com' }];
    await expect(client.lookup(identifiers)).resolves.toMatchObject({ ok: true, session });
    expect(send).toHaveBeenCalledWith({ type: 'portrait/lookup', identifiers });
    // Settings are read defensively: only strings are kept.
    await expect(client.settings()).resolves.toEqual({ enabled: false, ownAddresses: ['me@example.com'], internalDomains: [], locale: 'en', messages: null, placement: null });
  });

  it('passes on the language the background chose and its texts, anything unknown read as English', async () => {
    const answer = (extra: object) => createPortraitClient(async () => ({ ok: true, enabled: true, ownAddresses: [], internalDomains: [], language: 'auto', ...extra }));
    const messages = { 'stage.loyal': '忠诚客户' };
    await expect(answer({ locale: 'zh-CN', messages }).settings()).resolves.toMatchObject({ locale: 'zh-CN', messages });
    await expect(answer({ locale: 'fr', messages: 'not texts' }).settings()).resolves.toMatchObject({ locale: 'en', messages: null });
  });

  it('turns refusals and silence into PageRequestError with a code', async () => {
    const refusing = createPortraitClient(async () => ({ ok: false, error: 'signed-out', message: 'sign in first' }));
    await expect(refusing.write({ op: 'note', customerId: 'c', body: 'x' })).rejects.toMatchObject({ code: 'signed-out' });
    const silent = createPortraitClient(async () => undefined);
    await expect(silent.tagSuggestions('v')).rejects.toBeInstanceOf(PageRequestError);
    await expect(silent.tagSuggestions('v')).rejects.toMatchObject({ code: 'no-answer' });
    const gone = createPortraitClient(async () => {
      throw new Error('Extension context invalidated.');
    });
    await expect(gone.session()).rejects.toMatchObject({ code: 'no-answer' });
  });

  it('uses runtime messaging by default', async () => {
    fakeBrowser.runtime.onMessage.addListener((_message, _sender, sendResponse) => {
      sendResponse({ ok: true, session });
      return true;
    });
    await expect(createPortraitClient().session()).resolves.toEqual({ ok: true, session });
  });

  it('accepts only pushes of the known shapes', () => {
    expect(isPagePush({ type: 'portrait/updated', results: [] })).toBe(true);
    expect(isPagePush({ type: 'portrait/session-changed', session })).toBe(true);
    expect(isPagePush({ type: 'portrait/settings-changed' })).toBe(true);
    expect(isPagePush({ type: 'portrait/updated', results: 'x' })).toBe(false);
    expect(isPagePush({ type: 'portrait/session-changed', session: { signedIn: 'yes' } })).toBe(false);
    expect(isPagePush({ type: 'portrait/other' })).toBe(false);
    expect(isPagePush(null)).toBe(false);
  });

  it('passes pushes from this extension to the listener until stopped', async () => {
    const client = createPortraitClient(async () => ({ ok: true }));
    const seen: unknown[] = [];
    const stop = client.onPush((push) => seen.push(push));
    await fakeBrowser.runtime.onMessage.trigger({ type: 'portrait/settings-changed' }, { id: fakeBrowser.runtime.id }, () => {});
    await fakeBrowser.runtime.onMessage.trigger({ type: 'portrait/settings-changed' }, { id: 'another-extension' }, () => {});
    await fakeBrowser.runtime.onMessage.trigger({ type: 'nonsense' }, { id: fakeBrowser.runtime.id }, () => {});
    stop();
    await fakeBrowser.runtime.onMessage.trigger({ type: 'portrait/settings-changed' }, { id: fakeBrowser.runtime.id }, () => {});
    expect(seen).toEqual([{ type: 'portrait/settings-changed' }]);
  });
});

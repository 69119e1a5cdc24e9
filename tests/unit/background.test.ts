import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import background from '../../extension/entrypoints/background.ts';
import { supabaseUrl } from '../../extension/lib/config.ts';

type Listener = Parameters<typeof fakeBrowser.runtime.onMessage.addListener>[0];

function startBackground(): Listener {
  const addListener = vi.spyOn(fakeBrowser.runtime.onMessage, 'addListener');
  background.main();
  const listener = addListener.mock.calls[0]?.[0];
  if (!listener) throw new Error('The background registered no message listener');
  return listener;
}

const fetchSpy = vi.fn(async () => new Response('{"name":"GoTrue"}', { status: 200 }));
const popup = () => ({ id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/popup.html') });

beforeEach(() => {
  vi.stubGlobal('fetch', fetchSpy);
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  fetchSpy.mockClear();
  fakeBrowser.reset();
});

describe('background service worker', () => {
  it('answers a status request from its own pages through sendResponse', async () => {
    const listener = startBackground();
    const sendResponse = vi.fn();

    const keepsChannelOpen = listener({ type: 'portrait/status' }, popup(), sendResponse);

    expect(keepsChannelOpen).toBe(true);
    await vi.waitFor(() =>
      expect(sendResponse).toHaveBeenCalledWith({ ok: true, apiUrl: supabaseUrl, reachable: true }),
    );
    expect(fetchSpy).toHaveBeenCalledTimes(1);
  });

  it('does not answer another extension, nor call the API for it', async () => {
    const listener = startBackground();
    const sendResponse = vi.fn();

    const keepsChannelOpen = listener({ type: 'portrait/status' }, { id: 'other-extension' }, sendResponse);

    expect(keepsChannelOpen).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(sendResponse).not.toHaveBeenCalled();
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('answers a lookup from Gmail while signed out with the session, without calling the API', async () => {
    const listener = startBackground();
    const sendResponse = vi.fn();

    listener(
      { type: 'portrait/lookup', identifiers: [{ kind: 'email', value: 'li.wei@example.com' }] },
      { id: fakeBrowser.runtime.id, url: 'https://mail.google.com/mail/u/0/', tab: { id: 3 } as never, frameId: 0 },
      sendResponse,
    );

    await vi.waitFor(() =>
      expect(sendResponse).toHaveBeenCalledWith({
        ok: true,
        session: { signedIn: false, reason: 'signed-out' },
        results: [],
        fetchedAt: null,
        stale: false,
      }),
    );
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('refuses its own content script on a page it does not support', async () => {
    const listener = startBackground();
    const sendResponse = vi.fn();

    listener({ type: 'portrait/session' }, { id: fakeBrowser.runtime.id, url: 'https://example.com/', tab: { id: 4 } as never }, sendResponse);

    await vi.waitFor(() => expect(sendResponse).toHaveBeenCalledWith(expect.objectContaining({ ok: false, error: 'forbidden' })));
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import background from '../../extension/entrypoints/background.ts';
import { supabaseUrl } from '../../extension/platform/config.ts';

type Listener = Parameters<typeof fakeBrowser.runtime.onMessage.addListener>[0];

/** The browser APIs of tagging from any page, which WXT's fake browser does not implement. */
function fakeTaggingApis() {
  const menus: Array<{ id: string; title: string; contexts: string[]; targetUrlPatterns?: string[] }> = [];
  const onMenuClicked = vi.fn();
  const onCommand = vi.fn();
  vi.spyOn(fakeBrowser.contextMenus, 'removeAll').mockImplementation(async () => void menus.splice(0));
  vi.spyOn(fakeBrowser.contextMenus, 'create').mockImplementation((properties) => menus.push(properties as (typeof menus)[number]));
  vi.spyOn(fakeBrowser.contextMenus.onClicked, 'addListener').mockImplementation(onMenuClicked);
  vi.spyOn(fakeBrowser.commands.onCommand, 'addListener').mockImplementation(onCommand);
  vi.spyOn(fakeBrowser.i18n, 'getUILanguage').mockReturnValue('en-US');
  return { menus, onMenuClicked, onCommand };
}

function startBackground(): Listener {
  fakeTaggingApis();
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

  it('offers "Tag customer…" on selections and mailto:/tel: links, and opens the dialog from the menu and the shortcut', async () => {
    const apis = fakeTaggingApis();
    const executeScript = vi.fn(async (injection: { func?: unknown; files?: string[] }) =>
      injection.func ? [{ frameId: 0, documentId: 'doc-1', result: { url: 'https://shop.example/orders/1', selection: 'li@example.com' } }] : [{ frameId: 0, documentId: 'doc-1' }],
    );
    Object.assign(fakeBrowser, { scripting: { executeScript } });
    try {
      background.main();
      await vi.waitFor(() => expect(apis.menus).toHaveLength(2));
      expect(apis.menus).toEqual([
        { id: 'portrait-tag-selection', title: 'Tag customer…', contexts: ['selection'] },
        { id: 'portrait-tag-link', title: 'Tag customer…', contexts: ['link'], targetUrlPatterns: ['mailto:*', 'tel:*'] },
      ]);

      // The menu follows the language setting.
      await fakeBrowser.storage.local.set({ 'portrait:settings': { language: 'zh-CN' } });
      await vi.waitFor(() => expect(apis.menus.map((menu) => menu.title)).toEqual(['标记客户…', '标记客户…']));

      const onMenuClicked = apis.onMenuClicked.mock.calls[0]![0] as (info: object, tab: object) => void;
      onMenuClicked({ menuItemId: 'portrait-tag-selection', frameId: 0, selectionText: 'li@example.com' }, { id: 4 });
      await vi.waitFor(() => expect(executeScript).toHaveBeenCalledWith({ target: { tabId: 4, frameIds: [0] }, files: ['/tag-dialog.js'] }));

      const onCommand = apis.onCommand.mock.calls[0]![0] as (command: string, tab: object) => void;
      onCommand('tag-customer', { id: 5 });
      await vi.waitFor(() => expect(executeScript).toHaveBeenCalledWith({ target: { tabId: 5, frameIds: [0] }, files: ['/tag-dialog.js'] }));
      // Another menu item or command opens nothing.
      onCommand('something-else', { id: 6 });
      onMenuClicked({ menuItemId: 'another-extension-item' }, { id: 6 });
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(executeScript.mock.calls.filter(([injection]) => injection.files)).toHaveLength(2);
    } finally {
      Reflect.deleteProperty(fakeBrowser, 'scripting');
    }
  });
});

import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { restrictStorageAccess } from '../platform/storage/auth-storage.ts';
import { createBackground } from '../background/service.ts';
import { settingsItem } from '../background/settings.ts';
import { createShopScripts } from '../features/options/shop-domains.ts';
import { memoryArea, storageArea } from '../platform/storage/storage.ts';
import { commandGesture, createTaggerMenus, menuGesture, uiLocale, type GestureTab, type MenuClick } from '../features/tagger/background/gestures.ts';
import type { TaggerInjector } from '../features/tagger/background/tagger.ts';
import type { Language } from '../platform/messaging/schemas.ts';
import { supabaseAnonKey, supabaseUrl } from '../platform/config.ts';

const queueAlarm = 'portrait-write-queue';
/** Reads the user's follow-ups again for the toolbar badge and the pills. */
const followUpsAlarm = 'portrait-follow-ups';
/** The tagging dialog's script (entrypoints/tag-dialog.ts). */
const tagDialogScript = '/tag-dialog.js';

/** Reads a frame and runs the tagging dialog in it; the tab must have been handed over (activeTab). */
const injector: TaggerInjector = {
  async probe(tabId, frameId) {
    const [found] = await browser.scripting.executeScript({
      target: { tabId, frameIds: [frameId] },
      func: () => ({ url: location.href, selection: String(getSelection() ?? '') }),
    });
    const result = found?.result as { url?: unknown; selection?: unknown } | undefined;
    if (!found || typeof result?.url !== 'string') throw new Error('The frame did not answer');
    return {
      url: result.url,
      // Chrome 106+ names the document; Firefox does not (the origin is checked instead).
      documentId: typeof found.documentId === 'string' ? found.documentId : null,
      selection: typeof result.selection === 'string' ? result.selection.slice(0, 2000) : '',
    };
  },
  async inject(tabId, frameId) {
    await browser.scripting.executeScript({ target: { tabId, frameIds: [frameId] }, files: [tagDialogScript] });
  },
};
/** Browsers do not fire alarms sooner than this after they are set. */
const minimumAlarmDelayMs = 30_000;

export default defineBackground(() => {
  // The session's tokens live in storage.local: keep content scripts from reading it.
  void restrictStorageAccess(browser.storage.local);

  const background = createBackground({
    runtimeId: browser.runtime.id,
    extensionOrigin: browser.runtime.getURL('/'),
    local: storageArea(browser.storage.local),
    session: browser.storage.session ? storageArea(browser.storage.session) : memoryArea(),
    async push(tabId, message) {
      await browser.tabs.sendMessage(tabId, message);
    },
    buildApi: { apiUrl: supabaseUrl, anonKey: supabaseAnonKey },
    uiLanguage: () => browser.i18n.getUILanguage(),
    injector: browser.scripting ? injector : undefined,
    // The WooCommerce content script, registered per shop domain the user adds.
    shopScripts: createShopScripts(browser),
    setBadge(count) {
      void browser.action?.setBadgeText({ text: count > 0 ? String(Math.min(count, 999)) : '' });
      void browser.action?.setBadgeBackgroundColor({ color: '#b91c1c' });
    },
    // Without the alarms permission, the queue resumes at the next message or browser start.
    wakeAt: browser.alarms
      ? (time) => void browser.alarms.create(queueAlarm, { when: Math.max(time, Date.now() + minimumAlarmDelayMs) })
      : undefined,
  });

  // Listeners are registered synchronously, so that the event that woke the worker reaches them.
  // Answer through sendResponse: Chrome does not accept a returned promise from every version.
  browser.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (sender.id !== browser.runtime.id) return false;
    background.handleMessage(message, sender).then(
      (response) => sendResponse(response),
      (error: unknown) => {
        console.error('Portrait: message failed', error);
        sendResponse({ ok: false, error: 'failed' });
      },
    );
    return true;
  });
  browser.tabs.onRemoved.addListener((tabId) => background.tabClosed(tabId));

  // Tagging from any page: the context menu and the shortcut open the same dialog.
  async function openTagDialog(gesture: ReturnType<typeof menuGesture>) {
    if (!gesture) return null;
    const opened = await background.openTagDialog(gesture);
    if (!opened.ok) console.warn('Portrait: cannot open the tagging dialog here', opened.message);
    return opened;
  }
  const tagFromMenu = (info: MenuClick, tab?: GestureTab) => openTagDialog(menuGesture(info, tab));
  const tagFromCommand = (command: string, tab?: GestureTab) => openTagDialog(commandGesture(command, tab));
  browser.contextMenus?.onClicked.addListener((info, tab) => void tagFromMenu(info, tab));
  browser.commands?.onCommand.addListener((command, tab) => void tagFromCommand(command, tab));
  // The handlers the listeners call, reachable from the worker's own scope (the browser tests
  // call them through the service worker: a test cannot click a browser menu).
  Object.assign(globalThis, { portraitTagger: { tagFromMenu, tagFromCommand } });
  if (browser.contextMenus) {
    // Named in the user's language: created at start, and again when the language setting changes.
    // One (re)creation at a time: interleaved removeAll/create calls would create an id twice.
    let menuLocale: string | null = null;
    let menus: Promise<void> = Promise.resolve();
    const createMenus = (language: Language) => {
      const locale = uiLocale(language, browser.i18n.getUILanguage());
      if (locale === menuLocale) return;
      menuLocale = locale;
      menus = menus
        .then(() => createTaggerMenus(browser.contextMenus, locale))
        .catch((error: unknown) => console.warn('Portrait: context menu not created', error));
    };
    void background.services.settings.load().then((settings) => createMenus(settings.language));
    browser.storage.onChanged.addListener((changes, area) => {
      const language = settingsItem.parse(changes[settingsItem.storageKey]?.newValue)?.language;
      if (area === 'local' && language) createMenus(language);
    });
  }
  browser.alarms?.onAlarm.addListener((alarm) => {
    if (alarm.name === queueAlarm) void background.wake();
    if (alarm.name === followUpsAlarm) void background.refreshFollowUps();
  });
  void browser.alarms?.create(followUpsAlarm, { periodInMinutes: 15, delayInMinutes: 1 });
  void background.refreshFollowUps();
  browser.runtime.onStartup.addListener(() => void background.wake());
  globalThis.addEventListener?.('online', () => void background.wake());

  // A worker stopped with writes in its queue sends them as soon as it runs again.
  void background.wake();
});

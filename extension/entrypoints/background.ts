import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { restrictStorageAccess } from '../lib/background/auth-storage.ts';
import { createBackground } from '../lib/background/service.ts';
import { createShopScripts } from '../lib/background/shop-domains.ts';
import { memoryArea, storageArea } from '../lib/background/storage.ts';
import { supabaseAnonKey, supabaseUrl } from '../lib/config.ts';

const queueAlarm = 'portrait-write-queue';
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
    // The WooCommerce content script, registered per shop domain the user adds.
    shopScripts: createShopScripts(browser),
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
  browser.alarms?.onAlarm.addListener((alarm) => {
    if (alarm.name === queueAlarm) void background.wake();
  });
  browser.runtime.onStartup.addListener(() => void background.wake());
  globalThis.addEventListener?.('online', () => void background.wake());

  // A worker stopped with writes in its queue sends them as soon as it runs again.
  void background.wake();
});

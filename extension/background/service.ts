// Puts the background together from its parts. The browser is reached only through
// `BackgroundPlatform`, so tests build the same background over fake storage, time and network,
// and "restart the service worker" by building it again over the same storage.
import { createMessageHandler, type MessageSender } from '../platform/messaging/front-door.ts';
import { createAuthStorage } from '../platform/storage/auth-storage.ts';
import { createSupabaseBackend, type PortraitBackend } from './client.ts';
import { systemClock, type Clock } from './clock.ts';
import { createLookupBatcher } from './lookup-batcher.ts';
import { createPortraitCache } from './portrait-cache.ts';
import { createPortraitService } from './portraits.ts';
import { registerFeatures } from '../features/index.ts';
import { createSessionManager } from './session.ts';
import { syncShopScripts, type ShopScripts } from '../features/options/shop-domains.ts';
import { matchesFor } from '../sites/woocommerce.ts';
import { MatchPattern } from 'wxt/utils/match-patterns';
import { createSettingsStore, type ApiConfig } from './settings.ts';
import type { KeyValueArea } from '../platform/storage/storage.ts';
import { createPlacementStore } from '../platform/storage/placements.ts';
import { createTabRegistry, type PushToTab } from './tabs.ts';
import { createInjectedFrames, createTagger, type TaggerInjector } from '../features/tagger/background/tagger.ts';
import { createWriteQueue } from './write-queue.ts';
import { createFollowUpStore } from './follow-ups.ts';

export interface BackgroundPlatform {
  runtimeId: string;
  /** `runtime.getURL('/')`. */
  extensionOrigin: string;
  /** `storage.local`: settings, the account, the session's tokens, the write queue. */
  local: KeyValueArea;
  /** `storage.session`: the portrait cache and which tabs show what. */
  session: KeyValueArea;
  /** `tabs.sendMessage`. */
  push: PushToTab;
  /** The API the extension was built for. */
  buildApi: ApiConfig;
  /** Wakes the service worker at this time even if it is stopped meanwhile (`alarms`). */
  wakeAt?(time: number): void;
  /** Injects the tagging dialog into a frame handed over by a user gesture (`scripting`). */
  injector?: TaggerInjector;
  createBackend?(api: ApiConfig, local: KeyValueArea): PortraitBackend;
  fetch?: typeof fetch;
  /** `scripting` and `permissions` for the WooCommerce shop domains the user adds. */
  shopScripts?: ShopScripts;
  clock?: Clock;
  random?: () => number;
  newId?: () => string;
  /** Batching window for lookups. */
  lookupWindowMs?: number;
  /** How long a write request waits for its first attempt before answering `pending`. */
  writeAnswerMs?: number;
  /** `i18n.getUILanguage()`: the browser's language, for the language option `auto`. */
  uiLanguage?: () => string;
  /** The toolbar badge: follow-ups due by the end of today (`action.setBadgeText`). */
  setBadge?(count: number): void;
}

export function createBackground(platform: BackgroundPlatform) {
  const clock = platform.clock ?? systemClock;
  const settings = createSettingsStore(platform.local, platform.buildApi);
  const createBackend =
    platform.createBackend ??
    ((api: ApiConfig, local: KeyValueArea) =>
      createSupabaseBackend({ ...api, storage: createAuthStorage(local), fetch: platform.fetch }));
  const session = createSessionManager({
    area: platform.local,
    settings,
    createBackend: (api) => createBackend(api, platform.local),
  });
  const cache = createPortraitCache({ clock, area: platform.session });
  const tabs = createTabRegistry({ clock, area: platform.session });
  const batcher = createLookupBatcher({
    clock,
    windowMs: platform.lookupWindowMs,
    async fetchBatch(orgId, identifiers) {
      const [backend, context] = await Promise.all([session.backend(), session.portraitContext(orgId)]);
      return backend.customerContext(identifiers, context);
    },
  });

  const queue = createWriteQueue({
    area: platform.local,
    clock,
    random: platform.random,
    newId: platform.newId,
    wakeAt: platform.wakeAt,
    async apply(write) {
      const [backend, context] = await Promise.all([session.backend(), session.portraitContext(write.orgId)]);
      return backend.applyWrite(write, context);
    },
    async canSend(write) {
      const account = await session.account();
      const api = await settings.api();
      return account !== null && account.userId === write.userId && account.apiUrl === api.apiUrl;
    },
    onSettled(write, settlement) {
      // Settlements come from later drains, after `portraits` exists.
      void portraits.writeSettled(write, settlement);
    },
  });
  const followUps = createFollowUpStore({ session, clock, onCount: platform.setBadge });
  const portraits = createPortraitService({
    followUps,
    session,
    settings,
    cache,
    batcher,
    queue,
    tabs,
    push: platform.push,
    clock,
    writeAnswerMs: platform.writeAnswerMs,
  });

  session.onChange((state) => {
    portraits.reset();
    for (const tabId of tabs.all()) {
      platform.push(tabId, { type: 'portrait/session-changed', session: state }).catch(() => tabs.forget(tabId));
    }
    if (state.signedIn) void queue.drain();
  });

  const injectedFrames = createInjectedFrames({ area: platform.session, clock });
  const tagger = createTagger({ session, settings, portraits, frames: injectedFrames, injector: platform.injector });
  // Admin pages of the shop domains the user added; checked for every message, so kept compiled.
  let shopPatterns: { domains: readonly string[]; patterns: MatchPattern[] } = { domains: [], patterns: [] };
  const shopPage = (url: string): boolean => {
    const { shopDomains } = settings.loaded();
    if (shopPatterns.domains !== shopDomains) {
      shopPatterns = { domains: shopDomains, patterns: shopDomains.flatMap(matchesFor).map((pattern) => new MatchPattern(pattern)) };
    }
    return shopPatterns.patterns.some((pattern) => pattern.includes(url));
  };
  const handle = createMessageHandler({
    runtimeId: platform.runtimeId,
    extensionOrigin: platform.extensionOrigin,
    injectedFrame: injectedFrames.allows,
    shopPage,
    ...registerFeatures({
      followUps,
      session,
      settings,
      portraits,
      queue,
      tabs,
      push: platform.push,
      tagger,
      placements: createPlacementStore(platform.local),
      fetch: platform.fetch,
      uiLanguage: platform.uiLanguage,
      shopScripts: platform.shopScripts,
    }),
    async siteEnabled(siteId) {
      const { sites } = await settings.load();
      return sites[siteId as keyof typeof sites] ?? true;
    },
  });

  // What a stopped service worker left behind is loaded before the first message is answered.
  const ready = Promise.all([cache.restore(), tabs.restore(), injectedFrames.restore(), settings.load()]).catch((error: unknown) => {
    console.warn('Portrait: could not restore the background state', error);
  });
  // Shop content scripts persist across restarts; this repairs them if the browser lost some.
  if (platform.shopScripts) {
    const scripts = platform.shopScripts;
    void ready
      .then(async () => {
        const { shopDomains } = await settings.load();
        if (shopDomains.length > 0) await syncShopScripts(scripts, shopDomains);
      })
      .catch((error: unknown) => console.warn('Portrait: could not register the shop content scripts', error));
  }

  return {
    async handleMessage(message: unknown, sender: MessageSender): Promise<object | undefined> {
      await ready;
      return handle(message, sender);
    },
    /** Startup, an alarm, the network coming back: send what the queue holds. */
    async wake(): Promise<void> {
      await ready;
      await queue.drain({ now: true });
    },
    /** The follow-ups alarm: read the user's follow-ups again (the badge and the pills follow). */
    async refreshFollowUps(): Promise<void> {
      await ready;
      const state = await session.state();
      if (!state.signedIn || !state.orgId) return;
      try {
        await followUps.refresh(state.orgId);
      } catch (error) {
        await session.noticeFailure(error);
      }
    },
    tabClosed(tabId: number): void {
      tabs.forget(tabId);
      injectedFrames.removeTab(tabId);
    },
    /** A user gesture handed a tab to Portrait (context menu, shortcut): open the tagging dialog. */
    async openTagDialog(gesture: Parameters<typeof tagger.open>[0]) {
      await ready;
      return tagger.open(gesture);
    },
    services: { settings, session, cache, tabs, queue, portraits, tagger, followUps },
  };
}

export type Background = ReturnType<typeof createBackground>;

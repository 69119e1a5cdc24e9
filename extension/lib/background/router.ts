// What the background does for each message, once the front door (lib/message-handler.ts) has
// checked its sender and shape.
import { dictionaries as overlayDictionaries } from '../../components/overlay/messages.ts';
import { checkApi, isApiReachable } from '../api-health.ts';
import { resolveLocale } from '../i18n.ts';
import type { MessageHandlers, TrustedSender } from '../message-handler.ts';
import type { ErrorResponse, PageSettingsResponse, PopupStateResponse, SettingsView } from '../message-schemas.ts';
import { ApiFailure } from './client.ts';
import { InvalidArguments } from './rpc.ts';
import type { PortraitService } from './portraits.ts';
import type { SessionManager } from './session.ts';
import { InvalidShopDomainError, normalizeShopOrigin, type ShopScripts } from './shop-domains.ts';
import {
  InvalidSettingError,
  normalizeInternalDomains,
  normalizeOwnAddresses,
  withoutTrailingSlash,
  type ApiConfig,
  type SettingsStore,
} from './settings.ts';
import type { PushToTab, TabRegistry } from './tabs.ts';
import type { Tagger } from './tagger.ts';
import type { WriteQueue } from './write-queue.ts';

export interface RouterDeps {
  session: SessionManager;
  settings: SettingsStore;
  portraits: PortraitService;
  queue: WriteQueue;
  tabs: TabRegistry;
  push: PushToTab;
  /** The tagging dialog's messages (background/tagger.ts). */
  tagger: Tagger;
  fetch?: typeof fetch;
  /** The browser's UI language (`i18n.getUILanguage()`), for the language option `auto`. */
  uiLanguage?: () => string;
  /** Registers the WooCommerce content script for shop domains; absent where the browser cannot. */
  shopScripts?: ShopScripts;
}

/** Pushed to every tab that talks to Portrait when a setting that concerns pages changes. */
export const settingsChanged = { type: 'portrait/settings-changed' } as const;

function tabOf(sender: TrustedSender): number | null {
  return sender.kind === 'content-script' ? sender.tabId : null;
}

/** The frame of the tagging dialog; the front door lets only such frames send its messages. */
function dialogFrame(sender: TrustedSender) {
  if (sender.kind !== 'content-script' || !sender.injected) throw new Error('Not the tagging dialog');
  return { tabId: sender.tabId, frameId: sender.frameId, url: sender.url, documentId: sender.documentId };
}

function failed(error: unknown): ErrorResponse {
  if (error instanceof ApiFailure) {
    if (error.kind === 'network') return { ok: false, error: 'failed', message: 'The API cannot be reached' };
    if (error.kind === 'signed-out') return { ok: false, error: 'signed-out', message: error.message };
  }
  return { ok: false, error: 'failed', message: error instanceof Error ? error.message : String(error) };
}

export function createRouter(deps: RouterDeps): MessageHandlers {
  const { session, settings, portraits, queue, tabs, push, tagger } = deps;

  async function popupState(): Promise<PopupStateResponse> {
    const [state, account, current, writes, failedWrites, api] = await Promise.all([
      session.state(),
      session.account(),
      settings.load(),
      queue.writes(),
      queue.failed(),
      settings.api(),
    ]);
    return {
      ok: true,
      session: state,
      orgs: state.signedIn ? (account?.orgs ?? []).map(({ id, name, role }) => ({ id, name, role })) : [],
      sites: current.sites,
      apiUrl: api.apiUrl,
      pendingWrites: writes.filter((write) => write.userId === account?.userId).length,
      failedWrites: failedWrites.length,
    };
  }

  async function broadcastSettings(): Promise<void> {
    await Promise.all(tabs.all().map((tabId) => push(tabId, settingsChanged).catch(() => tabs.forget(tabId))));
  }

  async function accessTokenFor(apiUrl: string): Promise<string | null> {
    const backend = await session.backend();
    if (backend.apiUrl !== apiUrl || !(await session.account())) return null;
    try {
      return await backend.accessToken();
    } catch {
      return null;
    }
  }

  return {
    async 'portrait/status'() {
      const api = await settings.api();
      return { ok: true, apiUrl: api.apiUrl, reachable: await isApiReachable(api.apiUrl, api.anonKey, deps.fetch) };
    },

    async 'popup/state'() {
      // The popup is the moment the user looks: pick up organization changes and retry writes.
      void session.refreshOrgs();
      void queue.drain({ now: true });
      return popupState();
    },

    async 'account/sign-in'(message) {
      try {
        await session.signIn(message.email, message.password);
      } catch (error) {
        if (error instanceof ApiFailure && error.kind === 'refused') {
          return { ok: false, error: 'failed', message: error.message };
        }
        return failed(error);
      }
      void queue.drain();
      return popupState();
    },

    async 'account/sign-out'() {
      // The queue belongs to the account: another user must not send its writes.
      await queue.clear();
      await session.signOut();
      return popupState();
    },

    async 'account/select-org'(message) {
      try {
        await session.selectOrg(message.orgId);
      } catch (error) {
        return failed(error);
      }
      return popupState();
    },

    async 'settings/site'(message) {
      await settings.update((current) => ({ ...current, sites: { ...current.sites, [message.site]: message.enabled } }));
      await broadcastSettings();
      return popupState();
    },

    async 'settings/get'() {
      return { ok: true, settings: await settings.view() };
    },

    async 'settings/shop-domain'(message) {
      const origin = normalizeShopOrigin(message.domain);
      if (!origin) return { ok: false, error: 'invalid-message', message: new InvalidShopDomainError(message.domain).message };
      const scripts = deps.shopScripts;
      if (!scripts) return { ok: false, error: 'failed', message: 'This browser cannot show Portrait on shop domains' };
      if (message.action === 'add') {
        // The options page asked the user first; without the permission the script would never run.
        if (!(await scripts.hasPermission(origin))) {
          return { ok: false, error: 'forbidden', message: `Portrait has no permission to read ${origin}` };
        }
        await scripts.register(origin);
        try {
          await settings.update((current) => ({
            ...current,
            shopDomains: current.shopDomains.includes(origin) ? current.shopDomains : [...current.shopDomains, origin],
          }));
        } catch (error) {
          // Nothing half-done: a shop that is not in the settings has no script either.
          await scripts.unregister(origin).catch(() => undefined);
          throw error;
        }
      } else {
        await scripts.unregister(origin);
        await settings.update((current) => ({ ...current, shopDomains: current.shopDomains.filter((domain) => domain !== origin) }));
        // Keep the permission when the API lives on the same origin.
        if (new URL((await settings.api()).apiUrl).origin !== origin) await scripts.removePermission(origin).catch(() => undefined);
      }
      return { ok: true, settings: await settings.view() };
    },

    async 'settings/preferences'(message) {
      let ownAddresses: string[];
      let internalDomains: string[];
      try {
        ownAddresses = normalizeOwnAddresses(message.ownAddresses);
        internalDomains = normalizeInternalDomains(message.internalDomains);
      } catch (error) {
        if (error instanceof InvalidSettingError) return { ok: false, error: 'invalid-message', message: error.message };
        throw error;
      }
      await settings.update((current) => ({ ...current, ownAddresses, internalDomains, language: message.language }));
      portraits.reset();
      await broadcastSettings();
      return { ok: true, settings: await settings.view() };
    },

    async 'settings/save-api'(message) {
      const next: ApiConfig | null = message.api
        ? { apiUrl: withoutTrailingSlash(message.api.apiUrl), anonKey: message.api.anonKey }
        : null;
      let check = null;
      if (next) {
        check = await checkApi(next.apiUrl, next.anonKey, { accessToken: await accessTokenFor(next.apiUrl), fetch: deps.fetch });
        if (check.auth !== 'ok') {
          return { ok: true, check, saved: false, settings: await settings.view() };
        }
      }
      const before = await settings.api();
      const target = next ?? settings.buildApi;
      if (target.apiUrl !== before.apiUrl) {
        // The session and the queued writes belong to the project being left.
        await queue.clear();
        await session.signOut();
        portraits.reset();
      }
      await settings.update((current) => ({ ...current, api: next }));
      const view: SettingsView = await settings.view();
      return { ok: true, check, saved: true, settings: view };
    },

    async 'overview/data'(message) {
      // The Overview page is for reps and admins (DESIGN §8); the database checks membership again.
      const membership = await session.membership(message.orgId);
      if (!membership) return { ok: false, error: 'forbidden', message: 'You are not a member of this organization' };
      if (membership.role === 'staff') {
        return { ok: false, error: 'forbidden', message: 'The overview is for sales reps and admins' };
      }
      try {
        const backend = await session.backend();
        return { ok: true, overview: await backend.stageOverview(message.orgId, message.from, message.to) };
      } catch (error) {
        if (error instanceof InvalidArguments) return { ok: false, error: 'invalid-message', message: error.message };
        void session.noticeFailure(error);
        return failed(error);
      }
    },

    async 'portrait/lookup'(message, sender) {
      return portraits.lookup(message.identifiers, tabOf(sender));
    },

    async 'portrait/write'(message, sender) {
      return portraits.write(message.write, tabOf(sender));
    },

    async 'portrait/tags'(message) {
      return portraits.tagSuggestions(message.prefix);
    },

    async 'portrait/session'(_message, sender) {
      const tabId = tabOf(sender);
      if (tabId !== null) tabs.seen(tabId);
      return { ok: true, session: await session.state() };
    },

    async 'portrait/settings'(_message, sender): Promise<PageSettingsResponse> {
      const tabId = tabOf(sender);
      if (tabId !== null) tabs.seen(tabId);
      const [current, account] = await Promise.all([settings.load(), session.account()]);
      const siteId = sender.kind === 'content-script' ? sender.site?.id : undefined;
      const enabled = siteId ? (current.sites[siteId] ?? true) : true;
      const ownAddresses = account?.email && !current.ownAddresses.includes(account.email.toLowerCase())
        ? [...current.ownAddresses, account.email.toLowerCase()]
        : current.ownAddresses;
      const locale = resolveLocale(current.language, deps.uiLanguage?.() ?? globalThis.navigator?.language);
      const messages = locale === 'en' ? null : overlayDictionaries[locale];
      return { ok: true, enabled, ownAddresses, internalDomains: current.internalDomains, language: current.language, locale, messages };
    },

    'tagger/open': (message, sender) => tagger.handlers['tagger/open'](message, dialogFrame(sender)),
    'tagger/resolve': (message, sender) => tagger.handlers['tagger/resolve'](message, dialogFrame(sender)),
    'tagger/tags': (message, sender) => tagger.handlers['tagger/tags'](message, dialogFrame(sender)),
    'tagger/save': (message, sender) => tagger.handlers['tagger/save'](message, dialogFrame(sender)),
    'tagger/close': (message, sender) => tagger.handlers['tagger/close'](message, dialogFrame(sender)),
  };
}

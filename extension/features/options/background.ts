// The options page's messages in the background: the settings, the WooCommerce shop domains and
// the Supabase project.
import { defineFeature } from '../../platform/messaging/front-door.ts';
import type { SettingsView } from '../../platform/messaging/schemas.ts';
import { checkApi } from '../../background/api-health.ts';
import { broadcastSettings, type BackgroundServices } from '../../background/services.ts';
import {
  InvalidSettingError,
  normalizeInternalDomains,
  normalizeOwnAddresses,
  withoutTrailingSlash,
  type ApiConfig,
} from '../../background/settings.ts';
import {
  getSettingsRequestSchema,
  saveApiRequestSchema,
  savePreferencesRequestSchema,
  shopDomainRequestSchema,
} from './schemas.ts';
import { InvalidShopDomainError, normalizeShopOrigin } from './shop-domains.ts';

export const optionsFeature = defineFeature({
  messages: {
    'settings/get': { schema: getSettingsRequestSchema, from: 'extension-page' },
    'settings/shop-domain': { schema: shopDomainRequestSchema, from: 'extension-page' },
    'settings/preferences': { schema: savePreferencesRequestSchema, from: 'extension-page' },
    'settings/save-api': { schema: saveApiRequestSchema, from: 'extension-page' },
  },
  handlers: (deps: BackgroundServices) => {
    const { session, settings, portraits, queue } = deps;

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
        await broadcastSettings(deps);
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
    };
  },
});

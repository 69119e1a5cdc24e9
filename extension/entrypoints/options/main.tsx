import '../../assets/tailwind.css';
import { render } from 'preact';
import { browser } from 'wxt/browser';
import { Options, type OptionsApi } from '../../features/options/Options.tsx';
import { shopPermission } from '../../features/options/shop-domains.ts';
import { hostPermissionFor, isHostCovered } from '../../platform/config.ts';
import { sendMessage } from '../../features/send.ts';
import { applyLanguage, loadPageLanguage } from '../../features/page-locale.ts';

const api: OptionsApi = {
  settings: async () => (await sendMessage({ type: 'settings/get' })).settings,
  async savePreferences(preferences) {
    const { settings } = await sendMessage({ type: 'settings/preferences', ...preferences });
    // The page follows a new language at once (Options renders again with the saved settings).
    applyLanguage(settings.language);
    return settings;
  },
  saveApi: (next) => sendMessage({ type: 'settings/save-api', api: next }),
  requestPermission(apiUrl) {
    // The manifest's own hosts (the local stack, *.supabase.co) need no prompt.
    if (isHostCovered(apiUrl, browser.runtime.getManifest().host_permissions ?? [])) return Promise.resolve(true);
    return browser.permissions.request({ origins: [hostPermissionFor(apiUrl)] });
  },
  requestShopPermission: (origin) => browser.permissions.request({ origins: [shopPermission(origin)] }),
  shopDomain: async (action, domain) => (await sendMessage({ type: 'settings/shop-domain', action, domain })).settings,
};

const container = document.getElementById('app');
// In the chosen language from the first paint.
void loadPageLanguage().then(() => {
  if (container) render(<Options api={api} />, container);
});

import '../../assets/tailwind.css';
import { render } from 'preact';
import { browser } from 'wxt/browser';
import { Options, type OptionsApi } from '../../components/Options.tsx';
import { shopPermission } from '../../lib/background/shop-domains.ts';
import { hostPermissionFor, isHostCovered } from '../../lib/config.ts';
import { sendMessage } from '../../lib/messages.ts';

const api: OptionsApi = {
  settings: async () => (await sendMessage({ type: 'settings/get' })).settings,
  savePreferences: async (preferences) =>
    (await sendMessage({ type: 'settings/preferences', ...preferences })).settings,
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
if (container) render(<Options api={api} />, container);

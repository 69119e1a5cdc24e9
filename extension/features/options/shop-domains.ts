// The shop domains the user added in the options page (WooCommerce stores on their own domains).
// For each one the user grants the optional host permission in the options page (a browser
// prompt needs the click's gesture), and the background registers the WooCommerce content script
// for that origin's admin pages only, with `scripting.registerContentScripts`: no broad host
// permission is ever required. Registrations persist across browser restarts; `sync` repairs
// them at start-up from the settings (and drops those whose permission was taken back).
import { matchesFor } from '../../sites/woocommerce.ts';
import { siteForUrl } from '../../sites/common/supported.ts';

/** The content script the background registers for each shop origin (WXT's output path). */
export const shopContentScript = 'content-scripts/woocommerce.js';
const scriptIdPrefix = 'portrait-shop:';

export class InvalidShopDomainError extends Error {
  constructor(readonly value: string) {
    super(`"${value}" is not the https address of a shop (for example shop.example.com)`);
    this.name = 'InvalidShopDomainError';
  }
}

/**
 * The origin (`https://host`) of a shop domain as people write it: `shop.example.com`,
 * `https://shop.example.com/wp-admin/`, an order page's URL. Only https (the manifest's optional
 * host permission), no credentials, a dotted host name, not a site Portrait already supports.
 */
export function normalizeShopOrigin(value: string): string | null {
  const text = value.trim();
  if (text === '' || text.length > 2048 || /\s/.test(text)) return null;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    return null;
  }
  // A port would need its own match pattern: shops are served on the standard one.
  if (url.protocol !== 'https:' || url.username || url.password || url.port) return null;
  const host = url.hostname;
  if (!/^[a-z0-9.-]+$/.test(host) || !host.includes('.') || host.startsWith('.') || host.endsWith('.') || host.includes('..')) return null;
  if (/^[0-9.]+$/.test(host)) return null;
  if (siteForUrl(`${url.origin}/`)) return null;
  return url.origin;
}

/** The host permission that covers a shop origin's pages. */
export function shopPermission(origin: string): string {
  return `${origin}/*`;
}

/** What the background needs of the browser for shop domains. */
export interface ShopScripts {
  /** Whether the user granted the host permission for the origin. */
  hasPermission(origin: string): Promise<boolean>;
  /** Registers (or re-registers) the content script for the origin's admin pages. */
  register(origin: string): Promise<void>;
  unregister(origin: string): Promise<void>;
  /** Origins with a registered content script. */
  registered(): Promise<string[]>;
  /** Gives the host permission back (no prompt needed). */
  removePermission(origin: string): Promise<void>;
}

/** The subset of the WebExtension APIs used here (Chrome MV3 and Firefox). */
export interface ShopScriptsBrowser {
  permissions: {
    contains(permissions: { origins: string[] }): Promise<boolean>;
    remove(permissions: { origins: string[] }): Promise<boolean>;
  };
  scripting?: {
    registerContentScripts(scripts: Array<{ id: string; matches: string[]; js: string[]; runAt: 'document_idle'; persistAcrossSessions?: boolean; allFrames?: boolean }>): Promise<void>;
    unregisterContentScripts(filter?: { ids?: string[] }): Promise<void>;
    getRegisteredContentScripts(filter?: { ids?: string[] }): Promise<Array<{ id: string }>>;
  };
}

export function createShopScripts(browser: ShopScriptsBrowser): ShopScripts {
  const scripting = () => {
    if (!browser.scripting?.registerContentScripts) throw new Error('This browser cannot register content scripts (scripting API missing)');
    return browser.scripting;
  };
  const idOf = (origin: string) => `${scriptIdPrefix}${origin}`;
  async function registeredIds(origin?: string): Promise<string[]> {
    const scripts = await scripting().getRegisteredContentScripts(origin ? { ids: [idOf(origin)] } : undefined);
    return scripts.map((script) => script.id).filter((id) => id.startsWith(scriptIdPrefix));
  }
  return {
    hasPermission: (origin) => browser.permissions.contains({ origins: [shopPermission(origin)] }),
    async register(origin) {
      const api = scripting();
      if ((await registeredIds(origin)).length > 0) await api.unregisterContentScripts({ ids: [idOf(origin)] });
      await api.registerContentScripts([
        { id: idOf(origin), matches: matchesFor(origin), js: [shopContentScript], runAt: 'document_idle', persistAcrossSessions: true, allFrames: false },
      ]);
    },
    async unregister(origin) {
      if ((await registeredIds(origin)).length > 0) await scripting().unregisterContentScripts({ ids: [idOf(origin)] });
    },
    async registered() {
      return (await registeredIds()).map((id) => id.slice(scriptIdPrefix.length));
    },
    async removePermission(origin) {
      await browser.permissions.remove({ origins: [shopPermission(origin)] });
    },
  };
}

/**
 * Makes the registrations match the settings: registers what is missing (when the permission is
 * still granted) and unregisters the rest. Returns the origins that stay registered.
 */
export async function syncShopScripts(scripts: ShopScripts, origins: readonly string[]): Promise<string[]> {
  const registered = new Set(await scripts.registered());
  const kept: string[] = [];
  for (const origin of origins) {
    if (!(await scripts.hasPermission(origin))) {
      if (registered.has(origin)) await scripts.unregister(origin);
    } else {
      if (!registered.has(origin)) await scripts.register(origin);
      kept.push(origin);
    }
    registered.delete(origin);
  }
  for (const stray of registered) await scripts.unregister(stray);
  return kept;
}

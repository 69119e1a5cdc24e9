import preact from '@preact/preset-vite';
import tailwindcss from '@tailwindcss/vite';
import { readdirSync } from 'node:fs';
import process from 'node:process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'wxt';
import { apiHostPermissions, localSupabaseUrl } from './extension/platform/api-hosts.ts';

const manifestLocales = fileURLToPath(new URL('./extension/locales/', import.meta.url));

// Only the Supabase API is reachable from the extension: the one the build is made against
// (WXT_SUPABASE_URL, from the environment or a .env file, as extension/platform/config.ts reads it;
// `npm start -- --api-port N` builds against its port) and hosted projects. Read when the manifest
// is written, after WXT has loaded the .env files.
const supabaseHosts = () => apiHostPermissions(process.env.WXT_SUPABASE_URL || localSupabaseUrl);

export default defineConfig({
  srcDir: 'extension',
  outDir: '.output',
  // Every module imports what it uses, so a reader (and a test) sees where names come from.
  imports: false,
  vite: () => ({
    plugins: [preact(), tailwindcss()],
  }),
  hooks: {
    // The WooCommerce content script runs on shop domains the user adds, so its stylesheet (loaded
    // into the overlay's shadow root) cannot name them in advance; the dynamic URL keeps pages from
    // probing for it.
    'build:manifestGenerated'(_wxt, manifest) {
      for (const entry of manifest.web_accessible_resources ?? []) {
        if (typeof entry === 'object' && entry.resources.includes('content-scripts/woocommerce.css') && !entry.matches?.length) {
          entry.matches = ['https://*/*'];
        }
      }
      // The card's actions, imported by the overlay's content scripts when a card opens
      // (entrypoints/card-actions.ts); on every https page, as the WooCommerce shops are not known
      // in advance. Firefox's MV2 manifest lists resources as plain strings.
      const resources = (manifest.web_accessible_resources ?? []) as Array<object | string>;
      manifest.web_accessible_resources = [
        ...resources,
        manifest.manifest_version === 3
          ? { resources: ['card-actions.js'], use_dynamic_url: true, matches: ['https://*/*'] }
          : 'card-actions.js',
      ] as typeof manifest.web_accessible_resources;
    },
    // The manifest's texts per browser language, copied to where browsers look for them.
    'build:publicAssets'(_wxt, files) {
      for (const language of readdirSync(manifestLocales)) {
        files.push({ absoluteSrc: join(manifestLocales, language, 'messages.json'), relativeDest: `_locales/${language}/messages.json` });
      }
    },
  },
  manifest: ({ browser }) => ({
    name: 'Portrait',
    // In the browser's language: extension/locales/<language>/messages.json.
    description: '__MSG_extDescription__',
    default_locale: 'en',
    // alarms wake a stopped worker to retry queued writes. Tagging from any page: contextMenus
    // and the shortcut (commands) hand the tab over for a moment (activeTab), scripting injects
    // the tagging dialog into it, and registers the WooCommerce content script for each shop
    // domain the user adds (with that origin's optional permission); no access to all sites is
    // asked for.
    permissions: ['storage', 'alarms', 'contextMenus', 'activeTab', 'scripting'],
    commands: {
      'tag-customer': {
        suggested_key: { default: 'Alt+Shift+T' },
        description: '__MSG_commandTagCustomer__',
      },
    },
    host_permissions: supabaseHosts(),
    // Asked for one origin at a time, when the user saves a Supabase project on its own domain or
    // adds a shop domain.
    optional_host_permissions: ['https://*/*'],
    // Firefox's MV2 manifest has no optional_host_permissions; origins go in optional_permissions.
    ...(browser === 'firefox' && { optional_permissions: ['https://*/*'] }),
    // Firefox needs a fixed id for storage and messaging; Chrome warns about the unknown key.
    // `scripting` (the tagging dialog) exists in Firefox's MV2 from version 102.
    ...(browser === 'firefox' && {
      browser_specific_settings: { gecko: { id: 'portrait@portrait.dev', strict_min_version: '102.0' } },
    }),
  }),
});

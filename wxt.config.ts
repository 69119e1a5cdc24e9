import preact from '@preact/preset-vite';
import tailwindcss from '@tailwindcss/vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'wxt';

const noAutoMount = fileURLToPath(new URL('./extension/lib/page/no-auto-mount.ts', import.meta.url));

// Only the Supabase API is reachable from the extension: the local stack and hosted projects.
const supabaseHosts = [
  'http://127.0.0.1:54321/*',
  'http://localhost:54321/*',
  'https://*.supabase.co/*',
];

export default defineConfig({
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
    },
  },
  srcDir: 'extension',
  outDir: '.output',
  // Every module imports what it uses, so a reader (and a test) sees where names come from.
  imports: false,
  vite: () => ({
    plugins: [preact(), tailwindcss()],
    resolve: {
      // WXT's autoMount helper is never used; keep its element-waiting library out of content scripts.
      alias: [{ find: /^@1natsu\/wait-element(\/detectors)?$/, replacement: noAutoMount }],
    },
  }),
  manifest: ({ browser }) => ({
    name: 'Portrait',
    description:
      'Customer portraits, tags and lifecycle stages beside the mail and shop pages where you meet customers.',
    // alarms wake a stopped worker to retry queued writes; scripting registers the WooCommerce
    // content script for each shop domain the user adds (with that origin's optional permission).
    permissions: ['storage', 'alarms', 'scripting'],
    host_permissions: supabaseHosts,
    // Asked for one origin at a time, when the user saves a Supabase project on its own domain or
    // adds a shop domain.
    optional_host_permissions: ['https://*/*'],
    // Firefox's MV2 manifest has no optional_host_permissions; origins go in optional_permissions.
    ...(browser === 'firefox' && { optional_permissions: ['https://*/*'] }),
    // Firefox needs a fixed id for storage and messaging; Chrome warns about the unknown key.
    ...(browser === 'firefox' && {
      browser_specific_settings: { gecko: { id: 'portrait@portrait.dev' } },
    }),
  }),
});

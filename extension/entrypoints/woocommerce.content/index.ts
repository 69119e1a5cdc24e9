// WooCommerce admin: the overlay beside order pages. Not in the manifest: the background registers
// it (scripting.registerContentScripts) for each shop domain the user adds in the options page.
import '../../features/overlay/overlay.css';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { startOverlay } from '../../features/overlay/start.tsx';
import * as woocommerce from '../../sites/woocommerce.ts';

export default defineContentScript({
  // No pages in advance: the background registers the script per shop domain (sites/common/demo.ts `siteMatches`).
  matches: [...woocommerce.matches],
  registration: 'runtime',
  runAt: 'document_idle',
  cssInjectionMode: 'ui',
  main: (ctx) => startOverlay(ctx, woocommerce),
});

// Shopify admin: the overlay beside order and customer pages.
import '../../features/overlay/overlay.css';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { siteMatches } from '../../sites/common/demo.ts';
import { startOverlay } from '../../features/overlay/start.tsx';
import * as shopify from '../../sites/shopify.ts';

export default defineContentScript({
  matches: siteMatches(shopify),
  runAt: 'document_idle',
  cssInjectionMode: 'ui',
  main: (ctx) => startOverlay(ctx, shopify),
});

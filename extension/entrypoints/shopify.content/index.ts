// Shopify admin: the overlay beside order and customer pages.
import '../../components/overlay/overlay.css';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { demoMatches } from '../../lib/demo.ts';
import { startOverlay } from '../../lib/page/start-overlay.tsx';
import * as shopify from '../../sites/shopify.ts';

export default defineContentScript({
  matches: [...shopify.matches, ...demoMatches('shopify')],
  runAt: 'document_idle',
  cssInjectionMode: 'ui',
  main: (ctx) => startOverlay(ctx, shopify),
});

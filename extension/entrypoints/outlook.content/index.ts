// Outlook on the web: the overlay beside the reading pane and compose forms.
import '../../features/overlay/overlay.css';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { siteMatches } from '../../sites/common/demo.ts';
import { startOverlay } from '../../features/overlay/start.tsx';
import * as outlook from '../../sites/outlook.ts';

export default defineContentScript({
  matches: siteMatches(outlook),
  runAt: 'document_idle',
  cssInjectionMode: 'ui',
  main: (ctx) => startOverlay(ctx, outlook),
});

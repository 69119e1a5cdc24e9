// Gmail: the overlay beside open conversations and compose windows.
import '../../features/overlay/overlay.css';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { siteMatches } from '../../sites/common/demo.ts';
import { startOverlay } from '../../features/overlay/start.tsx';
import * as gmail from '../../sites/gmail.ts';

export default defineContentScript({
  matches: siteMatches(gmail),
  runAt: 'document_idle',
  cssInjectionMode: 'ui',
  main: (ctx) => startOverlay(ctx, gmail),
});

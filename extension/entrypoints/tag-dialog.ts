// The tagging dialog, injected by the background into the frame a context-menu click or the
// shortcut handed over (activeTab + scripting); never listed as a content script.
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { startTagDialog } from '../features/tagger/start.tsx';

export default defineUnlistedScript(() => {
  void startTagDialog().catch((error: unknown) => console.error('Portrait: the tagging dialog failed', error));
});

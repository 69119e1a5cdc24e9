// What a mail site's content script does: mount the overlay in a closed shadow root, keep the
// page's participants current, look them up through the background and follow its pushes.
import { render } from 'preact';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { t } from './texts.ts';
import { Overlay } from './Overlay.tsx';
import { getLocale, setLocale } from '../../platform/i18n/i18n.ts';
import { createShadowRootUi } from '../../platform/shadow-root-ui.ts';
import { createOverlayStore } from './store.ts';
import { createPlacementState } from './Frame.tsx';
import { nothingOpen, type AdapterContext, type SiteAdapter } from '../../sites/common/participants.ts';
import { createPortraitClient, type PageSettings } from '../page-client.ts';
import { watchParticipants, type ParticipantsWatcher } from './watch.ts';

/** Needs `cssInjectionMode: 'ui'` on the content script: its CSS is loaded into the shadow root. */
export async function startOverlay(ctx: ContentScriptContext, adapter: SiteAdapter): Promise<void> {
  const client = createPortraitClient();
  const store = createOverlayStore(client);
  let settings: PageSettings = { enabled: true, ownAddresses: [], internalDomains: [], locale: 'en', messages: null, placement: null };
  const placement = createPlacementState(adapter.id, (next) => void client.savePlacement(next).catch(() => {}));
  // Where the overlay is rendered once mounted; rendered again when the language changes.
  let container: HTMLElement | null = null;
  const renderOverlay = () => {
    // Keyed by the locale: a new language renders every text again.
    if (container) render(<Overlay key={getLocale()} store={store} placement={placement} />, container);
  };
  // Set once the page is watched; reading settings again re-reads the page.
  let rescan: ParticipantsWatcher['rescan'] = () => {};

  /** The language of the option (live: settings are read again when it changes). */
  function applyLocale({ locale, messages }: PageSettings): void {
    t.use(locale, messages);
    if (locale === getLocale()) return;
    setLocale(locale);
    renderOverlay();
  }

  async function loadSettings(): Promise<void> {
    try {
      settings = await client.settings();
      placement.restore(settings.placement);
      applyLocale(settings);
    } catch (error) {
      // Without settings the page still works: nothing is switched off, and the account the
      // page shows is still left out.
      console.warn('Portrait: page settings unavailable', error);
    }
    rescan();
  }

  ctx.onInvalidated(
    client.onPush((push) => {
      // Settings carry the signed-in account's address: read them again when the session changes.
      if (push.type !== 'portrait/updated') void loadSettings();
      if (push.type !== 'portrait/settings-changed') store.applyPush(push);
    }),
  );
  // Own addresses must be known before the first lookup, so they are never sent.
  await loadSettings();

  // Appended last to the body, in place: the frame positions itself (Frame.tsx).
  const ui = await createShadowRootUi<HTMLElement>(ctx, {
    name: 'portrait-overlay',
    mode: 'closed',
    isolateEvents: true,
    onMount(root) {
      container = root;
      renderOverlay();
      return root;
    },
    onRemove(root) {
      container = null;
      if (root) render(null, root);
    },
  });
  if (ctx.isInvalid) return;
  ui.mount();
  ctx.setInterval(() => store.tick(), 30_000);
  const onNetwork = () => store.setOnline(navigator.onLine);
  ctx.addEventListener(window, 'online', onNetwork);
  ctx.addEventListener(window, 'offline', onNetwork);

  const adapterContext = (): AdapterContext => settings;
  const watcher = watchParticipants(ctx, document, adapter, adapterContext, (participants) =>
    store.setParticipants(settings.enabled ? participants : nothingOpen),
  );
  rescan = watcher.rescan;
}

// The content script's side of the card's actions: a host element, and the module that fills it,
// loaded the first time a card opens. Content scripts are classic scripts with a size budget; the
// actions are a separate file (entrypoints/card-actions.ts, listed in web_accessible_resources)
// brought in with a dynamic import() of its extension URL, which Chrome runs in the content
// script's isolated world (README: "The card's actions, loaded when the card opens").
import { useEffect, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { getLocale } from '../../../platform/i18n/i18n.ts';
import type { PortraitView } from '../../../platform/messaging/schemas.ts';
import type { CardActionsApi } from './mount.tsx';

let loading: Promise<CardActionsApi> | null = null;

function loadActions(): Promise<CardActionsApi> {
  loading ??= Promise.resolve()
    // The extension's own file at its own URL; nothing from the page goes into it.
    // eslint-disable-next-line no-unsanitized/method
    .then(() => import(/* @vite-ignore */ browser.runtime.getURL('/card-actions.js')))
    .then(() => {
      const api = (globalThis as { __portraitCardActions?: CardActionsApi }).__portraitCardActions;
      if (!api) throw new Error('card actions missing');
      return api;
    })
    .catch((error: unknown) => {
      loading = null;
      throw error;
    });
  return loading;
}

export function LazyCardActions({ portrait, now }: { portrait: PortraitView; now: number }) {
  const host = useRef<HTMLDivElement>(null);
  const [api, setApi] = useState<CardActionsApi | null>(null);
  useEffect(() => {
    let alive = true;
    loadActions().then(
      (loaded) => alive && setApi(loaded),
      (error: unknown) => console.warn('Portrait: the card actions did not load', error),
    );
    return () => {
      alive = false;
    };
  }, []);
  useEffect(() => {
    if (api && host.current) api.mount(host.current, { portrait, now, locale: getLocale() });
  }, [api, portrait, now]);
  useEffect(() => () => {
    if (api && host.current) api.unmount(host.current);
  }, [api]);
  return <div ref={host} />;
}

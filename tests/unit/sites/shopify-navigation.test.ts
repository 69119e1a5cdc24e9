// @vitest-environment-options {"url": "https://admin.shopify.com/store/northwind-outfitters/orders/5499000005"}
// The Shopify admin moves between orders with history.pushState: the URL changes, perhaps before
// the page does. The page watcher must read the page again when only the URL changed.
import { expect, it, vi } from 'vitest';
import { watchParticipants, type WatchContext } from '../../../extension/features/overlay/watch.ts';
import * as shopify from '../../../extension/sites/shopify.ts';

const store = 'https://admin.shopify.com/store/northwind-outfitters';
const fast = { debounceMs: 10, maxWaitMs: 100, idleTimeoutMs: 10 };

function fakeContext() {
  const onInvalid: Array<() => void> = [];
  return {
    isValid: true,
    setTimeout: (handler: () => void, timeout?: number) => window.setTimeout(handler, timeout),
    requestIdleCallback: (callback: IdleRequestCallback) => window.setTimeout(() => callback({ didTimeout: false, timeRemaining: () => 50 }), 0),
    addEventListener: (target: EventTarget, type: string, handler: (event: Event) => void) => target.addEventListener(type, handler),
    onInvalidated: (callback: () => void) => {
      onInvalid.push(callback);
      return () => {};
    },
    invalidate() {
      this.isValid = false;
      for (const callback of onInvalid) callback();
    },
  };
}

it('follows the admin to another order when only the URL changes, and back', async () => {
  document.body.innerHTML = '<main id="AppFrameMain"><h1>#1005</h1></main>';
  const ctx = fakeContext();
  const seen: string[] = [];
  const settings = () => ({ ownAddresses: [], internalDomains: [] });
  watchParticipants(ctx as unknown as WatchContext, document, shopify, settings, (p) => seen.push(p.identifiers.map((id) => id.value).join(',')), fast);
  await vi.waitFor(() => expect(seen).toEqual(['shopify:5499000005']));

  // pushState fires no event a content script hears; WXT's location watcher turns it into
  // `wxt:locationchange` (the Navigation API's navigate event, or polling where there is none).
  history.pushState({}, '', `${store}/orders/5499000003`);
  window.dispatchEvent(new Event('wxt:locationchange'));
  await vi.waitFor(() => expect(seen).toEqual(['shopify:5499000005', 'shopify:5499000003']));

  // Back: the browser fires popstate.
  history.replaceState({}, '', `${store}/customers/9002`);
  window.dispatchEvent(new PopStateEvent('popstate'));
  await vi.waitFor(() => expect(seen.at(-1)).toBe('shopify:9002'));
  ctx.invalidate();
});

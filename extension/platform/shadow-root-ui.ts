// A content script's UI in a shadow root, built as WXT's `createShadowRootUi`
// (wxt/utils/content-script-ui/shadow-root) builds it, for the one way Portrait uses it: appended
// last to the body, in place (no positioning wrapper), keyboard events kept inside the root. The
// same host element, root, reset, styles (the content script's own CSS when its
// `cssInjectionMode` is 'ui', `@property` and `@font-face` rules moved to the document) and
// container. WXT's helper also carries anchors, positions, autoMount and a custom-element name
// check wrapped as CommonJS, about 1 KB gzip that every content script paid for within its size
// budget (extension/README.md, "Budgets").
import { browser, type PublicPath } from 'wxt/browser';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { splitShadowRootCss } from 'wxt/utils/split-shadow-root-css';

export interface ShadowRootUiOptions<T> {
  /** The host element's name: a custom element name (two words, kebab-case). */
  name: string;
  mode?: ShadowRootMode;
  /** Keyboard events (keydown, keyup, keypress) stop at the shadow root: the page never sees them. */
  isolateEvents?: boolean;
  /** CSS for the root, before the content script's own. */
  css?: string;
  onMount(container: HTMLElement, shadow: ShadowRoot, host: HTMLElement): T;
  onRemove?(mounted: T | undefined): void;
}

export interface ShadowRootUi<T> {
  readonly shadow: ShadowRoot;
  readonly shadowHost: HTMLElement;
  readonly uiContainer: HTMLElement;
  readonly mounted: T | undefined;
  /** Appends the host to the body and calls `onMount`. */
  mount(): void;
  /** Calls `onRemove`, then takes the host (and its document styles) off the page. */
  remove(): void;
}

/** The content script's stylesheet (built beside it), loaded into the root rather than the page. */
async function entrypointCss(): Promise<string> {
  // Built from the stylesheet the entrypoint imports; WXT's list of public paths names scripts only.
  const url = browser.runtime.getURL(`/content-scripts/${import.meta.env.ENTRYPOINT}.css` as PublicPath);
  try {
    return await (await fetch(url)).text();
  } catch (error) {
    console.warn(`Portrait: styles not loaded from ${url}`, error);
    return '';
  }
}

export async function createShadowRootUi<T>(ctx: ContentScriptContext, options: ShadowRootUiOptions<T>): Promise<ShadowRootUi<T>> {
  const instanceId = Math.random().toString(36).substring(2, 15);
  // The page's inherited styles stop at the host.
  const css = [':host{all:initial !important;}'];
  if (options.css) css.push(options.css);
  if (ctx.options?.cssInjectionMode === 'ui') css.push((await entrypointCss()).replaceAll(':root', ':host'));
  const { shadowCss, documentCss } = splitShadowRootCss(css.join('\n').trim());

  const shadowHost = document.createElement(options.name);
  const shadow = shadowHost.attachShadow({ mode: options.mode ?? 'open' });
  const style = document.createElement('style');
  style.textContent = shadowCss;
  const uiContainer = document.createElement('div');
  shadow.append(style, uiContainer);
  if (options.isolateEvents) {
    for (const type of ['keydown', 'keyup', 'keypress']) shadow.addEventListener(type, (event) => event.stopPropagation());
  }

  const documentStyleSelector = `style[wxt-shadow-root-document-styles="${instanceId}"]`;
  let mounted: T | undefined;
  const ui: ShadowRootUi<T> = {
    shadow,
    shadowHost,
    uiContainer,
    get mounted() {
      return mounted;
    },
    mount() {
      document.body.append(shadowHost);
      // Rules a shadow root ignores (`@property`) apply from the document.
      if (documentCss && !document.querySelector(documentStyleSelector)) {
        const documentStyle = document.createElement('style');
        documentStyle.textContent = documentCss;
        documentStyle.setAttribute('wxt-shadow-root-document-styles', instanceId);
        (document.head ?? document.body).append(documentStyle);
      }
      mounted = options.onMount(uiContainer, shadow, shadowHost);
    },
    remove() {
      options.onRemove?.(mounted);
      shadowHost.remove();
      document.querySelector(documentStyleSelector)?.remove();
      uiContainer.replaceChildren();
      mounted = undefined;
    },
  };
  ctx.onInvalidated(() => ui.remove());
  return ui;
}

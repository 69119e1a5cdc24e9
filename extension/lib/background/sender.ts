// Who sent a message. Only this extension's own contexts are answered at all; a content script is
// trusted only on the sites Portrait supports (including the admin pages of the shop domains the
// user added, or a tab the user handed to Portrait through the context menu), because a content
// script on any other page would be reachable from that page.
import { siteForUrl, woocommerceSite, type SupportedSite } from './sites.ts';

/** The fields of `runtime.MessageSender` the checks read. */
export interface MessageSender {
  id?: string;
  url?: string;
  origin?: string;
  tab?: { id?: number; url?: string };
  frameId?: number;
}

export type SenderKind =
  /** Another extension, or something that is not an extension context: gets no answer. */
  | { kind: 'foreign' }
  /** The popup, the options page or another page of this extension. */
  | { kind: 'extension-page'; tabId: number | null }
  /** A content script on a supported site (site null: a tab granted through the context menu). */
  | { kind: 'content-script'; tabId: number; frameId: number; url: string; site: SupportedSite | null }
  /** This extension's code on a page it does not support: refused. */
  | { kind: 'untrusted'; reason: string };

export interface SenderPolicy {
  runtimeId: string;
  /** `chrome-extension://<id>/` (or `moz-extension://<uuid>/`): `runtime.getURL('')`. */
  extensionOrigin: string;
  /** Tabs the user handed to Portrait (context menu, shortcut), with the URL it was handed on. */
  grantedTab?(tabId: number, url: string): boolean;
  /** Whether the URL is an admin page of a shop domain the user added (WooCommerce, options page). */
  shopPage?(url: string): boolean;
}

/** The URL a frame's content script runs on; `about:blank` frames inherit their creator's origin. */
function frameUrl(sender: MessageSender): string | undefined {
  if (sender.url && !sender.url.startsWith('about:')) return sender.url;
  return sender.origin && sender.origin !== 'null' ? `${sender.origin}/` : undefined;
}

export function classifySender(sender: MessageSender, policy: SenderPolicy): SenderKind {
  if (!sender.id || sender.id !== policy.runtimeId) return { kind: 'foreign' };
  const url = frameUrl(sender);
  if (url?.startsWith(policy.extensionOrigin)) {
    return { kind: 'extension-page', tabId: sender.tab?.id ?? null };
  }
  const tabId = sender.tab?.id;
  if (typeof tabId !== 'number' || tabId < 0) return { kind: 'untrusted', reason: 'not from a tab' };
  if (!url) return { kind: 'untrusted', reason: 'no page URL' };
  const site = siteForUrl(url) ?? (policy.shopPage?.(url) ? woocommerceSite : null);
  if (site) return { kind: 'content-script', tabId, frameId: sender.frameId ?? 0, url, site };
  if (policy.grantedTab?.(tabId, url)) {
    return { kind: 'content-script', tabId, frameId: sender.frameId ?? 0, url, site: null };
  }
  return { kind: 'untrusted', reason: 'not a supported site' };
}

/**
 * Tabs handed to Portrait by a user gesture (activeTab): trusted while they stay on the origin
 * they were handed on.
 */
export function createGrantedTabs() {
  const granted = new Map<number, string>();
  const originOf = (url: string) => {
    try {
      return new URL(url).origin;
    } catch {
      return null;
    }
  };
  return {
    grant(tabId: number, url: string) {
      const origin = originOf(url);
      if (origin && origin !== 'null') granted.set(tabId, origin);
    },
    revoke(tabId: number) {
      granted.delete(tabId);
    },
    allows(tabId: number, url: string) {
      const origin = granted.get(tabId);
      return origin !== undefined && origin === originOf(url);
    },
  };
}

// Who sent a message. Only this extension's own contexts are answered at all; a content script is
// trusted only on the sites Portrait supports (including the admin pages of the shop domains the
// user added), or in a frame where Portrait itself injected the tagging dialog after a user gesture
// (context menu, shortcut), because a content script on any other page would be reachable from
// that page.
import { siteForUrl, woocommerceSite, type SupportedSite } from '../../sites/common/supported.ts';

/** The fields of `runtime.MessageSender` the checks read. */
export interface MessageSender {
  id?: string;
  url?: string;
  origin?: string;
  tab?: { id?: number; url?: string };
  frameId?: number;
  /** Chrome 106+: the document the message came from (changes when the frame navigates). */
  documentId?: string;
}

/** The frame a message came from, as the browser reports it. */
export interface SenderFrame {
  tabId: number;
  frameId: number;
  url: string;
  documentId: string | null;
}

export type SenderKind =
  /** Another extension, or something that is not an extension context: gets no answer. */
  | { kind: 'foreign' }
  /** The popup, the options page or another page of this extension. */
  | { kind: 'extension-page'; tabId: number | null }
  /**
   * A content script on a supported site (site null: a frame Portrait injected the tagging
   * dialog into, on any other page). `injected`: Portrait's tagging dialog runs in this frame.
   */
  | {
      kind: 'content-script';
      tabId: number;
      frameId: number;
      url: string;
      documentId: string | null;
      site: SupportedSite | null;
      injected: boolean;
    }
  /** This extension's code on a page it does not support: refused. */
  | { kind: 'untrusted'; reason: string };

export interface SenderPolicy {
  runtimeId: string;
  /** `chrome-extension://<id>/` (or `moz-extension://<uuid>/`): `runtime.getURL('')`. */
  extensionOrigin: string;
  /** Whether Portrait injected its tagging dialog into this frame (and document). */
  injectedFrame?(frame: SenderFrame): boolean;
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
  const frame: SenderFrame = { tabId, frameId: sender.frameId ?? 0, url, documentId: sender.documentId ?? null };
  const injected = policy.injectedFrame?.(frame) ?? false;
  const site = siteForUrl(url) ?? (policy.shopPage?.(url) ? woocommerceSite : null);
  if (site || injected) return { kind: 'content-script', ...frame, site, injected };
  return { kind: 'untrusted', reason: 'not a supported site' };
}

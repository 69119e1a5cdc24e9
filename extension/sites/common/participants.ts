// What a site adapter reads from a mail page, and the helpers every adapter shares: reading an
// address out of an attribute, leaving out the user's own addresses and internal domains, and a
// bounded scan of page text for when a site's markup is no longer what the adapter expects.
import { findIdentifiers, normalizeEmail } from '../../../shared/identity.ts';
import type { Identifier } from '../../platform/messaging/schemas.ts';

/**
 * `thread`: an open conversation; `compose`: a compose or reply window; `fallback`: addresses read
 * from page text; `record`: a shop's order or customer page, whose identifiers all name one
 * customer (the overlay shows the first that matches instead of a switcher).
 */
export type ParticipantsMode = 'thread' | 'compose' | 'fallback' | 'record';

export interface Participants {
  /** Counterparts on the page, most relevant first, own addresses and internal domains left out. */
  identifiers: Identifier[];
  /** The element the participants were read from (subject, compose window, reading pane, order). */
  anchor: Element | null;
  mode: ParticipantsMode;
  /** True when the expected markup was missing and addresses came from a text scan. */
  degraded: boolean;
  /** Display names the page shows beside addresses, by identifierKey (page text: render as text). */
  names?: Readonly<Record<string, string>>;
}

export interface AdapterContext {
  /** The user's own addresses (settings and session); the adapter adds the account the page shows. */
  ownAddresses: readonly string[];
  /** The organisation's internal email domains; subdomains count as internal too. */
  internalDomains: readonly string[];
}

export interface SiteAdapter {
  /** The adapter's file name in extension/sites/, e.g. `gmail`. */
  readonly id: string;
  /** The product name shown to people. */
  readonly name: string;
  /** Match patterns of the pages the adapter reads (the content script's `matches`). */
  readonly matches: readonly string[];
  /**
   * `runtime`: the pages are on hosts the user adds (a shop's own domain), so `matches` is empty and
   * the background registers the content script for each host with `matchesFor(origin)`.
   */
  readonly registration?: 'runtime';
  matchesFor?(origin: string): string[];
  participants(document: Document, ctx: AdapterContext): Participants;
  /**
   * The elements whose changes can change the participants (the main area, open compose windows).
   * The page watcher observes only these; an empty list means "not rendered yet".
   */
  watchRoots(document: Document): Element[];
}

/** More counterparts than this are not useful in a switcher and would make lookups heavy. */
export const MAX_PARTICIPANTS = 20;
/** How much page text a fallback scan reads at most. */
export const MAX_SCAN_CHARS = 100_000;
/** How many text nodes a fallback scan visits at most. */
export const MAX_SCAN_NODES = 20_000;

export const nothingOpen: Participants = Object.freeze({
  identifiers: [],
  anchor: null,
  mode: 'thread',
  degraded: false,
}) as Participants;

export { identifierKey } from '../../../shared/identity.ts';

/**
 * The email address in an attribute value such as `li.wei@example.com`,
 * `Li Wei <li.wei@example.com>` or `Opens card for Li Wei (li.wei@example.com)`.
 */
export function emailIn(value: string | null | undefined): string | null {
  if (!value || value.length > 1_000 || !value.includes('@')) return null;
  const direct = normalizeEmail(value);
  if (direct) return direct;
  const [found] = findIdentifiers(value, { maxResults: 1 }).filter((id) => id.kind === 'email');
  return found?.value ?? null;
}

/** Decides which addresses are the user's own or internal to the organisation. */
export function createExclusion(ownAddresses: Iterable<string>, internalDomains: Iterable<string>) {
  const own = new Set<string>();
  for (const address of ownAddresses) {
    const email = normalizeEmail(address);
    if (email) own.add(email);
  }
  const domains = [...internalDomains]
    .map((domain) => domain.trim().toLowerCase().replace(/^@/, '').replace(/\.$/, ''))
    .filter((domain) => domain !== '');
  return (email: string): boolean => {
    if (own.has(email)) return true;
    const host = email.slice(email.lastIndexOf('@') + 1);
    return domains.some((domain) => host === domain || host.endsWith(`.${domain}`));
  };
}

/** Longest display name kept from a page. */
const MAX_NAME = 200;

/** Collects distinct counterpart addresses in order, up to MAX_PARTICIPANTS, with their names. */
export class AddressList {
  private readonly seen = new Set<string>();
  readonly identifiers: Identifier[] = [];
  readonly names: Record<string, string> = {};

  constructor(private readonly excluded: (email: string) => boolean) {}

  add(email: string | null, name?: string | null): void {
    if (!email) return;
    const key = `email:${email}`;
    const cleanName = name?.replace(/\s+/g, ' ').trim().slice(0, MAX_NAME);
    if (this.seen.has(email)) {
      if (cleanName && !(key in this.names) && cleanName !== email) this.names[key] = cleanName;
      return;
    }
    if (this.full) return;
    this.seen.add(email);
    if (this.excluded(email)) return;
    this.identifiers.push({ kind: 'email', value: email });
    if (cleanName && cleanName !== email) this.names[key] = cleanName;
  }

  get full(): boolean {
    return this.identifiers.length >= MAX_PARTICIPANTS;
  }
}

const skippedParents = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'TEXTAREA']);

/**
 * The text under `root`, read with a budget: at most `maxChars` characters from at most `maxNodes`
 * text nodes, so a huge page costs a bounded amount of work.
 */
export function boundedText(root: Node, maxChars = MAX_SCAN_CHARS, maxNodes = MAX_SCAN_NODES): string {
  const doc = root.ownerDocument ?? (root as Document);
  const walker = doc.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
  const parts: string[] = [];
  let length = 0;
  let nodes = 0;
  for (let node = walker.nextNode(); node && length < maxChars && nodes < maxNodes; node = walker.nextNode()) {
    nodes++;
    if (skippedParents.has(node.parentElement?.tagName ?? '')) continue;
    const text = node.nodeValue ?? '';
    if (text.trim() === '') continue;
    parts.push(text);
    length += text.length + 1;
  }
  return parts.join(' ').slice(0, maxChars);
}

/** Addresses found by a bounded text scan of `root`: what an adapter falls back to. */
/**
 * What a fallback scan offers at most: page text holds addresses of people not in the conversation
 * (signatures, quoted mail, lists), so only the first few, the likeliest, are offered.
 */
export const MAX_FALLBACK_PEOPLE = 3;

export function scanForAddresses(root: Node, list: AddressList, limit = MAX_FALLBACK_PEOPLE): void {
  const stop = list.identifiers.length + limit;
  for (const found of findIdentifiers(boundedText(root))) {
    if (list.identifiers.length >= stop) return;
    if (found.kind === 'email') list.add(found.value);
  }
}

/** The hash of the page's URL without the leading `#`, or '' (works for any Document). */
export function urlHash(document: Document): string {
  const hash = document.location?.hash ?? '';
  if (hash) return hash.slice(1);
  const at = document.URL.indexOf('#');
  return at < 0 ? '' : document.URL.slice(at + 1);
}

export function urlPath(document: Document): string {
  try {
    return new URL(document.URL).pathname;
  } catch {
    return '';
  }
}

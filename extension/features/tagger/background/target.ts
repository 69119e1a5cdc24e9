// What a selection (or a right-clicked mailto:/tel: link, or what the user typed in the tagging
// dialog) says about whom to tag: identifiers in their stored form (shared/identity.ts), or else a
// name to search for. Pure: the background calls it with the organization's phone region.
import { findIdentifiers, normalizeEmail } from '../../../../shared/identity.ts';
import type { Identifier } from '../../../platform/messaging/schemas.ts';
import { identifierKey, normalizeForLookup } from '../../../background/identifiers.ts';

export interface TaggerInput {
  /** The selected text, or what the user typed. */
  text?: string | null;
  /** The link the context menu was opened on. */
  linkUrl?: string | null;
}

export interface TaggerTarget {
  /** What was read, whitespace collapsed: the link's address, or the text. */
  text: string;
  /** Emails and phone numbers, stored form, in order of appearance, without repeats. */
  identifiers: Identifier[];
  /** When there is no identifier: text that may be a customer's name. */
  nameQuery: string | null;
  /** A name given beside an address (`"Li Wei" <li.wei@example.com>`), for a new lead. */
  suggestedName: string | null;
}

/** At most this many people are offered from one selection. */
export const maxCandidates = 5;
/** Longest text searched as a name (search_customers accepts up to 100 characters). */
export const maxNameQuery = 100;

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The address of a `mailto:` or `tel:` link, as an identifier (not yet normalised). */
export function linkIdentifier(linkUrl: string | null | undefined): Identifier | null {
  if (!linkUrl) return null;
  const match = /^(mailto|tel):([^?#]*)/i.exec(linkUrl.trim());
  if (!match) return null;
  let address: string;
  try {
    address = decodeURIComponent(match[2]!);
  } catch {
    return null;
  }
  // mailto:a@x.com,b@y.com names several people: the first is the one the link shows.
  const first = address.split(',')[0]!.trim();
  if (first === '') return null;
  return { kind: match[1]!.toLowerCase() === 'mailto' ? 'email' : 'phone', value: first };
}

/** `Name <address>` or `"Name" <address>`: the name. */
function nameBesideAddress(text: string): string | null {
  const match = /^\s*"?([^"<>@\r\n]{1,200}?)"?\s*<\s*([^<>\s]+@[^<>\s]+)\s*>\s*$/.exec(text);
  if (!match || normalizeEmail(match[2]) === null) return null;
  const name = collapse(match[1]!).replace(/^['"]+|['",;:]+$/g, '').trim();
  return /\p{L}/u.test(name) ? name : null;
}

/** Whether the text can be someone's name: short, one line, with letters and not only digits. */
function nameLike(text: string): boolean {
  return text.length >= 2 && text.length <= maxNameQuery && /\p{L}/u.test(text) && !/[<>{}[\]\\]/.test(text);
}

export function readTaggerTarget(input: TaggerInput, phoneRegion: string | null): TaggerTarget {
  const identifiers: Identifier[] = [];
  const seen = new Set<string>();
  const add = (identifier: Identifier | null) => {
    if (!identifier || identifiers.length >= maxCandidates) return;
    const normalized = normalizeForLookup(identifier, phoneRegion);
    if (!normalized || seen.has(identifierKey(normalized))) return;
    seen.add(identifierKey(normalized));
    identifiers.push(normalized);
  };

  const link = linkIdentifier(input.linkUrl);
  if (link) {
    add(link);
    if (identifiers.length > 0) return { text: link.value, identifiers, nameQuery: null, suggestedName: null };
  }

  const raw = input.text ?? '';
  const text = collapse(raw);
  // Not capped at maxCandidates here: repeats of one address count against findIdentifiers' limit.
  for (const found of findIdentifiers(raw)) add(found);
  if (identifiers.length > 0) {
    return { text, identifiers, nameQuery: null, suggestedName: nameBesideAddress(raw) };
  }
  return { text, identifiers, nameQuery: nameLike(text) ? text : null, suggestedName: null };
}

// Identity normalisation: the one definition of what an email, phone, shop id or domain looks
// like once stored in customer_identities. The SQL functions in
// supabase/migrations/20261123000200_identity_normalisation.sql implement the same rules, and
// tests/db/identity.test.ts checks that both sides agree.
//
// Runtime-neutral: imported by the extension (Vite), Node (tests, local stack) and Deno (edge
// functions). Content scripts may import it: `findIdentifiers`, `normalizeEmail`,
// `normalizeDomain` and `normalizeShopId` do not touch libphonenumber-js, so a bundler drops it
// from a content script that does not call `normalizePhone`.
//
// Phone numbers use libphonenumber-js with its "min" metadata (≈ 20 KB gzip instead of 40 KB for
// "max"). With "min", validity is libphonenumber's general number pattern and possible lengths
// per region (plus the per-type patterns for regions that share a calling code, which it needs
// to tell them apart) — the rules the SQL side copies into private.phone_regions, so both sides
// decide the same way for the numbers people type.
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';

import type { IdentifierKind, ShopProvider } from './enums.ts';

export type { IdentifierKind, ShopProvider } from './enums.ts';

export interface Identifier {
  kind: IdentifierKind;
  value: string;
}


/** Longest raw input each normaliser looks at; anything longer is not an identifier. */
export const MAX_EMAIL_INPUT = 512;
export const MAX_PHONE_INPUT = 64;
export const MAX_DOMAIN_INPUT = 2048;
export const MAX_SHOP_INPUT = 128;

// Invisible characters that survive copy and paste from web pages and mail clients: zero-width
// space / non-joiner / joiner, word joiner, byte-order mark, soft hyphen. Removed everywhere.
const INVISIBLE = /[\u00AD\u200B-\u200D\u2060\uFEFF]/g;
// Whitespace trimmed from both ends (and, in phone numbers, dropped everywhere). Listed
// explicitly, not `\s`, because the SQL side needs exactly the same set.
const SPACE_CHARS = '\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const TRIM = new RegExp(`^[${SPACE_CHARS}]+|[${SPACE_CHARS}]+$`, 'g');
// Punctuation people put inside phone numbers: hyphen-minus, dot, parentheses, slash, the Unicode
// hyphens and dashes (U+2010–U+2015), minus sign, katakana prolonged sound mark (used as a dash).
const PHONE_SEPARATORS = new RegExp(`[${SPACE_CHARS}.()/\\u2010-\\u2015\\u2212\\u30FC-]`, 'g');
const FULLWIDTH = /[\uFF01-\uFF5E]/g;

/** Maps fullwidth ASCII variants (Ｌｉ＠ｅｘａｍｐｌｅ．ｃｏｍ, ０２０) to ASCII; keeps the string's length. */
export function foldFullwidth(value: string): string {
  return value.replace(FULLWIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/** Fullwidth folded, invisible characters removed, whitespace trimmed. */
function clean(value: string): string {
  return foldFullwidth(value).replace(INVISIBLE, '').replace(TRIM, '');
}

const lowerAscii = (value: string) => value.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));

const LOCAL_ATOM = "[a-z0-9!#$%&'*+/=?^_`{|}~-]+";
// Labels are checked for length (at most 63) apart from the pattern, as the SQL side does: counted
// repetitions make Postgres regular expressions several times slower.
const HOST = '(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+(?:[a-z][a-z]+|xn--[a-z0-9-]+)';
/** Dot-atom local part (no quoted strings), ASCII host name with an alphabetic or punycode TLD. */
export const EMAIL_PATTERN = `^${LOCAL_ATOM}(?:\\.${LOCAL_ATOM})*@${HOST}$`;
export const DOMAIN_PATTERN = `^${HOST}$`;
const EMAIL = new RegExp(EMAIL_PATTERN);
const DOMAIN = new RegExp(DOMAIN_PATTERN);
const LONG_LABEL = /[^.]{64}/;

/**
 * An email address as stored: trimmed and lowercased, plus-addressing (`li.wei+shop@…`) kept as
 * written. Null when the value is not an email address. Only ASCII addresses are accepted
 * (internationalised domains must be given in punycode).
 */
export function normalizeEmail(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > MAX_EMAIL_INPUT) return null;
  const email = lowerAscii(clean(value));
  if (email.length > 254) return null;
  const at = email.indexOf('@');
  if (at < 1 || at > 64) return null;
  return EMAIL.test(email) && !LONG_LABEL.test(email.slice(at + 1)) ? email : null;
}

/**
 * A domain as stored: lowercased host name without scheme, path, port, trailing dot or leading
 * `www.`. Accepts a bare host (`Acme.com`) or an http(s) URL. Null when it is not a host name.
 */
export function normalizeDomain(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > MAX_DOMAIN_INPUT) return null;
  let host = lowerAscii(clean(value)).replace(/^https?:\/\//, '');
  const end = host.search(/[/?#]/);
  if (end >= 0) host = host.slice(0, end);
  host = host.replace(/:[0-9]{1,5}$/, '').replace(/\.$/, '');
  if (host.startsWith('www.') && host.indexOf('.', 4) > 0) host = host.slice(4);
  if (host.length > 253) return null;
  return DOMAIN.test(host) && !LONG_LABEL.test(host) ? host : null;
}

/**
 * The database enum shop_provider as a set. Its type has the compiler check it against the generated
 * enum both ways (a missing or an extra provider does not compile); content scripts call
 * `normalizeShopId`, and a set written here keeps the generated `Constants` out of their bundles.
 */
const shopProviderNames: Record<ShopProvider, true> = { shopify: true, woocommerce: true };

/**
 * A shop's customer or order id as stored: `provider:id`, provider `shopify` or `woocommerce`,
 * id the shop's numeric id without leading zeros. Null otherwise.
 */
export function normalizeShopId(provider: unknown, id: unknown): string | null {
  if (typeof provider !== 'string' || provider.length > MAX_SHOP_INPUT) return null;
  if (typeof id !== 'string' && typeof id !== 'number') return null;
  const idText = typeof id === 'number' ? (Number.isSafeInteger(id) ? String(id) : '') : id;
  if (idText.length > MAX_SHOP_INPUT) return null;
  const name = lowerAscii(clean(provider));
  if (!Object.hasOwn(shopProviderNames, name)) return null;
  const digits = clean(idText);
  if (!/^[0-9]{1,20}$/.test(digits)) return null;
  const canonical = digits.replace(/^0+/, '');
  return canonical === '' ? null : `${name}:${canonical}`;
}

/** Thrown when a phone region is not one libphonenumber (and private.phone_regions) knows. */
export class UnknownPhoneRegionError extends RangeError {
  constructor(readonly region: string) {
    super(`Unknown phone region "${region}": use an ISO 3166 alpha-2 code such as CN, US or GB`);
    this.name = 'UnknownPhoneRegionError';
  }
}

/** The region code as used for phone numbers (uppercased), or null when none is given. */
export function phoneRegion(region: string | null | undefined): CountryCode | null {
  if (region === null || region === undefined) return null;
  // Trimmed of spaces and uppercased exactly as private.normalize_phone does (upper(btrim(…))).
  const code = region.replace(/^ +| +$/g, '').toUpperCase();
  if (code === '') return null;
  if (!/^[A-Z]{2}$/.test(code) || !isSupportedCountry(code)) throw new UnknownPhoneRegionError(region);
  return code;
}

/**
 * What is left of a typed phone number once formatting is removed: an optional leading `+` and
 * 2–20 digits. Null when the text has anything else in it (letters, extensions, a second `+`).
 * The SQL function private.phone_dial_string applies exactly the same rule.
 */
export function phoneDialString(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > MAX_PHONE_INPUT) return null;
  const dial = foldFullwidth(value).replace(INVISIBLE, '').replace(PHONE_SEPARATORS, '');
  return /^\+?[0-9]{2,20}$/.test(dial) ? dial : null;
}

/**
 * A phone number in E.164 (`+8613800138000`), read in the organisation's default region when it
 * is written in national form (`138 0013 8000`, `020 7946 0958`, `(415) 555-2671`) and in any
 * region when it starts with `+` or the region's international prefix (`00`, `011`). Null when it
 * is not a valid number of a country. Throws UnknownPhoneRegionError for an unknown region;
 * without a region only international numbers can be read.
 */
export function normalizePhone(value: unknown, defaultRegion?: string | null): string | null {
  const region = phoneRegion(defaultRegion);
  const dial = phoneDialString(value);
  if (dial === null) return null;
  const parsed = parsePhoneNumberFromString(dial, { defaultCountry: region ?? undefined, extract: false });
  // Numbers that belong to no country (+800 freephone, satellite networks) are not customers'.
  if (!parsed || !parsed.country || !parsed.isValid()) return null;
  return parsed.number;
}

/** The key under which the extension batches, caches and matches an identifier in its stored form. */
export function identifierKey(identifier: { kind: string; value: string }): string {
  return `${identifier.kind}:${identifier.value}`;
}

/** The stored form of an identifier, or null when its value is not valid for its kind. */
export function normalizeIdentity(identifier: { kind: string; value: unknown }, defaultRegion?: string | null): string | null {
  const { kind, value } = identifier;
  switch (kind) {
    case 'email':
      return normalizeEmail(value);
    case 'phone':
      return normalizePhone(value, defaultRegion);
    case 'domain':
      return normalizeDomain(value);
    case 'shop_customer':
    case 'shop_order': {
      if (typeof value !== 'string' || value.length > MAX_SHOP_INPUT) return null;
      const text = clean(value);
      const colon = text.indexOf(':');
      return colon < 0 ? null : normalizeShopId(text.slice(0, colon), text.slice(colon + 1));
    }
    default:
      return null;
  }
}

export interface FoundIdentifier {
  kind: 'email' | 'phone';
  /**
   * Emails normalised; phones as their dial string (`+44…` or national digits), to be normalised
   * with the organisation's region by whoever knows it.
   */
  value: string;
}

/** How much page text findIdentifiers reads, and how many identifiers it returns at most. */
export const FIND_MAX_INPUT = 200_000;
export const FIND_MAX_RESULTS = 50;

// Characters scanned around an '@'. Narrower than what an address may contain, on purpose:
// quotes, slashes and braces around an address in page text are punctuation, not part of it.
const isLocalChar = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
const isHostChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 45;
const isWordChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);

// A run that starts with '+', '(' or a digit, ends with a digit and is at most 34 characters:
// bounded, so scanning is linear in the text's length whatever the text is.
const PHONE_CANDIDATE = /[+(]?[0-9][0-9 \u00A0\-.()/\u2010-\u2015]{5,32}[0-9]/g;
const DATE_LIKE = /^(?:[0-9]{4}[-./][0-9]{1,2}[-./][0-9]{1,2}|[0-9]{1,2}[-./][0-9]{1,2}[-./][0-9]{4})$/;
const DECIMAL_OR_ADDRESS = /^[0-9]+(?:\.[0-9]+){1,3}$/;

/**
 * Emails and phone-like strings in arbitrary page text, in order of first appearance, without
 * duplicates. Reads at most FIND_MAX_INPUT characters and returns at most FIND_MAX_RESULTS
 * identifiers; its work is linear in the text's length.
 */
export function findIdentifiers(text: unknown, options: { maxResults?: number } = {}): FoundIdentifier[] {
  if (typeof text !== 'string' || text === '') return [];
  const max = Math.max(0, Math.min(options.maxResults ?? FIND_MAX_RESULTS, FIND_MAX_RESULTS));
  const source = foldFullwidth(text.length > FIND_MAX_INPUT ? text.slice(0, FIND_MAX_INPUT) : text).replace(INVISIBLE, '');
  const found: Array<FoundIdentifier & { at: number }> = [];
  const seen = new Set<string>();
  const add = (kind: FoundIdentifier['kind'], value: string, at: number) => {
    const key = `${kind}\u0000${value}`;
    if (seen.has(key)) return;
    seen.add(key);
    found.push({ kind, value, at });
  };

  // Emails: expand around each '@' over bounded runs; the expansions stop at the next '@', so
  // every character is looked at a bounded number of times.
  let emails = 0;
  for (let at = source.indexOf('@'); at >= 0 && emails < max; at = source.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && at - start < 64 && isLocalChar(source.charCodeAt(start - 1))) start--;
    let end = at + 1;
    while (end < source.length && end - at <= 253 && isHostChar(source.charCodeAt(end))) end++;
    let candidate = source.slice(start, end);
    candidate = candidate.replace(/^\.+/, '').replace(/[.-]+$/, '');
    const email = normalizeEmail(candidate);
    if (email !== null) {
      add('email', email, start);
      emails++;
    }
  }

  let phones = 0;
  PHONE_CANDIDATE.lastIndex = 0;
  for (let m = PHONE_CANDIDATE.exec(source); m !== null && phones < max; m = PHONE_CANDIDATE.exec(source)) {
    const raw = m[0];
    const before = m.index > 0 ? source.charCodeAt(m.index - 1) : 32;
    const after = m.index + raw.length < source.length ? source.charCodeAt(m.index + raw.length) : 32;
    // Part of a longer number or word (an order id, a hash, a product code): not a phone.
    if (isWordChar(before) || isWordChar(after) || after === 64 /* @ */) continue;
    const compact = raw.replace(/[ \u00A0]/g, '');
    if (DATE_LIKE.test(compact) || DECIMAL_OR_ADDRESS.test(compact)) continue;
    const dial = phoneDialString(raw);
    if (dial === null) continue;
    const digits = dial.startsWith('+') ? dial.length - 1 : dial.length;
    if (digits < 7 || digits > 15) continue;
    add('phone', dial, m.index);
    phones++;
  }

  return found
    .sort((a, b) => a.at - b.at)
    .slice(0, max)
    .map(({ kind, value }) => ({ kind, value }));
}

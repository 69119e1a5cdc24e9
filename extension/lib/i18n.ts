// Every UI string goes through `t`, so another language only adds a dictionary.
const en = {
  'app.name': 'Portrait',
  'popup.apiUrl': 'API',
  'popup.status.checking': 'Checking connection…',
  'popup.status.online': 'Connected',
  'popup.status.offline': 'Offline: API not reachable',
  'popup.status.error': 'Connection state unknown',
  'options.heading': 'Portrait options',
  'options.apiUrl': 'Supabase API URL',
} as const;

export type MessageKey = keyof typeof en;
export type Locale = 'en';

const dictionaries: Record<Locale, Record<MessageKey, string>> = { en };

let currentLocale: Locale = 'en';

export function setLocale(locale: Locale): void {
  currentLocale = locale;
}

/** The BCP 47 tag for Intl formatters (numbers, currencies, relative times). */
export function getLocale(): Locale {
  return currentLocale;
}

/** Replaces `{name}` placeholders with `values`, which are inserted as text. */
function interpolate(text: string, values?: Record<string, string | number>): string {
  if (!values) return text;
  return text.replace(/\{(\w+)\}/g, (match, name: string) => (Object.hasOwn(values, name) ? String(values[name]) : match));
}

/** The text for `key`, with `{name}` placeholders replaced by `values` (inserted as text). */
export function t(key: MessageKey, values?: Record<string, string | number>): string {
  return interpolate(dictionaries[currentLocale][key], values);
}

/**
 * A `t` over one surface's own dictionary, sharing the locale above. Content scripts use one (the
 * overlay's, components/overlay/messages.ts) so the extension pages' strings stay out of their
 * size-budgeted bundles. A text missing in the current locale falls back to English.
 */
export function createTranslator<K extends string>(
  dictionaries: { en: Record<K, string> } & Partial<Record<Locale, Partial<Record<K, string>>>>,
) {
  const translate = (key: K, values?: Record<string, string | number>): string =>
    interpolate(dictionaries[currentLocale]?.[key] ?? dictionaries.en[key], values);
  /** True when `key` has a text (for keys built from data, such as an RFM segment code). */
  translate.has = (key: string): key is K => Object.hasOwn(dictionaries.en, key);
  return translate;
}

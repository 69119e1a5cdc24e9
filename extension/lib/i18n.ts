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
  // The popup and the options page.
  'popup.loading': 'Loading…',
  'popup.options': 'Options',
  'popup.signIn.heading': 'Sign in to your team',
  'popup.email': 'Email',
  'popup.password': 'Password',
  'popup.signIn': 'Sign in',
  'popup.signingIn': 'Signing in…',
  'popup.signIn.failed': 'Could not sign in: {message}',
  'popup.signOut': 'Sign out',
  'popup.signedInAs': 'Signed in as',
  'popup.org': 'Organization',
  'popup.org.none': 'You are not a member of any organization yet.',
  'popup.role.admin': 'Admin',
  'popup.role.rep': 'Sales rep',
  'popup.role.staff': 'Staff',
  'popup.sites': 'Show Portrait on',
  'popup.site.gmail': 'Gmail',
  'popup.site.outlook': 'Outlook',
  'popup.site.shopify': 'Shopify admin',
  'popup.site.woocommerce': 'WooCommerce admin',
  'popup.pending': 'Changes waiting to sync: {count}',
  'popup.failed': 'Changes the server refused: {count}',
  'popup.notConfigured': 'Choose your Supabase project in the options first.',
  'popup.actionFailed': 'That did not work: {message}',
  'options.loading': 'Loading…',
  'options.api.heading': 'Supabase project',
  'options.api.default': 'The project Portrait was built for is in use.',
  'options.api.custom': 'A project chosen on this page is in use.',
  'options.anonKey': 'Anon key',
  'options.api.save': 'Check and save',
  'options.api.checking': 'Checking…',
  'options.api.reset': 'Use the built-in project',
  'options.api.saved': 'Saved. Supabase Auth answered with this key.',
  'options.api.savedSession': 'Saved. Signed in as {email}; the database answers.',
  'options.api.unreachable': 'No answer from this URL: {message}',
  'options.api.bad-key': 'The project refused this key.',
  'options.api.not-supabase': 'This URL does not look like a Supabase project.',
  'options.api.permissionDenied': 'Portrait may not reach {origin} without your permission.',
  'options.api.permissionUnavailable': 'Portrait cannot ask for access to {origin}: {message}',
  'options.people.heading': 'Never looked up',
  'options.people.help': 'Your own addresses and your team’s domains are never sent to the server for lookups.',
  'options.ownAddresses': 'Your own addresses, one per line',
  'options.internalDomains': 'Internal domains, one per line',
  'options.language': 'Language',
  'options.language.auto': 'Automatic (browser language)',
  'options.language.en': 'English',
  'options.language.zh-CN': '简体中文',
  'options.save': 'Save',
  'options.saved': 'Saved.',
  'options.failed': 'Could not save: {message}',
} as const;

export type MessageKey = keyof typeof en;
export type Locale = 'en' | 'zh-CN';

// A text missing in the current locale falls back to English.
const dictionaries: { en: Record<MessageKey, string> } & Partial<Record<Locale, Partial<Record<MessageKey, string>>>> = { en };

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
  return interpolate(dictionaries[currentLocale]?.[key] ?? dictionaries.en[key], values);
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

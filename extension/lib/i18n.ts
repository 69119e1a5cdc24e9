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

export function t(key: MessageKey): string {
  return dictionaries[currentLocale][key];
}

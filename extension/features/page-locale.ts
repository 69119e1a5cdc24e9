// The language of an extension page (popup, options): the language option, `auto` being the
// browser's UI language. Content scripts get theirs from the background with the page settings.
import { browser } from 'wxt/browser';
import { resolveLocale, setLocale, type Locale } from '../platform/i18n/i18n.ts';
import { sendMessage, type Language } from './send.ts';

/** Sets the locale for `t` and the page's `<html lang>`. */
export function applyLanguage(language: Language): Locale {
  const locale = resolveLocale(language, browser.i18n.getUILanguage());
  setLocale(locale);
  document.documentElement.lang = locale;
  return locale;
}

/** Reads the language option and applies it; `auto` when the background cannot say. */
export async function loadPageLanguage(): Promise<Locale> {
  let language: Language = 'auto';
  try {
    language = (await sendMessage({ type: 'settings/get' })).settings.language;
  } catch (error) {
    console.warn('Portrait: language setting unavailable', error);
  }
  return applyLanguage(language);
}

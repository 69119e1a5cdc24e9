// The UI's two languages: every dictionary complete in both, the language option resolved the way
// the browser names its language, and texts inserted as given.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  createPageTranslator,
  createTranslator,
  dictionaries as pageDictionaries,
  getLocale,
  locales,
  resolveLocale,
  setLocale,
  t,
} from '../../extension/platform/i18n/i18n.ts';

const extensionDir = join(dirname(fileURLToPath(import.meta.url)), '../../extension/');
/** Every feature's `texts.ts` under extension/ (found by name, so a new feature is covered). */
function surfaceDictionaryFiles(): string[] {
  return readdirSync(extensionDir, { recursive: true, encoding: 'utf8' })
    .map((path) => path.split('\\').join('/'))
    .filter((path) => /(^|\/)texts\.ts$/.test(path))
    .sort();
}

type AnyDictionaries = Record<string, Record<string, unknown>>;

async function allDictionaries(): Promise<Array<[string, AnyDictionaries]>> {
  const found: Array<[string, AnyDictionaries]> = [['platform/i18n/i18n.ts', pageDictionaries]];
  for (const path of surfaceDictionaryFiles()) {
    const module = (await import(/* @vite-ignore */ join(extensionDir, path))) as { dictionaries?: AnyDictionaries };
    if (!module.dictionaries) throw new Error(`extension/${path} does not export its dictionaries`);
    found.push([path, module.dictionaries]);
  }
  return found;
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

/** What is wrong with one surface's dictionaries, as readable lines (empty when nothing is). */
function problems(dictionaries: AnyDictionaries): string[] {
  const found: string[] = [];
  const en = dictionaries.en ?? {};
  for (const locale of Object.keys(dictionaries)) {
    if (!locales.includes(locale as never)) found.push(`unknown language ${locale}`);
  }
  for (const locale of locales) {
    const texts = dictionaries[locale];
    if (!texts) {
      found.push(`no ${locale} dictionary`);
      continue;
    }
    for (const key of Object.keys(en)) if (!Object.hasOwn(texts, key)) found.push(`${locale}: "${key}" is missing`);
    for (const [key, text] of Object.entries(texts)) {
      if (!Object.hasOwn(en, key)) found.push(`${locale}: "${key}" is not an English key`);
      if (typeof text !== 'string' || text.trim() === '') {
        found.push(`${locale}: "${key}" is empty`);
        continue;
      }
      const english = en[key];
      if (typeof english !== 'string') continue;
      if (placeholders(text).join() !== placeholders(english).join()) {
        found.push(`${locale}: "${key}" has placeholders {${placeholders(text).join('}, {')}}, English {${placeholders(english).join('}, {')}}`);
      }
      // English left in place of a translation (names such as "Portrait" or "Gmail" are fine).
      if (locale !== 'en' && text === english && /[A-Za-z]+\s+[A-Za-z]+/.test(text)) {
        found.push(`${locale}: "${key}" is still English: "${text}"`);
      }
    }
  }
  return found;
}

describe('dictionaries', () => {
  it('finds every surface dictionary under extension/, the overlay among them', () => {
    expect(surfaceDictionaryFiles()).toContain('features/overlay/texts.ts');
  });

  it('has every key, with a text and the same placeholders, in every language of every dictionary', async () => {
    const dictionaries = await allDictionaries();
    expect(dictionaries.length).toBeGreaterThanOrEqual(2);
    for (const [path, surface] of dictionaries) {
      expect(Object.keys(surface.en ?? {}).length, `${path}: English keys`).toBeGreaterThan(0);
      expect(problems(surface), path).toEqual([]);
    }
  });

  it('reports what a broken dictionary lacks', () => {
    expect(
      problems({
        en: { greeting: 'Hello {name}', bye: 'Goodbye', idea: 'Add a note' },
        'zh-CN': { greeting: '你好 {who}', extra: '多余', idea: 'Add a note' },
      }),
    ).toEqual([
      'zh-CN: "bye" is missing',
      'zh-CN: "greeting" has placeholders {who}, English {name}',
      'zh-CN: "extra" is not an English key',
      'zh-CN: "idea" is still English: "Add a note"',
    ]);
    expect(problems({ en: { a: 'A' }, 'zh-CN': { a: ' ' } })).toEqual(['zh-CN: "a" is empty']);
    expect(problems({ en: { a: 'A' } })).toEqual(['no zh-CN dictionary']);
    expect(problems({ en: { a: 'A' }, 'zh-CN': { a: '甲' }, fr: { a: 'A' } })).toEqual(['unknown language fr']);
  });

  it('does not compile a dictionary that lacks a text', () => {
    // @ts-expect-error -- 'zh-CN' lacks "b": every language must have every key.
    const incomplete = createTranslator<'a' | 'b'>({ en: { a: 'A', b: 'B' }, 'zh-CN': { a: '甲' } });
    expect(typeof incomplete).toBe('function');
  });
});

describe("the manifest's texts (extension/locales/<language>/messages.json)", () => {
  const manifestTexts = (language: string) =>
    JSON.parse(readFileSync(join(extensionDir, 'locales', language, 'messages.json'), 'utf8')) as Record<string, { message?: unknown }>;

  it('exist in English and Simplified Chinese with the same names, none empty', () => {
    expect(readdirSync(join(extensionDir, 'locales')).sort()).toEqual(['en', 'zh_CN']);
    const en = manifestTexts('en');
    const zh = manifestTexts('zh_CN');
    expect(Object.keys(en)).toContain('extDescription');
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const texts of [en, zh]) {
      for (const [name, { message }] of Object.entries(texts)) expect(typeof message === 'string' && message.trim(), name).toBeTruthy();
    }
    expect(zh.extDescription?.message).toMatch(/客户画像/);
  });
});

describe('resolveLocale', () => {
  it.each([
    ['zh-CN', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['zh-SG', 'zh-CN'],
    ['zh-Hans', 'zh-CN'],
    ['zh-Hans-HK', 'zh-CN'],
    ['zh_CN', 'zh-CN'],
    ['zh-TW', 'en'],
    ['zh-HK', 'en'],
    ['zh-Hant', 'en'],
    ['en-US', 'en'],
    ['de', 'en'],
    ['', 'en'],
    [undefined, 'en'],
    ['not a language tag!', 'en'],
  ])("'auto' with the browser in %s is %s", (uiLanguage, locale) => {
    expect(resolveLocale('auto', uiLanguage)).toBe(locale);
  });

  it('follows an explicit choice whatever the browser speaks', () => {
    expect(resolveLocale('zh-CN', 'en-US')).toBe('zh-CN');
    expect(resolveLocale('en', 'zh-CN')).toBe('en');
  });
});

describe('translators', () => {
  it('speak the current locale and insert values as text', () => {
    try {
      setLocale('zh-CN');
      expect(getLocale()).toBe('zh-CN');
      expect(t('popup.signIn')).toBe('登录');
      expect(t('popup.signIn.failed', { message: '<b>{x}</b>' })).toBe('无法登录：<b>{x}</b>');
      setLocale('en');
      expect(t('popup.signIn.failed', { message: 'bad password' })).toBe('Could not sign in: bad password');
    } finally {
      setLocale('en');
    }
  });

  it("a content script's translator shows English until another language's texts are delivered", () => {
    const translate = createPageTranslator({ hello: 'Hello {name}', bye: 'Goodbye' });
    try {
      setLocale('zh-CN');
      expect(translate('hello', { name: 'Li' })).toBe('Hello Li');
      // Unknown keys and values that are not text are dropped; a missing text stays English.
      translate.use('zh-CN', { hello: '你好 {name}', injected: 'x', bye: 42 });
      expect(translate('hello', { name: 'Li' })).toBe('你好 Li');
      expect(translate('bye')).toBe('Goodbye');
      expect(translate.has('injected')).toBe(false);
      translate.use('zh-CN', null);
      expect(translate('hello', { name: 'Li' })).toBe('你好 Li');
      setLocale('en');
      expect(translate('hello', { name: 'Li' })).toBe('Hello Li');
    } finally {
      setLocale('en');
    }
  });
});

// What a selection, a mailto:/tel: link or typed text says about whom to tag.
import { describe, expect, it } from 'vitest';
import { commandGesture, menuGesture, menuItems, uiLocale } from '../../../extension/features/tagger/background/gestures.ts';
import { linkIdentifier, maxCandidates, readTaggerTarget } from '../../../extension/features/tagger/background/target.ts';

const email = (value: string) => ({ kind: 'email', value });
const phone = (value: string) => ({ kind: 'phone', value });

describe('selection → identifiers', () => {
  it('reads an email in its stored form', () => {
    expect(readTaggerTarget({ text: '  Li.Wei@Example.COM ' }, 'CN')).toEqual({
      text: 'Li.Wei@Example.COM',
      identifiers: [email('li.wei@example.com')],
      nameQuery: null,
      suggestedName: null,
    });
  });

  it.each([
    ['national, with spaces', '138 0013 8000'],
    ['international with dashes', '+86 138-0013-8000'],
    ['with the international prefix', '0086 13800138000'],
    ['in fullwidth digits', '１３８ ００１３ ８０００'],
    ['inside a sentence', 'Call Zhang on 138-0013-8000 before noon.'],
  ])('reads a phone number written %s as the one stored number', (_label, text) => {
    expect(readTaggerTarget({ text }, 'CN').identifiers).toEqual([phone('+8613800138000')]);
  });

  it('reads national numbers in the organization region', () => {
    expect(readTaggerTarget({ text: '(415) 555-2671' }, 'US').identifiers).toEqual([phone('+14155552671')]);
    // Without a region only international numbers can be read.
    expect(readTaggerTarget({ text: '(415) 555-2671' }, null).identifiers).toEqual([]);
  });

  it('offers everyone in a selection once, emails and phones, at most a few', () => {
    const text = 'li@example.com, LI@example.com; +86 138 0013 8000; 13800138000 ' +
      Array.from({ length: 10 }, (_, i) => `p${i}@example.com`).join(' ');
    const { identifiers } = readTaggerTarget({ text }, 'CN');
    expect(identifiers.slice(0, 3)).toEqual([email('li@example.com'), phone('+8613800138000'), email('p0@example.com')]);
    expect(identifiers).toHaveLength(maxCandidates);
    expect(new Set(identifiers.map((i) => i.value)).size).toBe(identifiers.length);
  });

  it('takes the name beside an address for a new lead', () => {
    expect(readTaggerTarget({ text: '"Li Wei" <li.wei@example.com>' }, null)).toMatchObject({
      identifiers: [email('li.wei@example.com')],
      suggestedName: 'Li Wei',
    });
    expect(readTaggerTarget({ text: '王小明 <wang@example.cn>' }, null).suggestedName).toBe('王小明');
    expect(readTaggerTarget({ text: 'Write to li.wei@example.com today' }, null).suggestedName).toBeNull();
  });

  it('searches by name when the text holds no email or phone', () => {
    expect(readTaggerTarget({ text: '  Li \n Wei ' }, 'CN')).toEqual({ text: 'Li Wei', identifiers: [], nameQuery: 'Li Wei', suggestedName: null });
    expect(readTaggerTarget({ text: '李伟' }, 'CN').nameQuery).toBe('李伟');
  });

  it.each([
    ['nothing', ''],
    ['only spaces', '   '],
    ['digits that are no phone number', '12345'],
    ['an invalid phone number', '+86 000 0000 0000'],
    ['a whole paragraph', 'word '.repeat(40)],
    ['markup', '<img src=x onerror=alert(1)>'],
  ])('finds nobody in %s', (_label, text) => {
    expect(readTaggerTarget({ text }, 'CN')).toMatchObject({ identifiers: [], nameQuery: null });
  });
});

describe('links', () => {
  it('reads the first address of a mailto: link, decoded, without its query', () => {
    expect(linkIdentifier('mailto:Li.Wei%40Example.com?subject=Samples')).toEqual(email('Li.Wei@Example.com'));
    expect(linkIdentifier('MAILTO:a@example.com,b@example.com')).toEqual(email('a@example.com'));
    expect(readTaggerTarget({ linkUrl: 'mailto:Li.Wei%40Example.com?subject=Samples' }, null)).toEqual({
      text: 'Li.Wei@Example.com',
      identifiers: [email('li.wei@example.com')],
      nameQuery: null,
      suggestedName: null,
    });
  });

  it('reads a tel: link in the organization region', () => {
    expect(readTaggerTarget({ linkUrl: 'tel:+86-138-0013-8000' }, null).identifiers).toEqual([phone('+8613800138000')]);
    expect(readTaggerTarget({ linkUrl: 'tel:138%2000138000' }, 'CN').identifiers).toEqual([phone('+8613800138000')]);
  });

  it('falls back to the selection when the link holds nobody', () => {
    expect(linkIdentifier('https://example.com/contact')).toBeNull();
    expect(linkIdentifier('mailto:%E0%A4%A')).toBeNull();
    expect(linkIdentifier('mailto:')).toBeNull();
    expect(readTaggerTarget({ linkUrl: 'mailto:not-an-address', text: 'li@example.com' }, null).identifiers).toEqual([email('li@example.com')]);
  });
});

describe('gestures', () => {
  it('opens the dialog for the menu items, in the clicked tab and frame', () => {
    expect(menuGesture({ menuItemId: menuItems.selection, frameId: 4, selectionText: 'Li Wei' }, { id: 9 })).toEqual({
      tabId: 9,
      frameId: 4,
      selectionText: 'Li Wei',
      linkUrl: null,
    });
    expect(menuGesture({ menuItemId: menuItems.link, linkUrl: 'mailto:li@example.com' }, { id: 9 })).toEqual({
      tabId: 9,
      frameId: 0,
      selectionText: null,
      linkUrl: 'mailto:li@example.com',
    });
  });

  it('ignores other menu items, links that are no address, and clicks outside a tab', () => {
    expect(menuGesture({ menuItemId: 'someone-else' }, { id: 9 })).toBeNull();
    expect(menuGesture({ menuItemId: menuItems.link, linkUrl: 'javascript:alert(1)' }, { id: 9 })?.linkUrl).toBeNull();
    expect(menuGesture({ menuItemId: menuItems.selection, selectionText: 'x' }, undefined)).toBeNull();
    expect(menuGesture({ menuItemId: menuItems.selection, selectionText: 'x' }, { id: -1 })).toBeNull();
  });

  it('opens the dialog for the shortcut in the top frame only', () => {
    expect(commandGesture('tag-customer', { id: 3 })).toEqual({ tabId: 3, frameId: 0, selectionText: null, linkUrl: null });
    expect(commandGesture('_execute_action', { id: 3 })).toBeNull();
    expect(commandGesture('tag-customer', undefined)).toBeNull();
  });

  it('names the menu in the chosen language, or the browser’s', () => {
    expect(uiLocale('auto', 'zh-CN')).toBe('zh-CN');
    expect(uiLocale('auto', 'zh-TW')).toBe('zh-CN');
    expect(uiLocale('auto', 'de')).toBe('en');
    expect(uiLocale('en', 'zh-CN')).toBe('en');
    expect(uiLocale('zh-CN', 'en-US')).toBe('zh-CN');
  });
});

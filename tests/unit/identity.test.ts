// Identity normalisation in TypeScript: examples, hostile input, and properties (normalising twice
// gives what normalising once gives). tests/db/identity.test.ts checks that SQL agrees.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identifierSchema } from '../../shared/identity-schema.ts';
import {
  FIND_MAX_INPUT,
  FIND_MAX_RESULTS,
  UnknownPhoneRegionError,
  findIdentifiers,
  normalizeDomain,
  normalizeEmail,
  normalizeIdentity,
  normalizePhone,
  normalizeShopId,
  phoneDialString,
} from '../../shared/identity.ts';

const regions = ['CN', 'US', 'GB', 'DE', 'FR', 'JP', 'SG', 'AU', 'CA', 'HK', 'TW', 'IN', 'NL', 'ES', 'IT'];

describe('normalizeEmail', () => {
  it.each([
    ['li.wei@example.com', 'li.wei@example.com'],
    ['  Li.Wei@Example.COM\n', 'li.wei@example.com'],
    ['Maria.Garcia+Newsletter@Example.com', 'maria.garcia+newsletter@example.com'],
    ['li.wei+a+b@example.com', 'li.wei+a+b@example.com'],
    ['ＬＩ．ＷＥＩ＠ＥＸＡＭＰＬＥ．ＣＯＭ', 'li.wei@example.com'],
    ['\u200bli.wei@exam\u200bple.com\ufeff', 'li.wei@example.com'],
    ['\u3000li.wei@example.com\u00a0', 'li.wei@example.com'],
    ['o\'brien@example.ie', "o'brien@example.ie"],
    ['x@shop.xn--fiqs8s', 'x@shop.xn--fiqs8s'],
    ['admin@lotus.test', 'admin@lotus.test'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });

  it.each([
    '',
    'li.wei',
    '@example.com',
    'li.wei@',
    'li wei@example.com',
    'li..wei@example.com',
    '.li@example.com',
    'li.@example.com',
    'li@example',
    'li@example.c',
    'li@-example.com',
    'li@example-.com',
    'li@@example.com',
    'li@exa_mple.com',
    '"li wei"@example.com',
    'li@[127.0.0.1]',
    'Li Wei <li.wei@example.com>',
    'mailto:li.wei@example.com',
    '李伟@例子.中国',
    'li.wei@exämple.com',
    'li\u0000@example.com',
    `${'a'.repeat(65)}@example.com`,
    `a@${'b'.repeat(250)}.com`,
  ])('rejects %j', (input) => {
    expect(normalizeEmail(input)).toBeNull();
  });

  it('rejects non-strings', () => {
    for (const value of [null, undefined, 42, {}, ['a@b.co']]) expect(normalizeEmail(value)).toBeNull();
  });

  it('returns quickly for huge and hostile strings', () => {
    const hostile = [
      'a'.repeat(1_000_000),
      `${'a.'.repeat(200_000)}@`,
      `x@${'a-'.repeat(200_000)}`,
      `${'@'.repeat(100_000)}`,
      `${'a'.repeat(60)}@${'a.'.repeat(120)}com`,
    ];
    const started = performance.now();
    for (const value of hostile) normalizeEmail(value);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.emailAddress(), fc.emailAddress().map((e) => ` ${e.toUpperCase()} `)), (value) => {
        const once = normalizeEmail(value);
        if (once !== null) expect(normalizeEmail(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts what fast-check calls an email address, lowercased', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (address) => {
        const normalized = normalizeEmail(address);
        // fast-check generates RFC 5322 dot-atoms; the ones we refuse have a TLD that is not a word.
        if (normalized === null) expect(address.split('.').pop()).not.toMatch(/^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/i);
        else expect(normalized).toBe(address.toLowerCase());
      }),
      { numRuns: 1000 },
    );
  });
});

describe('normalizePhone', () => {
  it.each([
    ['020 7946 0958', 'GB', '+442079460958'],
    ['138 0013 8000', 'CN', '+8613800138000'],
    ['030 123456', 'DE', '+4930123456'],
    ['(415) 555-2671', 'US', '+14155552671'],
    ['+1 (415) 555-2671', 'CN', '+14155552671'],
    ['011 44 20 7946 0958', 'US', '+442079460958'],
    ['0044 20 7946 0958', 'FR', '+442079460958'],
    ['06 12 34 56 78', 'FR', '+33612345678'],
    ['03-1234-5678', 'JP', '+81312345678'],
    ['8123 4567', 'SG', '+6581234567'],
    ['(02) 9876 5432', 'AU', '+61298765432'],
    ['+852 5123 4567', null, '+85251234567'],
    ['０２０ ７９４６ ０９５８', 'GB', '+442079460958'],
    ['＋８６ １３８－００１３－８０００', null, '+8613800138000'],
    ['138\u200b0013\u200b8000', 'CN', '+8613800138000'],
    ['138.0013.8000', 'cn', '+8613800138000'],
    ['\t+44 20 7946 0958\n', undefined, '+442079460958'],
  ])('%j in %s → %s', (input, region, expected) => {
    expect(normalizePhone(input, region)).toBe(expected);
  });

  it.each([
    ['138 0013 8000', null],
    ['12', 'US'],
    ['+1 415 555 2671 x12', 'US'],
    ['+1 415 555 2671;ext=12', 'US'],
    ['tel:+14155552671', 'US'],
    ['call 020 7946 0958', 'GB'],
    ['+44 20 7946 0958 +44', 'GB'],
    ['+800 1234 5678', null],
    ['+999 1234 5678', null],
    ['٠٢٠ ٧٩٤٦ ٠٩٥٨', 'GB'],
    ['1'.repeat(65), 'US'],
    ['', 'US'],
  ])('rejects %j in %s', (input, region) => {
    expect(normalizePhone(input, region)).toBeNull();
  });

  it('throws for a region libphonenumber does not know', () => {
    expect(() => normalizePhone('020 7946 0958', 'ZZ')).toThrow(UnknownPhoneRegionError);
    expect(() => normalizePhone('020 7946 0958', 'GBR')).toThrow(UnknownPhoneRegionError);
    expect(normalizePhone('+442079460958', '')).toBe('+442079460958');
  });

  it('is idempotent, and an E.164 result reads as itself in every region', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?[0-9 ()\-.]{4,20}$/), fc.constantFrom(...regions), fc.constantFrom(...regions), (value, region, other) => {
        const once = normalizePhone(value, region);
        if (once === null) return;
        expect(once).toMatch(/^\+[1-9][0-9]{5,16}$/);
        expect(normalizePhone(once, region)).toBe(once);
        expect(normalizePhone(once, other)).toBe(once);
        expect(normalizePhone(once, null)).toBe(once);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('phoneDialString', () => {
  it('drops formatting and keeps + and digits', () => {
    expect(phoneDialString(' +1 (415) 555-2671 ')).toBe('+14155552671');
    expect(phoneDialString('020\u00a07946\u20130958')).toBe('02079460958');
    expect(phoneDialString('1+2')).toBeNull();
    expect(phoneDialString('+')).toBeNull();
  });
});

describe('normalizeDomain', () => {
  it.each([
    ['Acme.com', 'acme.com'],
    ['https://www.Lotus-Tea.cn/about?x=1', 'lotus-tea.cn'],
    ['http://shop.example.co.uk:8080/', 'shop.example.co.uk'],
    ['example.com.', 'example.com'],
    ['www.com', 'www.com'],
    ['ｅｘａｍｐｌｅ．ｃｏｍ', 'example.com'],
    ['xn--fiqs8s.xn--fiqs8s', 'xn--fiqs8s.xn--fiqs8s'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeDomain(input)).toBe(expected);
  });

  it.each(['localhost', 'li@example.com', 'ftp://example.com', '例子.中国', '-a.com', 'a..com', '127.0.0.1', ''])('rejects %j', (input) => {
    expect(normalizeDomain(input)).toBeNull();
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.domain(), fc.webUrl(), fc.string()), (value) => {
        const once = normalizeDomain(value);
        if (once !== null) expect(normalizeDomain(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('normalizeShopId', () => {
  it('joins provider and numeric id', () => {
    expect(normalizeShopId('shopify', '4711')).toBe('shopify:4711');
    expect(normalizeShopId(' WooCommerce ', ' 000123 ')).toBe('woocommerce:123');
    expect(normalizeShopId('shopify', 4711)).toBe('shopify:4711');
  });

  it.each([
    ['magento', '1'],
    ['shopify', ''],
    ['shopify', '0'],
    ['shopify', '12a'],
    ['shopify', '-1'],
    ['shopify', '1'.repeat(21)],
    ['shopify', 'gid://shopify/Customer/1'],
  ])('rejects %j %j', (provider, id) => {
    expect(normalizeShopId(provider, id)).toBeNull();
  });

  it('rejects unsafe numbers', () => {
    expect(normalizeShopId('shopify', 1.5)).toBeNull();
    expect(normalizeShopId('shopify', 2 ** 60)).toBeNull();
  });
});

describe('normalizeIdentity', () => {
  it('dispatches on the kind', () => {
    expect(normalizeIdentity({ kind: 'email', value: 'Li.Wei@Example.com' })).toBe('li.wei@example.com');
    expect(normalizeIdentity({ kind: 'phone', value: '138 0013 8000' }, 'CN')).toBe('+8613800138000');
    expect(normalizeIdentity({ kind: 'shop_customer', value: 'Shopify: 0042' })).toBe('shopify:42');
    expect(normalizeIdentity({ kind: 'shop_order', value: 'woocommerce:4711' })).toBe('woocommerce:4711');
    expect(normalizeIdentity({ kind: 'domain', value: 'https://www.acme.com' })).toBe('acme.com');
    expect(normalizeIdentity({ kind: 'shop_order', value: '4711' })).toBeNull();
    expect(normalizeIdentity({ kind: 'fax', value: '123' })).toBeNull();
  });

  it('is idempotent for every kind', () => {
    const identifier = fc.oneof(
      fc.record({ kind: fc.constant('email'), value: fc.oneof(fc.emailAddress(), fc.string()) }),
      fc.record({ kind: fc.constant('phone'), value: fc.stringMatching(/^\+?[0-9 ()\-.]{4,20}$/) }),
      fc.record({ kind: fc.constantFrom('shop_customer', 'shop_order'), value: fc.stringMatching(/^(shopify|woocommerce|x):0?[0-9]{1,6}$/) }),
      fc.record({ kind: fc.constant('domain'), value: fc.oneof(fc.domain(), fc.webUrl()) }),
    );
    fc.assert(
      fc.property(identifier, fc.constantFrom(...regions), (id, region) => {
        const once = normalizeIdentity(id, region);
        if (once !== null) expect(normalizeIdentity({ kind: id.kind, value: once }, region)).toBe(once);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('identifierSchema', () => {
  it('accepts identifiers whose value fits the kind', () => {
    expect(identifierSchema.parse({ kind: 'email', value: 'Li.Wei@Example.com' })).toEqual({ kind: 'email', value: 'Li.Wei@Example.com' });
    expect(identifierSchema.safeParse({ kind: 'phone', value: '138 0013 8000' }).success).toBe(true);
    expect(identifierSchema.safeParse({ kind: 'shop_order', value: 'shopify:4711' }).success).toBe(true);
  });

  it('rejects the rest with a message on the value', () => {
    const bad = identifierSchema.safeParse({ kind: 'email', value: 'nope' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ['value'], message: 'Not a valid email identifier' });
    expect(identifierSchema.safeParse({ kind: 'phone', value: 'call me' }).success).toBe(false);
    expect(identifierSchema.safeParse({ kind: 'fax', value: '1' }).success).toBe(false);
    expect(identifierSchema.safeParse({ kind: 'email', value: 'a@b.co', extra: 1 }).success).toBe(false);
    expect(identifierSchema.safeParse({ kind: 'email', value: 'a'.repeat(600) }).success).toBe(false);
  });
});

describe('findIdentifiers', () => {
  it('finds emails and phone numbers in page text, once each, in order', () => {
    const text = `From: Li Wei <Li.Wei@Example.com>
      To: maria.garcia+orders@example.com; li.wei@example.com
      Call me on +86 138 0013 8000 or (415) 555-2671 — order #100234, placed 2024-05-06, total 1,234.56.
      mailto:sales@lotus.test. Version 10.2.3.4, IP 192.168.100.200, ref 12345678901234567890.`;
    expect(findIdentifiers(text)).toEqual([
      { kind: 'email', value: 'li.wei@example.com' },
      { kind: 'email', value: 'maria.garcia+orders@example.com' },
      { kind: 'phone', value: '+8613800138000' },
      { kind: 'phone', value: '4155552671' },
      { kind: 'email', value: 'sales@lotus.test' },
    ]);
  });

  it('reads fullwidth and zero-width-split addresses', () => {
    expect(findIdentifiers('联系：ｌｉ．ｗｅｉ＠ｅｘａｍｐｌｅ．ｃｏｍ，电话 １３８\u200b００１３８０００')).toEqual([
      { kind: 'email', value: 'li.wei@example.com' },
      { kind: 'phone', value: '13800138000' },
    ]);
  });

  it('does not take QQ-style addresses or parts of long numbers as phones', () => {
    expect(findIdentifiers('12345678@qq.com and 1234567890123456789012345')).toEqual([{ kind: 'email', value: '12345678@qq.com' }]);
  });

  it('ignores markup and script in the text', () => {
    expect(findIdentifiers('<img src=x onerror=alert(1)>@<script>"a@b.com"</script>')).toEqual([{ kind: 'email', value: 'a@b.com' }]);
  });

  it('caps the number of results', () => {
    const many = Array.from({ length: 500 }, (_, i) => `user${i}@example.com`).join(' ');
    expect(findIdentifiers(many)).toHaveLength(FIND_MAX_RESULTS);
    expect(findIdentifiers(many, { maxResults: 3 }).map((f) => f.value)).toEqual([
      'user0@example.com',
      'user1@example.com',
      'user2@example.com',
    ]);
  });

  it('reads only the first FIND_MAX_INPUT characters', () => {
    const text = `${' '.repeat(FIND_MAX_INPUT)}late@example.com`;
    expect(findIdentifiers(text)).toEqual([]);
  });

  it('stays fast on huge and hostile text', () => {
    const hostile = [
      'a'.repeat(5_000_000),
      'a@'.repeat(1_000_000),
      `${'a.'.repeat(500_000)}@`,
      '1 '.repeat(1_000_000),
      '(1)-'.repeat(500_000),
      `${'x'.repeat(63)}@`.repeat(50_000),
      '@'.repeat(2_000_000),
      '\u200b'.repeat(1_000_000),
    ];
    for (const text of hostile) {
      const started = performance.now();
      const found = findIdentifiers(text);
      expect(found.length).toBeLessThanOrEqual(FIND_MAX_RESULTS);
      expect(performance.now() - started, text.slice(0, 10)).toBeLessThan(500);
    }
  });

  it('returns only values the normalisers accept, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.array(fc.emailAddress(), { maxLength: 3 }), (noise, emails) => {
        const found = findIdentifiers(`${noise} ${emails.join(' , ')} ${noise}`);
        for (const f of found) {
          if (f.kind === 'email') expect(normalizeEmail(f.value)).toBe(f.value);
          else expect(phoneDialString(f.value)).toBe(f.value);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('returns nothing for non-strings', () => {
    expect(findIdentifiers(undefined)).toEqual([]);
    expect(findIdentifiers(42)).toEqual([]);
  });
});

// The SQL identity normalisers (private.normalize_*) give the same answers as shared/identity.ts.
// Phone numbers are generated per region from libphonenumber's own metadata (the full "max"
// patterns of every number type, and its example numbers) and written the ways people write them;
// each property checks a batch of inputs with one query.
import fc from 'fast-check';
import { Metadata as MaxMetadata } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  normalizeDomain,
  normalizeEmail,
  normalizeIdentity,
  normalizePhone,
  normalizeShopId,
  phoneDialString,
} from '../../shared/identity.ts';
import { phoneRegionRows, type PhoneRegionRow } from '../../supabase/local/phone-regions.ts';
import { asRole, freshDb, type TestDb } from './harness.ts';

/** PROPERTY_RUNS=20 searches twenty times longer. */
const runs = (n: number) => n * Math.max(1, Number(process.env.PROPERTY_RUNS ?? 1));

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => {
  await t?.close();
});

const regions = phoneRegionRows();
const regionByCode = new Map(regions.map((r) => [r.region, r]));
/** The demo organisations' countries and the other markets the product is used in. */
const focusRegions = ['CN', 'US', 'GB', 'DE', 'FR', 'JP', 'SG', 'AU', 'CA', 'HK', 'TW', 'IN', 'NL', 'ES', 'IT'];

// ---------------------------------------------------------------------------------------------
// Batched SQL calls

async function sqlPhones(inputs: Array<{ value: string | null; region: string | null }>): Promise<Array<string | null>> {
  const { rows } = await t.db.query<{ result: string | null }>(
    `select private.normalize_phone(v, r) as result
       from unnest($1::text[], $2::text[]) with ordinality as input(v, r, n)
      order by n`,
    [inputs.map((i) => i.value), inputs.map((i) => i.region)],
  );
  return rows.map((r) => r.result);
}

async function sqlUnary(fn: 'normalize_email' | 'normalize_domain' | 'phone_dial_string', values: string[]): Promise<Array<string | null>> {
  const { rows } = await t.db.query<{ result: string | null }>(
    `select private.${fn}(v) as result from unnest($1::text[]) with ordinality as input(v, n) order by n`,
    [values],
  );
  return rows.map((r) => r.result);
}

async function sqlShopIds(inputs: Array<{ provider: string; id: string }>): Promise<Array<string | null>> {
  const { rows } = await t.db.query<{ result: string | null }>(
    `select private.normalize_shop_id(p, i) as result
       from unnest($1::text[], $2::text[]) with ordinality as input(p, i, n) order by n`,
    [inputs.map((i) => i.provider), inputs.map((i) => i.id)],
  );
  return rows.map((r) => r.result);
}

/** Calling codes shared by regions that libphonenumber tells apart by per-type patterns (+1, +44, …). */
const codesWithNumberTypes = new Set(regions.filter((r) => r.has_number_types).map((r) => r.calling_code));
const callingCodeOf = (e164: string) => regions.find((r) => e164.startsWith(`+${r.calling_code}`))?.calling_code;

/**
 * SQL gives libphonenumber-js's answer, except that under a calling code whose regions
 * libphonenumber tells apart by per-type patterns (which the table does not carry) it also
 * accepts numbers that fit a region's general pattern and lengths: a superset, never another number.
 */
function expectPhonesAgree(batch: PhoneInput[], sql: Array<string | null>) {
  const differences = batch
    .map((input, i) => ({ input, sql: sql[i], ts: normalizePhone(input.value, input.region) }))
    .filter((d) => d.sql !== d.ts && !(d.ts === null && d.sql && codesWithNumberTypes.has(callingCodeOf(d.sql) ?? '')));
  expect(differences).toEqual([]);
}

/** Compares a batch and reports every disagreement at once (readable when fast-check shrinks). */
function expectSame<I>(inputs: I[], sql: Array<string | null>, ts: Array<string | null>) {
  const differences = inputs
    .map((input, i) => ({ input, sql: sql[i], ts: ts[i] }))
    .filter((d) => d.sql !== d.ts);
  expect(differences).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// Generators

interface NumberingPlanTypes {
  type(name: string): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
  possibleLengths(): number[];
}
const maxMetadata = new MaxMetadata() as unknown as { selectNumberingPlan(region: string): { numberingPlan: NumberingPlanTypes } };
const numberTypes = ['FIXED_LINE', 'MOBILE', 'TOLL_FREE', 'PREMIUM_RATE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'];

/** Valid national significant numbers of a region: its example number and numbers of every type. */
function nationalNumbers(region: string): fc.Arbitrary<string> {
  const plan = maxMetadata.selectNumberingPlan(region).numberingPlan;
  const arbitraries: Array<fc.Arbitrary<string>> = [];
  const example = (examples as Record<string, string>)[region];
  if (example) arbitraries.push(fc.constant(example));
  for (const name of numberTypes) {
    const type = plan.type(name);
    const pattern = type?.pattern();
    if (!type || !pattern) continue;
    const lengths = type.possibleLengths() ?? plan.possibleLengths();
    arbitraries.push(fc.stringMatching(new RegExp(`^(?:${pattern})$`)).filter((n) => lengths.includes(n.length)));
  }
  return fc.oneof(...arbitraries);
}

/** A literal international prefix dialled from a region (its pattern may allow several). */
const internationalPrefix = (plan: PhoneRegionRow) => fc.stringMatching(new RegExp(`^(?:${plan.international_prefix})$`));

const separator = fc.constantFrom(' ', ' ', ' ', '-', '.', '', '\u00a0', '/', ' - ', '\u2013');

/** Digits split into groups by the separators people type, maybe with parentheses around the first. */
function grouped(digits: string): fc.Arbitrary<string> {
  return fc
    .record({
      cuts: fc.array(fc.integer({ min: 1, max: Math.max(1, digits.length - 1) }), { maxLength: 4 }),
      separators: fc.array(separator, { minLength: 5, maxLength: 5 }),
      parenthesised: fc.boolean(),
    })
    .map(({ cuts, separators, parenthesised }) => {
      const points = [...new Set(cuts)].sort((a, b) => a - b);
      const groups: string[] = [];
      let last = 0;
      for (const p of points) {
        groups.push(digits.slice(last, p));
        last = p;
      }
      groups.push(digits.slice(last));
      if (parenthesised && groups.length > 1) groups[0] = `(${groups[0]})`;
      return groups.map((g, i) => (i === 0 ? g : `${separators[i % separators.length]}${g}`)).join('');
    });
}

/** Typing accidents that do not change the number: surrounding spaces, fullwidth digits, zero-width spaces. */
function decorated(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .record({
      text,
      lead: fc.constantFrom('', ' ', '\t', '\u3000'),
      trail: fc.constantFrom('', ' ', '\n', '\u200b'),
      fullwidth: fc.boolean(),
      zeroWidth: fc.nat(),
    })
    .map(({ text: s, lead, trail, fullwidth, zeroWidth }) => {
      let out = fullwidth ? s.replace(/[0-9+()\-.]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)) : s;
      if (zeroWidth % 5 === 0 && out.length > 2) {
        const at = 1 + (zeroWidth % (out.length - 1));
        out = `${out.slice(0, at)}\u200b${out.slice(at)}`;
      }
      return `${lead}${out}${trail}`;
    });
}

interface PhoneInput {
  value: string;
  region: string | null;
}

/** A valid number of `region`, written in one of the ways people write it, with the default region to read it in. */
function writtenPhone(region: string): fc.Arbitrary<PhoneInput> {
  const plan = regionByCode.get(region)!;
  const cc = plan.calling_code;
  return nationalNumbers(region).chain((nsn) => {
    const forms: Array<fc.Arbitrary<PhoneInput>> = [
      // +CC with any (or no) default region
      fc
        .tuple(grouped(nsn), fc.constantFrom(null, region, 'US', 'CN', 'GB'), fc.constantFrom(' ', '', '-', '.'))
        .map(([g, r, sep]) => ({ value: `+${cc}${sep}${g}`, region: r })),
      // national form in its own region, without the trunk prefix
      grouped(nsn).map((g) => ({ value: g, region })),
      // dialled from another region with that region's international prefix
      fc
        .constantFrom(...focusRegions)
        .chain((from) => fc.tuple(fc.constant(from), internationalPrefix(regionByCode.get(from)!), grouped(nsn)))
        .map(([from, idd, g]) => ({ value: `${idd} ${cc} ${g}`, region: from })),
      // the calling code without a +, in its own region
      grouped(nsn).map((g) => ({ value: `${cc} ${g}`, region })),
    ];
    if (plan.trunk_prefix) {
      // national form with the trunk prefix: 020 7946 0958, 138 0013 8000 → 0138…, (0)
      forms.push(grouped(`${plan.trunk_prefix}${nsn}`).map((g) => ({ value: g, region })));
      forms.push(grouped(nsn).map((g) => ({ value: `+${cc} (${plan.trunk_prefix}) ${g}`, region: null })));
    }
    return fc.oneof(...forms);
  });
}

// Postgres text cannot hold U+0000, so neither can anything that reaches the SQL functions.
const withoutNul = (s: string) => !s.includes('\u0000');
const anyText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.stringMatching(/^[+0-9 ()\-.]{0,24}$/),
).filter(withoutNul);

// ---------------------------------------------------------------------------------------------

describe('private.phone_regions', () => {
  it('holds the numbering plans of the installed libphonenumber-js', async () => {
    const { rows } = await t.db.query<PhoneRegionRow>(
      `select region, calling_code, calling_code_rank, calling_code_regions, international_prefix, trunk_prefix, trunk_prefix_for_parsing,
              trunk_prefix_transform, national_number_lengths, national_number_pattern, leading_digits, has_number_types
         from private.phone_regions order by region collate "C"`,
    );
    const table = rows.map((r) => ({ ...r, national_number_lengths: r.national_number_lengths.map(Number) }));
    // When this fails after an upgrade of libphonenumber-js, write the new rows into a new
    // migration with `npx tsx supabase/local/phone-regions.ts`.
    expect(table).toEqual(regions);
  });

  it('covers the demo countries and the markets the product is used in', () => {
    for (const region of focusRegions) expect(regionByCode.has(region), region).toBe(true);
  });

  it('has patterns Postgres compiles', async () => {
    const { rows } = await t.db.query<{ n: string }>(
      `select count(*) as n from private.phone_regions
        where '' ~ ('^(?:' || national_number_pattern || ')$') is not null
          and '' ~ ('^(?:' || international_prefix || ')') is not null
          and '' ~ ('^(?:' || coalesce(trunk_prefix_for_parsing, '') || ')') is not null
          and '' ~ ('^(?:' || coalesce(leading_digits, '') || ')') is not null`,
    );
    expect(Number(rows[0]!.n)).toBe(regions.length);
  });
});

describe('phone numbers', () => {
  const typed: Array<[string, string | null, string]> = [
    ['020 7946 0958', 'GB', '+442079460958'],
    ['+44 (0)20 7946 0958', null, '+442079460958'],
    ['138 0013 8000', 'CN', '+8613800138000'],
    ['+86 138-0013-8000', 'US', '+8613800138000'],
    ['0086 138 0013 8000', 'GB', '+8613800138000'],
    ['86 13800138000', 'CN', '+8613800138000'],
    ['010 6552 9988', 'CN', '+861065529988'],
    ['030 123456', 'DE', '+4930123456'],
    ['(415) 555-2671', 'US', '+14155552671'],
    ['1-415-555-2671', 'US', '+14155552671'],
    ['415.555.2671', 'US', '+14155552671'],
    ['011 44 20 7946 0958', 'US', '+442079460958'],
    ['(604) 555-0123', 'CA', '+16045550123'],
    ['01 23 45 67 89', 'FR', '+33123456789'],
    ['090-1234-5678', 'JP', '+819012345678'],
    ['9123 4567', 'SG', '+6591234567'],
    ['0412 345 678', 'AU', '+61412345678'],
    ['(02) 9876 5432', 'AU', '+61298765432'],
    ['5123 4567', 'HK', '+85251234567'],
    ['0912 345 678', 'TW', '+886912345678'],
    ['098765 43210', 'IN', '+919876543210'],
    ['06 12345678', 'NL', '+31612345678'],
    ['612 34 56 78', 'ES', '+34612345678'],
    ['06 1234 5678', 'IT', '+390612345678'],
    ['＋８６ １３８ ００１３ ８０００', null, '+8613800138000'],
    ['138\u200b0013\u200b8000', 'cn', '+8613800138000'],
  ];

  it.each(typed)('reads %j in region %s as %s', async (value, region, e164) => {
    expect(normalizePhone(value, region)).toBe(e164);
    expect(await sqlPhones([{ value, region }])).toEqual([e164]);
  });

  it('gives null for what is not a valid number, on both sides', async () => {
    const inputs: PhoneInput[] = [
      { value: '138 0013 8000', region: null },
      { value: '12', region: 'US' },
      { value: '+1 415 555 2671 ext. 12', region: 'US' },
      { value: '+44 20 7946 0958 +1', region: null },
      { value: 'call me', region: 'GB' },
      { value: '', region: 'GB' },
      { value: '+800 1234 5678', region: null },
      { value: '+0 123 456 789', region: null },
      { value: '9'.repeat(100), region: 'CN' },
      { value: '+86 1', region: 'CN' },
    ];
    expect(inputs.map((i) => normalizePhone(i.value, i.region))).toEqual(inputs.map(() => null));
    expect(await sqlPhones(inputs)).toEqual(inputs.map(() => null));
  });

  it('rejects an unknown region with 22023 on the SQL side and an error in TypeScript', async () => {
    expect(() => normalizePhone('020 7946 0958', 'ZZ')).toThrow(/Unknown phone region "ZZ"/);
    expect(() => normalizePhone('020 7946 0958', 'United Kingdom')).toThrow(RangeError);
    await expect(sqlPhones([{ value: '020 7946 0958', region: 'ZZ' }])).rejects.toMatchObject({
      code: '22023',
      message: "unknown phone region 'ZZ'",
    });
    expect(await sqlPhones([{ value: null, region: 'GB' }])).toEqual([null]);
  });

  it('agrees with libphonenumber-js for valid numbers of the main markets, however they are written', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...focusRegions).chain(writtenPhone).chain(decorated2), { minLength: 100, maxLength: 250 }), async (batch) => {
        expectPhonesAgree(batch, await sqlPhones(batch));
      }),
      { numRuns: runs(12) },
    );
  });

  it('agrees with libphonenumber-js for valid numbers of every region', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...regions.map((r) => r.region)).chain(writtenPhone), { minLength: 200, maxLength: 300 }), async (batch) => {
        expectPhonesAgree(batch, await sqlPhones(batch));
      }),
      { numRuns: runs(10) },
    );
  });

  it('agrees on arbitrary text and digit strings', async () => {
    const input = fc.record({ value: anyText, region: fc.constantFrom(null, ...focusRegions) });
    await fc.assert(
      fc.asyncProperty(fc.array(input, { minLength: 100, maxLength: 300 }), async (batch) => {
        expectPhonesAgree(batch, await sqlPhones(batch));
        expectSame(batch, await sqlUnary('phone_dial_string', batch.map((i) => i.value)), batch.map((i) => phoneDialString(i.value)));
      }),
      { numRuns: runs(10) },
    );
  });

  it('decides like libphonenumber-js on random digit strings of every region', async () => {
    // Mostly invalid numbers, of the lengths a region allows, national or international.
    const input = fc.constantFrom(...regions).chain((plan) =>
      fc
        .tuple(
          fc.constantFrom(...plan.national_number_lengths).chain((n) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`))),
          fc.boolean(),
        )
        .map(([digits, international]) => (international ? { value: `+${plan.calling_code} ${digits}`, region: null } : { value: digits, region: plan.region })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(input, { minLength: 200, maxLength: 300 }), async (batch) => {
        expectPhonesAgree(batch, await sqlPhones(batch));
      }),
      { numRuns: runs(10) },
    );
  });

  it('is idempotent in SQL: an E.164 result reads as itself in any region', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...focusRegions).chain(writtenPhone), { minLength: 100, maxLength: 200 }), async (batch) => {
        const once = await sqlPhones(batch);
        const again = batch.map((input, i) => ({ value: once[i] ?? '', region: input.region }));
        const elsewhere = batch.map((_, i) => ({ value: once[i] ?? '', region: 'JP' }));
        const twice = await sqlPhones([...again, ...elsewhere]);
        const expected = once.map((v) => (v === null ? null : v));
        expect(twice.slice(0, batch.length).map((v, i) => (once[i] === null ? null : v))).toEqual(expected);
        expect(twice.slice(batch.length).map((v, i) => (once[i] === null ? null : v))).toEqual(expected);
      }),
      { numRuns: runs(5) },
    );
  });
});

/** decorated() for a written phone input. */
function decorated2(input: PhoneInput): fc.Arbitrary<PhoneInput> {
  return decorated(fc.constant(input.value)).map((value) => ({ value, region: input.region }));
}

// ---------------------------------------------------------------------------------------------

const localPart = fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,20}[A-Za-z0-9])?$/).filter((s) => !s.includes('..'));
const host = fc
  .array(fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,10}[A-Za-z0-9])?$/), { minLength: 1, maxLength: 3 })
  .chain((labels) => fc.constantFrom('com', 'cn', 'co.uk', 'TEST', 'xn--fiqs8s', 'io').map((tld) => [...labels, tld].join('.')));
const plusTag = fc.option(fc.stringMatching(/^\+[A-Za-z0-9_-]{0,10}$/), { nil: '' });
const email = fc
  .record({
    local: localPart,
    tag: plusTag,
    host,
    lead: fc.constantFrom('', ' ', '\t', '\u3000', '\u200b', '\n'),
    trail: fc.constantFrom('', ' ', '\u00a0', '\ufeff', '\r\n'),
    fullwidth: fc.boolean(),
    upper: fc.boolean(),
  })
  .map(({ local, tag, host: h, lead, trail, fullwidth, upper }) => {
    let address = `${local}${tag}@${h}`;
    if (upper) address = address.toUpperCase();
    if (fullwidth) address = address.replace(/[@.]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    return `${lead}${address}${trail}`;
  });

describe('emails', () => {
  it('keeps plus-addressing as written and lowercases the rest', async () => {
    const values = ['  Li.Wei+Shop@Example.COM ', 'maria.garcia@example.com', 'ＬＩ．ＷＥＩ＠ＥＸＡＭＰＬＥ．ＣＯＭ'];
    const expected = ['li.wei+shop@example.com', 'maria.garcia@example.com', 'li.wei@example.com'];
    expect(values.map(normalizeEmail)).toEqual(expected);
    expect(await sqlUnary('normalize_email', values)).toEqual(expected);
  });

  it('agrees with TypeScript on generated addresses and on arbitrary text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(email, anyText), { minLength: 100, maxLength: 300 }), async (batch) => {
        expectSame(batch, await sqlUnary('normalize_email', batch), batch.map(normalizeEmail));
      }),
      { numRuns: runs(10) },
    );
  });

  it('is idempotent in SQL', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(email, { minLength: 100, maxLength: 200 }), async (batch) => {
        const once = await sqlUnary('normalize_email', batch);
        expect(once.every((v) => v !== null)).toBe(true);
        expect(await sqlUnary('normalize_email', once as string[])).toEqual(once);
      }),
      { numRuns: runs(5) },
    );
  });
});

describe('domains and shop ids', () => {
  const domain = fc
    .record({
      host,
      scheme: fc.constantFrom('', 'http://', 'https://', 'HTTPS://'),
      www: fc.boolean(),
      port: fc.constantFrom('', ':443', ':8080'),
      path: fc.constantFrom('', '/', '/orders/4711?x=1', '#top', '.'),
    })
    .map(({ host: h, scheme, www, port, path }) => `${scheme}${www ? 'www.' : ''}${h}${port}${path}`);

  it('agrees with TypeScript for domains', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(domain, anyText), { minLength: 100, maxLength: 300 }), async (batch) => {
        const once = await sqlUnary('normalize_domain', batch);
        expectSame(batch, once, batch.map(normalizeDomain));
        const present = once.filter((v): v is string => v !== null);
        expect(await sqlUnary('normalize_domain', present)).toEqual(present);
      }),
      { numRuns: runs(8) },
    );
  });

  it('agrees with TypeScript for shop ids', async () => {
    const shop = fc.record({
      provider: fc.constantFrom('shopify', 'Shopify', ' woocommerce ', 'magento', ''),
      id: fc.oneof(fc.stringMatching(/^0{0,3}[0-9]{1,22}$/), anyText),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(shop, { minLength: 100, maxLength: 300 }), async (batch) => {
        expectSame(batch, await sqlShopIds(batch), batch.map((s) => normalizeShopId(s.provider, s.id)));
      }),
      { numRuns: runs(8) },
    );
  });
});

describe('private.normalize_identity', () => {
  async function sqlIdentity(kind: string | null, value: string | null, region: string | null = 'CN') {
    const { rows } = await t.db.query<{ v: string }>('select private.normalize_identity($1, $2, $3) as v', [kind, value, region]);
    return rows[0]!.v;
  }

  it('normalises each kind as TypeScript does', async () => {
    const cases: Array<[string, string]> = [
      ['email', ' Li.Wei@Example.com'],
      ['phone', '138 0013 8000'],
      ['shop_customer', 'Shopify:000123'],
      ['shop_order', 'woocommerce: 4711'],
      ['domain', 'https://www.Lotus-Tea.cn/about'],
    ];
    for (const [kind, value] of cases) {
      const expected = normalizeIdentity({ kind, value }, 'CN');
      expect(expected, kind).not.toBeNull();
      expect(await sqlIdentity(kind, value)).toBe(expected);
    }
  });

  it('raises 22023 naming the kind for an invalid value', async () => {
    for (const [kind, value] of [
      ['email', 'not an email'],
      ['phone', '12'],
      ['shop_customer', 'ebay:1'],
      ['shop_order', '4711'],
      ['domain', 'localhost'],
      ['email', null],
    ] as const) {
      expect(normalizeIdentity({ kind, value }, 'CN')).toBeNull();
      await expect(sqlIdentity(kind, value)).rejects.toMatchObject({ code: '22023', message: `invalid ${kind} identifier` });
    }
  });

  it('raises 22023 for an unknown kind', async () => {
    await expect(sqlIdentity('fax', '123')).rejects.toMatchObject({ code: '22023', message: "unknown identifier kind 'fax'" });
    await expect(sqlIdentity(null, '123')).rejects.toMatchObject({ code: '22023', message: 'unknown identifier kind null' });
    expect(normalizeIdentity({ kind: 'fax', value: '123' })).toBeNull();
  });
});

describe('privileges', () => {
  const functions = [
    'private.clean_identifier_text(text)',
    'private.normalize_email(text)',
    'private.normalize_domain(text)',
    'private.normalize_shop_id(text,text)',
    'private.phone_dial_string(text)',
    'private.phone_length_fit(text,smallint[])',
    'private.phone_region_of(private.phone_regions,text)',
    'private.phone_national_number(text,private.phone_regions)',
    'private.normalize_phone(text,text)',
    'private.normalize_identity(text,text,text)',
  ];

  it('are immutable with an empty search_path and a comment', async () => {
    const { rows } = await t.db.query<{ name: string; volatile: string; config: string[] | null; comment: string | null }>(
      `select f as name, p.provolatile as volatile, p.proconfig as config, obj_description(p.oid, 'pg_proc') as comment
         from unnest($1::text[]) as f
         join pg_proc p on p.oid = f::regprocedure`,
      [functions],
    );
    expect(rows.map((r) => r.name)).toEqual(functions);
    for (const row of rows) {
      expect(row.volatile, row.name).toBe('i');
      expect(row.config, row.name).toEqual(['search_path=""']);
      expect(row.comment, row.name).toBeTruthy();
    }
  });

  it('are not executable by anon or public', async () => {
    const { rows } = await t.db.query<{ name: string; anon: boolean; authenticated: boolean; service: boolean }>(
      `select f as name,
              has_function_privilege('anon', f::regprocedure, 'execute') as anon,
              has_function_privilege('authenticated', f::regprocedure, 'execute') as authenticated,
              has_function_privilege('service_role', f::regprocedure, 'execute') as service
         from unnest($1::text[]) as f`,
      [functions],
    );
    expect(rows).toEqual(functions.map((name) => ({ name, anon: false, authenticated: true, service: true })));
  });

  it('lets authenticated and service_role call them, not anon', async () => {
    for (const role of ['authenticated', 'service_role'] as const) {
      const value = await asRole(t.db, role, {}, async (tx) => {
        const { rows } = await tx.query<{ v: string }>(`select private.normalize_identity('phone', '020 7946 0958', 'GB') as v`);
        return rows[0]!.v;
      });
      expect(value).toBe('+442079460958');
    }
    await expect(
      asRole(t.db, 'anon', {}, (tx) => tx.query(`select private.normalize_email('a@example.com')`)),
    ).rejects.toMatchObject({ code: '42501' });
  });
});

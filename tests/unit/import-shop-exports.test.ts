// @vitest-environment node
// Shopify's customers and orders exports read as what they hold (supabase/import/shop-exports.ts),
// and names composed from first and last names the way shops keep them (shared/names.ts). The
// fixtures are the exports' columns as Shopify writes them: tests/fixtures/import/shopify/.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { personName } from '../../shared/names.ts';
import { kindOfHeaders } from '../../supabase/import/import-files.ts';
import { exportReader } from '../../supabase/import/shop-exports.ts';

const fixture = async (name: string) =>
  parse(await readFile(path.resolve('tests/fixtures/import/shopify', name)), { bom: true }) as string[][];

/** The rows of a file as its reader gives them, keyed by staging column (null rows: folded). */
async function read(name: string) {
  const [headers, ...records] = await fixture(name);
  const reader = exportReader(headers!)!;
  expect(reader).not.toBeNull();
  return {
    reader,
    rows: records.map((record) => {
      const values = reader.row(record);
      return values && Object.fromEntries(reader.columns.map((c, i) => [c, values[i]]));
    }),
  };
}

describe('personName', () => {
  it('writes first and last name in the order of their script', () => {
    expect(personName('Ann', 'Archer')).toBe('Ann Archer');
    expect(personName(' Ann ', '')).toBe('Ann');
    expect(personName(null, 'Archer')).toBe('Archer');
    expect(personName(undefined, '  ')).toBeNull();
    // Chinese, Japanese and Korean: family name first, no space.
    expect(personName('芳', '王')).toBe('王芳');
    expect(personName('太郎', '山田')).toBe('山田太郎');
    expect(personName('민준', '김')).toBe('김민준');
    // Mixed scripts stay in the order given.
    expect(personName('Wei', '李')).toBe('Wei 李');
  });
});

describe("Shopify's customers export", () => {
  it('is a customers file read with the shop id, a composed name, codes and comma-separated tags', async () => {
    const { reader, rows } = await read('customers_export.csv');
    expect(reader.kind).toBe('customers');
    expect(rows[0]).toEqual({
      email: 'sophie@example.fr',
      phone: '+33610826417',
      name: 'Sophie Gallas',
      company: 'Matice Avocats',
      country: 'FR',
      region: null,
      city: 'Paris',
      tags: 'VIP;wholesale',
      external_id: 'shopify:7405910163722',
    });
    // The address's phone when the customer has none of their own; the family name first in Chinese.
    expect(rows[2]).toMatchObject({ name: 'Anna Berg', email: null, phone: '+4915112345678', country: 'DE', region: 'BE' });
    expect(rows[3]).toMatchObject({ name: '王芳', city: '杭州', tags: '茶;VIP', external_id: 'shopify:7405910163725' });
    expect(reader.readFrom).toContainEqual(['First Name + Last Name', 'name']);
    expect(reader.ignored).toEqual(expect.arrayContaining(['Total Spent', 'Accepts Email Marketing', 'Default Address Zip']));
  });
});

describe("Shopify's orders export", () => {
  it('is an orders file, not a customers one, though it has Name, Email, Phone and Tags columns', async () => {
    const [headers] = await fixture('orders_export.csv');
    expect(kindOfHeaders(headers!)).toBe('orders');
  });

  it("folds an order's further line items into its first row and keys orders by the shop's id", async () => {
    const { rows } = await read('orders_export.csv');
    // Rows 2 and 3 are #1003's second and third line items.
    expect(rows.map((r) => r?.order_id ?? null)).toEqual(['5410991464714', null, null, '5410991464713', '5410991464712', '5410991464711']);
    expect(rows[0]).toEqual({
      order_id: '5410991464714',
      customer_email: 'sophie@example.fr',
      customer_phone: '+33610826417',
      customer_name: 'Sophie Gallas',
      ordered_at: '2024-10-07 09:50:26 +0200',
      total: '53.91',
      refunded: '0.00',
      status: 'paid',
      currency: 'EUR',
      // The sales channel ("web") is not the order's source: the shop is.
      source: 'shopify',
    });
    expect(rows[3]).toMatchObject({ refunded: '25.00', status: 'partially_refunded' });
    // A point-of-sale order without an email: the customer's phone.
    expect(rows[4]).toMatchObject({ customer_email: null, customer_phone: '+4915112345678' });
    // Cancelled at makes an unpaid order cancelled, not one still to be paid.
    expect(rows[5]).toMatchObject({ status: 'cancelled' });
  });

  it('keeps a repeated order number with its own total as a row (a duplicate the import then reports), and reads an export without ids by number', async () => {
    const [headers, first] = await fixture('orders_export.csv');
    const reader = exportReader(headers!.map((h) => (h === 'Id' ? 'Internal' : h)))!;
    const once = reader.row(first!)!;
    const again = reader.row(first!);
    expect(again).toEqual(once);
    // Without the shop's id the order number keys the order, from the default source (import).
    expect(once[reader.columns.indexOf('order_id')]).toBe('#1003');
    expect(once[reader.columns.indexOf('source')]).toBeNull();
  });

  it('leaves other files alone', () => {
    expect(exportReader(['order_id', 'customer_email', 'total'])).toBeNull();
    expect(exportReader(['First Name', 'Last Name', 'Email'])).toBeNull();
  });
});

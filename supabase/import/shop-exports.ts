// Files as shops export them (README: "Importing your data"). Shopify's customers and orders
// exports (Admin → Customers / Orders → Export → CSV) name their columns for people, not for the
// staging tables, and hold more than their names say:
//   - customers: first and last name apart; the shop's customer id ("Customer ID", which names the
//     same customer as the shop connection's backfill and webhooks: shopify:<id>); the address's
//     country and province as codes beside their names; tags separated by commas; phone numbers
//     and ids written with a leading apostrophe, so that Excel keeps them as text;
//   - orders: one row per line item, the order's own fields (status, total) on its first row only;
//     "Name" the order's number (#1001) and "Id" the shop's id of it (the key the backfill and the
//     webhooks use); "Source" the sales channel (web, pos), not the system the order comes from;
//     a cancelled order is one with "Cancelled at".
// A file is recognised by its headers and read row by row into the staging columns (the rest of
// the import is the same as for any file: its rows are checked and resolved in SQL).
import { personName } from '../../shared/names.ts';
import { headerName } from './file-format.ts';
import type { ImportKind } from './import-files.ts';

/** How one file of a known export is read. */
export interface ExportReader {
  /** What the command calls the file ("Shopify's orders export"); null for a file of no export in particular. */
  name: string | null;
  kind: ImportKind;
  /** The staging columns each row gives, in order. */
  columns: string[];
  /** For each staging column, the file's columns it is read from (as written, joined by " + " or " / "). */
  readFrom: [string, string][];
  /** The file's columns left out (as written). */
  ignored: string[];
  /**
   * A record's staging values (in `columns` order, null for an empty cell), or null for a row
   * that continues the one above it (a further line item of the same order).
   */
  row(record: string[]): (string | null)[] | null;
  /** What the rows read as null were, for the command's summary ("further line items of an order"). */
  folded: string;
}

type Cell = (record: string[]) => string | null;

/** Shopify writes ids, phone numbers and postcodes as '+33610826417 so that Excel keeps them as text. */
function text(value: string | undefined): string | null {
  const trimmed = value?.trim().replace(/^'(?=[+\d])/, '');
  return trimmed ? trimmed : null;
}

interface ExportColumns {
  /** headerName of each of the file's columns → its position (the first column of that name). */
  at: Map<string, number>;
  written: string[];
  used: Set<number>;
}

function columnsOfFile(written: string[]): ExportColumns {
  const at = new Map<string, number>();
  written.forEach((header, i) => {
    const name = headerName(header);
    if (!at.has(name)) at.set(name, i);
  });
  return { at, written, used: new Set() };
}

/** The first of `names` the file has, read with `text`; also notes which columns are read. */
function firstOf(file: ExportColumns, ...names: string[]): { cell: Cell; from: string[] } {
  const positions = names.map((n) => file.at.get(n)).filter((i): i is number => i !== undefined);
  for (const i of positions) file.used.add(i);
  return {
    cell: (record) => {
      for (const i of positions) {
        const value = text(record[i]);
        if (value !== null) return value;
      }
      return null;
    },
    from: positions.map((i) => file.written[i]!.trim()),
  };
}

function reader(
  file: ExportColumns,
  name: string,
  kind: ImportKind,
  /** Per staging column, how it is read; `from` the file's columns it is read from (none: a value of the export's own). */
  cells: Record<string, { cell: Cell; from: string[]; joiner?: string; own?: boolean }>,
  folded: string,
  continues: (record: string[], previous: string[] | null) => boolean = () => false,
): ExportReader {
  const columns = Object.keys(cells).filter((column) => cells[column]!.from.length > 0 || cells[column]!.own);
  const read = columns.map((column) => cells[column]!.cell);
  let previous: string[] | null = null;
  return {
    name,
    kind,
    columns,
    readFrom: columns.filter((c) => cells[c]!.from.length > 0).map((c) => [cells[c]!.from.join(cells[c]!.joiner ?? ' / '), c]),
    ignored: file.written.filter((_, i) => !file.used.has(i)).map((h) => h.trim()),
    row(record) {
      const skip = continues(record, previous);
      previous = record;
      return skip ? null : read.map((cell) => cell(record));
    },
    folded,
  };
}

function shopifyCustomers(file: ExportColumns): ExportReader {
  const id = firstOf(file, 'customer_id');
  const first = firstOf(file, 'first_name');
  const last = firstOf(file, 'last_name');
  const tags = firstOf(file, 'tags');
  return reader(file, "Shopify's customers export", 'customers', {
    email: firstOf(file, 'email'),
    phone: firstOf(file, 'phone', 'default_address_phone'),
    name: { cell: (r) => personName(first.cell(r), last.cell(r)), from: [...first.from, ...last.from], joiner: ' + ' },
    company: firstOf(file, 'default_address_company', 'company'),
    // The code, else the name (private.import_country reads both).
    country: firstOf(file, 'default_address_country_code', 'country_code', 'country'),
    region: firstOf(file, 'default_address_province_code', 'province_code'),
    city: firstOf(file, 'default_address_city', 'city'),
    // Shopify separates a customer's tags with commas; the staging column with semicolons.
    tags: { ...tags, cell: (r) => tags.cell(r)?.split(',').map((t) => t.trim()).filter(Boolean).join(';') || null },
    external_id: { ...id, cell: (r) => (/^\d+$/.test(id.cell(r) ?? '') ? `shopify:${id.cell(r)}` : id.cell(r)) },
  }, '');
}

function shopifyOrders(file: ExportColumns): ExportReader {
  const number = firstOf(file, 'name');
  const id = firstOf(file, 'id');
  const financial = firstOf(file, 'financial_status');
  const cancelled = firstOf(file, 'cancelled_at');
  const total = firstOf(file, 'total');
  const shopId = (r: string[]) => {
    const value = id.cell(r);
    return value !== null && /^\d+$/.test(value) ? value : null;
  };
  return reader(
    file,
    "Shopify's orders export",
    'orders',
    {
      // The shop's id (as its backfill and webhooks key the order), else the order's number.
      order_id: { cell: (r) => shopId(r) ?? number.cell(r), from: [...id.from, ...number.from] },
      customer_email: firstOf(file, 'email'),
      customer_phone: firstOf(file, 'phone', 'billing_phone', 'shipping_phone'),
      customer_name: firstOf(file, 'billing_name', 'shipping_name'),
      ordered_at: firstOf(file, 'created_at'),
      total,
      refunded: firstOf(file, 'refunded_amount'),
      status: { cell: (r) => (cancelled.cell(r) !== null ? 'cancelled' : financial.cell(r)), from: [...financial.from, ...cancelled.from] },
      currency: firstOf(file, 'currency'),
      // Orders with the shop's id are the shop's (the same orders as its connection brings).
      source: { cell: (r) => (shopId(r) ? 'shopify' : null), from: [], own: true },
    },
    'further line items of an order above them',
    // A line item after the first: the same order number as the row above, without the order's own fields.
    (record, previous) =>
      previous !== null && number.cell(record) !== null && number.cell(record) === number.cell(previous)
      && financial.cell(record) === null && total.cell(record) === null,
  );
}

/** The reader of a known export, from its headers as written; null for any other file. */
export function exportReader(written: string[]): ExportReader | null {
  const file = columnsOfFile(written);
  const has = (...names: string[]) => names.every((n) => file.at.has(n));
  if (has('name', 'email', 'financial_status', 'total') && (has('lineitem_name') || has('lineitem_quantity'))) return shopifyOrders(file);
  if (has('first_name', 'last_name', 'email', 'total_spent') && (has('accepts_email_marketing') || has('accepts_marketing'))) {
    return shopifyCustomers(file);
  }
  return null;
}

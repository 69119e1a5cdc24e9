// How a CSV file is written, as spreadsheets save it (README: "Importing your data"): its character
// encoding and the separator between its columns. Excel's "CSV" saves in the computer's legacy
// code page (GBK in China, Big5 in Taiwan, Shift_JIS in Japan, Windows-1252 in western Europe),
// "CSV UTF-8" with a byte order mark, "Unicode text" as UTF-16 with tabs; in countries that write
// decimals with a comma it separates columns with semicolons. `npm run import` reads all of these
// as the UTF-8 CSV Postgres reads.
import { Transform } from 'node:stream';
import { analyse } from 'chardet';
import { parse as parseSync } from 'csv-parse/sync';

/** The separators a file's columns may have, the usual one first. */
export const separators = [',', ';', '\t', '|'] as const;
export type Separator = (typeof separators)[number];

/**
 * A header as the staging tables name their columns: case, surrounding spaces and inner spaces or
 * hyphens aside ("Order ID" is order_id), and "E-mail" written as email ("Customer E-Mail" is
 * customer_email).
 */
export function headerName(written: string): string {
  return written.trim().toLowerCase().replace(/[\s-]+/g, '_').replace(/(^|_)e_mail(?=_|$)/g, '$1email');
}

/**
 * Other names files give the staging tables' columns (spelled as headerName spells them), per kind
 * of file, each read as the column it names: the headers of common exports (CRMs, Shopify's
 * "Financial Status", Chinese shops' 订单号 and 下单时间). Only names that mean one column: an
 * amount paid (实付金额) is no order total, a country written 中国 is no two-letter code, so those
 * columns are left to be renamed; and no name so common that it would make a customers file
 * (with a "Date" column, say) an events file (kindOfHeaders). The staging tables' own column
 * names come first.
 */
export const headerAliases: Record<'customers' | 'orders' | 'events', Readonly<Record<string, string>>> = {
  customers: {
    email_address: 'email', 邮箱: 'email', 电子邮箱: 'email', 电子邮件: 'email', 邮箱地址: 'email',
    phone_number: 'phone', mobile: 'phone', mobile_phone: 'phone', telephone: 'phone',
    手机: 'phone', 手机号: 'phone', 手机号码: 'phone', 电话: 'phone', 联系电话: 'phone',
    full_name: 'name', customer_name: 'name', 姓名: 'name', 客户名称: 'name', 客户姓名: 'name',
    company_name: 'company', 公司: 'company', 公司名称: 'company',
    province: 'region', 省份: 'region', 城市: 'city', 行业: 'industry', 标签: 'tags',
    客户编号: 'external_id', 创建时间: 'created_at', 注册时间: 'created_at',
  },
  orders: {
    order_number: 'order_id', order_no: 'order_id', 订单号: 'order_id', 订单编号: 'order_id',
    email: 'customer_email', email_address: 'customer_email', 邮箱: 'customer_email', 买家邮箱: 'customer_email',
    phone: 'customer_phone', phone_number: 'customer_phone', 手机: 'customer_phone', 手机号: 'customer_phone',
    手机号码: 'customer_phone', 买家手机: 'customer_phone', 客户编号: 'customer_external_id',
    order_date: 'ordered_at', created_at: 'ordered_at', 下单时间: 'ordered_at', 订单创建时间: 'ordered_at', 创建时间: 'ordered_at',
    order_total: 'total', total_price: 'total', 订单金额: 'total', 订单总额: 'total', 总金额: 'total',
    refunded_amount: 'refunded', refund_amount: 'refunded', 退款金额: 'refunded',
    order_status: 'status', financial_status: 'status', 订单状态: 'status', 交易状态: 'status', 币种: 'currency',
    buyer_name: 'customer_name', billing_name: 'customer_name', 买家姓名: 'customer_name', 客户姓名: 'customer_name', 客户名称: 'customer_name',
  },
  events: {
    email: 'customer_email', email_address: 'customer_email', 邮箱: 'customer_email',
    phone: 'customer_phone', phone_number: 'customer_phone', 手机: 'customer_phone', 手机号: 'customer_phone',
    客户编号: 'customer_external_id', event: 'kind', event_type: 'kind', event_date: 'occurred_at', 发生时间: 'occurred_at',
  },
};

/**
 * The headers (as headerName spells them) of a first and a last name kept apart, which a customers
 * file without a name column has its name composed from (shared/names.ts).
 */
export const nameParts: Readonly<Record<'first' | 'last', readonly string[]>> = {
  first: ['first_name', 'firstname', 'given_name', '名'],
  last: ['last_name', 'lastname', 'surname', 'family_name', '姓'],
};

/** The name of a character encoding as Node decodes it (WHATWG labels: utf-8, gb18030, gbk, big5, shift_jis, windows-1252…); null for none. */
export function encodingName(label: string): string | null {
  try {
    return new TextDecoder(label.trim()).encoding;
  } catch {
    return null;
  }
}

export type EncodingSource = 'option' | 'byte order mark' | 'utf-8' | 'detected';

/**
 * What a file is when it is a spreadsheet program's own file rather than text: a ZIP container
 * (Excel's .xlsx, OpenDocument's .ods, Numbers) or an OLE2 compound file (Excel's .xls); null for
 * anything else.
 */
export function workbookKind(start: Uint8Array): string | null {
  if (start[0] === 0x50 && start[1] === 0x4b && start[2] === 0x03 && start[3] === 0x04) {
    return 'a ZIP archive (an Excel .xlsx, OpenDocument .ods or Numbers workbook)';
  }
  if ([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1].every((byte, i) => start[i] === byte)) return 'an Excel 97–2003 workbook (.xls)';
  return null;
}

/**
 * The encoding of a file from its first bytes: a byte order mark says it; NUL bytes in every other
 * place make it UTF-16 (little or big endian by their places); text that reads as UTF-8
 * is UTF-8 (ASCII included), also with a few invalid bytes among many characters that are valid
 * (a stray byte in a UTF-8 file, whose cell is then rejected: text in another encoding has
 * invalid sequences for most of its characters); anything else is told apart statistically
 * (chardet, ICU's detector), keeping the likeliest encoding Node can decode that reads the sample
 * without an invalid byte. Null when none does.
 */
export function sniffEncoding(sample: Uint8Array): { encoding: string; source: EncodingSource } | null {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { encoding: 'utf-8', source: 'byte order mark' };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf-16le', source: 'byte order mark' };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf-16be', source: 'byte order mark' };
  // UTF-16 without a byte order mark: Latin text has a NUL byte in every other place.
  let oddNul = 0;
  let evenNul = 0;
  for (let i = 0; i < sample.length; i += 1) {
    if (sample[i] === 0) {
      if (i % 2) oddNul += 1;
      else evenNul += 1;
    }
  }
  if (oddNul > sample.length / 8 && evenNul * 10 < oddNul) return { encoding: 'utf-16le', source: 'detected' };
  if (evenNul > sample.length / 8 && oddNul * 10 < evenNul) return { encoding: 'utf-16be', source: 'detected' };
  let valid = 0;
  let invalid = 0;
  for (const char of new TextDecoder('utf-8').decode(sample, { stream: true })) {
    if (char === '\uFFFD') invalid += 1;
    else if (char > '\u007F') valid += 1;
  }
  if (invalid === 0 || valid >= 10 * invalid) return { encoding: 'utf-8', source: 'utf-8' };
  for (const candidate of analyse(sample)) {
    const encoding = encodingName(candidate.name);
    if (encoding && encoding !== 'utf-8' && decodes(sample, encoding)) return { encoding, source: 'detected' };
  }
  return null;
}

/** Whether bytes read as text in an encoding without an invalid sequence (one cut off at the sample's end aside). */
function decodes(sample: Uint8Array, encoding: string): boolean {
  try {
    new TextDecoder(encoding, { fatal: true }).decode(sample, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * A file's bytes in another encoding as UTF-8 bytes, its byte order mark dropped. A byte sequence
 * that is no text in that encoding becomes U+FFFD (its row is then rejected with the reason), as
 * a NUL byte does (Postgres refuses NUL in text).
 */
export function toUtf8(encoding: string): Transform {
  const decoder = new TextDecoder(encoding);
  const text = (s: string) => Buffer.from(s.includes('\0') ? s.replaceAll('\0', '\uFFFD') : s, 'utf8');
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, text(decoder.decode(chunk, { stream: true })));
    },
    flush(done) {
      done(null, text(decoder.decode()));
    },
  });
}

/** The first line of decoded text as column names with a separator; null when it cannot be read alone (a quoted line break). */
export function splitHeaderLine(line: string, separator: Separator): string[] | null {
  try {
    const [headers] = parseSync(line, { delimiter: separator, relax_column_count: true, relax_quotes: true }) as string[][];
    return headers ?? null;
  } catch {
    return null;
  }
}

/** The separator that splits a line into the most names a staging table accepts, and how many; a comma when none gives any. */
function bestSeparator(line: string, accepted: (header: string) => boolean): { separator: Separator; count: number } {
  let best: Separator = ',';
  let bestCount = 0;
  for (const separator of separators) {
    const count = (splitHeaderLine(line, separator) ?? []).filter((h) => accepted(headerName(h))).length;
    if (count > bestCount) {
      best = separator;
      bestCount = count;
    }
  }
  return { separator: best, count: bestCount };
}

/** How many lines above the column names a file may have (a report's title, its date) before they count as missing. */
export const titleLinesAtMost = 10;

/**
 * Which of a file's first lines names its columns, and their separator: the first line that names
 * an accepted header, so that lines above it (the title a spreadsheet report puts over its table)
 * are skipped, with the separator that makes the most of its names accepted headers; the first
 * line and a comma when none of the first titleLinesAtMost + 1 does (the caller then says which
 * headers it takes).
 */
export function findHeaderLine(lines: string[], accepted: (header: string) => boolean): { index: number; separator: Separator } {
  for (let index = 0; index < Math.min(lines.length, titleLinesAtMost + 1); index += 1) {
    const { separator, count } = bestSeparator(lines[index]!, accepted);
    if (count > 0) return { index, separator };
  }
  return { index: 0, separator: ',' };
}

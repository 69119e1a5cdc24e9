// @vitest-environment node
// How `npm run import` reads files as spreadsheets save them (supabase/import/file-format.ts): the
// encoding told from the bytes, the separator from the header line, headers named as the staging
// tables name them, and the bytes handed on as UTF-8. The fixtures are files as Excel writes them:
// tests/fixtures/import/spreadsheets/.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import {
  encodingName,
  findHeaderLine,
  headerName,
  sniffEncoding,
  splitHeaderLine,
  titleLinesAtMost,
  toUtf8,
  workbookKind,
} from '../../supabase/import/file-format.ts';
import { columnsOf, kindOfHeaders } from '../../supabase/import/import-files.ts';

const fixtures = path.resolve('tests/fixtures/import/spreadsheets');
const fixture = (name: string) => readFile(path.join(fixtures, name));

/** A file's bytes through toUtf8, fed a few bytes at a time (multi-byte characters split between chunks). */
async function throughUtf8(bytes: Uint8Array, encoding: string, chunk = 3): Promise<string> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(Buffer.from(bytes.subarray(i, i + chunk)));
  return (await buffer(Readable.from(chunks).pipe(toUtf8(encoding)))).toString('utf8');
}

describe('the encoding of a file', () => {
  it('is told by a byte order mark', () => {
    expect(sniffEncoding(Buffer.from('\uFEFFemail\nann@example.com\n'))).toEqual({ encoding: 'utf-8', source: 'byte order mark' });
    expect(sniffEncoding(Buffer.from([0xff, 0xfe, 0x65, 0x00]))).toEqual({ encoding: 'utf-16le', source: 'byte order mark' });
    expect(sniffEncoding(Buffer.from([0xfe, 0xff, 0x00, 0x65]))).toEqual({ encoding: 'utf-16be', source: 'byte order mark' });
  });

  it('is UTF-16 without a byte order mark when every other byte is NUL', async () => {
    const unicodeText = await fixture('customers-excel-unicode-text.txt');
    expect(sniffEncoding(unicodeText.subarray(2))).toEqual({ encoding: 'utf-16le', source: 'detected' });
    const bigEndian = Buffer.from(unicodeText.subarray(2)).swap16();
    expect(sniffEncoding(bigEndian)).toEqual({ encoding: 'utf-16be', source: 'detected' });
    expect(new TextDecoder('utf-16be').decode(bigEndian)).toContain('wang.xiaoming@example.cn\t王小明');
    // A stray NUL in text is no UTF-16.
    expect(sniffEncoding(Buffer.from('email,name\nann@example.com,A\0nn\n'))).toEqual({ encoding: 'utf-8', source: 'utf-8' });
  });

  it('is UTF-8 for text that reads as UTF-8, ASCII included, and for a stray invalid byte among valid characters', () => {
    expect(sniffEncoding(Buffer.from('email,name\nann@example.com,Ann\n'))).toEqual({ encoding: 'utf-8', source: 'utf-8' });
    expect(sniffEncoding(Buffer.from('email,name\nwang@example.cn,王小明\n'))).toEqual({ encoding: 'utf-8', source: 'utf-8' });
    const many = Buffer.from(Array.from({ length: 20 }, (_, i) => `c${i}@example.cn,王小明,上海\n`).join(''));
    const stray = Buffer.concat([many, Buffer.from([0x41, 0xe9, 0x41, 0x0a])]);
    expect(sniffEncoding(stray)).toEqual({ encoding: 'utf-8', source: 'utf-8' });
    // (A multi-byte character cut off at the sample's end is no invalid byte.)
    expect(sniffEncoding(Buffer.from('name\n王小明').subarray(0, -1))).toEqual({ encoding: 'utf-8', source: 'utf-8' });
  });

  it('is detected for the legacy encodings Excel writes its CSV in, and the text then reads right', async () => {
    const gbk = await fixture('customers-excel-gbk.csv');
    expect(sniffEncoding(gbk)).toEqual({ encoding: 'gb18030', source: 'detected' });
    expect(new TextDecoder('gb18030').decode(gbk)).toContain('wang.xiaoming@example.cn,王小明,上海,VIP客户;老客户');
    const orders = await fixture('orders-excel-gbk.csv');
    expect(sniffEncoding(orders)).toEqual({ encoding: 'gb18030', source: 'detected' });
    const western = await fixture('customers-excel-windows-1252-semicolons.csv');
    expect(sniffEncoding(western)).toEqual({ encoding: 'windows-1252', source: 'detected' });
    expect(new TextDecoder('windows-1252').decode(western)).toContain('Jürgen Müller;München');
    const big5 = await fixture('customers-excel-big5.csv');
    expect(sniffEncoding(big5)).toEqual({ encoding: 'big5', source: 'detected' });
  });

  it('reads a name as Node decodes it, or none', () => {
    expect(encodingName('GBK')).toBe('gbk');
    expect(encodingName(' Shift_JIS ')).toBe('shift_jis');
    expect(encodingName('latin1')).toBe('windows-1252');
    expect(encodingName('utf8')).toBe('utf-8');
    expect(encodingName('klingon')).toBeNull();
  });
});

describe('a spreadsheet program\'s own file', () => {
  it('is told apart from text by its first bytes', () => {
    expect(workbookKind(Buffer.from('PK\x03\x04\x14\x00\x06\x00', 'latin1'))).toMatch(/^a ZIP archive \(an Excel \.xlsx/);
    expect(workbookKind(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0x00]))).toBe('an Excel 97–2003 workbook (.xls)');
    expect(workbookKind(Buffer.from('PK,name\n'))).toBeNull();
    expect(workbookKind(Buffer.from('email,name\n'))).toBeNull();
  });
});

describe('the separator and the headers of a file', () => {
  const accepted = new Set(['email', 'name', 'city', 'tags', 'order_id', 'customer_email', 'total']);
  const isAccepted = (h: string) => accepted.has(h);

  it('is the one that makes the most of the first line accepted headers', () => {
    expect(findHeaderLine(['email,name,city'], isAccepted).separator).toBe(',');
    expect(findHeaderLine(['E-mail;Name;City;Tags'], isAccepted).separator).toBe(';');
    expect(findHeaderLine(['email\tname\tcity'], isAccepted).separator).toBe('\t');
    expect(findHeaderLine(['Order ID|Customer Email|Total'], isAccepted).separator).toBe('|');
    // A comma inside a quoted header does not make it a comma file.
    expect(findHeaderLine(['"email, primary";name;city'], isAccepted).separator).toBe(';');
    // Nothing accepted: a comma (the caller then says which headers it takes).
    expect(findHeaderLine(['Kundennummer;Straße'], isAccepted).separator).toBe(',');
  });

  it('is looked for below a title a report puts over its table, a few lines at most', () => {
    expect(findHeaderLine(['email,name', 'ann@example.com,Ann'], isAccepted)).toEqual({ index: 0, separator: ',' });
    expect(findHeaderLine(['客户名单（2024年3月导出）,,,', '', 'email,name,city', 'ann@example.com,Ann,上海'], isAccepted)).toEqual({
      index: 2,
      separator: ',',
    });
    expect(findHeaderLine(['Kundenliste;;', 'E-mail;Name', 'ann@example.com;Ann'], isAccepted)).toEqual({ index: 1, separator: ';' });
    // Column names further down than that are no header line: the first line is, and the caller says what it lacks.
    const late = [...Array.from({ length: titleLinesAtMost + 1 }, (_, i) => `note ${i}`), 'email,name'];
    expect(findHeaderLine(late, isAccepted)).toEqual({ index: 0, separator: ',' });
    expect(findHeaderLine(late.slice(1), isAccepted)).toEqual({ index: titleLinesAtMost, separator: ',' });
  });

  it('names headers as the staging tables do', () => {
    expect(['Order ID', ' Customer-Email ', 'ordered_at', 'E-mail', 'Customer E-Mail', 'REFUNDED', 'e_mails'].map(headerName)).toEqual([
      'order_id', 'customer_email', 'ordered_at', 'email', 'customer_email', 'refunded', 'e_mails',
    ]);
    expect(splitHeaderLine('"email";"name"', ';')).toEqual(['email', 'name']);
  });
});

describe('the columns of a file', () => {
  const accepted = {
    customers: ['email', 'phone', 'name', 'company', 'region', 'tags'],
    orders: ['order_id', 'customer_email', 'customer_phone', 'ordered_at', 'total', 'refunded', 'status'],
    events: ['customer_email', 'kind', 'occurred_at'],
  };

  it('are read by their own names or the names common exports give them, the first column naming one taking it', () => {
    expect(columnsOf(['订单号', '手机号', '下单时间', '订单金额', '实付金额', 'Total', '订单状态'], 'orders', accepted)).toEqual({
      columns: [0, 1, 2, 3, 6],
      names: ['order_id', 'customer_phone', 'ordered_at', 'total', 'status'],
      renamed: [['订单号', 'order_id'], ['手机号', 'customer_phone'], ['下单时间', 'ordered_at'], ['订单金额', 'total'], ['订单状态', 'status']],
      // An amount paid is no order total; a second column for the total is left out and named.
      ignored: ['实付金额', 'Total'],
    });
    expect(columnsOf(['Email Address', ' Full Name ', 'email', 'Province', 'State'], 'customers', accepted)).toEqual({
      columns: [0, 1, 3],
      names: ['email', 'name', 'region'],
      renamed: [['Email Address', 'email'], ['Full Name', 'name'], ['Province', 'region']],
      // (A state may be a lead's state as well as an address's.)
      ignored: ['email', 'State'],
    });
    // The same header means another column in another kind of file.
    expect(columnsOf(['Email', 'Order Number'], 'orders', accepted).names).toEqual(['customer_email', 'order_id']);
  });

  it('tell the kind of a file, by their own names or others', () => {
    expect(kindOfHeaders(['order_id', 'customer_email'])).toBe('orders');
    expect(kindOfHeaders(['订单号', '手机号'])).toBe('orders');
    expect(kindOfHeaders(['order_number', 'email'])).toBe('orders');
    expect(kindOfHeaders(['email', 'event_type', '发生时间'])).toBe('events');
    expect(kindOfHeaders(['email_address', 'full_name'])).toBe('customers');
    // A customers file with a date or a time column stays a customers file.
    expect(kindOfHeaders(['email', 'name', 'date', '时间'])).toBe('customers');
  });
});

describe('a file handed on as UTF-8', () => {
  it('reads legacy and UTF-16 bytes whatever the chunks, without the byte order mark', async () => {
    expect(await throughUtf8(await fixture('customers-excel-gbk.csv'), 'gb18030')).toContain('li.hua@example.cn,李华,北京,新客户');
    const unicodeText = await throughUtf8(await fixture('customers-excel-unicode-text.txt'), 'utf-16le');
    expect(unicodeText.startsWith('email\tname\tcity\ttags\r\n')).toBe(true);
    expect(unicodeText).toContain('wang.xiaoming@example.cn\t王小明\t上海\tVIP客户;老客户');
  });

  it('turns NUL bytes and bytes that are no text in the encoding into U+FFFD', async () => {
    expect(await throughUtf8(Buffer.from([0x61, 0x00, 0x62, 0x0a]), 'windows-1252', 1)).toBe('a\uFFFDb\n');
    // 0x81 0x20 is no character in GB18030.
    expect(await throughUtf8(Buffer.from([0xcd, 0xf5, 0x81, 0x20, 0x41]), 'gb18030')).toBe('王\uFFFD A');
  });
});

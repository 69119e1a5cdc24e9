// Loads CSV files into the import staging tables (README: "Importing your data"): reads each file
// as it is written (its encoding and separator: file-format.ts), streams its bytes (as UTF-8) to
// COPY in one statement (Postgres reads the CSV), or, for a file Postgres cannot
// read as one table, through csv-parse into COPYs in batches (multi-row inserts on the embedded
// PGlite, whose socket has no COPY FROM STDIN) with the session's portrait.import_defer on
// (rows stay pending while they load), then resolves everything in one pass (public.import_apply)
// and brings the portraits current (public.refresh_after_import).
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import { parse } from 'csv-parse';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { exportReader, type ExportReader } from './shop-exports.ts';
import { personName } from '../../shared/names.ts';
import {
  type EncodingSource,
  findHeaderLine,
  headerAliases,
  headerName,
  nameParts,
  type Separator,
  sniffEncoding,
  splitHeaderLine,
  titleLinesAtMost,
  toUtf8,
  workbookKind,
} from './file-format.ts';

export const importKinds = ['customers', 'orders', 'events'] as const;
export type ImportKind = (typeof importKinds)[number];

/** Staging columns that are not CSV headers (filled by the database or by this loader). */
const bookkeeping = new Set(['id', 'org_id', 'import_batch', 'import_status', 'error', 'customer_id', 'loaded_at']);

/** The CSV headers each staging table accepts: its text columns, read from the database. */
export async function acceptedHeaders(client: pg.Client): Promise<Record<ImportKind, string[]>> {
  const { rows } = await client.query<{ table_name: string; column_name: string }>(
    `select table_name, column_name from information_schema.columns
      where table_schema = 'public' and table_name = any($1) order by table_name, ordinal_position`,
    [importKinds.map((k) => `import_${k}`)],
  );
  const headers = { customers: [], orders: [], events: [] } as Record<ImportKind, string[]>;
  for (const row of rows) {
    if (!bookkeeping.has(row.column_name)) headers[row.table_name.slice('import_'.length) as ImportKind].push(row.column_name);
  }
  return headers;
}

/** The kind of a file from its headers (as written): a shop's export's own (shop-exports.ts); else order_id (or a name for it) means orders, occurred_at events, else customers. */
export function kindOfHeaders(written: string[]): ImportKind {
  const known = exportReader(written);
  if (known) return known.kind;
  const headers = written.map(headerName);
  if (headers.some((h) => h === 'order_id' || headerAliases.orders[h] === 'order_id')) return 'orders';
  if (headers.some((h) => h === 'occurred_at' || headerAliases.events[h] === 'occurred_at')) return 'events';
  return 'customers';
}

/**
 * Which of a file's columns load which staging column: each header (as written) by its own name or
 * another name for it (headerAliases), the first column naming one taking it. `renamed` lists the
 * headers read under another name, `ignored` those read as nothing.
 */
export function columnsOf(
  written: string[],
  kind: ImportKind,
  accepted: Record<ImportKind, string[]>,
): { columns: number[]; names: string[]; renamed: [string, string][]; ignored: string[] } {
  const own = new Set(accepted[kind]);
  const columns: number[] = [];
  const names: string[] = [];
  const renamed: [string, string][] = [];
  const ignored: string[] = [];
  written.forEach((header, i) => {
    const spelled = headerName(header);
    const name = own.has(spelled) ? spelled : headerAliases[kind][spelled];
    if (name && own.has(name) && !names.includes(name)) {
      columns.push(i);
      names.push(name);
      if (name !== spelled) renamed.push([header.trim(), name]);
    } else {
      ignored.push(header.trim());
    }
  });
  return { columns, names, renamed, ignored };
}

/**
 * A customers file with first and last names apart and no name column (the exports of CRMs and
 * mailing lists: "First Name", "Last Name"): its columns as columnsOf reads them, and the name
 * composed from the two (shared/names.ts). Null for any other file.
 */
function namesApart(written: string[], accepted: Record<ImportKind, string[]>): ExportReader | null {
  const spelled = written.map(headerName);
  const first = spelled.findIndex((h) => nameParts.first.includes(h));
  const last = spelled.findIndex((h) => nameParts.last.includes(h));
  if (first < 0 || last < 0) return null;
  const mapped = columnsOf(written, 'customers', accepted);
  if (mapped.names.includes('name')) return null;
  const parts = [written[first]!.trim(), written[last]!.trim()];
  return {
    name: null,
    kind: 'customers',
    columns: [...mapped.names, 'name'],
    readFrom: [...mapped.renamed, [parts.join(' + '), 'name']],
    ignored: mapped.ignored.filter((h) => !parts.includes(h)),
    row: (record) => [...mapped.columns.map((i) => record[i] || null), personName(record[first], record[last])],
    folded: '',
  };
}

/** How a file of this kind is read when its columns are not simply the staging columns: a shop's export, or names apart. */
function readerOf(written: string[], kind: ImportKind, accepted: Record<ImportKind, string[]>): ExportReader | null {
  const known = exportReader(written);
  if (known) return known.kind === kind ? known : null;
  return kind === 'customers' ? namesApart(written, accepted) : null;
}

/**
 * The session's table of orders rows held rather than loaded pending (pg_temp.import_orders_held,
 * which public.import_apply and public.import_apply_held resolve): staging id, organization,
 * batch, load time, the order of day and month in the file's dates, then the orders file's columns.
 */
export async function holdOrders(client: pg.Client, headers: Record<ImportKind, string[]>) {
  await client.query(
    `create temp table if not exists import_orders_held (id bigint, org_id uuid, import_batch text,
       loaded_at timestamptz not null default now(), month_first boolean, ${headers.orders.map((c) => `${c} text`).join(', ')})`,
  );
}

/** One value as a COPY csv field: empty stays NULL; NUL bytes (which Postgres refuses) become U+FFFD so the row is rejected with its reason. */
function csvField(value: string | null | undefined): string {
  if (value === undefined || value === null || value === '') return '';
  const clean = value.includes('\0') ? value.replaceAll('\0', '\uFFFD') : value;
  return `"${clean.replaceAll('"', '""')}"`;
}

export interface FileProgress {
  file: string;
  rows: number;
  bytes: number;
  totalBytes: number;
}

export interface LoadedFile {
  file: string;
  kind: ImportKind;
  batch: string;
  rows: number;
  ignoredHeaders: string[];
  /** Headers read as a staging column of another name ([as written, column]). */
  renamedHeaders: [string, string][];
  seconds: number;
  /** How the file was written (readFormat). */
  format: FileFormat;
  /** The shop's export the file was read as (shop-exports.ts), and how many of its rows were folded into the row above. */
  readAs?: { name: string; folded: number; what: string };
}

/** How a file is written: its character encoding, its separator and its first line's column names (as written). */
export interface FileFormat {
  /** As Node names it (TextDecoder): utf-8, utf-16le, gb18030, gbk, big5, shift_jis, windows-1252… */
  encoding: string;
  encodingSource: EncodingSource;
  separator: Separator;
  /** Lines above the column names (a report's title), skipped. */
  titleLines: string[];
  /** The column names as written; null when their line cannot be read alone (a quoted line break). */
  headers: string[] | null;
}

export class ImportError extends Error {}

/** The file is read by another way than COPY (FilePart.firstId's failure). */
class ReadOtherwise extends Error {}

/** Bytes of a file as COPY reads them: the byte order mark dropped, NUL bytes (which Postgres refuses) as U+FFFD. */
function copyBytes(): Transform {
  let first = true;
  const replacement = Buffer.from('\uFFFD');
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let buf = chunk;
      if (first) {
        first = false;
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
      }
      let nul = buf.indexOf(0);
      if (nul < 0) return done(null, buf);
      const parts: Buffer[] = [];
      let from = 0;
      while (nul >= 0) {
        parts.push(buf.subarray(from, nul), replacement);
        from = nul + 1;
        nul = buf.indexOf(0, from);
      }
      parts.push(buf.subarray(from));
      done(null, Buffer.concat(parts));
    },
  });
}

/**
 * How a file is written (supabase/import/file-format.ts), from its first mebibyte: its encoding
 * (`encoding` when given: --encoding), the line that names its columns (the first one naming an
 * accepted header of some kind: lines above it are a title), the separator that makes the most of
 * that line's names accepted headers, and those names.
 */
export async function readFormat(file: string, accepted: Record<ImportKind, string[]>, encoding?: string): Promise<FileFormat> {
  const handle = await open(file);
  let sample: Buffer;
  try {
    const buffer = Buffer.alloc(1 << 20);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    sample = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const workbook = workbookKind(sample);
  if (workbook) {
    throw new ImportError(
      `${file} is ${workbook}, not a CSV file: save it as CSV first (in Excel: File → Save As → CSV UTF-8), then import that file`,
    );
  }
  const sniffed = encoding ? { encoding, source: 'option' as const } : sniffEncoding(sample);
  if (!sniffed) {
    throw new ImportError(
      `${file}: its character encoding cannot be told (it is not UTF-8); give it with --encoding, for example --encoding gb18030 or --encoding windows-1252`,
    );
  }
  // (The decoder drops a byte order mark.)
  const lines = new TextDecoder(sniffed.encoding).decode(sample, { stream: true }).split('\n', titleLinesAtMost + 2).map((l) => l.replace(/\r$/, ''));
  const names = new Set([...Object.values(accepted).flat(), ...Object.values(headerAliases).flatMap((aliases) => Object.keys(aliases))]);
  const { index, separator } = findHeaderLine(lines, (header) => names.has(header));
  return {
    encoding: sniffed.encoding,
    encodingSource: sniffed.source,
    separator,
    titleLines: lines.slice(0, index),
    headers: splitHeaderLine(lines[index]!, separator),
  };
}

/** A file's bytes as COPY and csv-parse read them: UTF-8, as they are when they already are. */
function utf8Steps(format: FileFormat): Transform[] {
  return format.encoding === 'utf-8' ? [] : [toUtf8(format.encoding)];
}

/** COPY's option for a separator other than a comma. */
function copyDelimiter(separator: Separator): string {
  return separator === ',' ? '' : separator === '\t' ? `, delimiter E'\\t'` : `, delimiter '${separator}'`;
}

/**
 * One part of an orders file for one of several sessions (npm run import --jobs): the rows whose
 * order id hashes into `share` (every row of an order id in the same part; partShares). `firstId`
 * gives the staging id of the file's first row, the same for every part (the rows keep their
 * numbers in the order of the file); it fails when the file is to be read another way.
 */
export interface FilePart {
  /** The part's range of hash buckets, per mille: from (inclusive), to (exclusive). */
  share: readonly [number, number];
  firstId: (rows: number) => Promise<number>;
}

/** The hash buckets an orders file's order ids fall into, which its parts share (per mille). */
const PART_BUCKETS = 1000;

/**
 * How an orders file is shared among `count` parts, as per-mille ranges of its order ids' hashes.
 * While a customers or events file resolves beside them (`turns`), the parts parse their rows one
 * at a time, the first part first (importFiles starts it first), and each writes its orders once
 * its rows are parsed and the customers resolved: the first part writes while the others still
 * parse, and with equal shares the last part went on writing alone for a third of its time, one
 * core idle. The first part then takes 1.3 / count of the rows and the others share the rest,
 * so that they end about together: it parses while the customers still resolve, so its larger
 * share costs no time before it writes (200,000 customers and 2,000,000 orders in two parts, runs
 * taken in turn: the orders written 39.7, 41.5, 44.0 and 46.1 s after the resolving began, against
 * 42.2, 42.3, 44.3 and 49.9 s with 1.2 / count, and 44.8 and 44.8 s with 1.4 / count; with equal
 * shares the last part wrote alone for a third of its time). Otherwise (no file beside them) the
 * parts parse side by side and share equally.
 */
export function partShares(count: number, turns: boolean): [number, number][] {
  if (count < 2) return [[0, PART_BUCKETS]];
  const first = Math.round(((turns ? 1.3 : 1) * PART_BUCKETS) / count);
  const shares: [number, number][] = [[0, first]];
  for (let k = 1; k < count; k += 1) {
    shares.push([shares[k - 1]![1], first + Math.round(((PART_BUCKETS - first) * k) / (count - 1))]);
  }
  return shares;
}

/**
 * Waits, asking from `session`, until the backend `pid` holds an advisory lock: a part of an
 * orders file its parse turn, or the import's shared lock when there is no turn to wait for
 * (private.import_lock_org); at most about two seconds, then goes on whatever it holds.
 */
async function firstHoldsLock(session: pg.Client, pid: number) {
  for (let tries = 0; tries < 100; tries += 1) {
    const { rows: [lock] } = await session.query<{ held: boolean }>(
      `select exists (select 1 from pg_locks l where l.pid = $1 and l.locktype = 'advisory' and l.granted) as held`,
      [pid],
    );
    if (lock!.held) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The fast way to load a well-formed file into Postgres: the file's bytes go straight to COPY
 * (Postgres's own CSV reader, one statement for the whole file) into a temporary table of text
 * columns, then one insert moves the accepted columns into the staging table (orders: into the session's
 * pg_temp.import_orders_held, numbered with reserved staging ids, which public.import_apply or
 * public.import_apply_held resolves and writes to import_orders; with `part`, only that part's rows). Returns null, having
 * written nothing, when Postgres cannot read the file as one table of CSV (rows of uneven length,
 * empty lines, encoding errors…): loadFile then reads it row by row through csv-parse.
 */
async function copyWholeFile(
  client: pg.Client,
  options: {
    org: string;
    file: string;
    kind?: ImportKind;
    headers: Record<ImportKind, string[]>;
    format: FileFormat;
    part?: FilePart;
    onProgress?: (progress: FileProgress) => void;
  },
  started: number,
  totalBytes: number,
  batch: string,
): Promise<LoadedFile | null> {
  const { format } = options;
  const raw = format.headers;
  // One column: COPY would read an empty line as a row (csv-parse skips it). Lines above the column
  // names: COPY skips one line only.
  if (!raw || raw.length < 2 || raw.some((h) => h.includes('"')) || format.titleLines.length > 0) return null;
  const kind = options.kind ?? kindOfHeaders(raw);
  // A shop's export, or names to compose: read row by row.
  if (readerOf(raw, kind, options.headers)) return null;
  const { columns, names, renamed: renamedHeaders, ignored: ignoredHeaders } = columnsOf(raw, kind, options.headers);
  if (names.length === 0) return null;

  const loadColumns = raw.map((_, i) => `c${i}`);
  await client.query('begin');
  try {
    await client.query(`create temp table import_load (${loadColumns.map((c) => `${c} text`).join(', ')}) on commit drop`);
    const input = createReadStream(options.file, { highWaterMark: 1 << 20 });
    let rowsSeen = 0;
    let lastReport = 0;
    input.on('data', (chunk) => {
      const buf = chunk as Buffer;
      for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) rowsSeen += 1;
      if (input.bytesRead - lastReport >= 8 << 20) {
        lastReport = input.bytesRead;
        options.onProgress?.({ file: options.file, rows: Math.max(rowsSeen - 1, 0), bytes: input.bytesRead, totalBytes });
      }
    });
    const copy = client.query(
      copyFrom(`copy pg_temp.import_load from stdin with (format csv, header true${copyDelimiter(format.separator)})`),
    );
    await pipeline([input, ...utf8Steps(format), copyBytes(), copy]);
    // Rows keep the file's order (a fresh temporary table is read in the order it was written):
    // staging ids are row numbers, and the first of two rows with the same key counts.
    // Orders are held in this session (public.import_apply writes them to the staging table with
    // their outcome: each row written once, not loaded pending and then marked), numbered with
    // staging ids reserved for the whole file.
    let rowCount: number | null;
    if (kind === 'orders') {
      const fileRows = copy.rowCount;
      const firstId = options.part
        ? await options.part.firstId(fileRows)
        : Number((await client.query<{ id: string }>('select private.import_reserve_ids($1) as id', [Math.max(fileRows, 1)])).rows[0]!.id);
      await holdOrders(client, options.headers);
      // The order of day and month in the whole file's dates written 3/5/2024 (this session may hold a part of it).
      const orderedColumn = columns[names.indexOf('ordered_at')];
      const monthFirst = orderedColumn === undefined
        ? null
        : (await client.query<{ month_first: boolean | null }>(
          `select private.import_date_order(array(select distinct l.c${orderedColumn} from pg_temp.import_load l
                                                   where strpos(l.c${orderedColumn}, '/') > 0)) as month_first`,
        )).rows[0]!.month_first;
      // The column read as order_id (under its own name or another: columnsOf).
      const orderColumn = columns[names.indexOf('order_id')];
      const bucket = `(hashtext(coalesce(btrim(${orderColumn === undefined ? 'null' : `c${orderColumn}`}), '')) & 2147483647) % ${PART_BUCKETS}`;
      const inPart = !options.part || (options.part.share[0] === 0 && options.part.share[1] === PART_BUCKETS)
        ? ''
        : `where ${bucket} >= ${options.part.share[0]} and ${bucket} < ${options.part.share[1]}`;
      ({ rowCount } = await client.query(
        `insert into pg_temp.import_orders_held (id, org_id, import_batch, month_first, ${names.join(', ')})
         select $3::bigint + l.n - 1, $1, $2, $4, ${columns.map((i) => `nullif(l.c${i}, '')`).join(', ')}
           from (select row_number() over () as n, * from pg_temp.import_load) l ${inPart}`,
        [options.org, batch, firstId, monthFirst],
      ));
    } else {
      ({ rowCount } = await client.query(
        `insert into public.import_${kind} (org_id, import_batch, ${names.join(', ')})
         select $1, $2, ${columns.map((i) => `nullif(c${i}, '')`).join(', ')} from pg_temp.import_load`,
        [options.org, batch],
      ));
    }
    await client.query('commit');
    const rows = rowCount ?? 0;
    options.onProgress?.({ file: options.file, rows, bytes: totalBytes, totalBytes });
    return {
      file: options.file, kind, batch, rows, ignoredHeaders, renamedHeaders, seconds: (performance.now() - started) / 1000, format,
    };
  } catch (error) {
    await client.query('rollback');
    // The first part's session reads the file another way (below): the other parts leave it to it.
    if (error instanceof ReadOtherwise) return null;
    // Postgres could not read the file as CSV (22P04 bad copy file format, 22021 bad encoding,
    // 22P02/22P05 and other data exceptions): csv-parse reads it instead.
    if (typeof (error as { code?: unknown }).code === 'string' && (error as { code: string }).code.startsWith('22')) return null;
    throw error;
  }
}

/**
 * Loads one CSV file into its staging table (rows pending). The session must have
 * portrait.import_defer on.
 */
export async function loadFile(
  client: pg.Client,
  options: {
    org: string;
    file: string;
    kind?: ImportKind;
    batchRows?: number;
    headers: Record<ImportKind, string[]>;
    /** COPY (Postgres), or multi-row inserts for a server without COPY FROM STDIN (PGlite on a socket). */
    method?: 'copy' | 'insert';
    /** Straight to csv-parse (the file is known not to be readable by COPY as one table). */
    rowByRow?: boolean;
    /** How the file is written (readFormat); read here when not given. */
    format?: FileFormat;
    /** The file's character encoding when known (--encoding), else it is detected. */
    encoding?: string;
    onProgress?: (progress: FileProgress) => void;
  },
): Promise<LoadedFile> {
  const started = performance.now();
  const totalBytes = (await stat(options.file)).size;
  const batch = batchName(options.file);
  const format = options.format ?? (await readFormat(options.file, options.headers, options.encoding));
  if (options.method !== 'insert' && !options.rowByRow) {
    const copied = await copyWholeFile(client, { ...options, format }, started, totalBytes, batch);
    if (copied) return copied;
  }
  const batchRows = options.batchRows ?? 100_000;
  const input = createReadStream(options.file);
  const parser = [
    ...utf8Steps(format),
    parse({ bom: true, delimiter: format.separator, from_line: format.titleLines.length + 1, relax_column_count: true, skip_empty_lines: true, trim: false }),
  ]
    .reduce<NodeJS.ReadableStream>((stream, step) => stream.pipe(step), input);

  let kind: ImportKind | undefined;
  let columns: number[] = [];
  let names: string[] = [];
  let ignoredHeaders: string[] = [];
  let renamedHeaders: [string, string][] = [];
  let rows = 0;
  let lines: string[] = [];
  let records: (string | null)[][] = [];
  const useInsert = options.method === 'insert';
  const batchSize = useInsert ? Math.min(batchRows, 5_000) : batchRows;
  const prefix = `${csvField(options.org)},${csvField(batch)}`;
  options.onProgress?.({ file: options.file, rows: 0, bytes: 0, totalBytes });

  const flush = async () => {
    if (useInsert) {
      if (records.length === 0) return;
      const columnsOfBatch = names.map((_, c) => records.map((r) => r[c]!));
      records = [];
      await client.query(
        `insert into public.import_${kind} (org_id, import_batch, ${names.join(', ')})
         select $1, $2, * from unnest(${names.map((_, c) => `$${c + 3}::text[]`).join(', ')})`,
        [options.org, batch, ...columnsOfBatch],
      );
      return;
    }
    if (lines.length === 0) return;
    const body = lines.join('');
    lines = [];
    const stream = client.query(
      copyFrom(`copy public.import_${kind} (org_id, import_batch, ${names.join(', ')}) from stdin with (format csv)`),
    );
    await pipeline(Readable.from([body]), stream);
  };

  let known: ExportReader | null = null;
  let folded = 0;
  for await (const line of parser as AsyncIterable<string[]>) {
    let record: (string | null)[] = line;
    if (!kind) {
      kind = options.kind ?? kindOfHeaders(line);
      known = readerOf(line, kind, options.headers);
      if (known) {
        names = known.columns.filter((c) => options.headers[kind!].includes(c));
        columns = names.map((c) => known!.columns.indexOf(c));
        renamedHeaders = known.readFrom;
        ignoredHeaders = known.ignored;
      } else {
        ({ columns, names, renamed: renamedHeaders, ignored: ignoredHeaders } = columnsOf(line, kind, options.headers));
      }
      if (names.length === 0) {
        throw new ImportError(
          `${options.file}: no column is one of the ${kind} headers (${options.headers[kind].join(', ')}); the first line must name the columns`,
        );
      }
      continue;
    }
    if (known) {
      const values = known.row(line);
      if (!values) {
        folded += 1;
        continue;
      }
      record = values;
    }
    if (useInsert) {
      records.push(columns.map((i) => (record[i] === undefined || record[i] === null || record[i] === '' ? null : record[i]!.replaceAll('\0', '\uFFFD'))));
    } else {
      let line = prefix;
      for (const i of columns) line += `,${csvField(record[i])}`;
      lines.push(`${line}\n`);
    }
    rows += 1;
    if (lines.length + records.length >= batchSize) {
      await flush();
      options.onProgress?.({ file: options.file, rows, bytes: input.bytesRead, totalBytes });
    }
  }
  await flush();
  options.onProgress?.({ file: options.file, rows, bytes: totalBytes, totalBytes });
  if (!kind) throw new ImportError(`${options.file}: the file is empty (the first line must name the columns)`);
  return {
    file: options.file, kind, batch, rows, ignoredHeaders, renamedHeaders, seconds: (performance.now() - started) / 1000, format,
    ...(known?.name ? { readAs: { name: known.name, folded, what: known.folded } } : {}),
  };
}

/** A load's name (import_batch): the file's name and the time. */
function batchName(file: string): string {
  return `${path.basename(file)} ${new Date().toISOString()}`;
}

/** The kind of a file from its first line (or --kind); undefined when that line cannot be read alone. */
function kindOfFile(format: FileFormat, kind?: ImportKind): ImportKind | undefined {
  if (kind) return kind;
  return format.headers ? kindOfHeaders(format.headers) : undefined;
}

export type StatusCounts = Record<string, number>;

/** Rows per status of one loaded file. */
export async function batchCounts(client: pg.Client, loaded: LoadedFile): Promise<StatusCounts> {
  const { rows } = await client.query<{ import_status: string; n: string }>(
    `select import_status, count(*) as n from public.import_${loaded.kind} where import_batch = $1 group by 1 order by 1`,
    [loaded.batch],
  );
  return Object.fromEntries(rows.map((r) => [r.import_status, Number(r.n)]));
}

/** Rejected rows of a file that name the same column(s) in their reason: how many, and the first of them. */
export interface Rejection {
  /** What the reasons name before their colon (`ordered_at`, `customer_email, customer_phone, customer_external_id`). */
  column: string;
  rows: number;
  firstId: number;
  firstError: string;
}

/** Why a file's rows were rejected, the columns with the most rejected rows first (at most `limit` of them). */
export async function batchRejections(client: pg.Client, loaded: LoadedFile, limit = 5): Promise<Rejection[]> {
  const { rows } = await client.query<{ column_: string; rows: number; first_id: string }>(
    `select split_part(error, ':', 1) as column_, count(*)::int as rows, min(id)::text as first_id
       from public.import_${loaded.kind}
      where import_batch = $1 and import_status = 'rejected'
      group by 1 order by 2 desc, min(id) limit $2`,
    [loaded.batch, limit],
  );
  const { rows: first } = await client.query<{ id: string; error: string }>(
    `select id::text, error from public.import_${loaded.kind} where id = any ($1::bigint[])`,
    [rows.map((r) => r.first_id)],
  );
  const errors = new Map(first.map((r) => [r.id, r.error]));
  return rows.map((r) => ({ column: r.column_, rows: r.rows, firstId: Number(r.first_id), firstError: errors.get(r.first_id) ?? '' }));
}

/**
 * What an import has done so far, after its files are read (their progress: FileProgress): the
 * resolving starts; the rows loaded pending (customers and events files, files read row by row)
 * are resolved, and the parts of orders files, side by side, each waiting for those before finding
 * its customers; the orders' customers are recounted; the portraits are brought up to date (the
 * stage history and the engine's run, side by side when the orders had sessions of their own).
 * Seconds: from the start of the resolving for the two that overlap (pending rows, orders); else
 * the step's own time.
 */
export type ImportStep =
  | { step: 'resolving' }
  | { step: 'pending-resolved'; seconds: number; kinds: ImportKind[] }
  | { step: 'orders-resolved'; seconds: number; sessions: number; afterPending: boolean }
  | { step: 'recounted'; seconds: number }
  | { step: 'refreshing' }
  | { step: 'history-done'; seconds: number; days: number }
  | { step: 'engine-done'; seconds: number };

export interface ImportSummary {
  files: (LoadedFile & { counts: StatusCounts; rejections: Rejection[] })[];
  loadSeconds: number;
  applySeconds: number;
  /**
   * Where the resolving went, in seconds from its start: the pending rows (customers and events
   * files, files read row by row) resolved in this session; the parts of orders files done (side by
   * side with them: each parses its rows meanwhile and finds its customers once they are
   * committed); the recount of the orders' customers after them. Null when there was none.
   */
  applyPhases: { pendingDone: number | null; ordersDone: number | null; recountSeconds: number | null };
  refresh: { engine_ms: number; history_ms: number; history_days: number; error: unknown } | null;
  refreshSeconds: number;
}

/**
 * Checks the organization, loads every file, resolves the rows, refreshes the portraits. Customers
 * and events files (and any file read row by row) are loaded pending and resolved in this session
 * (public.import_apply, one transaction); each orders file is loaded by `jobs` other sessions at
 * once, each holding one part of its rows (FilePart), and each resolves its part
 * (public.import_apply_held, one transaction per part: it parses its rows while the customers
 * resolve, and finds its customers once they are committed); then the orders' customers are
 * recounted once (public.import_recount), while one of those sessions backfills the stage history
 * (private.import_refresh_history) and this one then runs the engine (private.import_refresh_engine):
 * the two halves of public.refresh_after_import. A part that fails leaves nothing of its rows written;
 * the others are kept and the error names the part. `connect` opens the other sessions (jobs > 1,
 * COPY only); with one job this session holds the orders too.
 */
export async function importFiles(
  client: pg.Client,
  options: {
    org: string;
    files: string[];
    kind?: ImportKind;
    /** The files' character encoding (--encoding, a name encodingName knows); detected for each file when not given. */
    encoding?: string;
    batchRows?: number;
    refresh?: boolean;
    jobs?: number;
    connect?: () => Promise<pg.Client>;
    onProgress?: (progress: FileProgress) => void;
    onStep?: (step: ImportStep) => void;
  },
): Promise<ImportSummary> {
  const { rows: orgs } = await client.query(`select 1 from public.organizations where id::text = $1`, [options.org]);
  if (orgs.length === 0) throw new ImportError(`--org: no organization ${options.org} in this database`);
  const headers = await acceptedHeaders(client);
  const { rows: [server] } = await client.query<{ version: string }>('select version()');
  const method = /PGlite/.test(server!.version) ? 'insert' : 'copy';
  // The resolving works through temporary tables of millions of narrow rows: kept in this
  // session's memory rather than written out and read back 8 MB at a time (the default). Only
  // settable before the session's first temporary table.
  const prepare = async (session: pg.Client) => {
    if (method === 'copy') await session.query(`set temp_buffers = '1GB'`);
  };
  await prepare(client);
  const jobs = method === 'copy' && options.connect ? Math.max(1, Math.floor(options.jobs ?? 1)) : 1;
  // The sessions that hold and resolve the parts of orders files: this one, or `jobs` others
  // (which then parse their parts while this one resolves the customers files).
  const sessions = [client];
  let applyAnnounced = false;
  const onApply = () => {
    if (!applyAnnounced) options.onStep?.({ step: 'resolving' });
    applyAnnounced = true;
  };
  const loaded: LoadedFile[] = [];
  let loadSeconds: number;
  let applySeconds: number;
  const applyPhases: ImportSummary['applyPhases'] = { pendingDone: null, ordersDone: null, recountSeconds: null };
  // The stage history, in a session of the orders once they are written, side by side with the
  // recount and the engine's run in this one (they read and write different things:
  // private.import_refresh_history in supabase/migrations).
  type Refresh = NonNullable<ImportSummary['refresh']>;
  let history: Promise<Pick<Refresh, 'history_ms' | 'history_days'>> | null = null;
  let historySession: pg.Client | null = null;
  try {
    // Orders files by COPY go to the sessions' held rows.
    const formats = new Map<string, FileFormat>();
    for (const file of options.files) formats.set(file, await readFormat(file, headers, options.encoding));
    const kinds = options.files.map((file) => kindOfFile(formats.get(file)!, options.kind));
    const firstFiles = options.files.filter((_, i) => method !== 'copy' || kinds[i] !== 'orders');
    const orderFiles = options.files.filter((_, i) => method === 'copy' && kinds[i] === 'orders');
    // The parts of orders files take turns to parse while this session resolves the other files
    // (partShares).
    const turns = firstFiles.length > 0;
    if (orderFiles.length > 0 && jobs > 1) {
      sessions.length = 0;
      for (let i = 0; i < jobs; i += 1) {
        const session = await options.connect!();
        sessions.push(session);
        await prepare(session);
      }
    }

    const loadStarted = performance.now();
    const readByRows: string[] = [];
    const heldBatches: string[] = [];
    await client.query(`set portrait.import_defer = on`);
    try {
      for (const file of firstFiles) loaded.push(await loadFile(client, { ...options, file, headers, method, format: formats.get(file) }));
      for (const file of orderFiles) {
        const batch = batchName(file);
        const totalBytes = (await stat(file)).size;
        const fileStarted = performance.now();
        // The first part's session reserves the file's staging ids once it knows its rows.
        let reserve!: { resolve: (id: number) => void; reject: (error: unknown) => void };
        const reserved = new Promise<number>((resolve, reject) => (reserve = { resolve, reject }));
        reserved.catch(() => undefined);
        let fileRows = -1;
        const shares = partShares(sessions.length, turns);
        const parts = await Promise.allSettled(
          sessions.map(async (session, index) => {
            const part: FilePart = {
              share: shares[index]!,
              firstId: async (rows) => {
                if (index > 0) return reserved;
                fileRows = rows;
                const { rows: [r] } = await session.query<{ id: string }>('select private.import_reserve_ids($1) as id', [Math.max(rows, 1)]);
                reserve.resolve(Number(r!.id));
                return Number(r!.id);
              },
            };
            try {
              const copied = await copyWholeFile(
                session,
                {
                  org: options.org, file, kind: options.kind, headers, format: formats.get(file)!, part,
                  onProgress: index === 0 ? options.onProgress : undefined,
                },
                fileStarted,
                totalBytes,
                batch,
              );
              if (index === 0 && !copied) reserve.reject(new ReadOtherwise());
              return copied;
            } catch (error) {
              if (index === 0) reserve.reject(new ReadOtherwise());
              throw error;
            }
          }),
        );
        const failed = parts.find((p): p is PromiseRejectedResult => p.status === 'rejected');
        if (failed) throw failed.reason;
        const copied = parts.map((p) => (p as PromiseFulfilledResult<LoadedFile | null>).value);
        if (!copied[0]) {
          readByRows.push(file);
          continue;
        }
        const rows = copied.reduce((n, c) => n + (c?.rows ?? 0), 0);
        if (fileRows >= 0 && rows !== fileRows) throw new Error(`${file}: the parts hold ${rows} rows, the file has ${fileRows}`);
        loaded.push({ ...copied[0], rows, seconds: (performance.now() - fileStarted) / 1000 });
        heldBatches.push(batch);
      }
      // Files Postgres cannot read as one table of CSV: row by row, pending, in this session.
      for (const file of readByRows) {
        loaded.push(await loadFile(client, { ...options, file, headers, method, rowByRow: true, format: formats.get(file) }));
      }
    } finally {
      await client.query(`reset portrait.import_defer`);
    }
    loadSeconds = (performance.now() - loadStarted) / 1000;

    onApply();
    const applyStarted = performance.now();
    const sinceApply = () => (performance.now() - applyStarted) / 1000;
    // The pending rows (customers and events files, files read row by row) in this session, in
    // one transaction that holds the organization's import lock from before the parts start:
    // they parse their rows meanwhile and find their customers once it is committed.
    let mainApply: Promise<void> = Promise.resolve();
    if (firstFiles.length > 0 || readByRows.length > 0) {
      await client.query('begin');
      try {
        await client.query(`select private.import_lock_org($1)`, [options.org]);
      } catch (error) {
        await client.query('rollback');
        throw error;
      }
      mainApply = (async () => {
        try {
          await client.query(`select public.import_apply($1)`, [options.org]);
          await client.query('commit');
          applyPhases.pendingDone = sinceApply();
          options.onStep?.({
            step: 'pending-resolved',
            seconds: applyPhases.pendingDone,
            kinds: importKinds.filter((k) => loaded.some((f) => f.kind === k && !heldBatches.includes(f.batch))),
          });
        } catch (error) {
          await client.query('rollback').catch(() => undefined);
          throw error;
        }
      })();
      mainApply.catch(() => undefined);
    }
    if (heldBatches.length > 0) {
      if (sessions[0] === client) await mainApply;
      // The first part first: it holds the largest share (partShares), so it takes the first turn
      // to parse; the others start once it holds one (firstHoldsLock).
      const firstPid = turns && sessions.length > 1
        ? (await sessions[0]!.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid
        : null;
      const results = await Promise.allSettled(
        sessions.map(async (session, index) => {
          if (index > 0 && firstPid !== null) await firstHoldsLock(session, firstPid);
          await session.query(`select public.import_apply_held($1)`, [options.org]);
          await session.query(`drop table if exists pg_temp.import_orders_held`);
        }),
      );
      await mainApply;
      applyPhases.ordersDone = sinceApply();
      if (results.every((r) => r.status === 'fulfilled')) {
        options.onStep?.({
          step: 'orders-resolved',
          seconds: applyPhases.ordersDone,
          sessions: sessions.length,
          afterPending: applyPhases.pendingDone !== null,
        });
      }
      const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [{ part: i + 1, error: r.reason as Error }] : []));
      if (failures.length > 0) {
        throw new Error(
          failures.map((f) => `part ${f.part} of ${sessions.length} of the orders (the rows whose order ids fall to it) was not written: ${f.error.message}`).join('; ') +
            (failures.length < sessions.length ? '; the other parts were written. Importing the same files again writes what is missing' : '') +
            ' (the portraits were not refreshed)',
        );
      }
      if (options.refresh !== false && sessions[0] !== client) {
        historySession = sessions[0]!;
        history = historySession
          .query<{ r: Pick<Refresh, 'history_ms' | 'history_days'> }>('select private.import_refresh_history($1) as r', [options.org])
          .then(({ rows }) => rows[0]!.r);
        history.catch(() => undefined);
      }
      // Their customers recounted once, seeing every part.
      const recountStarted = performance.now();
      await client.query(`select public.import_recount($1, $2)`, [options.org, heldBatches]);
      applyPhases.recountSeconds = (performance.now() - recountStarted) / 1000;
      options.onStep?.({ step: 'recounted', seconds: applyPhases.recountSeconds });
    }
    await mainApply;
    applySeconds = (performance.now() - applyStarted) / 1000;
  } catch (error) {
    // Not left running on a session about to close.
    await history?.catch(() => undefined);
    historySession = null;
    throw error;
  } finally {
    await Promise.all(
      sessions.filter((session) => session !== client && session !== historySession).map((session) => session.end().catch(() => undefined)),
    );
  }

  let refresh: ImportSummary['refresh'] = null;
  const refreshStarted = performance.now();
  try {
    if (options.refresh !== false) {
      options.onStep?.({ step: 'refreshing' });
      if (history) {
        const [engine, past] = await Promise.allSettled([
          client
            .query<{ r: Omit<Refresh, 'history_ms' | 'history_days'> }>('select private.import_refresh_engine($1) as r', [options.org])
            .then((result) => {
              options.onStep?.({ step: 'engine-done', seconds: result.rows[0]!.r.engine_ms / 1000 });
              return result;
            }),
          history.then((past) => {
            options.onStep?.({ step: 'history-done', seconds: past.history_ms / 1000, days: past.history_days });
            return past;
          }),
        ]);
        if (engine.status === 'rejected') throw engine.reason;
        if (past.status === 'rejected') throw past.reason;
        refresh = { ...engine.value.rows[0]!.r, ...past.value };
      } else {
        const { rows } = await client.query<{ r: Refresh }>(`select public.refresh_after_import($1) as r`, [options.org]);
        refresh = rows[0]!.r;
        // One after the other in this session: the engine's run, then the history.
        options.onStep?.({ step: 'engine-done', seconds: refresh.engine_ms / 1000 });
        options.onStep?.({ step: 'history-done', seconds: refresh.history_ms / 1000, days: refresh.history_days });
      }
    }
  } finally {
    await historySession?.end().catch(() => undefined);
  }
  const refreshSeconds = (performance.now() - refreshStarted) / 1000;

  const files = [];
  for (const file of loaded) {
    const counts = await batchCounts(client, file);
    files.push({ ...file, counts, rejections: counts.rejected ? await batchRejections(client, file) : [] });
  }
  return { files, loadSeconds, applySeconds, applyPhases, refresh, refreshSeconds };
}

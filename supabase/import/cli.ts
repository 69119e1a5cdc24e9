// npm run import -- --org <uuid> [--kind customers|orders|events] [--encoding NAME] [--jobs N] FILE.csv…
//
// Imports CSV files into an organization (README: "Importing your data") against DATABASE_URL,
// or the local stack's database (npm start) when it is not set. Exit code 0 when every file was
// read, even with rejected rows (--json FILE also writes the counts and timings); 2 for an unreadable file, an unknown organization or bad
// arguments; 1 for anything else (such as a part of an orders file that could not be written).
// --jobs N (default: the cores, at most 4) loads and resolves each orders file in N sessions
// side by side, each one part of its rows. --encoding NAME (utf-8, gb18030, big5, shift_jis,
// windows-1252…) reads the files in that character encoding; without it each file's is detected
// (supabase/import/file-format.ts), as is the separator of its columns.
import { access, constants, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import pg from 'pg';
import { readConfig } from '../local/config.ts';
import { encodingName } from './file-format.ts';
import { ImportError, importFiles, importKinds, type ImportKind, type ImportStep, type LoadedFile } from './import-files.ts';

const usage =
  'usage: npm run import -- --org <organization uuid> [--kind customers|orders|events] [--encoding NAME] [--jobs N] FILE.csv…';

function fail(message: string, code = 2): never {
  console.error(`import: ${message}`);
  process.exit(code);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      org: { type: 'string' },
      kind: { type: 'string' },
      encoding: { type: 'string' },
      'batch-rows': { type: 'string', default: '100000' },
      // Sessions that load and resolve an orders file side by side, each one part of its rows.
      jobs: { type: 'string', default: String(Math.min(os.availableParallelism(), 4)) },
      'no-refresh': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
}
try {
  args = parse();
} catch (error) {
  fail(`${(error as Error).message}\n${usage}`);
}
const { org, kind } = args.values;
const files = args.positionals;
if (!org || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(org)) {
  fail(`--org must be the organization's id (a uuid)\n${usage}`);
}
if (kind !== undefined && !(importKinds as readonly string[]).includes(kind)) {
  fail(`--kind must be one of ${importKinds.join(', ')}\n${usage}`);
}
if (files.length === 0) fail(`no file given\n${usage}`);
const encoding = args.values.encoding === undefined ? undefined : encodingName(args.values.encoding);
if (encoding === null) {
  fail(
    `--encoding: ${JSON.stringify(args.values.encoding)} is not a character encoding (for example utf-8, gb18030, big5, shift_jis or windows-1252)\n${usage}`,
  );
}
const jobs = Number(args.values.jobs);
if (!Number.isInteger(jobs) || jobs < 1) fail(`--jobs must be a whole number of sessions, 1 or more\n${usage}`);
for (const file of files) {
  try {
    await access(file, constants.R_OK);
  } catch (error) {
    fail(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

const url = process.env.DATABASE_URL ?? `postgresql://postgres:postgres@127.0.0.1:${readConfig().dbPort}/postgres`;
// Supabase's transaction poolers (port 6543: the shared Supavisor, a dedicated PgBouncer) hand
// each transaction to any server session, and an import keeps its rows and settings in its own
// session from one transaction to the next (README: "Importing your data").
const target = URL.canParse(url) ? new URL(url) : null;
if (target?.port === '6543' && /\.supabase\.(com|co)$/i.test(target.hostname)) {
  fail(
    `DATABASE_URL is a Supabase transaction pooler (${target.hostname}:6543), which hands each transaction to any server session; ` +
      'an import needs a session of its own: use the session pooler (the same address with port 5432) or the direct connection (Dashboard → Connect)',
  );
}
const client = new pg.Client({ connectionString: url });
try {
  await client.connect();
} catch (error) {
  fail(`cannot connect to the database at ${url.replace(/:[^:@/]*@/, ':***@')} (${(error as Error).message}); set DATABASE_URL or run npm start`, 1);
}

const quiet = args.values.quiet || !process.stderr.isTTY;
const bar = new cliProgress.SingleBar(
  { format: '{file} [{bar}] {percentage}% | {rows} rows | {rate} rows/s', hideCursor: true, noTTYOutput: false },
  cliProgress.Presets.shades_classic,
);
let barFile = '';
/** What the import says as each step after reading the files ends (the resolving takes minutes for millions of rows). */
function stepLine(step: ImportStep): string {
  const s = (seconds: number) => `${seconds.toFixed(1)} s`;
  switch (step.step) {
    case 'resolving':
      return 'Resolving the loaded rows…';
    case 'pending-resolved':
      return `  ${step.kinds.length > 1 ? `${step.kinds.slice(0, -1).join(', ')} and ${step.kinds.at(-1)}` : step.kinds[0]} rows resolved after ${s(step.seconds)}`;
    case 'orders-resolved':
      return (
        `  orders written after ${s(step.seconds)} (${step.sessions > 1 ? `${step.sessions} sessions side by side` : 'one session'}` +
        `${step.afterPending ? `, ${step.sessions > 1 ? 'each ' : ''}finding its customers once the rows above were resolved` : ''})`
      );
    case 'recounted':
      return `  the orders' customers recounted (${s(step.seconds)})`;
    case 'refreshing':
      return 'Bringing the portraits up to date (full engine run, stage history)…';
    case 'history-done':
      return `  stage history of ${step.days} days backfilled (${s(step.seconds)})`;
    case 'engine-done':
      return `  engine run done: statistics, profiles, cut points, segments (${s(step.seconds)})`;
  }
}
/** A text cut to at most `length` characters, an ellipsis marking the cut. */
function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/** How a file was read, when it was not the plain UTF-8 with commas and column names on its first line that most tools write. */
function formatLine(format: LoadedFile['format']): string | null {
  const parts: string[] = [];
  const titles = format.titleLines.length;
  if (titles > 0) {
    const title = format.titleLines.find((line) => line.trim() !== '');
    const shown = title ? `: ${JSON.stringify(clip(title, 60))}` : '';
    parts.push(titles === 1 ? `the first line skipped (no column names in it${shown})` : `the first ${titles} lines skipped (no column names in them${shown})`);
  }
  if (format.encoding !== 'utf-8') {
    parts.push(`read as ${format.encoding}${format.encodingSource === 'detected' ? ' (detected: if names look wrong, give the file\'s encoding with --encoding)' : ''}`);
  }
  if (format.separator !== ',') parts.push(`columns separated by ${format.separator === '\t' ? 'tabs' : `'${format.separator}'`}`);
  return parts.length ? parts.join(', ') : null;
}
let fileStarted = 0;
const started = performance.now();
try {
  const summary = await importFiles(client, {
    org,
    files,
    kind: kind as ImportKind | undefined,
    encoding,
    batchRows: Number(args.values['batch-rows']),
    refresh: !args.values['no-refresh'],
    jobs,
    async connect() {
      const session = new pg.Client({ connectionString: url });
      await session.connect();
      return session;
    },
    onProgress(p) {
      const rate = Math.round(p.rows / Math.max((performance.now() - fileStarted) / 1000, 0.001));
      if (p.file !== barFile) {
        if (barFile && !quiet) bar.stop();
        barFile = p.file;
        fileStarted = performance.now();
        if (!quiet) bar.start(p.totalBytes, 0, { file: p.file, rows: 0, rate: 0 });
      }
      if (!quiet) bar.update(p.bytes, { file: p.file, rows: p.rows, rate });
      else console.log(`${p.file}: ${p.rows} rows read (${rate} rows/s)`);
    },
    onStep(step) {
      if (barFile && !quiet) bar.stop();
      barFile = '';
      console.log(stepLine(step));
    },
  });
  for (const f of summary.files) {
    const counts = Object.entries(f.counts).map(([s, n]) => `${n} ${s}`).join(', ');
    console.log(`${f.file} (${f.kind}, ${f.rows} rows in ${f.seconds.toFixed(1)} s, ${Math.round(f.rows / f.seconds)} rows/s): ${counts}`);
    if (f.readAs) {
      console.log(`  read as ${f.readAs.name}${f.readAs.folded ? `: ${f.readAs.folded} ${f.readAs.folded === 1 ? 'row was' : 'rows were'} ${f.readAs.what}, folded into them` : ''}`);
    }
    const format = formatLine(f.format);
    if (format) console.log(`  ${format}`);
    if (f.renamedHeaders.length) console.log(`  columns read as: ${f.renamedHeaders.map(([header, name]) => `${header} → ${name}`).join(', ')}`);
    if (f.ignoredHeaders.length) console.log(`  columns ignored (not ${f.kind} headers): ${f.ignoredHeaders.join(', ')}`);
    if (f.counts.rejected) {
      console.log(
        `  rejected rows and why: select id, error from public.import_${f.kind} where import_batch = '${f.batch}' and import_status = 'rejected' order by id;` +
          ` (Studio: table import_${f.kind}, filter import_status = rejected)`,
      );
      for (const r of f.rejections) {
        console.log(`    ${r.column}: ${r.rows} ${r.rows === 1 ? 'row' : 'rows'}, the first (id ${r.firstId}): ${clip(r.firstError, 160)}`);
      }
    }
  }
  const total = (performance.now() - started) / 1000;
  if (args.values.json) await writeFile(args.values.json, JSON.stringify({ ...summary, totalSeconds: total }, null, 2));
  console.log(
    `Loaded in ${summary.loadSeconds.toFixed(1)} s, resolved in ${summary.applySeconds.toFixed(1)} s` +
      (summary.refresh
        ? `, portraits refreshed in ${summary.refreshSeconds.toFixed(1)} s (engine ${(summary.refresh.engine_ms / 1000).toFixed(1)} s, ${summary.refresh.history_days} days of stage history)`
        : ', portraits not refreshed (--no-refresh: run select public.refresh_after_import(org))') +
      `; ${total.toFixed(1)} s in all.`,
  );
  await client.end();
} catch (error) {
  if (!quiet) bar.stop();
  await client.end().catch(() => undefined);
  if (error instanceof ImportError) fail(error.message);
  if ((error as { code?: string }).code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' || (error as { code?: string }).code?.startsWith('CSV_')) {
    fail(`the file is not readable as CSV: ${(error as Error).message}`);
  }
  fail((error as Error).message, 1);
}

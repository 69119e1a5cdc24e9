// `npm start`: Portrait on its embedded local stack.
//
//   npm start                     database, API and functions; the extension built against them;
//                                 Chromium opened with the extension when a display is available
//   npm start -- --headless       the same for a server: no browser, stays up until interrupted
//   npm start -- --reset          forget the embedded database and start from the demo data again
//
// The extension is built in the `demo` mode (.output/chrome-mv3-demo): besides the real sites it
// also runs on the demo pages the local API serves at <API>/demo/ (supabase/local/demo-pages.ts).
//
// DATABASE_URL=postgres://…      use that Postgres instead of the embedded one
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readConfig } from './config.ts';
import { demoPages } from './demo-pages.ts';
import { supabaseDir, seedPath } from './migrate.ts';
import { startStack } from './stack.ts';

const repoRoot = path.resolve(supabaseDir, '..');
const config = readConfig();

const { values: args } = parseArgs({
  options: {
    headless: { type: 'boolean', default: false },
    reset: { type: 'boolean', default: false },
    build: { type: 'boolean', default: true },
    'no-build': { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: path.join(repoRoot, '.portrait-data') },
    'api-port': { type: 'string', default: String(config.apiPort) },
    'db-port': { type: 'string', default: String(config.dbPort) },
    verbose: { type: 'boolean', default: false },
  },
});

/** A port option's value, or a message naming the option when it is not a port number. */
function portOption(name: 'api-port' | 'db-port'): number {
  const value = args[name]!;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    console.error(`--${name} ${value}: give a port number from 1 to 65535`);
    process.exit(1);
  }
  return port;
}
const apiPort = portOption('api-port');
const dbPort = portOption('db-port');

const dataDir = path.resolve(args['data-dir']!);
const databaseUrl = process.env.DATABASE_URL;
const log = (line: string) => console.log(line);
const debug = (line: string) => {
  if (args.verbose) console.log(line);
};

function run(command: string, argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd: repoRoot, env, stdio: args.verbose ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${argv.join(' ')} failed (${code}):\n${output}`))));
  });
}

async function demoLogins(query: (sql: string) => Promise<{ rows: Array<{ email: string; org: string | null; role: string | null }> }>) {
  const seed = await readFile(seedPath, 'utf8').catch(() => '');
  const password = /demo password:\s*(\S+)/i.exec(seed)?.[1] ?? null;
  const hasMembers = await query(`select to_regclass('public.members') is not null as email, null as org, null as role`)
    .then((r) => Boolean(r.rows[0]?.email))
    .catch(() => false);
  const sql = hasMembers
    ? `select u.email, o.name as org, m.role::text as role from auth.users u
         left join public.members m on m.user_id = u.id left join public.organizations o on o.id = m.org_id
        order by o.name nulls last, m.role, u.email limit 20`
    : `select email, null as org, null as role from auth.users order by email limit 20`;
  const { rows } = await query(sql);
  return { password, rows };
}

async function main() {
  if (args.reset && !databaseUrl) {
    await rm(path.join(dataDir, 'db'), { recursive: true, force: true });
    log('Embedded database reset: it will be created again with the demo data.');
  }
  await mkdir(dataDir, { recursive: true });

  const started = Date.now();
  const stack = await startStack({
    databaseUrl,
    dataDir: databaseUrl ? undefined : path.join(dataDir, 'db'),
    apiPort,
    dbPort,
    seed: true,
    demoPages: true,
    log: debug,
  });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`\n${signal}: stopping Portrait…`);
    await stack.stop();
    log('Stopped. The data is kept for the next start.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const { migration } = stack;
  log(`Portrait local stack is up (${((Date.now() - started) / 1000).toFixed(1)} s).`);
  log(`  database   ${databaseUrl ? 'DATABASE_URL' : `embedded PGlite in ${path.relative(repoRoot, dataDir) || '.'}/db`}  →  ${stack.dbUrl}`);
  log(`  migrations ${migration.applied.length} applied now${migration.seeded ? ', demo data loaded' : migration.fresh ? '' : ', existing data kept'}`);
  log(`  API        ${stack.apiUrl}   (Supabase URL)`);
  log(`  anon key   ${stack.anonKey}`);
  log(`  service    ${stack.serviceRoleKey}`);

  const logins = await demoLogins((sql) => stack.db.query(sql));
  if (logins.rows.length > 0) {
    log(`  demo logins${logins.password ? ` (password: ${logins.password})` : ''}:`);
    for (const row of logins.rows) log(`    ${row.email.padEnd(28)} ${row.role ?? ''}${row.org ? ` · ${row.org}` : ''}`);
  }

  const extensionDir = path.join(repoRoot, '.output', 'chrome-mv3-demo');
  if (args.build && !args['no-build']) {
    log('Building the extension against the local API…');
    const wxt = path.join(repoRoot, 'node_modules', '.bin', 'wxt');
    await run(wxt, ['build', '--mode', 'demo'], { ...process.env, WXT_SUPABASE_URL: stack.apiUrl, WXT_SUPABASE_ANON_KEY: stack.anonKey });
    log(`  extension  ${path.relative(repoRoot, extensionDir)}  (chrome://extensions → Developer mode → Load unpacked)`);
  }

  log(`  demo pages ${stack.apiUrl}/demo/  (sign in from the extension's toolbar button first)`);
  for (const page of demoPages) log(`    ${stack.apiUrl}${page.href}`);

  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!args.headless && process.env.DISPLAY && existsSync(chromium) && existsSync(extensionDir)) {
    const profile = path.join(dataDir, 'chromium-profile');
    const browser = spawn(
      chromium,
      [
        `--user-data-dir=${profile}`,
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--disable-extensions-except=${extensionDir}`,
        `--load-extension=${extensionDir}`,
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
        `${stack.apiUrl}/demo/`,
      ],
      { stdio: 'ignore', detached: false },
    );
    browser.on('error', (error) => log(`Could not open Chromium: ${error.message}`));
    log(`Chromium opened with the extension (profile in ${path.relative(repoRoot, profile)}).`);
  } else if (!args.headless) {
    log('No display or no Chromium found: load the extension by hand, or use --headless on a server.');
  }
  log('Ready. Press Ctrl+C to stop.');
}

/**
 * What to do when a port is taken (another `npm start`, or another program): the port, what it
 * serves and the options that move it; null for any other error.
 */
function portTaken(error: unknown): string | null {
  const failure = error as NodeJS.ErrnoException & { port?: number };
  if (!(error instanceof Error) || failure.code !== 'EADDRINUSE') return null;
  const what = failure.port === apiPort ? 'the API (--api-port)' : failure.port === dbPort ? 'the database (--db-port)' : 'Portrait';
  return [
    `Port ${failure.port ?? '?'} for ${what} is already in use: Portrait may be running already (stop it with Ctrl+C),`,
    'or another program holds the port. To start beside it, choose free ports, e.g.',
    `  npm start -- --api-port ${apiPort + 1000} --db-port ${dbPort + 1000}`,
    '(the extension is then built against that API: README, "The two commands").',
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(portTaken(error) ?? (error instanceof Error ? error.message : error));
  process.exit(1);
});

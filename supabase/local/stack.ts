// Brings up the Docker-free local stack: the database (embedded PGlite served on a Postgres port,
// or the Postgres in DATABASE_URL), the platform emulation and migrations, the Deno functions host
// and the local API.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { createApiServer } from './api/server.ts';
import { readConfig, type LocalConfig } from './config.ts';
import { fromUrl, openPglite, type Db } from './db.ts';
import { servePglite } from './pglite-server.ts';
import { JwtKeys, LOCAL_ANON_KEY, LOCAL_JWT_SECRET, LOCAL_SERVICE_ROLE_KEY } from './keys.ts';
import { migrate, supabaseDir, type MigrateResult } from './migrate.ts';
import { BACKFILL_DUE_SQL, schedulerOptionsFromEnv, startScheduler, type Scheduler, type SchedulerOptions } from './scheduler.ts';

export interface StackOptions {
  /** Postgres URL; when absent the embedded PGlite is used. */
  databaseUrl?: string;
  /** Folder for the embedded database; in memory when absent. */
  dataDir?: string;
  /** An existing PGlite to serve (tests pass a fresh clone of a migrated snapshot). */
  pglite?: PGlite;
  apiPort?: number;
  dbPort?: number;
  host?: string;
  seed?: boolean;
  functions?: boolean;
  /**
   * Call recompute-segments on a schedule, as pg_cron does in production, and backfill-shop when a
   * shop backfill is due (see scheduler.ts; needs the functions). Default: on when the API listens on a fixed port (`npm start`), off when it
   * takes a random one (apiPort 0, as tests and benchmarks do). PORTRAIT_SCHEDULER=off also turns
   * the default off.
   */
  scheduler?: boolean | SchedulerOptions;
  /** Lower bcrypt cost for tests only. */
  bcryptCost?: number;
  /** Serve the demo pages under <API>/demo/ (supabase/local/demo-pages.ts). */
  demoPages?: boolean;
  log?: (line: string) => void;
  config?: LocalConfig;
}

export interface Stack {
  apiUrl: string;
  dbUrl: string;
  anonKey: string;
  serviceRoleKey: string;
  jwtSecret: string;
  db: Db;
  migration: MigrateResult;
  /** The recompute scheduler, when it runs. */
  scheduler?: Scheduler;
  stop(): Promise<void>;
}

const repoRoot = path.resolve(supabaseDir, '..');

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The functions host exited with code ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`The functions host did not answer on ${url} within ${timeoutMs} ms`);
}

function denoBinary(): string {
  const local = path.join(repoRoot, 'node_modules', '.bin', 'deno');
  return existsSync(local) ? local : 'deno';
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const config = options.config ?? readConfig();
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };

  try {
    let dbUrl: string;
    if (options.databaseUrl) {
      dbUrl = options.databaseUrl;
    } else {
      const pglite = options.pglite ?? (await openPglite({ dataDir: options.dataDir }));
      if (!options.pglite) cleanups.push(() => pglite.close());
      const socket = await servePglite(pglite, { host, port: options.dbPort ?? config.dbPort });
      cleanups.push(() => socket.stop());
      dbUrl = `postgresql://postgres:postgres@${socket.getServerConn()}/postgres`;
    }
    const db = fromUrl(dbUrl, { max: options.databaseUrl ? 20 : 8 });
    cleanups.push(() => db.close());

    const migration = await migrate(db, { seed: options.seed ?? false, log });

    const keys = new JwtKeys(LOCAL_JWT_SECRET);
    let apiUrl = '';
    let functionsUrl: string | null = null;

    const server = createApiServer({
      db,
      keys,
      apiKeys: { anon: LOCAL_ANON_KEY, serviceRole: LOCAL_SERVICE_ROLE_KEY },
      publicUrl: () => apiUrl,
      schemas: config.schemas,
      jwtExpiry: config.jwtExpiry,
      refreshTokenReuseInterval: config.refreshTokenReuseInterval,
      minimumPasswordLength: config.minimumPasswordLength,
      enableSignup: config.enableSignup,
      rateLimit: config.rateLimit,
      functionsHostUrl: () => functionsUrl,
      verifyJwt: (name) => config.verifyJwt[name] ?? true,
      bcryptCost: options.bcryptCost,
      demoPages: options.demoPages,
      onError: (error) => log(`api error: ${(error as Error)?.stack ?? String(error)}`),
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.apiPort ?? config.apiPort, host, () => resolve());
    });
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    apiUrl = `http://${host}:${(server.address() as AddressInfo).port}`;

    if (options.functions ?? true) {
      const port = await freePort(host);
      const functionsDir = path.join(supabaseDir, 'functions');
      const child = spawn(
        denoBinary(),
        [
          'run',
          '--quiet',
          '--allow-net',
          '--allow-env',
          '--allow-read',
          '--allow-sys',
          `--config=${path.join(functionsDir, 'deno.json')}`,
          path.join(supabaseDir, 'local', 'functions-host.ts'),
          functionsDir,
          String(port),
        ],
        {
          cwd: functionsDir,
          env: {
            ...process.env,
            SUPABASE_URL: apiUrl,
            SUPABASE_ANON_KEY: LOCAL_ANON_KEY,
            SUPABASE_SERVICE_ROLE_KEY: LOCAL_SERVICE_ROLE_KEY,
            SUPABASE_DB_URL: dbUrl,
            DENO_NO_UPDATE_CHECK: '1',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      child.stdout?.on('data', (chunk: Buffer) => log(`functions: ${chunk.toString().trimEnd()}`));
      child.stderr?.on('data', (chunk: Buffer) => log(`functions: ${chunk.toString().trimEnd()}`));
      cleanups.push(async () => {
        if (child.exitCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      });
      const url = `http://${host}:${port}`;
      await waitFor(`${url}/_health`, child, 60_000);
      functionsUrl = url;
    }

    let scheduler: Scheduler | undefined;
    const schedule = options.scheduler ?? (options.apiPort !== 0 ? (schedulerOptionsFromEnv() ?? false) : false);
    if (schedule && functionsUrl) {
      const backfillDue = async () => (await db.query<{ due: boolean }>(BACKFILL_DUE_SQL)).rows[0]?.due === true;
      scheduler = startScheduler({ apiUrl, serviceRoleKey: LOCAL_SERVICE_ROLE_KEY, backfillDue }, { log, ...(schedule === true ? {} : schedule) });
      cleanups.push(() => scheduler!.stop());
    }

    return {
      apiUrl,
      dbUrl,
      anonKey: LOCAL_ANON_KEY,
      serviceRoleKey: LOCAL_SERVICE_ROLE_KEY,
      jwtSecret: LOCAL_JWT_SECRET,
      db,
      migration,
      scheduler,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

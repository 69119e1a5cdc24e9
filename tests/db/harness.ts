// Per-file databases for the database tests: a clone of the migrated snapshot (PGlite) or a new
// database from the migrated template (native Postgres in DATABASE_URL).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import { fromPglite, fromUrl, openPglite, withDatabase, type Db, type Queryable } from '../../supabase/local/db.ts';
import { readConfig, type LocalConfig } from '../../supabase/local/config.ts';
import { startStack, type Stack } from '../../supabase/local/stack.ts';

export interface TestDb {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** The PGlite instance (embedded runs only). */
  pglite: PGlite | null;
  /** A URL other processes can use (native runs only; embedded runs get one from startTestStack). */
  url: string | null;
  close(): Promise<void>;
}

export async function freshDb(): Promise<TestDb> {
  const template = inject('templateDatabase');
  const snapshot = inject('pgliteSnapshot');
  const serverUrl = process.env.DATABASE_URL;
  if (template && serverUrl) {
    const name = `portrait_test_${randomBytes(6).toString('hex')}`;
    const admin = fromUrl(serverUrl, { max: 1 });
    await admin.exec(`create database "${name}" template "${template}"`);
    await admin.close();
    const url = withDatabase(serverUrl, name);
    const db = fromUrl(url, { max: 10 });
    return {
      db,
      kind: 'postgres',
      pglite: null,
      url,
      async close() {
        await db.close();
        const admin2 = fromUrl(serverUrl, { max: 1 });
        await admin2.exec(`drop database if exists "${name}" with (force)`);
        await admin2.close();
      },
    };
  }
  if (!snapshot) throw new Error('The database test setup did not run (tests/db/global-setup.ts)');
  const pglite = await openPglite({ loadDataDir: new Blob([await readFile(snapshot)]) });
  return { db: fromPglite(pglite), kind: 'pglite', pglite, url: null, close: () => pglite.close() };
}

export type Role = 'anon' | 'authenticated' | 'service_role' | 'postgres';

export interface RoleClaims {
  sub?: string;
  email?: string;
  [claim: string]: unknown;
}

class Rollback extends Error {}

/**
 * Runs `fn` as `role` with the given JWT claims, exactly as the API sets them for a request, and
 * rolls everything back afterwards unless `commit` is set.
 */
export async function asRole<T>(
  db: Db,
  role: Role,
  claims: RoleClaims,
  fn: (tx: Queryable) => Promise<T>,
  options: { commit?: boolean } = {},
): Promise<T> {
  let result: T | undefined;
  try {
    await db.transaction(async (tx) => {
      if (role !== 'postgres') {
        await tx.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [
          role,
          JSON.stringify({ role, ...claims }),
        ]);
      }
      result = await fn(tx);
      if (!options.commit) throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return result as T;
}

/**
 * Runs a statement as postgres in its own transaction with the engine's clock (portrait.engine_now)
 * at `now`; `defer` also sets portrait.defer_classification for it.
 */
export async function atEngineTime<Row = Record<string, unknown>>(
  db: Db,
  now: string,
  text: string,
  params: unknown[] = [],
  { defer = false }: { defer?: boolean } = {},
): Promise<Row[]> {
  return db.transaction(async (tx) => {
    await tx.query(`select set_config('portrait.engine_now', $1, true)`, [now]);
    if (defer) await tx.query(`select set_config('portrait.defer_classification', 'on', true)`);
    return (await tx.query<Row>(text, params)).rows;
  });
}

/** Starts the local API (and the functions host, unless disabled) on free ports over a fresh database. */
export async function startTestStack(
  options: { functions?: boolean; /** Values that replace config.toml's. */ config?: Partial<LocalConfig> } = {},
): Promise<Stack & { testDb: TestDb }> {
  const testDb = await freshDb();
  const stack = await startStack({
    databaseUrl: testDb.url ?? undefined,
    pglite: testDb.pglite ?? undefined,
    apiPort: 0,
    dbPort: 0,
    functions: options.functions ?? false,
    bcryptCost: 4,
    config: options.config ? { ...readConfig(), ...options.config } : undefined,
  });
  return {
    ...stack,
    testDb,
    async stop() {
      await stack.stop();
      await testDb.close();
    },
  };
}

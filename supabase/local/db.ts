// The local stack's database: the embedded PGlite (kept on disk) or the Postgres in DATABASE_URL.
//
// Both are driven through the same small interface so that the migration runner, the local API
// and the tests do not care which one they talk to.
import { PGlite } from '@electric-sql/pglite';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import pg from 'pg';

export interface QueryResult<Row> {
  rows: Row[];
}

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<Row>>;
  /** Runs a script of one or more statements without parameters. */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` inside one transaction on one connection; rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Sends a script of statements without parameters in one simple-protocol query: one round trip
   * and one implicit transaction (an error in any statement rolls back all of them). Returns the
   * rows of the last statement.
   */
  script<Row = Record<string, unknown>>(sql: string): Promise<QueryResult<Row>>;
  close(): Promise<void>;
}

export const pgliteExtensions = { pgcrypto };

export async function openPglite(options: { dataDir?: string; loadDataDir?: Blob } = {}): Promise<PGlite> {
  const db = new PGlite({
    dataDir: options.dataDir,
    loadDataDir: options.loadDataDir,
    extensions: pgliteExtensions,
    relaxedDurability: false,
  });
  await db.waitReady;
  return db;
}

/** Wraps an in-process PGlite. Use only when nothing else talks to it over a socket. */
export function fromPglite(db: PGlite): Db {
  const wrap = (q: { query: PGlite['query']; exec: PGlite['exec'] }): Queryable => ({
    async query<Row>(sql: string, params?: unknown[]) {
      const result = await q.query<Row>(sql, params as never[]);
      return { rows: result.rows };
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
  });
  return {
    kind: 'pglite',
    ...wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    async script<Row>(sql: string) {
      const results = await db.exec(sql);
      return { rows: (results.at(-1)?.rows ?? []) as Row[] };
    },
    close: () => db.close(),
  };
}

// Postgres returns bigint and numeric as strings by default; keep them exact as strings, and keep
// timestamps as the text Postgres printed so both databases give the same values to callers.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 1184 || oid === 1114 || oid === 1082) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  },
};

/** The same server's URL for another database on it. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Connects to a Postgres server (native, or PGlite served on a socket) by URL. */
export function fromUrl(url: string, options: { max?: number } = {}): Db {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types });
  pool.on('error', () => {
    // An idle client lost its connection (the server stopped); the pool replaces it.
  });
  return {
    kind: 'postgres',
    async query<Row>(sql: string, params?: unknown[]) {
      const result = await pool.query(sql, params);
      return { rows: result.rows as Row[] };
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async script<Row>(sql: string) {
      // Without parameters, pg sends the text as one simple query.
      const result = (await pool.query(sql)) as pg.QueryResult | pg.QueryResult[];
      const last = Array.isArray(result) ? result.at(-1) : result;
      return { rows: (last?.rows ?? []) as Row[] };
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn({
          async query<Row>(sql: string, params?: unknown[]) {
            const r = await client.query(sql, params);
            return { rows: r.rows as Row[] };
          },
          async exec(sql: string) {
            await client.query(sql);
          },
        });
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

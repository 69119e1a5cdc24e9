// The functions' connection to the project's database (SUPABASE_DB_URL), and retrying the
// transactions Postgres may abort under concurrency.
import postgres from 'postgres';
import { requireEnv } from './env.ts';

export type Sql = ReturnType<typeof postgres>;

const options = (max: number) => ({
  max,
  // No named prepared statements, so that it also works through a transaction pooler.
  prepare: false,
  idle_timeout: 20,
  connect_timeout: 10,
  connection: { application_name: 'portrait-functions' },
});

/**
 * A lazily opened pool on SUPABASE_DB_URL: `const sql = await db()`. Postgres gets `max`
 * connections. The embedded PGlite of the local stack runs one statement at a time for every
 * client, and its socket server interleaves the protocol messages of concurrent connections
 * outside transactions, so it gets exactly one connection (which loses nothing there).
 */
export function connect(max = 5): () => Promise<Sql> {
  const url = requireEnv('SUPABASE_DB_URL');
  let ready: Promise<Sql> | null = null;
  return () =>
    (ready ??= (async () => {
      const first = postgres(url, options(1));
      const [row] = await first<{ version: string }[]>`select version() as version`;
      if (/PGlite/i.test(row?.version ?? '')) return first;
      await first.end({ timeout: 5 });
      return postgres(url, options(max));
    })().catch((error) => {
      ready = null;
      throw error;
    }));
}

/** SQLSTATEs after which running the same transaction again can succeed. */
const retryable = new Set(['40001', '40P01', '55P03']);

export function sqlState(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/** Runs `fn` again after a serialization failure or deadlock, a few times, with jittered backoff. */
export async function withRetry<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const code = sqlState(error);
      if (attempt >= attempts || !code || !retryable.has(code)) throw error;
      await new Promise((r) => setTimeout(r, 5 * 2 ** attempt * (0.5 + Math.random())));
    }
  }
}

// The embedded database served on a Postgres port keeps each client's queries apart: many
// clients sending parameterised queries at once (the extended protocol, outside transactions)
// and transactions beside them all get their own answers.
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromUrl, type Db } from '../../supabase/local/db.ts';
import { servePglite } from '../../supabase/local/pglite-server.ts';
import { freshDb, type TestDb } from './harness.ts';

let t: TestDb;
let server: Awaited<ReturnType<typeof servePglite>>;
let pool: Db;

beforeAll(async () => {
  t = await freshDb();
  if (!t.pglite) return;
  server = await servePglite(t.pglite as PGlite, { host: '127.0.0.1', port: 0 });
  pool = fromUrl(`postgresql://postgres:postgres@${server.getServerConn()}/postgres`, { max: 8 });
});

afterAll(async () => {
  await pool?.close();
  await server?.stop();
  await t?.close();
});

describe.skipIf(Boolean(process.env.DATABASE_URL))('the embedded database on a socket', () => {
  it('answers concurrent parameterised queries from many connections, each with its own result', async () => {
    const queries = Array.from({ length: 400 }, (_, i) =>
      pool.query<{ sum: number; label: string }>('select $1::int + $2::int as sum, $3::text as label', [i, 1000, `q${i}`]),
    );
    const results = await Promise.all(queries);
    results.forEach((r, i) => expect(r.rows).toEqual([{ sum: i + 1000, label: `q${i}` }]));
  });

  it('keeps transactions whole while other connections query', async () => {
    await pool.exec('create table socket_probe (id int primary key, owner text not null)');
    const writers = Array.from({ length: 20 }, (_, w) =>
      pool.transaction(async (tx) => {
        for (let i = 0; i < 5; i++) await tx.query('insert into socket_probe values ($1, $2)', [w * 100 + i, `w${w}`]);
        return (await tx.query<{ n: string }>('select count(*)::text as n from socket_probe where owner = $1', [`w${w}`])).rows[0]!.n;
      }),
    );
    const readers = Array.from({ length: 100 }, (_, i) => pool.query<{ v: number }>('select $1::int as v', [i]));
    const [counts, reads] = await Promise.all([Promise.all(writers), Promise.all(readers)]);
    expect(counts).toEqual(Array(20).fill('5'));
    reads.forEach((r, i) => expect(r.rows[0]!.v).toBe(i));
    const { rows } = await pool.query<{ n: string }>('select count(*)::text as n from socket_probe');
    expect(rows[0]!.n).toBe('100');
  });
});

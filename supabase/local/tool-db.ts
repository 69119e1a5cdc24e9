// A migrated database reachable by URL for the Supabase CLI's database commands (gen types,
// db advisors): a scratch database on the server in DATABASE_URL, or an in-memory PGlite served
// on a free local port.
import { randomBytes } from 'node:crypto';
import { fromPglite, fromUrl, openPglite, withDatabase } from './db.ts';
import { migrate } from './migrate.ts';
import { servePglite } from './pglite-server.ts';

export async function withMigratedDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `portrait_tool_${randomBytes(4).toString('hex')}`;
    const admin = fromUrl(serverUrl, { max: 1 });
    await admin.exec(`create database "${name}"`);
    const url = withDatabase(serverUrl, name);
    try {
      const db = fromUrl(url, { max: 1 });
      await migrate(db);
      await db.close();
      return await fn(url);
    } finally {
      await admin.exec(`drop database if exists "${name}" with (force)`);
      await admin.close();
    }
  }
  const pglite = await openPglite();
  await migrate(fromPglite(pglite));
  const socket = await servePglite(pglite, { host: '127.0.0.1', port: 0, maxConnections: 10 });
  try {
    return await fn(`postgresql://postgres:postgres@${socket.getServerConn()}/postgres`);
  } finally {
    await socket.stop();
    await pglite.close();
  }
}

// Prepares, once per test run, a migrated database that every database test file clones:
// a PGlite data-directory snapshot by default, or a template database on the server in
// DATABASE_URL.
import { mkdir, stat, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { fromPglite, fromUrl, openPglite, withDatabase } from '../../supabase/local/db.ts';
import { migrate, schemaFingerprint } from '../../supabase/local/migrate.ts';
import { snapshotDir, templateName } from './paths.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshot: string | null;
    templateDatabase: string | null;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const fingerprint = await schemaFingerprint();
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    const name = templateName(fingerprint);
    const admin = fromUrl(databaseUrl, { max: 1 });
    try {
      const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
      if (exists.rows.length === 0) {
        const building = `${name}_building_${process.pid}`;
        await admin.exec(`drop database if exists "${building}"`);
        await admin.exec(`create database "${building}"`);
        const db = fromUrl(withDatabase(databaseUrl, building), { max: 1 });
        try {
          await migrate(db);
        } finally {
          await db.close();
        }
        await admin.exec(`alter database "${building}" rename to "${name}"`).catch(async (error: { code?: string }) => {
          // Another run finished the same template first.
          if (error.code !== '42P04') throw error;
          await admin.exec(`drop database "${building}"`);
        });
      }
    } finally {
      await admin.close();
    }
    project.provide('templateDatabase', name);
    project.provide('pgliteSnapshot', null);
    return;
  }

  const file = path.join(snapshotDir, `pglite-${fingerprint}.tar.gz`);
  const cached = await stat(file).catch(() => null);
  if (!cached) {
    await mkdir(snapshotDir, { recursive: true });
    const pglite = await openPglite();
    try {
      await migrate(fromPglite(pglite));
      const dump = await pglite.dumpDataDir('gzip');
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, Buffer.from(await dump.arrayBuffer()));
      await rename(temp, file);
    } finally {
      await pglite.close();
    }
  }
  project.provide('pgliteSnapshot', file);
  project.provide('templateDatabase', null);
}


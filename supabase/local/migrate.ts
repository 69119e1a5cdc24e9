// Applies the platform emulation, then supabase/migrations in order, recording each applied
// version in supabase_migrations.schema_migrations as the Supabase CLI does, then seed.sql on a
// database that had no migrations before.
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const supabaseDir = path.resolve(here, '..');
export const migrationsDir = path.join(supabaseDir, 'migrations');
export const platformSqlPath = path.join(here, 'platform.sql');
export const seedPath = path.join(supabaseDir, 'seed.sql');

const migrationName = /^(\d{14})_([a-z0-9_]+)\.sql$/;

export interface Migration {
  version: string;
  name: string;
  file: string;
  sql: string;
}

export async function listMigrations(dir = migrationsDir): Promise<Migration[]> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const files = entries.filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = migrationName.exec(file);
    if (!match) {
      throw new Error(`Migration file name "${file}" must look like YYYYMMDDHHMMSS_name.sql`);
    }
    const sql = await readFile(path.join(dir, file), 'utf8');
    migrations.push({ version: match[1]!, name: match[2]!, file, sql });
  }
  return migrations;
}

/** A hash of everything that shapes a migrated database, for caching snapshots. */
export async function schemaFingerprint(): Promise<string> {
  const hash = createHash('sha256');
  hash.update(await readFile(platformSqlPath, 'utf8'));
  for (const m of await listMigrations()) hash.update(m.file).update(m.sql);
  return hash.digest('hex').slice(0, 16);
}

/** Whether the database has the migration ledger (supabase_migrations.schema_migrations). */
async function hasLedger(db: Db): Promise<boolean> {
  const { rows } = await db.query<{ exists: boolean }>(`select to_regclass('supabase_migrations.schema_migrations') is not null as exists`);
  return rows[0]?.exists === true;
}

/**
 * Migrations applied to this database whose file has changed since (by the text migrate() recorded:
 * the whole file, one statement). migrate() applies new files only, so an edited one's changes are
 * not in the database: a kept database measured again would measure the old definitions.
 */
export async function editedMigrations(db: Db, dir = migrationsDir): Promise<string[]> {
  if (!(await hasLedger(db))) return [];
  const recorded = new Map(
    (await db.query<{ version: string; sql: string | null }>('select version, statements[1] as sql from supabase_migrations.schema_migrations')).rows.map(
      (r) => [r.version, r.sql],
    ),
  );
  return (await listMigrations(dir)).filter((m) => recorded.has(m.version) && recorded.get(m.version) !== m.sql).map((m) => m.file);
}

export interface MigrateResult {
  applied: string[];
  fresh: boolean;
  seeded: boolean;
}

export async function migrate(
  db: Db,
  options: { seed?: boolean; log?: (line: string) => void; migrationsDir?: string } = {},
): Promise<MigrateResult> {
  const log = options.log ?? (() => undefined);
  const fresh = !(await hasLedger(db));
  await db.exec(await readFile(platformSqlPath, 'utf8'));

  const done = new Set(
    (await db.query<{ version: string }>('select version from supabase_migrations.schema_migrations')).rows.map((r) => r.version),
  );
  const applied: string[] = [];
  for (const m of await listMigrations(options.migrationsDir)) {
    if (done.has(m.version)) continue;
    await db.transaction(async (tx) => {
      try {
        await tx.exec(m.sql);
      } catch (error) {
        throw new Error(`Migration ${m.file} failed: ${(error as Error).message}`, { cause: error });
      }
      await tx.query('insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)', [
        m.version,
        m.name,
        [m.sql],
      ]);
    });
    applied.push(m.version);
    log(`applied migration ${m.file}`);
  }

  // seed.sql runs once, on a database this stack created (as `supabase db reset` would).
  let seeded = false;
  if (fresh && options.seed) {
    const seed = await readFile(seedPath, 'utf8').catch(() => null);
    if (seed !== null) {
      await db.transaction(async (tx) => {
        await tx.exec(seed);
        await tx.query(
          'insert into supabase_migrations.seed_files (path, hash) values ($1, $2) on conflict (path) do update set hash = excluded.hash',
          ['supabase/seed.sql', createHash('sha256').update(seed).digest('hex')],
        );
      });
      seeded = true;
      log('applied seed.sql');
    }
  }
  return { applied, fresh, seeded };
}

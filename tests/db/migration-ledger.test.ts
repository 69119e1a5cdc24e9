// The migration ledger as a kept database sees it: migrate() records each file it applies, whole, so
// a file edited since it was applied can be told (editedMigrations). The benchmark refuses to
// measure such a database again (tests/bench/run.ts --reuse): it would measure the old definitions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editedMigrations, listMigrations } from '../../supabase/local/migrate.ts';
import { freshDb, type TestDb } from './harness.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => {
  await t?.close();
});

describe('editedMigrations', () => {
  it('finds none on a database migrated from the files as they are', async () => {
    expect(await editedMigrations(t.db)).toEqual([]);
  });

  it('names a migration whose file differs from what was applied', async () => {
    const migrations = await listMigrations();
    const last = migrations.at(-1)!;
    await t.db.query(`update supabase_migrations.schema_migrations set statements = array[$2::text] where version = $1`, [
      last.version,
      `${last.sql}\n-- as it was before an edit`,
    ]);
    expect(await editedMigrations(t.db)).toEqual([last.file]);
  });
});

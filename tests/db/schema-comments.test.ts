// Studio is the admin UI (supabase/README.md, section 1): every table, view, column, enum and API function explains
// itself there. This fails as soon as something is added without a comment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './harness.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => {
  await t?.close();
});

const schemas = `('public', 'private')`;

describe('comments for Studio', () => {
  it('has a comment on every table and view', async () => {
    const { rows } = await t.db.query<{ name: string }>(
      `select n.nspname || '.' || c.relname as name
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname in ${schemas} and c.relkind in ('r', 'p', 'v', 'm')
          and obj_description(c.oid, 'pg_class') is null
        order by 1`,
    );
    expect(rows.map((r) => r.name)).toEqual([]);
  });

  it('has a comment on every column of every table and view', async () => {
    const { rows } = await t.db.query<{ name: string }>(
      `select n.nspname || '.' || c.relname || '.' || a.attname as name
         from pg_attribute a
         join pg_class c on c.oid = a.attrelid
         join pg_namespace n on n.oid = c.relnamespace
        where n.nspname in ${schemas} and c.relkind in ('r', 'p', 'v', 'm')
          and a.attnum > 0 and not a.attisdropped
          and col_description(c.oid, a.attnum) is null
        order by 1`,
    );
    expect(rows.map((r) => r.name)).toEqual([]);
  });

  it('has a comment on every enum, with every value named in it', async () => {
    const { rows } = await t.db.query<{ name: string; comment: string | null; labels: string[] }>(
      `select t.typname as name, obj_description(t.oid, 'pg_type') as comment,
              array(select e.enumlabel::text from pg_enum e where e.enumtypid = t.oid order by e.enumsortorder) as labels
         from pg_type t join pg_namespace n on n.oid = t.typnamespace
        where n.nspname in ${schemas} and t.typtype = 'e'
        order by 1`,
    );
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) {
      expect(row.comment, `enum ${row.name}`).toBeTruthy();
      // company_size bands are numbers; every other value appears in its enum's comment by name.
      if (row.name === 'company_size') continue;
      for (const label of row.labels) expect(row.comment, `enum ${row.name} value ${label}`).toContain(label);
    }
  });

  it('has a comment on every function of the API and every helper', async () => {
    const { rows } = await t.db.query<{ name: string }>(
      `select n.nspname || '.' || p.proname as name
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname in ${schemas} and obj_description(p.oid, 'pg_proc') is null
        order by 1`,
    );
    expect(rows.map((r) => r.name)).toEqual([]);
  });
});

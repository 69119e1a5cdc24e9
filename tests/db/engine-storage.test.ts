// The engine's tables carry their own storage and autovacuum settings (supabase/README.md
// "Autovacuum"): the passes read whole tables and rewrite a few rows at a time, and Postgres'
// defaults (vacuum at 20 % dead rows) would let them read past many dead versions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './harness.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => {
  await t?.close();
});

describe("the engine's tables", () => {
  it('set the autovacuum thresholds supabase/README.md gives them', async () => {
    const { rows } = await t.db.query<{ name: string; options: string[] | null }>(
      `select c.oid::regclass::text as name, c.reloptions as options
         from pg_class c
        where c.oid in ('public.customer_profiles'::regclass, 'public.segment_memberships'::regclass,
                        'public.orders'::regclass, 'public.events'::regclass, 'public.customer_tags'::regclass,
                        'private.dirty_customers'::regclass, 'private.run_pending'::regclass)
        order by 1`,
    );
    const options = Object.fromEntries(rows.map((r) => [r.name, [...(r.options ?? [])].sort()]));
    expect(options).toEqual({
      customer_profiles: ['autovacuum_analyze_scale_factor=0.05', 'autovacuum_vacuum_scale_factor=0.02', 'fillfactor=80'],
      segment_memberships: ['autovacuum_analyze_scale_factor=0.05', 'autovacuum_vacuum_insert_scale_factor=0.02', 'autovacuum_vacuum_scale_factor=0.02'],
      orders: ['autovacuum_analyze_scale_factor=0.02', 'autovacuum_vacuum_insert_scale_factor=0.05', 'autovacuum_vacuum_scale_factor=0.05'],
      events: ['autovacuum_analyze_scale_factor=0.02', 'autovacuum_vacuum_insert_scale_factor=0.05'],
      customer_tags: ['autovacuum_vacuum_insert_scale_factor=0.05', 'autovacuum_vacuum_scale_factor=0.05'],
      'private.dirty_customers': ['autovacuum_vacuum_scale_factor=0', 'autovacuum_vacuum_threshold=1000'],
      'private.run_pending': ['autovacuum_vacuum_scale_factor=0', 'autovacuum_vacuum_threshold=1000'],
    });
  });

  it("read a tag's customers from the tag index alone (customer and source in the index)", async () => {
    const { rows } = await t.db.query<{ columns: string[] }>(
      `select array(select a.attname::text
                      from unnest(i.indkey::smallint[]) with ordinality as k (attnum, n)
                      join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
                     order by k.n) as columns
         from pg_index i
        where i.indexrelid = 'public.customer_tags_tag_id_idx'::regclass`,
    );
    expect(rows[0]?.columns).toEqual(['org_id', 'tag_id', 'customer_id', 'source']);
  });
});

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
                        'public.orders'::regclass, 'public.events'::regclass,
                        'private.dirty_customers'::regclass, 'private.run_pending'::regclass)
        order by 1`,
    );
    const options = Object.fromEntries(rows.map((r) => [r.name, [...(r.options ?? [])].sort()]));
    expect(options).toEqual({
      customer_profiles: ['autovacuum_analyze_scale_factor=0.05', 'autovacuum_vacuum_scale_factor=0.02', 'fillfactor=80'],
      segment_memberships: ['autovacuum_analyze_scale_factor=0.05', 'autovacuum_vacuum_scale_factor=0.05'],
      orders: ['autovacuum_analyze_scale_factor=0.02', 'autovacuum_vacuum_insert_scale_factor=0.05', 'autovacuum_vacuum_scale_factor=0.05'],
      events: ['autovacuum_analyze_scale_factor=0.02', 'autovacuum_vacuum_insert_scale_factor=0.05'],
      'private.dirty_customers': ['autovacuum_vacuum_scale_factor=0', 'autovacuum_vacuum_threshold=1000'],
      'private.run_pending': ['autovacuum_vacuum_scale_factor=0', 'autovacuum_vacuum_threshold=1000'],
    });
  });
});

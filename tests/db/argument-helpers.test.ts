// The follow-up, ownership and timeline calls check their required arguments with the shared
// helper private.required_argument (20261123000500_api_helpers.sql) instead of each keeping its
// own copy of the check; the helper raises 22023 naming the argument, as every RPC does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './harness.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => {
  await t?.close();
});

const CALLS = ['add_follow_up', 'complete_follow_up', 'my_follow_ups', 'claim_customer', 'release_customer', 'assign_customer', 'customer_timeline'];

describe('required arguments', () => {
  it('are checked by the shared helper in the follow-up, ownership and timeline calls', async () => {
    const { rows } = await t.db.query<{ name: string; own_check: boolean; helper: boolean }>(
      `select p.proname as name,
              p.prosrc ~ 'message = ''p_[a-z_]+ is required' as own_check,
              p.prosrc ~ 'private\\.required_argument\\(' as helper
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public' and p.proname = any ($1)`,
      [CALLS],
    );
    expect(rows.map((r) => r.name).sort()).toEqual([...CALLS].sort());
    for (const row of rows) expect(row, row.name).toEqual({ name: row.name, own_check: false, helper: true });
  });

  it('raises 22023 naming the argument, with what it is for when given', async () => {
    await expect(t.db.query(`select private.required_argument(null::uuid, 'p_customer')`)).rejects.toMatchObject({ code: '22023', message: 'p_customer is required' });
    await expect(t.db.query(`select private.required_argument(null::timestamptz, 'p_due_at', 'when the follow-up is due')`)).rejects.toMatchObject({
      code: '22023',
      message: 'p_due_at is required: when the follow-up is due',
    });
    await expect(t.db.query(`select private.required_argument(now(), 'p_due_at')`)).resolves.toBeDefined();
  });
});

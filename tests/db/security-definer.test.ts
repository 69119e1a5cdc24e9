// Every `security definer` function a client role can execute runs with its owner's rights, past
// row-level security: each must refuse (or answer nothing about) an organization the caller is not
// a member of. The list comes from the catalog, so a new such function without a probe here fails
// the first test. Also: no function of ours is executable by anon or by PUBLIC unless it is meant
// to be.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../../supabase/local/db.ts';
import { freshDb, type TestDb } from './harness.ts';
import { asActor, createTenants, orgs, rows, sqlState } from './tenants.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
  await createTenants(t.db);
});
afterAll(async () => {
  await t?.close();
});

const A = orgs.a;
const B = orgs.b;

const value = async (tx: Queryable, sql: string, params: unknown[] = []) => (await tx.query<{ v: unknown }>(sql, params)).rows.map((r) => r.v);

/**
 * Per function (by its regprocedure text): what B's admin, who is no member of A, gets when asking
 * about A. Each probe throws when the function gives away something of A.
 */
const probes: Record<string, (tx: Queryable) => Promise<void>> = {
  'private.member_org_ids()': async (tx) => expect(await value(tx, 'select private.member_org_ids() as v')).toEqual([B]),
  'private.admin_org_ids()': async (tx) => expect(await value(tx, 'select private.admin_org_ids() as v')).toEqual([B]),
  'private.rep_org_ids()': async (tx) => expect(await value(tx, 'select private.rep_org_ids() as v')).toEqual([]),
  'private.member_role(uuid)': async (tx) => expect(await value(tx, 'select private.member_role($1) as v', [A])).toEqual([null]),
  'private.can_edit_customer(uuid,uuid)': async (tx) =>
    expect(await value(tx, 'select private.can_edit_customer($1, $2) as v', [A, rows.ownedCustomer])).toEqual([false]),
  'private.can_add_identity(uuid,uuid)': async (tx) =>
    expect(await value(tx, 'select private.can_add_identity($1, $2) as v', [A, rows.ownedCustomer])).toEqual([false]),
  'private.org_default_phone_region(uuid)': async (tx) =>
    expect(await sqlState(tx.query('select private.org_default_phone_region($1)', [A]))).toBe('42501'),
  'private.apply_stage_override(uuid,uuid,lifecycle_stage,text)': async (tx) =>
    expect(await sqlState(tx.query(`select private.apply_stage_override($1, $2, 'loyal', null)`, [A, rows.ownedCustomer]))).toBe('42501'),
  'private.customer_ids_by_name(uuid,tsquery,integer)': async (tx) =>
    expect(await sqlState(tx.query(`select private.customer_ids_by_name($1, to_tsquery('simple', 'olivia:*'), 10)`, [A]))).toBe('42501'),
  'private.recompute(uuid,text,uuid,integer,bigint,timestamp with time zone)': async (tx) =>
    expect(await sqlState(tx.query(`select private.recompute($1, 'dirty')`, [A]))).toBe('42501'),
  'private.apply_customer_merge(uuid,uuid,uuid,uuid)': async (tx) =>
    expect(await sqlState(tx.query('select private.apply_customer_merge($1, $2, $3, gen_random_uuid())', [A, rows.ownedCustomer, rows.unownedCustomer]))).toBe('42501'),
  'private.change_owner(uuid,uuid,uuid,ownership_change_reason,text)': async (tx) =>
    expect(await sqlState(tx.query(`select private.change_owner($1, $2, null, 'released', null)`, [A, rows.ownedCustomer]))).toBe('42501'),
  'private.pool_filter(uuid,jsonb)': async (tx) =>
    expect(await sqlState(tx.query(`select private.pool_filter($1, '{"segment": "${rows.segment}"}')`, [A]))).toBe('42501'),
  'public.import_apply(uuid)': async (tx) => expect(await sqlState(tx.query('select public.import_apply($1)', [A]))).toBe('42501'),
  'public.refresh_after_import(uuid)': async (tx) =>
    expect(await sqlState(tx.query('select public.refresh_after_import($1)', [A]))).toBe('42501'),
  // The organization the caller administers (B), never A.
  'private.import_default_org()': async (tx) => expect(await value(tx, 'select private.import_default_org() as v')).toEqual([B]),
  'private.portraits(uuid,uuid[])': async (tx) =>
    expect(await value(tx, 'select portrait as v from private.portraits($1, array[$2::uuid])', [A, rows.ownedCustomer])).toEqual([]),
  'private.customer_reasons(uuid,uuid)': async (tx) =>
    expect(await sqlState(tx.query('select private.customer_reasons($1, $2)', [A, rows.ownedCustomer]))).toBe('42501'),
  'private.member_addresses(uuid)': async (tx) =>
    expect(await sqlState(tx.query('select private.member_addresses($1)', [A]))).toBe('42501'),
  'private.org_members(uuid)': async (tx) => expect(await sqlState(tx.query('select * from private.org_members($1)', [A]))).toBe('42501'),
  // About the caller only: their own address, and the invitations addressed to it.
  'private.my_email()': async (tx) => expect(await value(tx, 'select private.my_email() as v')).toEqual(['admin@b.test']),
  'private.pending_invitations()': async (tx) =>
    expect(await value(tx, 'select invitation_id as v from private.pending_invitations()')).toEqual([rows.invitationToB]),
  'private.answer_invitation(uuid,boolean)': async (tx) =>
    expect(await sqlState(tx.query('select private.answer_invitation($1, true)', [rows.invitationToStranger]))).toBe('22023'),
};

async function clientDefinerFunctions(): Promise<string[]> {
  const { rows: found } = await t.db.query<{ fn: string }>(
    `select replace(p.oid::regprocedure::text, ', ', ',') as fn
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname in ('public', 'private') and p.prosecdef
        and (has_function_privilege('authenticated', p.oid, 'execute') or has_function_privilege('anon', p.oid, 'execute'))
      order by 1`,
  );
  // regprocedure names types the short way (public.lifecycle_stage shows as lifecycle_stage: search_path).
  return found.map((r) => r.fn.replace(/\bpublic\./g, '').replace(/^(?!private\.)/, 'public.'));
}

describe('security definer functions clients can execute', () => {
  it('each has a probe here', async () => {
    const functions = await clientDefinerFunctions();
    expect(functions.length).toBeGreaterThan(0);
    expect(functions.filter((fn) => !(fn in probes))).toEqual([]);
  });

  it.each(Object.keys(probes))('%s refuses, or answers nothing about, an organization the caller is not in', async (fn) => {
    const functions = await clientDefinerFunctions();
    expect(functions, `${fn} is no longer a client-executable security definer function: remove its probe`).toContain(fn);
    await asActor(t.db, 'otherAdmin', probes[fn]!);
  });

  it('private.org_default_phone_region answers members, the service role and the database itself', async () => {
    expect(await asActor(t.db, 'staff', (tx) => value(tx, 'select private.org_default_phone_region($1) as v', [A]))).toHaveLength(1);
    expect(await asActor(t.db, 'service_role', (tx) => value(tx, 'select private.org_default_phone_region($1) as v', [A]))).toHaveLength(1);
    expect((await t.db.query('select private.org_default_phone_region($1) as v', [A])).rows).toHaveLength(1);
  });
});

describe('execute privileges', () => {
  it('no function in public or private is executable by PUBLIC', async () => {
    const { rows: open } = await t.db.query<{ fn: string }>(
      `select p.oid::regprocedure::text as fn
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname in ('public', 'private')
          and (p.proacl is null or exists (select from aclexplode(p.proacl) a where a.grantee = 0 and a.privilege_type = 'EXECUTE'))`,
    );
    expect(open).toEqual([]);
  });

  it('anon can execute no function in private, and no RPC', async () => {
    const { rows: open } = await t.db.query<{ fn: string }>(
      `select p.oid::regprocedure::text as fn
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname in ('public', 'private') and has_function_privilege('anon', p.oid, 'execute')`,
    );
    expect(open).toEqual([]);
  });
});

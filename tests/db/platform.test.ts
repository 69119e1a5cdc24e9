// The emulated platform gives Supabase's answers: roles with Supabase's attributes and the
// auth.* request helpers reading the claims PostgREST sets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asRole, freshDb, type TestDb } from './harness.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => {
  await t?.close();
});

describe('platform roles', () => {
  it('has anon, authenticated and service_role as Supabase defines them', async () => {
    const { rows } = await t.db.query<{ rolname: string; rolcanlogin: boolean; rolinherit: boolean; rolbypassrls: boolean }>(
      `select rolname, rolcanlogin, rolinherit, rolbypassrls from pg_roles
        where rolname in ('anon', 'authenticated', 'service_role', 'authenticator') order by rolname`,
    );
    expect(rows).toEqual([
      { rolname: 'anon', rolcanlogin: false, rolinherit: false, rolbypassrls: false },
      { rolname: 'authenticated', rolcanlogin: false, rolinherit: false, rolbypassrls: false },
      { rolname: 'authenticator', rolcanlogin: true, rolinherit: false, rolbypassrls: false },
      { rolname: 'service_role', rolcanlogin: false, rolinherit: false, rolbypassrls: true },
    ]);
  });

  it('lets authenticator switch to each API role', async () => {
    const { rows } = await t.db.query<{ role: string }>(
      `select r.rolname as role from pg_auth_members m join pg_roles r on r.oid = m.roleid
        where m.member = 'authenticator'::regrole order by 1`,
    );
    expect(rows.map((r) => r.role)).toEqual(['anon', 'authenticated', 'service_role']);
  });

  it('records migrations where the Supabase CLI does', async () => {
    const { rows } = await t.db.query<{ column_name: string }>(
      `select column_name from information_schema.columns
        where table_schema = 'supabase_migrations' and table_name = 'schema_migrations' order by ordinal_position`,
    );
    expect(rows.map((r) => r.column_name)).toEqual(['version', 'statements', 'name']);
  });
});

describe('auth helpers', () => {
  const sub = '6f1c3c1e-8f5a-4a59-9a3e-2f1e4a1b2c3d';
  const claims = { sub, email: 'rep@example.com', aud: 'authenticated', session_id: 'abc' };

  it('reads the user from request.jwt.claims as Supabase does', async () => {
    const row = await asRole(t.db, 'authenticated', claims, async (tx) => {
      const { rows } = await tx.query<{ uid: string; role: string; email: string; jwt: Record<string, unknown> }>(
        'select auth.uid() as uid, auth.role() as role, auth.email() as email, auth.jwt() as jwt',
      );
      return rows[0]!;
    });
    expect(row.uid).toBe(sub);
    expect(row.role).toBe('authenticated');
    expect(row.email).toBe('rep@example.com');
    expect(typeof row.jwt === 'string' ? JSON.parse(row.jwt) : row.jwt).toMatchObject({ sub, role: 'authenticated', session_id: 'abc' });
  });

  it('prefers the legacy request.jwt.claim.* settings when they are set', async () => {
    const row = await asRole(t.db, 'authenticated', claims, async (tx) => {
      await tx.query(`select set_config('request.jwt.claim.sub', $1, true), set_config('request.jwt.claim.role', 'legacy', true)`, [
        '00000000-0000-0000-0000-000000000001',
      ]);
      return (await tx.query<{ uid: string; role: string }>('select auth.uid() as uid, auth.role() as role')).rows[0]!;
    });
    expect(row).toEqual({ uid: '00000000-0000-0000-0000-000000000001', role: 'legacy' });
  });

  it('gives null for a request without claims (anon without a token)', async () => {
    const row = await t.db.query<{ uid: string | null; jwt: unknown }>(
      `select set_config('request.jwt.claims', '', false), auth.uid() as uid, auth.jwt() as jwt`,
    );
    expect(row.rows[0]!.uid).toBeNull();
    expect(row.rows[0]!.jwt).toBeNull();
  });

  it('hides auth.users from the API roles', async () => {
    for (const role of ['anon', 'authenticated'] as const) {
      await expect(asRole(t.db, role, {}, (tx) => tx.query('select * from auth.users'))).rejects.toMatchObject({ code: '42501' });
    }
  });
});

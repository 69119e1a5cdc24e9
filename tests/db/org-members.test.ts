// The organization's members (public.org_members): the card's "Assign to…" lists them. Members get
// their own organization's members with name, email and role; nobody else gets any.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './harness.ts';
import { asActor, createTenants, orgs, sqlState, users } from './tenants.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
  await createTenants(t.db);
});
afterAll(async () => {
  await t?.close();
});

const list = 'select user_id, display_name, email, role from public.org_members($1)';
type Row = { user_id: string; display_name: string | null; email: string; role: string };

describe('org_members', () => {
  it("gives any member (staff included) their organization's members by name, with email and role", async () => {
    const members = await asActor(t.db, 'staff', async (tx) => (await tx.query<Row>(list, [orgs.a])).rows);
    expect(members).toEqual([
      { user_id: users.admin, display_name: 'Ada Admin', email: 'admin@a.test', role: 'admin' },
      { user_id: users.rep, display_name: 'Rei Rep', email: 'rep@a.test', role: 'rep' },
      { user_id: users.staff, display_name: 'Sam Staff', email: 'staff@a.test', role: 'staff' },
    ]);
  });

  it("gives B's members B's members with their role and name in B, not in A", async () => {
    const members = await asActor(t.db, 'otherAdmin', async (tx) => (await tx.query<Row>(list, [orgs.b])).rows);
    expect(members.map((m) => [m.display_name, m.role])).toEqual([
      ['Bo Admin', 'admin'],
      ['Rei in B', 'staff'],
      ['Sam in B', 'admin'],
    ]);
  });

  it('names a member without a display name by their email (null name, sorted by the address)', async () => {
    await t.db.exec(`update public.members set display_name = null where org_id = '${orgs.a}' and user_id = '${users.rep}'`);
    try {
      const members = await asActor(t.db, 'admin', async (tx) => (await tx.query<Row>(list, [orgs.a])).rows);
      expect(members.map((m) => [m.display_name, m.email])).toEqual([
        ['Ada Admin', 'admin@a.test'],
        [null, 'rep@a.test'],
        ['Sam Staff', 'staff@a.test'],
      ]);
    } finally {
      await t.db.exec(`update public.members set display_name = 'Rei Rep' where org_id = '${orgs.a}' and user_id = '${users.rep}'`);
    }
  });

  it('refuses a non-member with 42501 naming p_org', async () => {
    await asActor(t.db, 'otherAdmin', async (tx) => {
      await expect(tx.query(list, [orgs.a])).rejects.toMatchObject({ code: '42501', message: expect.stringContaining('p_org') });
    });
    expect(await asActor(t.db, 'newcomer', (tx) => sqlState(tx.query(list, [orgs.a])))).toBe('42501');
  });

  it('refuses a null organization with 22023 naming p_org', async () => {
    await asActor(t.db, 'rep', async (tx) => {
      await expect(tx.query(list, [null])).rejects.toMatchObject({ code: '22023', message: expect.stringContaining('p_org') });
    });
  });

  it('refuses anon and service_role', async () => {
    for (const actor of ['anon', 'service_role'] as const) {
      expect(await asActor(t.db, actor, (tx) => sqlState(tx.query(list, [orgs.a])))).toBe('42501');
    }
  });
});

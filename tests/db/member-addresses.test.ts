// The organization's members' addresses (public.member_addresses): the extension leaves them out
// of customer lookups. Members get their organization's list; nobody else gets any.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './harness.ts';
import { asActor, createTenants, orgs, sqlState } from './tenants.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
  await createTenants(t.db);
  // A member whose auth address is written in capitals: the list holds it lowercased.
  await t.db.exec(`update auth.users set email = 'Rep@A.test' where email = 'rep@a.test'`);
});
afterAll(async () => {
  await t?.close();
});

const list = 'select a from public.member_addresses($1) as a';

describe('member_addresses', () => {
  it("gives a member their organization's members' addresses, lowercased, and nobody else's", async () => {
    const addresses = await asActor(t.db, 'rep', async (tx) => (await tx.query<{ a: string }>(list, [orgs.a])).rows.map((r) => r.a));
    expect(addresses).toEqual(['admin@a.test', 'rep@a.test', 'staff@a.test']);
  });

  it("gives B's members B's list, without A's members who are not in B", async () => {
    const addresses = await asActor(t.db, 'otherAdmin', async (tx) => (await tx.query<{ a: string }>(list, [orgs.b])).rows.map((r) => r.a));
    expect(addresses).toEqual(['admin@b.test', 'rep@a.test', 'staff@a.test']);
  });

  it('refuses a non-member with 42501 naming p_org', async () => {
    await asActor(t.db, 'otherAdmin', async (tx) => {
      await expect(tx.query(list, [orgs.a])).rejects.toMatchObject({ code: '42501', message: expect.stringContaining('p_org') });
    });
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

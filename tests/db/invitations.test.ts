// Membership by consent: an admin invites an email address with a role; the person with that
// address sees the invitation (my_invitations) and accepts it, which makes them a member, or
// declines it. Nobody can be added to an organization by someone else; expired, revoked and
// someone else's invitations cannot be accepted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptInvitationResultSchema, declineInvitationResultSchema, myInvitationsResultSchema } from '../../shared/api.ts';
import type { Queryable } from '../../supabase/local/db.ts';
import { freshDb, type TestDb } from './harness.ts';
import { asUser, createTenants, orgs, rows, sqlState, users, type UserName } from './tenants.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
  await createTenants(t.db);
});
afterAll(async () => {
  await t?.close();
});

const A = orgs.a;

const one = async <T>(tx: Queryable, sql: string, params: unknown[] = []) => (await tx.query<{ v: T }>(sql, params)).rows[0]!.v;
const as = <T>(user: UserName, fn: (tx: Queryable) => Promise<T>) => asUser(t.db, user, fn, { commit: true });
const invitationsOf = (user: UserName) => as(user, async (tx) => myInvitationsResultSchema.parse(await one(tx, `select coalesce(jsonb_agg(i), '[]') as v from public.my_invitations() i`)));
// (As JSON, the way PostgREST answers: timestamps as strings.)
const isMember = async (user: UserName, org = A) =>
  (await t.db.query('select 1 from public.members where org_id = $1 and user_id = $2', [org, users[user]])).rows.length === 1;

/** An invitation of A for the newcomer (newcomer@c.test), made directly in the database as Studio would. */
async function inviteNewcomer(extra = ''): Promise<string> {
  const { rows: made } = await t.db.query<{ id: string }>(
    `insert into public.invitations (org_id, email, role${extra ? ', created_at, expires_at' : ''})
     values ($1, 'newcomer@c.test', 'staff'${extra}) returning id`,
    [A],
  );
  return made[0]!.id;
}

describe('invitations', () => {
  it('an admin invites an address (stored normalised, in the admin’s name); the invitee sees it with the organization and inviter', async () => {
    const id = await as('admin', (tx) =>
      one<string>(tx, `insert into public.invitations (org_id, email, role) values ($1, '  NewComer@C.TEST ', 'rep') returning id as v`, [A]),
    );
    const { rows: stored } = await t.db.query('select email, role::text, invited_by, expires_at - created_at as ttl from public.invitations where id = $1', [id]);
    expect(stored[0]).toMatchObject({ email: 'newcomer@c.test', role: 'rep', invited_by: users.admin });
    const invitations = await invitationsOf('newcomer');
    expect(invitations).toEqual([
      expect.objectContaining({ invitation_id: id, org_id: A, org_name: 'Org A', role: 'rep', invited_by_name: 'Ada Admin' }),
    ]);
    // Nobody else sees it.
    expect((await invitationsOf('rep')).map((i) => i.invitation_id)).not.toContain(id);
  });

  it('refuses an address that is not one', async () => {
    expect(await sqlState(t.db.query(`insert into public.invitations (org_id, email) values ($1, 'not an address')`, [A]))).toBe('23514');
  });

  it('an admin cannot make someone a member without their consent', async () => {
    expect(await sqlState(as('admin', (tx) => tx.query(`insert into public.members (org_id, user_id, role) values ($1, $2, 'staff')`, [A, users.newcomer])))).toBe('42501');
    expect(await isMember('newcomer')).toBe(false);
  });

  it('accepting makes the invitee a member with the invited role, once, however often it is repeated', async () => {
    const [pending] = await invitationsOf('newcomer');
    const first = await as('newcomer', async (tx) => acceptInvitationResultSchema.parse(await one(tx, 'select public.accept_invitation($1) as v', [pending!.invitation_id])));
    expect(first).toMatchObject({ invitation_id: pending!.invitation_id, org_id: A, org_name: 'Org A', role: 'rep', status: 'accepted' });
    const again = await as('newcomer', (tx) => one(tx, 'select public.accept_invitation($1) as v', [pending!.invitation_id]));
    expect(again).toEqual(first);
    expect(await isMember('newcomer')).toBe(true);
    const orgsOfNewcomer = await as('newcomer', async (tx) => (await tx.query<{ org_id: string; role: string }>('select org_id, role::text from public.my_orgs()')).rows);
    expect(orgsOfNewcomer).toEqual([{ org_id: A, role: 'rep' }]);
    expect(await invitationsOf('newcomer')).toEqual([]);
    // An accepted invitation cannot be declined afterwards.
    expect(await sqlState(as('newcomer', (tx) => tx.query('select public.decline_invitation($1)', [pending!.invitation_id])))).toBe('22023');
    // The new member is an ordinary one: an admin can change their role and remove them.
    await as('admin', (tx) => tx.query(`update public.members set role = 'staff' where org_id = $1 and user_id = $2`, [A, users.newcomer]));
    await as('admin', (tx) => tx.query(`delete from public.members where org_id = $1 and user_id = $2`, [A, users.newcomer]));
    expect(await isMember('newcomer')).toBe(false);
    // Removed members do not come back by replaying their old acceptance.
    await as('newcomer', (tx) => tx.query('select public.accept_invitation($1)', [pending!.invitation_id]));
    expect(await isMember('newcomer')).toBe(false);
  });

  it('refuses an expired invitation, and does not list it', async () => {
    const id = await inviteNewcomer(`, now() - interval '20 days', now() - interval '6 days'`);
    expect((await invitationsOf('newcomer')).map((i) => i.invitation_id)).not.toContain(id);
    const refusal = as('newcomer', (tx) => tx.query('select public.accept_invitation($1)', [id]));
    await expect(refusal).rejects.toMatchObject({ code: '22023', message: expect.stringContaining('p_invitation: this invitation expired') });
    expect(await isMember('newcomer')).toBe(false);
  });

  it('refuses an invitation an admin revoked', async () => {
    const id = await inviteNewcomer();
    expect((await invitationsOf('newcomer')).map((i) => i.invitation_id)).toContain(id);
    await as('admin', (tx) => tx.query('update public.invitations set revoked_at = now() where id = $1', [id]));
    expect((await invitationsOf('newcomer')).map((i) => i.invitation_id)).not.toContain(id);
    const refusal = as('newcomer', (tx) => tx.query('select public.accept_invitation($1)', [id]));
    await expect(refusal).rejects.toMatchObject({ code: '22023', message: expect.stringContaining('withdrawn') });
    expect(await isMember('newcomer')).toBe(false);
  });

  it('declining records the answer, makes nobody a member, and cannot be turned into an acceptance', async () => {
    const id = await inviteNewcomer();
    const declined = await as('newcomer', async (tx) => declineInvitationResultSchema.parse(await one(tx, 'select public.decline_invitation($1) as v', [id])));
    expect(declined).toMatchObject({ invitation_id: id, status: 'declined' });
    expect(await as('newcomer', (tx) => one(tx, 'select public.decline_invitation($1) as v', [id]))).toEqual(declined);
    expect(await isMember('newcomer')).toBe(false);
    expect(await sqlState(as('newcomer', (tx) => tx.query('select public.accept_invitation($1)', [id])))).toBe('22023');
    expect(await isMember('newcomer')).toBe(false);
  });

  it("refuses someone else's invitation exactly like one that does not exist", async () => {
    const refusal = as('rep', (tx) => tx.query('select public.accept_invitation($1)', [rows.invitationToStranger]));
    await expect(refusal).rejects.toMatchObject({ code: '22023', message: expect.stringContaining(`no invitation ${rows.invitationToStranger} addressed to you`) });
  });

  it('the first admin of a new organization is set up from the SQL editor (as postgres)', async () => {
    const org = '00000000-0000-4000-8000-00000000e001';
    await t.db.exec(`
      insert into public.organizations (id, name) values ('${org}', 'New team');
      insert into public.members (org_id, user_id, role) values ('${org}', '${users.newcomer}', 'admin');
    `);
    expect(await isMember('newcomer', org)).toBe(true);
    // …who then invites the team from the extension's Supabase session or Studio.
    const id = await as('newcomer', (tx) => one<string>(tx, `insert into public.invitations (org_id, email, role) values ($1, 'admin@b.test', 'staff') returning id as v`, [org]));
    await as('otherAdmin', (tx) => tx.query('select public.accept_invitation($1)', [id]));
    expect(await isMember('otherAdmin', org)).toBe(true);
  });
});

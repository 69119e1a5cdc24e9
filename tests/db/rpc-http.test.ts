// The RPC hardening through the API, as the extension reaches it: @supabase/supabase-js sends a
// JSON body, which PostgREST (here the local API) binds to the function's parameters. Wrongly
// shaped arrays are refused with 22023 naming the argument; an invitation is listed and accepted
// by the person it is addressed to.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { myInvitationsResultSchema } from '../../shared/api.ts';
import { startTestStack } from './harness.ts';

let stack: Awaited<ReturnType<typeof startTestStack>>;
const ORG = '00000000-0000-4000-8000-00000000e101';
const password = 'correct horse battery';

const client = () => createClient(stack.apiUrl, stack.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
const count = async (sql: string) => Number((await stack.db.query<{ n: string }>(sql)).rows[0]!.n);

let admin: SupabaseClient;

beforeAll(async () => {
  stack = await startTestStack();
  admin = client();
  const { data, error } = await admin.auth.signUp({ email: 'first.admin@example.com', password });
  if (error) throw error;
  // The first admin, as the README's deploy steps make them: in the SQL editor, as postgres.
  await stack.db.query(`insert into public.organizations (id, name) values ($1, 'HTTP team')`, [ORG]);
  await stack.db.query(`insert into public.members (org_id, user_id, role, display_name) values ($1, $2, 'admin', 'First Admin')`, [ORG, data.user!.id]);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('array arguments over the API', () => {
  it.each([
    ['nested arrays', [['a', 'b'], ['c', 'd']], 'p_tags[0] must be a string, not array'],
    ['an object', [{ a: 1 }], 'p_tags[0] must be a string, not object'],
    ['numbers', [1, 2], 'p_tags[0] must be a string, not number'],
  ])('tag_customer refuses %s as p_tags and writes nothing', async (_label, tags, message) => {
    const before = await count('select count(*) as n from public.tags');
    const { error } = await admin.rpc('tag_customer', {
      p_org: ORG,
      p_identifier: { kind: 'email', value: 'shape@example.com' },
      p_tags: tags as never,
      p_request_id: randomUUID(),
    });
    expect(error).toMatchObject({ code: '22023', message: expect.stringContaining(message) });
    expect(await count('select count(*) as n from public.tags')).toBe(before);
    expect(await count(`select count(*) as n from public.customers where org_id = '${ORG}'`)).toBe(0);
  });

  it('tag_customer takes a flat array of names', async () => {
    const { data, error } = await admin.rpc('tag_customer', {
      p_org: ORG,
      p_identifier: { kind: 'email', value: 'shape@example.com' },
      p_tags: ['VIP', 'Trade fair'],
      p_request_id: randomUUID(),
    });
    expect(error).toBeNull();
    expect(data).toMatchObject({ created: true, added_tags: ['Trade fair', 'VIP'] });
  });
});

describe('invitations over the API', () => {
  it('the invitee signs up, sees the invitation and accepts it; then they are a member', async () => {
    await stack.db.query(`insert into public.invitations (org_id, email, role) values ($1, 'Li.Wei@Example.com', 'rep')`, [ORG]);
    const invitee = client();
    const { error: signUpError } = await invitee.auth.signUp({ email: 'li.wei@example.com', password });
    expect(signUpError).toBeNull();
    expect((await invitee.rpc('my_orgs')).data).toEqual([]);

    const listed = await invitee.rpc('my_invitations');
    expect(listed.error).toBeNull();
    const invitations = myInvitationsResultSchema.parse(listed.data);
    expect(invitations).toEqual([expect.objectContaining({ org_id: ORG, org_name: 'HTTP team', role: 'rep' })]);

    // Someone else cannot take it.
    const stranger = client();
    await stranger.auth.signUp({ email: 'stranger@example.com', password });
    expect((await stranger.rpc('accept_invitation', { p_invitation: invitations[0]!.invitation_id })).error).toMatchObject({ code: '22023' });

    const accepted = await invitee.rpc('accept_invitation', { p_invitation: invitations[0]!.invitation_id });
    expect(accepted.error).toBeNull();
    expect(accepted.data).toMatchObject({ org_id: ORG, role: 'rep', status: 'accepted' });
    expect((await invitee.rpc('my_orgs')).data).toEqual([expect.objectContaining({ org_id: ORG, role: 'rep' })]);
    expect((await stranger.rpc('my_orgs')).data).toEqual([]);
  });
});

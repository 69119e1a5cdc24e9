// @supabase/supabase-js, unchanged, against the local API: Auth (GoTrue) and RPC (PostgREST).
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack } from './harness.ts';

type TestStack = Awaited<ReturnType<typeof startTestStack>>;
let stack: TestStack;

const client = (key = stack.anonKey) =>
  createClient(stack.apiUrl, key, { auth: { persistSession: false, autoRefreshToken: false } });

const password = 'correct horse battery';

beforeAll(async () => {
  stack = await startTestStack();
  // A table guarded by row-level security and two functions over it, to see the API's roles at work.
  await stack.db.exec(`
    create table public.api_probe (id serial primary key, owner uuid not null, body text not null);
    alter table public.api_probe enable row level security;
    create policy "Owners can read their rows" on public.api_probe for select to authenticated using (owner = (select auth.uid()));
    grant select on public.api_probe to authenticated;
    revoke all on public.api_probe from anon;
    create function public.probe_rows() returns setof public.api_probe language sql stable security invoker
      as $$ select * from public.api_probe order by id $$;
    create function public.probe_whoami(greeting text default 'hi') returns jsonb language sql stable security invoker
      as $$ select jsonb_build_object('greeting', greeting, 'role', auth.role(), 'uid', auth.uid(), 'current_user', current_user) $$;
    create function public.probe_add(a integer, b integer) returns integer language sql immutable as $$ select a + b $$;
    create function public.probe_fail(code text) returns void language plpgsql as $$
      begin raise exception 'probe failed: %', code using errcode = code, hint = 'a hint', detail = 'a detail'; end $$;
    create function public.probe_admin_only() returns integer language sql as $$ select 1 $$;
    revoke execute on function public.probe_admin_only() from public, anon, authenticated;
  `);
});

afterAll(async () => {
  await stack?.stop();
});

describe('auth', () => {
  it('signs up, signs in, refreshes with rotation and reads the user', async () => {
    const supabase = client();
    const signUp = await supabase.auth.signUp({ email: 'Rep.One@Example.com', password });
    expect(signUp.error).toBeNull();
    expect(signUp.data.user?.email).toBe('rep.one@example.com');
    expect(signUp.data.session?.access_token).toBeTruthy();

    const signIn = await supabase.auth.signInWithPassword({ email: 'rep.one@example.com', password });
    expect(signIn.error).toBeNull();
    const session = signIn.data.session!;
    const [, payload] = session.access_token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    expect(claims).toMatchObject({
      sub: signUp.data.user!.id,
      role: 'authenticated',
      aud: 'authenticated',
      email: 'rep.one@example.com',
    });
    expect(typeof claims.session_id).toBe('string');
    expect(claims.exp - claims.iat).toBe(3600);

    const user = await supabase.auth.getUser();
    expect(user.error).toBeNull();
    expect(user.data.user?.id).toBe(signUp.data.user!.id);

    const refreshed = await supabase.auth.refreshSession();
    expect(refreshed.error).toBeNull();
    expect(refreshed.data.session!.refresh_token).not.toBe(session.refresh_token);
    const newClaims = JSON.parse(Buffer.from(refreshed.data.session!.access_token.split('.')[1]!, 'base64url').toString());
    expect(newClaims.session_id).toBe(claims.session_id);

    // The rotated-out token is refused once the reuse interval has passed; simulate its passing.
    await stack.db.query(`update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = $1`, [session.refresh_token]);
    const reuse = await client().auth.refreshSession({ refresh_token: session.refresh_token });
    expect(reuse.error?.status).toBe(400);
    expect(reuse.error?.code).toBe('refresh_token_already_used');
  });

  it('refuses a wrong password with GoTrue error shape', async () => {
    const res = await fetch(`${stack.apiUrl}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { apikey: stack.anonKey, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' },
      body: JSON.stringify({ email: 'rep.one@example.com', password: 'not the password' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 'invalid_credentials', message: 'Invalid login credentials' });

    const { data, error } = await client().auth.signInWithPassword({ email: 'rep.one@example.com', password: 'nope-nope' });
    expect(data.session).toBeNull();
    expect(error?.status).toBe(400);
    expect(error?.code).toBe('invalid_credentials');
    expect(error?.message).toBe('Invalid login credentials');
  });

  it('refuses a duplicate sign-up and a short password', async () => {
    const dup = await client().auth.signUp({ email: 'rep.one@example.com', password });
    expect(dup.error?.code).toBe('user_already_exists');
    expect(dup.error?.status).toBe(422);
    const weak = await client().auth.signUp({ email: 'weak@example.com', password: 'short' });
    expect(weak.error?.code).toBe('weak_password');
    const { rows } = await stack.db.query(`select 1 from auth.users where email = 'weak@example.com'`);
    expect(rows).toHaveLength(0);
  });

  it('ends the session on sign-out', async () => {
    const supabase = client();
    await supabase.auth.signUp({ email: 'leaver@example.com', password });
    const { data } = await supabase.auth.signInWithPassword({ email: 'leaver@example.com', password });
    const token = data.session!.access_token;
    expect((await supabase.auth.signOut()).error).toBeNull();
    const res = await fetch(`${stack.apiUrl}/auth/v1/user`, { headers: { apikey: stack.anonKey, authorization: `Bearer ${token}` } });
    expect(res.status).toBe(403);
    expect((await res.json()).error_code).toBe('session_not_found');
  });

  it('wants an API key', async () => {
    const res = await fetch(`${stack.apiUrl}/auth/v1/settings`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: 'No API key found in request' });
  });
});

describe('rpc', () => {
  let alice: SupabaseClient;
  let aliceId: string;

  beforeAll(async () => {
    alice = client();
    const { data } = await alice.auth.signUp({ email: 'alice@example.com', password });
    aliceId = data.user!.id;
    const bob = await client().auth.signUp({ email: 'bob@example.com', password });
    await stack.db.query(`insert into public.api_probe (owner, body) values ($1, 'alice 1'), ($2, 'bob 1'), ($1, 'alice 2')`, [
      aliceId,
      bob.data.user!.id,
    ]);
  });

  it('lets row-level security decide what anon and a signed-in user see', async () => {
    const anon = await client().rpc('probe_rows');
    expect(anon.error).toMatchObject({ code: '42501' });
    expect(anon.status).toBe(401);

    const mine = await alice.rpc('probe_rows');
    expect(mine.error).toBeNull();
    expect((mine.data as Array<{ body: string }>).map((r) => r.body)).toEqual(['alice 1', 'alice 2']);

    const service = await client(stack.serviceRoleKey).rpc('probe_rows');
    expect((service.data as unknown[]).length).toBe(3);
  });

  it('sets the role and claims for the transaction', async () => {
    const anon = await client().rpc('probe_whoami');
    expect(anon.data).toEqual({ greeting: 'hi', role: 'anon', uid: null, current_user: 'anon' });
    const signedIn = await alice.rpc('probe_whoami', { greeting: 'hello' });
    expect(signedIn.data).toEqual({ greeting: 'hello', role: 'authenticated', uid: aliceId, current_user: 'authenticated' });
  });

  it('passes named arguments with their types and returns scalars as JSON', async () => {
    const { data, error } = await alice.rpc('probe_add', { a: 2, b: 40 });
    expect(error).toBeNull();
    expect(data).toBe(42);
    const get = await fetch(`${stack.apiUrl}/rest/v1/rpc/probe_add?a=1&b=2`, { headers: { apikey: stack.anonKey } });
    expect(await get.json()).toBe(3);
  });

  it('passes strings with quotes, backslashes and dollar quotes through unchanged', async () => {
    const greeting = `it's "quoted" \\ back\\slash \\' E'x' $$dollar$$ $1 ; select 1; -- ünïcødé 🙂`;
    const posted = await alice.rpc('probe_whoami', { greeting });
    expect(posted.error).toBeNull();
    expect(posted.data).toMatchObject({ greeting, role: 'authenticated', uid: aliceId });
    const get = await fetch(`${stack.apiUrl}/rest/v1/rpc/probe_whoami?${new URLSearchParams({ greeting })}`, { headers: { apikey: stack.anonKey } });
    expect(await get.json()).toMatchObject({ greeting, role: 'anon' });
  });

  it('lets Postgres refuse a role that holds a NUL character, as a parameter', async () => {
    const token = await new SignJWT({ role: 'authenticated\u0000', sub: aliceId, aud: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(stack.jwtSecret));
    const res = await fetch(`${stack.apiUrl}/rest/v1/rpc/probe_whoami`, {
      method: 'POST',
      headers: { apikey: stack.anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('22021');
  });

  it('answers 404 for an unknown function or unknown arguments', async () => {
    const missing = await alice.rpc('no_such_function');
    expect(missing.status).toBe(404);
    expect(missing.error?.code).toBe('PGRST202');
    const wrongArgs = await alice.rpc('probe_add', { a: 1, c: 2 });
    expect(wrongArgs.status).toBe(404);
    expect(wrongArgs.error?.code).toBe('PGRST202');
  });

  it('maps database errors to PostgREST statuses with code, message, details and hint', async () => {
    const raised = await alice.rpc('probe_fail', { code: 'P0001' });
    expect(raised.status).toBe(400);
    expect(raised.error).toEqual({ code: 'P0001', message: 'probe failed: P0001', details: 'a detail', hint: 'a hint' });
    expect((await alice.rpc('probe_fail', { code: '23505' })).status).toBe(409);
    expect((await alice.rpc('probe_fail', { code: '22023' })).status).toBe(400);
    expect((await alice.rpc('probe_fail', { code: 'PT418' })).status).toBe(418);
    const denied = await alice.rpc('probe_admin_only');
    expect(denied.status).toBe(403);
    expect(denied.error?.code).toBe('42501');
  });

  it('answers 400 with a clear message for malformed JSON', async () => {
    const res = await fetch(`${stack.apiUrl}/rest/v1/rpc/probe_add`, {
      method: 'POST',
      headers: { apikey: stack.anonKey, 'content-type': 'application/json' },
      body: '{"a": 1,',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'PGRST102', message: 'Empty or invalid json' });
  });

  it('refuses a tampered or expired token with 401', async () => {
    const { data } = await alice.auth.getSession();
    const token = data.session!.access_token;
    const [h, p, s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), role: 'service_role' })).toString(
      'base64url',
    );
    const tampered = await fetch(`${stack.apiUrl}/rest/v1/rpc/probe_rows`, {
      method: 'POST',
      headers: { apikey: stack.anonKey, authorization: `Bearer ${h}.${forged}.${s}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(tampered.status).toBe(401);
    expect((await tampered.json()).code).toBe('PGRST301');

    const expired = await new SignJWT({ role: 'authenticated', sub: aliceId, aud: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(stack.jwtSecret));
    const res = await fetch(`${stack.apiUrl}/rest/v1/rpc/probe_rows`, {
      method: 'POST',
      headers: { apikey: stack.anonKey, authorization: `Bearer ${expired}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 'PGRST303', details: null, hint: null, message: 'JWT expired' });
  });
});

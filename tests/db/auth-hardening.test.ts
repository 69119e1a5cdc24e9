// The local API's auth against what an attacker tries: reuse of a rotated refresh token, passwords
// past bcrypt's 72 bytes, hostile or malformed bodies, request floods, closed sign-ups and bodies
// over the size limit on a keep-alive connection. Answers are GoTrue's (status, error_code, msg).
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../supabase/local/api/http.ts';
import { readConfig } from '../../supabase/local/config.ts';
import { startTestStack } from './harness.ts';

type TestStack = Awaited<ReturnType<typeof startTestStack>>;
let stack: TestStack;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(path: string, init: { method?: string; body?: string | object; token?: string; base?: TestStack } = {}): Promise<Answer> {
  const target = init.base ?? stack;
  const headers: Record<string, string> = { apikey: target.anonKey, 'content-type': 'application/json' };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const res = await fetch(`${target.apiUrl}/auth/v1${path}`, {
    method: init.method ?? 'POST',
    headers,
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const password = 'correct horse battery';

async function signUp(email: string, secret = password) {
  const answer = await call('/signup', { body: { email, password: secret } });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as { access_token: string; refresh_token: string; user: { id: string } };
}

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

describe('refresh token reuse', () => {
  it('ends the whole session, and the ending stays although the request answers an error', async () => {
    const first = await signUp('reuse@example.com');
    const second = await call('/token?grant_type=refresh_token', { body: { refresh_token: first.refresh_token } });
    expect(second.status).toBe(200);
    const newest = second.body as { access_token: string; refresh_token: string };

    // The rotated-out token comes back after the reuse interval (10 s in config.toml): simulate its passing.
    await stack.db.query(`update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = $1`, [first.refresh_token]);
    const reuse = await call('/token?grant_type=refresh_token', { body: { refresh_token: first.refresh_token } });
    expect(reuse).toEqual({ status: 400, body: { code: 400, error_code: 'refresh_token_already_used', msg: 'Invalid Refresh Token: Already Used' } });

    // Committed: the session and all its refresh tokens are gone, so the newest ones are worthless.
    const { rows } = await stack.db.query(
      `select (select count(*) from auth.sessions where user_id = $1)::int as sessions,
              (select count(*) from auth.refresh_tokens where user_id = $1::text)::int as tokens`,
      [first.user.id],
    );
    expect(rows[0]).toEqual({ sessions: 0, tokens: 0 });
    const stolen = await call('/token?grant_type=refresh_token', { body: { refresh_token: newest.refresh_token } });
    expect(stolen.status).toBe(400);
    expect(stolen.body.error_code).toBe('refresh_token_not_found');
    const user = await call('/user', { method: 'GET', token: newest.access_token });
    expect(user.status).toBe(403);
    expect(user.body.error_code).toBe('session_not_found');
  });
});

describe('passwords longer than bcrypt reads', () => {
  const tooLong = { status: 400, body: { code: 400, error_code: 'validation_failed', msg: 'Password cannot be longer than 72 characters' } };

  it('refuses more than 72 bytes at sign-up, counting bytes rather than characters', async () => {
    expect(await call('/signup', { body: { email: 'long@example.com', password: 'A'.repeat(73) } })).toEqual(tooLong);
    // 37 characters, 74 bytes in UTF-8.
    expect(await call('/signup', { body: { email: 'long@example.com', password: 'é'.repeat(37) } })).toEqual(tooLong);
    const { rows } = await stack.db.query(`select 1 from auth.users where email = 'long@example.com'`);
    expect(rows).toHaveLength(0);
  });

  it('accepts exactly 72 bytes, and a longer password with the same first 72 bytes does not sign in', async () => {
    const exact = 'A'.repeat(72);
    await signUp('exact@example.com', exact);
    expect((await call('/token?grant_type=password', { body: { email: 'exact@example.com', password: exact } })).status).toBe(200);
    const longer = await call('/token?grant_type=password', { body: { email: 'exact@example.com', password: `${exact}anything` } });
    expect(longer).toEqual({ status: 400, body: { code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' } });
  });

  it('refuses more than 72 bytes on a password change, and a change within them works', async () => {
    const session = await signUp('changer@example.com');
    expect(await call('/user', { method: 'PUT', token: session.access_token, body: { password: 'B'.repeat(73) } })).toEqual(tooLong);
    const same = await call('/user', { method: 'PUT', token: session.access_token, body: { password } });
    expect(same.status).toBe(422);
    expect(same.body.error_code).toBe('same_password');
    const changed = await call('/user', { method: 'PUT', token: session.access_token, body: { password: 'a new long passphrase' } });
    expect(changed.status).toBe(200);
    expect((await call('/token?grant_type=password', { body: { email: 'changer@example.com', password } })).status).toBe(400);
    expect((await call('/token?grant_type=password', { body: { email: 'changer@example.com', password: 'a new long passphrase' } })).status).toBe(200);
  });
});

describe('bad input', () => {
  const nul = 'a\u0000b';
  const cases: Array<{ name: string; path: string; body: string | object; status: number; errorCode: string; msg?: string }> = [
    { name: 'malformed JSON', path: '/signup', body: '{"email": "x@example.com", ', status: 400, errorCode: 'bad_json' },
    { name: 'a JSON array', path: '/signup', body: '[1, 2]', status: 400, errorCode: 'bad_json' },
    { name: 'a JSON string', path: '/token?grant_type=password', body: '"hello"', status: 400, errorCode: 'bad_json' },
    { name: 'email as a number', path: '/signup', body: { email: 42, password }, status: 400, errorCode: 'bad_json' },
    { name: 'password as an object', path: '/token?grant_type=password', body: { email: 'x@example.com', password: { $ne: '' } }, status: 400, errorCode: 'bad_json' },
    { name: 'data as a string', path: '/signup', body: { email: 'data@example.com', password, data: 'admin' }, status: 400, errorCode: 'bad_json' },
    { name: 'refresh_token as an array', path: '/token?grant_type=refresh_token', body: { refresh_token: ['a'] }, status: 400, errorCode: 'bad_json' },
    { name: 'NUL in the email at sign-up', path: '/signup', body: { email: `${nul}@example.com`, password }, status: 400, errorCode: 'validation_failed' },
    { name: 'NUL in the email at sign-in', path: '/token?grant_type=password', body: { email: `${nul}@example.com`, password }, status: 400, errorCode: 'validation_failed' },
    { name: 'NUL in the password', path: '/signup', body: { email: 'nul@example.com', password: `pass${nul}word` }, status: 400, errorCode: 'validation_failed' },
    { name: 'NUL in user metadata', path: '/signup', body: { email: 'nul@example.com', password, data: { name: nul } }, status: 400, errorCode: 'validation_failed' },
    { name: 'NUL in a refresh token', path: '/token?grant_type=refresh_token', body: { refresh_token: nul }, status: 400, errorCode: 'validation_failed' },
    {
      name: 'an email over 255 characters at sign-up',
      path: '/signup',
      body: { email: `${'a'.repeat(250)}@example.com`, password },
      status: 400,
      errorCode: 'validation_failed',
      msg: 'An email address is too long',
    },
    {
      name: 'an email over 255 characters at sign-in',
      path: '/token?grant_type=password',
      body: { email: `${'a'.repeat(250)}@example.com`, password },
      status: 400,
      errorCode: 'validation_failed',
      msg: 'An email address is too long',
    },
    { name: 'an email that is not one', path: '/signup', body: { email: 'not an email', password }, status: 400, errorCode: 'email_address_invalid' },
    { name: 'a refresh token over 255 characters', path: '/token?grant_type=refresh_token', body: { refresh_token: 'r'.repeat(5000) }, status: 400, errorCode: 'refresh_token_not_found' },
  ];

  it.each(cases)('$name → $status $errorCode in GoTrue shape, nothing written', async ({ path, body, status, errorCode, msg }) => {
    const before = await stack.db.query<{ n: number }>('select count(*)::int as n from auth.users');
    const answer = await call(path, { body });
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    expect(Object.keys(answer.body).sort()).toEqual(['code', 'error_code', 'msg']);
    expect(answer.body).toMatchObject({ code: status, error_code: errorCode, ...(msg ? { msg } : {}) });
    const after = await stack.db.query<{ n: number }>('select count(*)::int as n from auth.users');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });
});

describe('config.toml', () => {
  it('gives the local stack enable_signup and the Supabase CLI\'s [auth.rate_limit] keys', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'portrait-config-'));
    try {
      const file = path.join(folder, 'config.toml');
      await writeFile(file, '[auth]\nenable_signup = false\n\n[auth.rate_limit]\nsign_in_sign_ups = 7\ntoken_refresh = 9\n');
      expect(readConfig(file)).toMatchObject({ enableSignup: false, rateLimit: { signInSignUps: 7, tokenRefresh: 9 } });
      // Absent keys: sign-ups open, the CLI's defaults.
      await writeFile(file, '[auth]\njwt_expiry = 3600\n');
      expect(readConfig(file)).toMatchObject({ enableSignup: true, rateLimit: { signInSignUps: 30, tokenRefresh: 150 } });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    // The project's own file keeps the test suite and the browser tests well under its limits.
    expect(readConfig()).toMatchObject({ enableSignup: true, rateLimit: { signInSignUps: 300, tokenRefresh: 600 } });
  });
});

describe('rate limits and closed sign-ups (a stack with small limits)', () => {
  let small: TestStack;
  beforeAll(async () => {
    small = await startTestStack({ config: { enableSignup: false, rateLimit: { signInSignUps: 3, tokenRefresh: 2 } } });
    // Sign-ups are closed: the member is created as an administrator would, in the database.
    const id = randomUUID();
    await small.db.query(
      `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data,
         raw_user_meta_data, created_at, updated_at, confirmation_token, recovery_token, email_change_token_new, email_change)
       values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', 'member@example.com', $2, now(),
         '{"provider":"email","providers":["email"]}', '{}', now(), now(), '', '', '', '')`,
      [id, bcrypt.hashSync(password, 4)],
    );
  });
  afterAll(async () => {
    await small?.stop();
  });

  it('reports and honours enable_signup = false', async () => {
    const settings = await call('/settings', { method: 'GET', base: small });
    expect(settings.body.disable_signup).toBe(true);
    expect((await call('/settings', { method: 'GET' })).body.disable_signup).toBe(false);
    const signup = await call('/signup', { base: small, body: { email: 'newcomer@example.com', password } });
    expect(signup).toEqual({ status: 422, body: { code: 422, error_code: 'signup_disabled', msg: 'Signups not allowed for this instance' } });
    const { rows } = await small.db.query(`select 1 from auth.users where email = 'newcomer@example.com'`);
    expect(rows).toHaveLength(0);
  });

  it('answers 429 past sign_in_sign_ups (sign-ups and sign-ins together) and token_refresh', async () => {
    // The sign-up above counted once: two sign-ins are left.
    const signIn = () => call('/token?grant_type=password', { base: small, body: { email: 'member@example.com', password } });
    const first = await signIn();
    expect(first.status).toBe(200);
    expect((await signIn()).status).toBe(200);
    expect(await signIn()).toEqual({ status: 429, body: { code: 429, error_code: 'over_request_rate_limit', msg: 'Request rate limit reached' } });
    expect((await call('/signup', { base: small, body: { email: 'other@example.com', password } })).status).toBe(429);

    let token = (first.body as { refresh_token: string }).refresh_token;
    for (let i = 0; i < 2; i += 1) {
      const refreshed = await call('/token?grant_type=refresh_token', { base: small, body: { refresh_token: token } });
      expect(refreshed.status).toBe(200);
      token = (refreshed.body as { refresh_token: string }).refresh_token;
    }
    const limited = await call('/token?grant_type=refresh_token', { base: small, body: { refresh_token: token } });
    expect(limited.status).toBe(429);
    expect(limited.body.error_code).toBe('over_request_rate_limit');
    // The limited request changed nothing: the token is still the session's newest.
    const { rows } = await small.db.query('select revoked from auth.refresh_tokens where token = $1', [token]);
    expect(rows).toEqual([{ revoked: false }]);
  });
});

describe('a body over the size limit', () => {
  function send(agent: Agent, options: { path: string; method: string; body?: Buffer; chunked?: boolean }): Promise<{ status: number; body: string }> {
    const url = new URL(stack.apiUrl);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: options.path,
          method: options.method,
          headers: {
            apikey: stack.anonKey,
            'content-type': 'application/json',
            ...(options.body && !options.chunked ? { 'content-length': options.body.length } : {}),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (options.body && options.chunked) {
        // Sent in pieces with no declared length, so the limit is only found while reading.
        for (let offset = 0; offset < options.body.length; offset += 64 * 1024) req.write(options.body.subarray(offset, offset + 64 * 1024));
        req.end();
      } else {
        req.end(options.body);
      }
    });
  }

  it.each([
    { name: 'with a declared length', chunked: false },
    { name: 'sent in chunks', chunked: true },
  ])('answers 413 and the next request on the same keep-alive agent works ($name)', async ({ chunked }) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const big = Buffer.alloc(MAX_BODY_BYTES + 512 * 1024, 'a');
      const refused = await send(agent, { path: '/rest/v1/rpc/anything', method: 'POST', body: big, chunked });
      expect(refused.status).toBe(413);
      for (let i = 0; i < 3; i += 1) {
        const next = await send(agent, { path: '/auth/v1/health', method: 'GET' });
        expect(next.status).toBe(200);
      }
      const signup = await send(agent, { path: '/auth/v1/signup', method: 'POST', body: big, chunked });
      expect(signup.status).toBe(413);
      expect((await send(agent, { path: '/auth/v1/settings', method: 'GET' })).status).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});

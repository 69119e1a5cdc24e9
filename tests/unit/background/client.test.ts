// The supabase-js layer over a fake HTTP API: where the session is kept, which token RPCs carry,
// and how failures are told apart.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { authKeyPrefix, createAuthStorage, restrictStorageAccess } from '../../../extension/platform/storage/auth-storage.ts';
import { ApiFailure, classifyFailure, createSupabaseBackend } from '../../../extension/background/client.ts';
import { storageArea } from '../../../extension/platform/storage/storage.ts';
import type { QueuedWrite } from '../../../extension/background/write-queue.ts';
import { orgA, userId } from './fakes.ts';

beforeEach(() => {
  // supabase-js logs failed requests and, in a DOM test environment, every new client.
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
});

afterEach(() => {
  fakeBrowser.reset();
  vi.restoreAllMocks();
});

const apiUrl = 'http://127.0.0.1:54321';
const anonKey = 'anon-key-for-tests-0123456789';

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An unsigned JWT is enough: supabase-js only reads its claims. */
function accessToken(expiresIn = 3600): string {
  const now = Math.floor(Date.now() / 1000);
  return `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url({ sub: userId, email: 'rep@lotus.test', role: 'authenticated', exp: now + expiresIn, iat: now, session_id: 's1' })}.sig`;
}

interface Call {
  path: string;
  authorization: string | null;
  body: unknown;
}

function fakeApi(options: { offline?: boolean; rpc?: (name: string, body: unknown) => Response } = {}) {
  const calls: Call[] = [];
  const state = { offline: options.offline ?? false };
  const fetchImpl = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === 'string' && init.body ? JSON.parse(init.body) : null;
    calls.push({ path: url.pathname + url.search, authorization: headers.get('authorization'), body });
    if (state.offline) throw new TypeError('Failed to fetch');
    if (url.pathname === '/auth/v1/token') {
      if (body?.password !== 'correct horse battery') {
        return Response.json({ code: 'invalid_credentials', message: 'Invalid login credentials' }, { status: 400 });
      }
      const token = accessToken();
      return Response.json({
        access_token: token,
        token_type: 'bearer',
        expires_in: 3600,
        expires_at: Math.floor(Date.now() / 1000) + 3600,
        refresh_token: 'refresh-1',
        user: { id: userId, aud: 'authenticated', role: 'authenticated', email: 'rep@lotus.test', app_metadata: {}, user_metadata: {}, created_at: '2026-01-01T00:00:00Z' },
      });
    }
    if (url.pathname === '/auth/v1/logout') return new Response(null, { status: 204 });
    const rpc = /^\/rest\/v1\/rpc\/(.+)$/.exec(url.pathname);
    if (rpc) return options.rpc?.(rpc[1]!, body) ?? Response.json([]);
    return new Response('not found', { status: 404 });
  });
  return { fetch: fetchImpl as unknown as typeof fetch, calls, state };
}

function backendOver(api: ReturnType<typeof fakeApi>) {
  const local = storageArea(fakeBrowser.storage.local);
  return createSupabaseBackend({ apiUrl, anonKey, storage: createAuthStorage(local), fetch: api.fetch });
}

const noteWrite: QueuedWrite = {
  requestId: '00000000-0000-4000-8000-000000000001',
  write: { op: 'note', customerId: '33333333-3333-4333-8333-333333333333', body: 'Called back' },
  orgId: orgA,
  userId,
  enqueuedAt: 0,
  attempts: 0,
  nextAttemptAt: 0,
  lastError: null,
  placeholderCustomerId: null,
  target: null,
};
const context = { orgId: orgA, currency: 'USD' };

describe('Supabase client in the background', () => {
  it('keeps the session in storage.local under its own prefix, and nowhere else', async () => {
    const api = fakeApi();
    const backend = backendOver(api);

    expect(await backend.signIn('rep@lotus.test', 'correct horse battery')).toEqual({ userId, email: 'rep@lotus.test' });

    const local = await fakeBrowser.storage.local.get(null);
    const keys = Object.keys(local);
    expect(keys).toEqual([`${authKeyPrefix}portrait-session`]);
    expect(JSON.parse(local[keys[0]!] as string)).toMatchObject({ refresh_token: 'refresh-1' });
    expect(await fakeBrowser.storage.session.get(null)).toEqual({});
    expect(globalThis.localStorage?.length ?? 0).toBe(0);
  });

  it('sends RPCs with the user’s token and never falls back to the anon key', async () => {
    const api = fakeApi();
    const backend = backendOver(api);

    await expect(backend.myOrgs()).rejects.toMatchObject({ kind: 'signed-out' });
    expect(api.calls.filter((c) => c.path.startsWith('/rest/'))).toEqual([]);

    await backend.signIn('rep@lotus.test', 'correct horse battery');
    await backend.applyWrite(noteWrite, context);
    const rpcCall = api.calls.find((c) => c.path.startsWith('/rest/v1/rpc/'))!;
    expect(rpcCall.authorization).toMatch(/^Bearer ey/);
    expect(rpcCall.authorization).not.toBe(`Bearer ${anonKey}`);
    expect(rpcCall.body).toMatchObject({ p_request_id: noteWrite.requestId });
  });

  it('refuses wrong credentials as refused, and an unreachable API as network', async () => {
    const api = fakeApi();
    await expect(backendOver(api).signIn('rep@lotus.test', 'nope')).rejects.toMatchObject({
      kind: 'refused',
      message: 'Invalid login credentials',
    });
    api.state.offline = true;
    await expect(backendOver(api).signIn('rep@lotus.test', 'correct horse battery')).rejects.toMatchObject({ kind: 'network' });
  });

  it('keeps a write for later when the network fails and drops it when the API refuses it', async () => {
    const api = fakeApi({
      rpc: () => Response.json({ code: '42501', message: 'permission denied', details: null, hint: null }, { status: 403 }),
    });
    const backend = backendOver(api);
    await backend.signIn('rep@lotus.test', 'correct horse battery');

    expect(await backend.applyWrite(noteWrite, context)).toEqual({ ok: false, retry: false, message: 'permission denied' });
    api.state.offline = true;
    expect(await backend.applyWrite(noteWrite, context)).toMatchObject({ ok: false, retry: true });
  });

  it('forgets the session locally on sign-out even when the API cannot be reached', async () => {
    const api = fakeApi();
    const backend = backendOver(api);
    await backend.signIn('rep@lotus.test', 'correct horse battery');
    api.state.offline = true;

    await backend.signOut();

    expect(await fakeBrowser.storage.local.get(null)).toEqual({});
    expect(await backend.currentUser()).toBeNull();
  });

  it.each([
    [{ message: 'TypeError: Failed to fetch' }, 0, 'network'],
    [{ message: 'JWT expired', code: 'PGRST303' }, 401, 'signed-out'],
    [{ message: 'busy' }, 503, 'unavailable'],
    [{ message: 'slow down' }, 429, 'unavailable'],
    [{ message: 'invalid input', code: 'P0001' }, 400, 'refused'],
    [{ message: 'permission denied', code: '42501' }, 403, 'refused'],
  ])('classifies %o with HTTP %i as %s', (error, status, kind) => {
    expect(classifyFailure(error, status)).toMatchObject({ kind });
    expect(classifyFailure(error, status)).toBeInstanceOf(ApiFailure);
  });

  it('restricts storage.local to the extension’s own contexts where the browser allows it', async () => {
    const setAccessLevel = vi.fn(async () => undefined);
    expect(await restrictStorageAccess({ setAccessLevel })).toBe(true);
    expect(setAccessLevel).toHaveBeenCalledWith({ accessLevel: 'TRUSTED_CONTEXTS' });
    expect(await restrictStorageAccess({})).toBe(false);
  });
});

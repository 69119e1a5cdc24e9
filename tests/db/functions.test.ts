// Edge functions run in real Deno behind the local API, with the environment a Supabase project
// gives them and verify_jwt honoured.
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack } from './harness.ts';

let stack: Awaited<ReturnType<typeof startTestStack>>;

beforeAll(async () => {
  stack = await startTestStack({ functions: true });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('functions', () => {
  it('reach a Deno function that sees the verified user and the database', async () => {
    const supabase = createClient(stack.apiUrl, stack.anonKey, { auth: { persistSession: false } });
    const { data: signUp } = await supabase.auth.signUp({ email: 'fn@example.com', password: 'a long password' });
    const { data, error } = await supabase.functions.invoke('session-info', { body: {} });
    expect(error).toBeNull();
    expect(data).toMatchObject({
      user: { id: signUp.user!.id, email: 'fn@example.com' },
      role: 'authenticated',
      database: { reachable: true },
    });
  });

  it('verify the JWT before the function runs', async () => {
    const missing = await fetch(`${stack.apiUrl}/functions/v1/session-info`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(401);
    const forged = await fetch(`${stack.apiUrl}/functions/v1/session-info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.anonKey.slice(0, -2)}xx` },
      body: '{}',
    });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ code: 401, message: 'Invalid JWT' });
    const anon = await fetch(`${stack.apiUrl}/functions/v1/session-info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.anonKey}` },
      body: '{}',
    });
    expect(anon.status).toBe(200);
    expect(await anon.json()).toMatchObject({ user: null, role: 'anon' });
  });

  it('answer 404 for a function that does not exist', async () => {
    const res = await fetch(`${stack.apiUrl}/functions/v1/no-such-function`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.anonKey}` },
    });
    expect(res.status).toBe(404);
  });
});

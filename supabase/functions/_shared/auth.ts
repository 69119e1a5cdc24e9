// Who is calling a function: the service role (its key as the bearer token, as pg_cron and the
// local scheduler send it) or a signed-in user, verified by Supabase Auth.
import { createClient } from '@supabase/supabase-js';
import { requireEnv } from './env.ts';

export type Caller = { kind: 'service' } | { kind: 'user'; id: string; email: string | null };

export function bearer(request: Request): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '');
  return match ? match[1]! : null;
}

/** Equal strings, compared in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let difference = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) difference |= (x[i % (x.length || 1)] ?? 0) ^ (y[i % (y.length || 1)] ?? 0);
  return difference === 0 && x.length === y.length;
}

/** The caller, or null when the token is neither the service role key nor a valid user session. */
export async function identify(request: Request): Promise<Caller | null> {
  const token = bearer(request);
  if (!token) return null;
  if (constantTimeEqual(token, requireEnv('SUPABASE_SERVICE_ROLE_KEY'))) return { kind: 'service' };
  const supabase = createClient(requireEnv('SUPABASE_URL'), requireEnv('SUPABASE_ANON_KEY'), {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
  const { data, error } = await supabase.auth.getUser(token);
  if (error || !data.user) return null;
  return { kind: 'user', id: data.user.id, email: data.user.email ?? null };
}

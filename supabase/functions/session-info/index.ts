// Answers who the caller is, as the platform verified them, and whether the database answers.
// The options page uses it to check a Supabase URL and key with a real call.
import { createClient } from '@supabase/supabase-js';
import postgres from 'postgres';
import { corsHeaders, json, requireEnv } from '../_shared/env.ts';

const supabaseUrl = requireEnv('SUPABASE_URL');
const anonKey = requireEnv('SUPABASE_ANON_KEY');
const sql = postgres(requireEnv('SUPABASE_DB_URL'), { max: 1, prepare: false, idle_timeout: 20 });

Deno.serve(async (request) => {
  if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: corsHeaders });
  const authorization = request.headers.get('authorization') ?? '';
  const token = authorization.replace(/^Bearer\s+/i, '');
  const supabase = createClient(supabaseUrl, anonKey, {
    global: { headers: { authorization } },
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const { data, error } = await supabase.auth.getUser(token);
  const [{ now }] = await sql<{ now: string }[]>`select now()::text as now`;
  if (error || !data.user) {
    // A valid API key without a user session (the anon key).
    return json(200, { user: null, role: 'anon', database: { reachable: true, now } });
  }
  return json(200, {
    user: { id: data.user.id, email: data.user.email ?? null },
    role: data.user.role ?? 'authenticated',
    database: { reachable: true, now },
  });
});

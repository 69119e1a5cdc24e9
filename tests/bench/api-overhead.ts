// The local API's overhead for one RPC: the same call made through /rest/v1/rpc (HTTP, JWT
// verification, role switch, JSON) and as the equivalent SQL sent straight to the database.
import { fromUrl } from '../../supabase/local/db.ts';
import type { Stack } from '../../supabase/local/stack.ts';
import { median, percentile, timeMs } from './stats.ts';

export interface OverheadResult {
  rpc: string;
  calls: number;
  direct: { median: number; p95: number };
  api: { median: number; p95: number };
}

export async function measureApiOverhead(stack: Stack, calls: number): Promise<OverheadResult> {
  const email = `bench-${Date.now()}@example.com`;
  const signup = await fetch(`${stack.apiUrl}/auth/v1/signup`, {
    method: 'POST',
    headers: { apikey: stack.anonKey, 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'benchmark password' }),
  });
  const session = (await signup.json()) as { access_token: string; user: { id: string } };
  if (!session.access_token) throw new Error(`sign-up for the benchmark failed: ${JSON.stringify(session)}`);

  // my_orgs() is the extension's first call after sign-in; fall back to a stand-in before it exists.
  const hasMyOrgs = (await stack.db.query(`select to_regprocedure('public.my_orgs()') is not null as ok`)).rows[0] as { ok: boolean };
  const rpc = hasMyOrgs.ok ? 'my_orgs' : 'bench_whoami';
  if (!hasMyOrgs.ok) {
    await stack.db.exec(`create or replace function public.bench_whoami() returns jsonb language sql stable
      as $$ select jsonb_build_object('uid', auth.uid(), 'role', auth.role()) $$`);
  }

  const claims = JSON.stringify({ sub: session.user.id, role: 'authenticated', aud: 'authenticated', email });
  const direct = fromUrl(stack.dbUrl, { max: 1 });
  const viaSql = () =>
    direct.transaction(async (tx) => {
      await tx.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [claims]);
      return tx.query(`select coalesce(json_agg(t), '[]')::text as body from public.${rpc}() t`);
    });
  const headers = { apikey: stack.anonKey, authorization: `Bearer ${session.access_token}`, 'content-type': 'application/json' };
  const viaApi = async () => {
    const res = await fetch(`${stack.apiUrl}/rest/v1/rpc/${rpc}`, { method: 'POST', headers, body: '{}' });
    if (!res.ok) throw new Error(`rpc ${rpc} answered ${res.status}: ${await res.text()}`);
    await res.text();
  };

  for (let i = 0; i < 50; i++) {
    await viaSql();
    await viaApi();
  }
  const sqlTimes: number[] = [];
  const apiTimes: number[] = [];
  // Interleave the two so that machine noise hits both alike.
  for (let i = 0; i < calls; i++) {
    sqlTimes.push(await timeMs(viaSql));
    apiTimes.push(await timeMs(viaApi));
  }
  await direct.close();
  return {
    rpc,
    calls,
    direct: { median: median(sqlTimes), p95: percentile(sqlTimes, 95) },
    api: { median: median(apiTimes), p95: percentile(apiTimes, 95) },
  };
}

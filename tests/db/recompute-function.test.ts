// The recompute-segments function against the real stack: who may call it (service role key, an
// org admin's session; not staff, reps, other orgs' admins or anonymous callers), the three modes,
// chunking within a budget and resuming, and the runs it leaves in recompute_runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack } from './harness.ts';

let stack: Awaited<ReturnType<typeof startTestStack>>;

const ORG_A = '00000000-0000-4000-8000-00000000e00a';
const ORG_B = '00000000-0000-4000-8000-00000000e00b';
const tokens: Record<'admin' | 'rep' | 'staff' | 'otherAdmin' | 'outsider', string> = {} as never;
const CUSTOMERS_A = 12;

const customerId = (org: string, n: number) => `${org.slice(0, 24)}${org.slice(-3)}${n.toString(16).padStart(9, '0')}`;

async function signUp(email: string): Promise<{ id: string; token: string }> {
  const res = await fetch(`${stack.apiUrl}/auth/v1/signup`, {
    method: 'POST',
    headers: { apikey: stack.anonKey, 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'a long enough password' }),
  });
  const body = (await res.json()) as { access_token?: string; user?: { id: string } };
  if (!body.access_token || !body.user) throw new Error(`sign-up failed: ${JSON.stringify(body)}`);
  return { id: body.user.id, token: body.access_token };
}

interface OrgResult {
  org_id: string;
  status: string;
  run_id: number;
  chunks: number;
  scanned: number;
  next_after: string | null;
}

interface Answer {
  mode?: string;
  complete?: boolean;
  scanned?: number;
  orgs: OrgResult[];
  remaining_orgs?: string[];
  text?: string;
}

async function call(token: string | null, body: unknown): Promise<{ status: number; body: Answer }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${stack.apiUrl}/functions/v1/recompute-segments`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as Answer };
  } catch {
    return { status: res.status, body: { text, orgs: [] } };
  }
}

const runs = async (org: string) =>
  (
    await stack.db.query<{ id: string; kind: string; finished: boolean; error: string | null; scanned: number; changed: number }>(
      `select id::text, kind::text, finished_at is not null as finished, error, customers_scanned as scanned, customers_changed as changed
         from public.recompute_runs where org_id = $1 order by id`,
      [org],
    )
  ).rows;

beforeAll(async () => {
  stack = await startTestStack({ functions: true });
  const users = {
    admin: await signUp('admin@recompute.test'),
    rep: await signUp('rep@recompute.test'),
    staff: await signUp('staff@recompute.test'),
    otherAdmin: await signUp('admin@other.test'),
    outsider: await signUp('outsider@nowhere.test'),
  };
  for (const [name, user] of Object.entries(users)) tokens[name as keyof typeof tokens] = user.token;
  await stack.db.exec(`
    insert into public.organizations (id, name) values ('${ORG_A}', 'Recompute A'), ('${ORG_B}', 'Recompute B');
    insert into public.members (org_id, user_id, role) values
      ('${ORG_A}', '${users.admin.id}', 'admin'),
      ('${ORG_A}', '${users.rep.id}', 'rep'),
      ('${ORG_A}', '${users.staff.id}', 'staff'),
      ('${ORG_B}', '${users.otherAdmin.id}', 'admin');
  `);
  const values: string[] = [];
  for (let n = 1; n <= CUSTOMERS_A; n++) values.push(`('${customerId(ORG_A, n)}', '${ORG_A}', 'Customer ${n}', 'c${n}@a.test')`);
  values.push(`('${customerId(ORG_B, 1)}', '${ORG_B}', 'B customer', 'b1@b.test')`);
  await stack.db.exec(`insert into public.customers (id, org_id, display_name, primary_email) values ${values.join(', ')}`);
  const orders: string[] = [];
  for (let n = 1; n <= CUSTOMERS_A; n++) {
    for (let k = 0; k < (n % 4); k++) {
      orders.push(`('${ORG_A}', '${customerId(ORG_A, n)}', 'manual', 'A-${n}-${k}', now() - interval '${n * 20 + k * 7} days', ${10 * n + k}, 'USD', 'paid')`);
    }
  }
  await stack.db.exec(`insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status) values ${orders.join(', ')}`);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('recompute-segments: who may call it', () => {
  it('answers 401 without a valid JWT', async () => {
    expect((await call(null, { mode: 'full', org_id: ORG_A })).status).toBe(401);
    expect((await call('not.a.jwt', { mode: 'full', org_id: ORG_A })).status).toBe(401);
    // A valid API key that is not a session: the anon key.
    expect((await call(stack.anonKey, { mode: 'full', org_id: ORG_A })).status).toBe(401);
    expect(await runs(ORG_A)).toEqual([]);
  });

  it('answers 403 to staff, reps, other organizations’ admins and non-members', async () => {
    for (const who of ['staff', 'rep', 'otherAdmin', 'outsider'] as const) {
      const res = await call(tokens[who], { mode: 'full', org_id: ORG_A });
      expect(res.status, who).toBe(403);
    }
    expect((await call(tokens.admin, { mode: 'full', org_ids: [ORG_A] })).status).toBe(403);
    expect(await runs(ORG_A)).toEqual([]);
  });

  it('asks an admin to name the organization, and refuses bad requests with 400', async () => {
    expect((await call(tokens.admin, { mode: 'full' })).status).toBe(400);
    expect((await call(tokens.admin, { mode: 'everything', org_id: ORG_A })).status).toBe(400);
    expect((await call(tokens.admin, '{not json')).status).toBe(400);
    expect((await call(stack.serviceRoleKey, { mode: 'full', surprise: true })).status).toBe(400);
    expect((await call(stack.serviceRoleKey, { mode: 'full', after: customerId(ORG_A, 1) })).status).toBe(400);
  });

  it('lets an admin recompute their organization, and records the run', async () => {
    const res = await call(tokens.admin, { mode: 'full', org_id: ORG_A });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'full', complete: true, scanned: CUSTOMERS_A, remaining_orgs: [] });
    expect(res.body.orgs).toHaveLength(1);
    expect(res.body.orgs[0]).toMatchObject({ org_id: ORG_A, status: 'complete', chunks: 1, scanned: CUSTOMERS_A, next_after: null });
    const recorded = await runs(ORG_A);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ id: String(res.body.orgs[0]!.run_id), kind: 'full', finished: true, error: null, scanned: CUSTOMERS_A });
    // Profiles are classified: buyers have scores.
    const { rows } = await stack.db.query<{ n: string }>(
      `select count(*) as n from public.customer_profiles where org_id = $1 and order_count > 0 and r_score is not null and f_score is not null`,
      [ORG_A],
    );
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
  });
});

describe('recompute-segments: service role', () => {
  it('runs every organization without an org_id', async () => {
    const res = await call(stack.serviceRoleKey, { mode: 'full' });
    expect(res.status).toBe(200);
    const byOrg = Object.fromEntries(res.body.orgs.map((o) => [o.org_id, o]));
    expect(byOrg[ORG_A]).toMatchObject({ status: 'complete', scanned: CUSTOMERS_A });
    expect(byOrg[ORG_B]).toMatchObject({ status: 'complete', scanned: 1 });
    expect(res.body.complete).toBe(true);
  });

  it('works in chunks, stops at its budget and resumes the same run', async () => {
    // Every reason stale, so that every profile is written again, five per chunk; the first chunk
    // reads every customer.
    await stack.db.query(`update public.customer_profiles set reasons_version = null where org_id = $1`, [ORG_A]);
    const first = await call(stack.serviceRoleKey, { mode: 'full', org_id: ORG_A, chunk_size: 5, budget_ms: 0 });
    expect(first.status).toBe(200);
    expect(first.body.complete).toBe(false);
    const org = first.body.orgs[0]!;
    expect(org).toMatchObject({ status: 'partial', chunks: 1, scanned: CUSTOMERS_A, changed: 5 });
    expect(org.next_after).toMatch(/^[0-9a-f-]{36}$/);
    const rest = await call(stack.serviceRoleKey, { mode: 'full', org_id: ORG_A, chunk_size: 5, after: org.next_after });
    expect(rest.status).toBe(200);
    expect(rest.body.orgs[0]).toMatchObject({
      status: 'complete',
      chunks: Math.ceil((CUSTOMERS_A - 5) / 5),
      scanned: 0,
      changed: CUSTOMERS_A - 5,
      run_id: org.run_id,
    });
    const recorded = (await runs(ORG_A)).find((r) => r.id === String(org.run_id))!;
    expect(recorded).toMatchObject({ finished: true, error: null, scanned: CUSTOMERS_A });
  });

  it('drains the dirty queue, and opens no run where there is nothing to do', async () => {
    const before = (await runs(ORG_A)).length;
    const idle = await call(stack.serviceRoleKey, { mode: 'dirty' });
    expect(idle.status).toBe(200);
    expect(idle.body.orgs).toEqual([]);
    expect((await runs(ORG_A)).length).toBe(before);

    await stack.db.exec(`insert into private.dirty_customers (org_id, customer_id) values ('${ORG_A}', '${customerId(ORG_A, 3)}'), ('${ORG_A}', '${customerId(ORG_A, 4)}')`);
    const res = await call(stack.serviceRoleKey, { mode: 'dirty' });
    expect(res.status).toBe(200);
    expect(res.body.orgs).toHaveLength(1);
    expect(res.body.orgs[0]).toMatchObject({ org_id: ORG_A, status: 'complete', scanned: 2 });
    const { rows } = await stack.db.query<{ n: string }>(`select count(*) as n from private.dirty_customers where org_id = $1`, [ORG_A]);
    expect(Number(rows[0]!.n)).toBe(0);
    expect((await runs(ORG_A)).at(-1)).toMatchObject({ kind: 'dirty', finished: true, scanned: 2 });
  });

  it('runs a drift pass over the customers whose moment has come', async () => {
    await stack.db.exec(`update public.customer_profiles set next_transition_at = now() - interval '1 minute' where customer_id = '${customerId(ORG_A, 5)}'`);
    const res = await call(stack.serviceRoleKey, { mode: 'drift' });
    expect(res.status).toBe(200);
    const a = res.body.orgs.find((o) => o.org_id === ORG_A);
    expect(a).toMatchObject({ status: 'complete' });
    expect(a!.scanned).toBeGreaterThanOrEqual(1);
    expect((await runs(ORG_A)).at(-1)).toMatchObject({ kind: 'drift', finished: true });
  });

  it('leaves an organization alone while another run holds it', async () => {
    if (stack.testDb.kind !== 'postgres') return; // one embedded backend: its advisory locks are re-entrant
    const holder = await stack.testDb.db.transaction(async (tx) => {
      await tx.query(`select pg_advisory_lock(hashtextextended($1, 0))`, [`portrait.recompute:${ORG_A}`]);
      try {
        return await call(stack.serviceRoleKey, { mode: 'full', org_id: ORG_A });
      } finally {
        await tx.query(`select pg_advisory_unlock(hashtextextended($1, 0))`, [`portrait.recompute:${ORG_A}`]);
      }
    });
    expect(holder.status).toBe(200);
    expect(holder.body.orgs[0]).toMatchObject({ org_id: ORG_A, status: 'busy', chunks: 0 });
  });
});

// customer_timeline reads one page through indexes (README.md, "Follow-ups, owners, satisfaction visits and the timeline"): on a database seeded here with
// 20,000 customers and 100,000+ rows in every table the timeline reads, the plan of the
// timeline's statement must reach each of those tables through an index, and no scan may return
// more than a page's worth of rows (p_limit + 1, plus rows sharing the boundary time) — however
// long the customer's history is. Plans come from auto_explain with ANALYZE (actual row counts:
// tests/db/plans.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodes, openPlanSession, type PlanSession } from './plans.ts';
import { createTenants, orgs, rows, users } from './tenants.ts';

const CUSTOMERS = 20_000;
const PER_CUSTOMER = 5;
/** The customer whose timeline is read: a long history of every kind. */
const target = '00000000-0000-4000-9000-000000000001';
const HISTORY = 300;
const timelineTables = [
  'orders',
  'notes',
  'stage_changes',
  'customer_tag_changes',
  'events',
  'follow_ups',
  'ownership_changes',
  'satisfaction_responses',
];

let session: PlanSession;

const customerId = (g: string) => `('00000000-0000-4000-9000-' || lpad(to_hex(${g}), 12, '0'))::uuid`;

beforeAll(async () => {
  session = await openPlanSession({ analyze: true });
  await createTenants(session.db);
  // Bulk rows written directly, triggers and foreign key checks off for speed. Customer 1 (the
  // target) gets HISTORY rows of each kind, every other customer PER_CUSTOMER.
  const perCustomer = `(case when c = 1 then ${HISTORY} else ${PER_CUSTOMER} end)`;
  const rowsOf = `generate_series(1, ${CUSTOMERS}) as c cross join lateral generate_series(1, ${perCustomer}) as k`;
  const at = `now() - make_interval(mins => (c * 7 + k * 997) % 500000)`;
  await session.db.transaction(async (tx) => {
    await tx.exec(`
      set local session_replication_role = replica;
      insert into public.customers (id, org_id, display_name, created_at, updated_at)
      select ${customerId('g')}, '${orgs.a}', 'Bulk Customer ' || g, now(), now() from generate_series(1, ${CUSTOMERS}) as g;
      insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
      select '${orgs.a}', ${customerId('c')}, 'import', c || '-' || k, ${at}, 10, 'USD', 'paid' from ${rowsOf};
      insert into public.notes (org_id, customer_id, author_id, body, created_at)
      select '${orgs.a}', ${customerId('c')}, '${users.staff}', 'Note ' || k, ${at} from ${rowsOf};
      insert into public.stage_changes (org_id, customer_id, from_stage, to_stage, changed_at, source)
      select '${orgs.a}', ${customerId('c')}, 'lead', 'active', ${at}, 'computed' from ${rowsOf};
      insert into public.customer_tag_changes (org_id, customer_id, tag_id, tag_name, action, source, changed_by, changed_at)
      select '${orgs.a}', ${customerId('c')}, '${rows.tagVip}', 'VIP', 'added', 'manual', '${users.staff}', ${at} from ${rowsOf};
      insert into public.events (org_id, customer_id, kind, occurred_at)
      select '${orgs.a}', ${customerId('c')}, 'email_in', ${at} from ${rowsOf};
      insert into public.follow_ups (org_id, customer_id, assignee_id, due_at, created_by, created_at, done_at, done_by)
      select '${orgs.a}', ${customerId('c')}, '${users.rep}', ${at}, '${users.rep}', ${at},
             case when k % 2 = 0 then ${at} end, case when k % 2 = 0 then '${users.rep}'::uuid end from ${rowsOf};
      insert into public.ownership_changes (org_id, customer_id, to_owner_id, reason, changed_at)
      select '${orgs.a}', ${customerId('c')}, '${users.rep}', 'assigned', ${at} from ${rowsOf};
      insert into public.satisfaction_responses (org_id, customer_id, score, scale, channel, recorded_by, responded_at)
      select '${orgs.a}', ${customerId('c')}, 4, 'csat5', 'phone', '${users.rep}', ${at} from ${rowsOf};
    `);
  });
  await session.db.exec('analyze');
}, 300_000);

afterAll(async () => {
  await session?.close();
});

describe('customer_timeline at 20,000 customers', () => {
  it('has the data it is meant to be measured on', async () => {
    for (const table of timelineTables) {
      const { rows: found } = await session.db.query<{ n: number }>(`select count(*)::int as n from public.${table}`);
      expect(found[0]!.n, table).toBeGreaterThanOrEqual(CUSTOMERS * PER_CUSTOMER);
    }
  });

  it('reads each page through indexes, a page at a time, call after call', readPages);

  // The generic plan is made from sampled statistics; where they show a customer with few rows of
  // a kind, reading another index and sorting the customer's rows looks as cheap as reading the
  // kind's own index in order (on Postgres 15 seen for completed follow-ups: 150 rows sorted). The
  // worst case, made certain: every customer looks like it has a single row of each kind.
  it('reads each page the same way when the statistics show one row per customer', async () => {
    for (const table of timelineTables) {
      await session.db.exec(`alter table public.${table} alter column customer_id set (n_distinct = -1); analyze public.${table}`);
    }
    await readPages();
  });
});

/** Pages through the target's timeline and checks the plans of every call. */
async function readPages() {
  let before: string | null = null;
  let beforeKey: string | null = null;
  const limit = 20;
  // Several pages: PL/pgSQL plans statements afresh for the first calls, then may switch to a
  // cached generic plan; both must stay index work.
  for (let call = 0; call < 8; call++) {
    const { rows: answer, plans } = await session.plans('select public.customer_timeline($1, $2, $3, $4, $5) as result', [
      orgs.a,
      target,
      before,
      limit,
      beforeKey,
    ]);
    const result = (answer[0] as { result: { items: unknown[]; next: { before: string; before_key: string } | null } }).result;
    expect(result.items).toHaveLength(limit);
    expect(result.next).not.toBeNull();
    ({ before, before_key: beforeKey } = result.next!);

    const all = plans.flatMap(nodes);
    const touched = new Set(all.map((node) => node['Relation Name']).filter(Boolean));
    for (const table of timelineTables) expect(touched, `plans of call ${call} never read ${table}`).toContain(table);
    const scans = all.filter((node) => timelineTables.includes(node['Relation Name'] ?? ''));
    expect(scans.filter((node) => !/Index/.test(node['Node Type'])).map((node) => `${node['Node Type']} on ${node['Relation Name']}`), `call ${call}`).toEqual([]);
    // …and the index is one of the customer's (org_id, customer_id, …), not one of the whole
    // organization's (the open follow-ups are then read by key).
    expect(scans.filter((node) => !/_customer_|_pkey$/.test(node['Index Name'] ?? '')).map((node) => `${node['Index Name']} on ${node['Relation Name']}`), `call ${call}`).toEqual([]);
    // A page's worth per kind: limit + 1 rows, and a few more where rows share the boundary time.
    expect(scans.every((node) => typeof node['Actual Rows'] === 'number')).toBe(true);
    const big = scans.filter((node) => (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1) > limit + 5);
    expect(big.map((node) => `${node['Relation Name']}: ${node['Actual Rows']} rows`), `call ${call}`).toEqual([]);
  }
}

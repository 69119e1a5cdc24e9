// customer_context answers from indexes alone (its budget, p95 ≤ 5 ms at 1 M customers, is measured
// by `npm run bench`: README.md, "The two commands"). On a database seeded here with 100,000
// customers, the plan of every statement the call runs — the function's own and those of the
// functions it calls — must reach the big tables through indexes: no sequential scan anywhere.
//
// The plans come from auto_explain, statements inside functions included (tests/db/plans.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodes, openPlanSession, type PlanSession } from './plans.ts';
import { createTenants, emails, orgs, rows } from './tenants.ts';

const CUSTOMERS = 100_000;
const bigTables = ['customers', 'customer_identities', 'customer_profiles', 'customer_tags', 'notes', 'stage_changes'];

let session: PlanSession;

beforeAll(async () => {
  session = await openPlanSession();
  await createTenants(session.db);
  // Bulk rows written directly, triggers and foreign key checks off for speed: the rows are what
  // the triggers would have produced (normalised identities, one profile per customer).
  await session.db.transaction(async (tx) => {
    await tx.exec(`
      set local session_replication_role = replica;
      insert into public.customers (id, org_id, display_name, primary_email, owner_id, created_at, updated_at)
      select ('00000000-0000-4000-9000-' || lpad(to_hex(g), 12, '0'))::uuid, '${orgs.a}', 'Bulk Customer ' || g,
             'bulk' || g || '@bulk.test', case when g % 10 = 0 then '00000000-0000-4000-8000-0000000000a2'::uuid end, now(), now()
        from generate_series(1, ${CUSTOMERS}) as g;
      insert into public.customer_identities (org_id, kind, value, customer_id)
      select '${orgs.a}', 'email', 'bulk' || g || '@bulk.test', ('00000000-0000-4000-9000-' || lpad(to_hex(g), 12, '0'))::uuid
        from generate_series(1, ${CUSTOMERS}) as g;
      insert into public.customer_identities (org_id, kind, value, customer_id)
      select '${orgs.a}', 'phone', '+1415' || lpad(g::text, 7, '0'), ('00000000-0000-4000-9000-' || lpad(to_hex(g), 12, '0'))::uuid
        from generate_series(1, ${CUSTOMERS}, 2) as g;
      insert into public.customer_profiles (org_id, customer_id, lifecycle_stage, order_count, net_spend)
      select '${orgs.a}', ('00000000-0000-4000-9000-' || lpad(to_hex(g), 12, '0'))::uuid, 'prospect', 0, 0
        from generate_series(1, ${CUSTOMERS}) as g;
      insert into public.customer_tags (org_id, customer_id, tag_id, source)
      select '${orgs.a}', ('00000000-0000-4000-9000-' || lpad(to_hex(g), 12, '0'))::uuid,
             (array['${rows.tagVip}', '${rows.tagSpare}', '${rows.tagRule}']::uuid[])[1 + g % 3], 'manual'
        from generate_series(1, ${CUSTOMERS}) as g;
      insert into public.notes (org_id, customer_id, author_id, body)
      select '${orgs.a}', ('00000000-0000-4000-9000-' || lpad(to_hex(g), 12, '0'))::uuid, null, 'Bulk note ' || g
        from generate_series(1, ${CUSTOMERS}) as g;
      insert into public.stage_changes (org_id, customer_id, from_stage, to_stage, source)
      select '${orgs.a}', ('00000000-0000-4000-9000-' || lpad(to_hex(g), 12, '0'))::uuid, null, 'prospect', 'computed'
        from generate_series(1, ${CUSTOMERS}) as g;
    `);
  });
  await session.db.exec('analyze');
}, 300_000);

afterAll(async () => {
  await session?.close();
});

const identifiers = (n: number) => [
  { kind: 'email', value: `Bulk${n}@Bulk.test` },
  { kind: 'phone', value: `+1 415 ${String(n + 1).padStart(7, '0').slice(0, 3)} ${String(n + 1).padStart(7, '0').slice(3)}` },
  { kind: 'email', value: emails.owned },
  { kind: 'email', value: `nobody${n}@example.com` },
  { kind: 'shop_customer', value: `shopify:${n}` },
];

describe('customer_context at 100,000 customers', () => {
  it('has the data it is meant to be measured on', async () => {
    const { rows: found } = await session.db.query<{ n: number }>(`select count(*)::int as n from public.customers where org_id = '${orgs.a}'`);
    expect(found[0]!.n).toBeGreaterThanOrEqual(CUSTOMERS);
  });

  it('reads the big tables through indexes only, call after call', async () => {
    // Several calls: PL/pgSQL plans statements afresh for the first calls, then may switch to a
    // cached generic plan; both must avoid sequential scans.
    for (let call = 0; call < 8; call++) {
      const n = 1000 + call * 7918; // even, so that customer n + 1 has a phone number
      const { rows: answer, plans } = await session.plans('select * from public.customer_context($1, $2::jsonb)', [
        orgs.a,
        JSON.stringify(identifiers(n)),
      ]);
      expect(answer).toHaveLength(5);
      expect((answer as Array<{ customer_id: string | null }>).map((r) => r.customer_id !== null)).toEqual([true, true, true, false, false]);

      const all = plans.flatMap(nodes);
      const touched = new Set(all.map((node) => node['Relation Name']).filter(Boolean));
      // The plans of the nested statements were seen (otherwise this test would prove nothing).
      for (const table of bigTables) expect(touched, `plans of call ${call} never read ${table}`).toContain(table);
      const seqScans = all.filter((node) => node['Node Type'] === 'Seq Scan' && bigTables.includes(node['Relation Name'] ?? ''));
      expect(seqScans.map((node) => node['Relation Name']), `call ${call}`).toEqual([]);
      expect(all.some((node) => node['Index Name'] === 'customer_identities_pkey')).toBe(true);
    }
  });
});

describe('search_customers at 100,000 customers', () => {
  it.each([
    ['an email prefix', 'bulk4242', 'customer_identities'],
    ['a phone prefix', '+1 415 000 42', 'customer_identities'],
    ['a name', 'customer 4242', 'customers'],
  ])('finds by %s through indexes only', async (_label, query, searched) => {
    const { rows: answer, plans } = await session.plans('select * from public.search_customers($1, $2, 10)', [orgs.a, query]);
    expect(answer.length).toBeGreaterThan(0);
    const all = plans.flatMap(nodes);
    expect(all.some((node) => node['Relation Name'] === searched && /Index|Bitmap/.test(node['Node Type']))).toBe(true);
    const seqScans = all.filter((node) => node['Node Type'] === 'Seq Scan' && bigTables.includes(node['Relation Name'] ?? ''));
    expect(seqScans.map((node) => node['Relation Name'])).toEqual([]);
  });
});

// A shop's order for a customer Portrait already knows (private.ingest_order, what the ingest-orders
// function calls for every webhook delivery), under cached generic plans: the customer is found by
// probing the key of customer_identities once per identifier of the order, never by reading the
// organization's identifiers (a hash of all of them took 7.6 ms an order at 20,000 identifiers,
// growing with them); and when the customer's record lacks nothing the order could fill in, the
// customers' statement triggers find no row to look at and plan none of their statements. On native
// Postgres (the plans come from auto_explain, statements inside functions included: tests/db/plans.ts).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainSettings, loggedPlans, openNativePlanClient, type NativePlanClient } from './plans.ts';

describe.runIf(process.env.DATABASE_URL)("a webhook's order for a known customer under cached generic plans", () => {
  let native: NativePlanClient;
  let client: pg.Client;
  let notices: string[];
  let org: string;
  const CUSTOMERS = 3000;
  beforeAll(async () => {
    native = await openNativePlanClient();
    ({ client, notices } = native);
    org = randomUUID();
    await client.query(`insert into public.organizations (id, name, settings) values ($1, 'Ingest plans', '{"default_phone_region": "US"}')`, [org]);
    await client.query(`insert into public.shop_connections (org_id, provider, shop_domain, webhook_secret)
                        values ($1, 'shopify', 'plans.myshopify.com', 'plans-secret-0123456789')`, [org]);
    // Every customer with a name, an email and a country: an order has nothing to fill in.
    await client.query(
      `insert into public.customers (org_id, display_name, primary_email, country)
       select $1, 'Customer ' || n, 'c' || n || '@plans.example', 'US' from generate_series(1, $2) as n`,
      [org, CUSTOMERS],
    );
    await client.query('analyze public.customer_identities');
  });
  afterAll(async () => {
    await native?.close();
  });

  it('finds the customer by the key of its identifiers and plans no trigger statement for a record that lacks nothing', async () => {
    const { rows: [known] } = await client.query<{ id: string }>(
      `select id from public.customers where org_id = $1 and primary_email = 'c1717@plans.example'`, [org]);
    await client.query('begin');
    try {
      await client.query(`${explainSettings(true)}
        set local plan_cache_mode = force_generic_plan;`);
      const order = (n: number) => ({
        action: 'upsert',
        external_id: String(70_000 + n),
        ordered_at: '2026-11-30T10:00:00Z',
        total: '42.50',
        currency: 'USD',
        status: 'paid',
        refunds: [],
        source_updated_at: '2026-11-30T10:00:00Z',
        customer: { external_id: null, email: 'C1717@Plans.Example', phone: null, name: 'Customer 1717', country: 'US' },
      });
      // Several deliveries: the session's cached plans are the generic ones by then.
      for (let n = 1; n <= 3; n++) {
        notices.length = 0;
        const { rows: [r] } = await client.query<{ r: { customer_id: string; customer_created: boolean } }>(
          `select private.ingest_order($1, 'shopify', $2, $3::jsonb, 'orders/create') as r`, [org, `plans-${n}`, JSON.stringify(order(n))]);
        expect(r!.r.customer_id).toBe(known!.id);
        expect(r!.r.customer_created).toBe(false);
        const plans = loggedPlans(notices);
        const texts = plans.map((p) => p['Query Text']);
        const identityReads = plans.flatMap((p) => [...JSON.stringify(p.Plan).matchAll(/"Node Type":"([^"]+)"[^{}]*?"Relation Name":"customer_identities"/g)].map((m) => m[1]));
        expect(identityReads.length).toBeGreaterThan(0);
        expect(identityReads).not.toContain('Seq Scan');
        expect(identityReads).not.toContain('Bitmap Heap Scan');
        // The customers' statement triggers: nothing changed, so neither joins its transition tables.
        expect(texts.some((text) => /update public\.customers c/.test(text))).toBe(true);
        expect(texts.filter((text) => /join old_rows o on o\.id = n\.id/.test(text))).toEqual([]);
      }
      const { rows: [counted] } = await client.query<{ n: number }>(
        `select order_count as n from public.customer_profiles where org_id = $1 and customer_id = $2`, [org, known!.id]);
      expect(counted!.n).toBe(3);
    } finally {
      await client.query('rollback');
    }
  });
});

// One home for lead creation: every call that adds an unknown person as a lead (tag_customer,
// add_follow_up, record_satisfaction) goes through private.find_or_add_lead
// (20261123000515_api_find_or_add_lead.sql), and none keeps its own copy of it. tag_customer's
// leads still carry their display name, their rep owner and the page in the capture event.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './harness.ts';
import { asUser, createTenants, orgs, users } from './tenants.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
  await createTenants(t.db);
});
afterAll(async () => {
  await t?.close();
});

const LEAD_CALLS = ['tag_customer', 'add_follow_up', 'record_satisfaction'];

describe('lead creation', () => {
  it('lives in private.find_or_add_lead alone', async () => {
    const { rows } = await t.db.query<{ name: string; calls_helper: boolean; inserts_customers: boolean; captures: boolean }>(
      `select p.proname as name,
              p.prosrc ~* 'private\\.find_or_add_lead\\(' as calls_helper,
              p.prosrc ~* 'insert\\s+into\\s+public\\.customers\\s*\\(' as inserts_customers,
              p.prosrc ~* 'insert\\s+into\\s+public\\.events' and p.prosrc ~* '''captured''' as captures
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname in ('public', 'private')`,
    );
    for (const name of LEAD_CALLS) {
      const fn = rows.find((r) => r.name === name);
      expect(fn, name).toBeDefined();
      expect({ name, calls_helper: fn!.calls_helper, inserts_customers: fn!.inserts_customers }).toEqual({
        name,
        calls_helper: true,
        inserts_customers: false,
      });
    }
    // The capture event is written in one place (another function may say 'captured' of a payment).
    expect(rows.filter((r) => r.captures).map((r) => r.name)).toEqual(['find_or_add_lead']);
  });

  it('gives tag_customer leads their name, their rep owner and the page in the capture event', async () => {
    const requestId = randomUUID();
    const { result, customer, event } = await asUser(t.db, 'rep', async (tx) => {
      const { rows: answer } = await tx.query<{ result: { customer_id: string; created: boolean } }>(
        `select public.tag_customer($1, $2::jsonb, '["trade fair"]'::jsonb, 'https://fair.example/visitors', 'Visitors', $3, '  Lead   From  Fair ') as result`,
        [orgs.a, JSON.stringify({ kind: 'email', value: 'Fair.Lead@Example.com' }), requestId],
      );
      const id = answer[0]!.result.customer_id;
      const { rows: found } = await tx.query<{ display_name: string; owner_id: string; primary_email: string }>(
        'select display_name, owner_id, primary_email from public.customers where id = $1',
        [id],
      );
      const { rows: events } = await tx.query<{ details: unknown }>(
        `select details from public.events where customer_id = $1 and kind = 'captured'`,
        [id],
      );
      return { result: answer[0]!.result, customer: found[0]!, event: events };
    });
    expect(result.created).toBe(true);
    expect(customer).toEqual({ display_name: 'Lead From Fair', owner_id: users.rep, primary_email: 'fair.lead@example.com' });
    expect(event).toEqual([{ details: { page_url: 'https://fair.example/visitors', page_title: 'Visitors', request_id: requestId } }]);
  });
});

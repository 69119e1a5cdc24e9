// Open orders in the portrait: a customer's pending orders are listed (newest first, at most three,
// with their count) so the rep sees them, and are never counted in the profile's figures; paid,
// refunded and cancelled orders are not listed. Answers are checked against shared/api.ts
// customerContextResultSchema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerContextResultSchema } from '../../shared/api.ts';
import { freshDb, type TestDb } from './harness.ts';
import { asUser, createTenants, orgs } from './tenants.ts';

let t: TestDb;
const A = orgs.a;
const customer = '00000000-0000-4000-8000-00000000e001';
const email = 'olga.open@a.test';

beforeAll(async () => {
  t = await freshDb();
  await createTenants(t.db);
  await t.db.exec(`
    insert into public.customers (id, org_id, display_name, primary_email)
    values ('${customer}', '${A}', 'Olga Open', '${email}');
    insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, refunded_amount, currency, status) values
      ('${A}', '${customer}', 'shopify', 'P-1', now() - interval '30 days', 500, 0, 'USD', 'paid');
  `);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

async function portrait() {
  const rows = await asUser(t.db, 'staff', (tx) =>
    tx.query('select * from public.customer_context($1, $2::jsonb)', [A, JSON.stringify([{ kind: 'email', value: email }])]),
  );
  const [row] = customerContextResultSchema.parse(rows.rows);
  expect(row?.customer_id).toBe(customer);
  return row!.portrait!;
}

const addOrder = (externalId: string, daysAgo: number, total: number, status: string) =>
  t.db.query(
    `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
     values ($1, $2, 'manual', $3, now() - make_interval(days => $4), $5, 'EUR', $6)`,
    [A, customer, externalId, daysAgo, total, status],
  );

describe('open orders in the portrait', () => {
  it('lists none when the customer has only paid orders', async () => {
    const before = await portrait();
    expect(before.open_orders).toEqual([]);
    expect(before.open_order_count).toBe(0);
    expect(before.profile).toMatchObject({ order_count: 1, net_spend: 500 });
  });

  it('lists a pending order without counting it in the figures', async () => {
    await addOrder('O-1', 2, 1240, 'pending');
    const after = await portrait();
    expect(after.open_order_count).toBe(1);
    expect(after.open_orders).toEqual([
      { external_id: 'O-1', source: 'manual', ordered_at: expect.any(String), total: 1240, currency: 'EUR' },
    ]);
    const days = (Date.now() - Date.parse(after.open_orders![0]!.ordered_at)) / 86_400_000;
    expect(days).toBeGreaterThan(1.9);
    expect(days).toBeLessThan(2.1);
    expect(after.profile).toMatchObject({ order_count: 1, net_spend: 500 });
  });

  it('leaves out paid, refunded and cancelled orders', async () => {
    await addOrder('X-paid', 1, 70, 'paid');
    await addOrder('X-refunded', 1, 80, 'refunded');
    await addOrder('X-cancelled', 1, 90, 'cancelled');
    const after = await portrait();
    expect(after.open_orders!.map((o) => o.external_id)).toEqual(['O-1']);
    expect(after.open_order_count).toBe(1);
    expect(after.profile).toMatchObject({ order_count: 2, net_spend: 570 });
  });

  it('shows the newest three, newest first, and counts them all', async () => {
    await addOrder('O-2', 5, 10, 'pending');
    await addOrder('O-3', 1, 20, 'pending');
    await addOrder('O-4', 3, 30, 'pending');
    const after = await portrait();
    expect(after.open_orders!.map((o) => o.external_id)).toEqual(['O-3', 'O-1', 'O-4']);
    expect(after.open_order_count).toBe(4);
    expect(after.profile).toMatchObject({ order_count: 2, net_spend: 570 });
  });

  it('drops an order from the list once it is paid, and the figures then count it', async () => {
    await t.db.query(`update public.orders set status = 'paid' where org_id = $1 and external_id = 'O-1'`, [A]);
    const after = await portrait();
    expect(after.open_orders!.map((o) => o.external_id)).toEqual(['O-3', 'O-4', 'O-2']);
    expect(after.open_order_count).toBe(3);
    expect(after.profile).toMatchObject({ order_count: 3, net_spend: 1810 });
  });
});

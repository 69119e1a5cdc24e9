// The local stack's scheduler (supabase/local/scheduler.ts) runs due shop backfills by itself: a
// new shop connection with credentials gets a pending backfill, and the scheduler's next tick calls
// backfill-shop's sweep (service role, no body), which pulls the fake shop's history (tests/fakes)
// until the backfill is done. With nothing due, the function is not called at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../supabase/local/stack.ts';
import { WOO_KEY, WOO_SECRET, startFakeWoo, wooCustomerRecord, wooOrderRecord, type FakeWoo } from '../fakes/woocommerce.ts';
import { freshDb, type TestDb } from './harness.ts';

const ORG = '00000000-0000-4000-8000-00000000d501';
const CONNECTION = '00000000-0000-4000-8000-00000000d5c1';
const ORDERS = 30;

let testDb: TestDb;
let stack: Stack;
let woo: FakeWoo;

beforeAll(async () => {
  const customers = Array.from({ length: 5 }, (_, i) => wooCustomerRecord(i + 1));
  const orders = Array.from({ length: ORDERS }, (_, i) => wooOrderRecord(i + 1, customers[i % 5]!, new Date(Date.UTC(2025, 5, 1) + i * 86_400_000)));
  woo = await startFakeWoo({ orders, customers });
  testDb = await freshDb();
  await testDb.db.exec(`insert into public.organizations (id, name) values ('${ORG}', 'Scheduled Shop')`);
  stack = await startStack({
    databaseUrl: testDb.url ?? undefined,
    pglite: testDb.pglite ?? undefined,
    apiPort: 0,
    dbPort: 0,
    functions: true,
    bcryptCost: 4,
    scheduler: { dirtyMs: 0, driftMs: 0, fullAt: null, backfillMs: 300 },
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await testDb?.close();
  await woo?.close();
});

describe('local backfill scheduling', () => {
  it('does not call backfill-shop while no backfill is due', async () => {
    const idle = await stack.scheduler!.run('backfill');
    expect(idle).toMatchObject({ mode: 'backfill', status: 204, body: null });
    expect(stack.scheduler!.last.backfill).toBeUndefined();
    expect(woo.requests).toEqual([]);
  });

  it('runs a new connection’s backfill to the end on its own', async () => {
    await testDb.db.exec(`
      insert into public.shop_connections (id, org_id, provider, shop_domain, webhook_secret, api_base_url, api_key, api_secret)
      values ('${CONNECTION}', '${ORG}', 'woocommerce', 'scheduled.example.de', 'wc-secret-0123456789-abcdefghij', '${woo.url}', '${WOO_KEY}', '${WOO_SECRET}')`);
    // No manual call: wait (without touching the database) for the scheduler's sweep to answer.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !stack.scheduler!.last.backfill) await new Promise((r) => setTimeout(r, 50));
    const swept = stack.scheduler!.last.backfill;
    expect(swept?.status).toBe(200);
    expect((swept!.body as { backfills: Array<Record<string, unknown>> }).backfills[0]).toMatchObject({ state: 'done', orders_done: ORDERS });
    const { rows } = await testDb.db.query(`select state, orders_done from public.shop_backfills where shop_connection_id = $1`, [CONNECTION]);
    expect(rows).toEqual([{ state: 'done', orders_done: ORDERS }]);
    const { rows: orders } = await testDb.db.query(`select count(*)::int as n from public.orders where org_id = $1`, [ORG]);
    expect(orders).toEqual([{ n: ORDERS }]);
    // Done: the next ticks leave it alone.
    expect(await stack.scheduler!.run('backfill')).toMatchObject({ status: 204 });
  }, 90_000);
});

// Satisfaction figures in the portrait: customer_context returns the latest answer as given and on
// 0–100 and the average on 0–100 (shared/api.ts customerContextResultSchema checks the shape), null
// for a customer never asked; a visit logged through record_satisfaction shows at once; members of
// another organization read no figures.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerContextResultSchema } from '../../shared/api.ts';
import { freshDb, type TestDb } from './harness.ts';
import { asUser, createTenants, orgs } from './tenants.ts';

let t: TestDb;
const A = orgs.a;
const customer = '00000000-0000-4000-8000-00000000e101';
const email = 'sara.satisfied@a.test';

beforeAll(async () => {
  t = await freshDb();
  await createTenants(t.db);
  await t.db.exec(`
    insert into public.customers (id, org_id, display_name, primary_email)
    values ('${customer}', '${A}', 'Sara Satisfied', '${email}');
  `);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

async function portrait() {
  const rows = await asUser(t.db, 'rep', (tx) =>
    tx.query('select * from public.customer_context($1, $2::jsonb)', [A, JSON.stringify([{ kind: 'email', value: email }])]),
  );
  const [row] = customerContextResultSchema.parse(rows.rows);
  expect(row?.customer_id).toBe(customer);
  return row!.portrait!;
}

describe('satisfaction in the portrait', () => {
  it('is null until the customer is asked, then shows the last answer and the average', async () => {
    expect((await portrait()).satisfaction).toBeNull();
    await t.db.query(
      `insert into public.satisfaction_responses (org_id, customer_id, score, scale, channel, recorded_by, responded_at)
       values ($1, $2, 3, 'csat5', 'phone', null, now() - interval '40 days')`,
      [A, customer],
    );
    await asUser(
      t.db,
      'rep',
      (tx) =>
        tx.query(`select public.record_satisfaction($1, $2::jsonb, 9::smallint, 'nps10', 'Quick delivery', 'wechat', $3)`, [
          A, JSON.stringify({ kind: 'email', value: email }), randomUUID(),
        ]),
      { commit: true },
    );
    const shown = await portrait();
    expect(shown.satisfaction).toMatchObject({ responses: 2, last_score: 9, last_scale: 'nps10', last_score_100: 90, avg_score_100: 70 });
    expect(Date.now() - Date.parse(shown.satisfaction!.last_at)).toBeLessThan(60 * 60_000);
  });

  it('is not readable from another organization', async () => {
    const seen = await asUser(t.db, 'otherAdmin', (tx) =>
      tx.query(`select count(*)::int as n from public.customer_satisfaction where customer_id = $1`, [customer]),
    );
    expect(seen.rows).toEqual([{ n: 0 }]);
    const own = await asUser(t.db, 'staff', (tx) =>
      tx.query(`select count(*)::int as n from public.customer_satisfaction where customer_id = $1`, [customer]),
    );
    expect(own.rows).toEqual([{ n: 1 }]);
  });
});

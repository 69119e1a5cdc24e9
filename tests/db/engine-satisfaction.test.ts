// Satisfaction visits in the engine (supabase/README.md §3 "Satisfaction" and §4): the per-customer
// figures kept from satisfaction_responses on the common 0–100 scale, the rule fields
// satisfaction_last, satisfaction_avg, days_since_satisfaction and f_score_change at their
// boundaries, the drift moment a day count sets, the dirty queue a response feeds, the built-in
// suggested segment (inactive until an admin turns it on), and a property test: after any stream
// of answers written, corrected, moved and deleted, the kept figures equal a recount and a
// reference computed here, and every profile equals a full classification.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atEngineTime, freshDb, type TestDb } from './harness.ts';
import { NOW, nowMs, DAY, ago } from './engine-clock.ts';

const runs = (n: number) => n * Math.max(1, Number(process.env.PROPERTY_RUNS ?? 1));

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => {
  await t?.close();
});

const sql = <Row = Record<string, unknown>>(text: string, params: unknown[] = [], now = NOW) => atEngineTime<Row>(t.db, now, text, params);

async function newOrg(): Promise<string> {
  const id = randomUUID();
  await sql(`insert into public.organizations (id, name) values ($1, 'Org')`, [id]);
  return id;
}

async function customer(org: string, paidOrders = 0): Promise<string> {
  const id = randomUUID();
  await sql(`insert into public.customers (id, org_id) values ($1, $2)`, [id, org]);
  for (let i = 0; i < paidOrders; i++) {
    await sql(
      `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
       values ($1, $2, 'manual', gen_random_uuid()::text, $3, 10, 'USD', 'paid')`,
      [org, id, ago(20 + i)],
    );
  }
  return id;
}

async function visit(org: string, id: string, score: number, scale: 'csat5' | 'nps10', at: string): Promise<string> {
  const [row] = await sql<{ id: string }>(
    `insert into public.satisfaction_responses (org_id, customer_id, score, scale, channel, recorded_by, responded_at)
     values ($1, $2, $3, $4, 'phone', null, $5) returning id`,
    [org, id, score, scale, at],
  );
  return row!.id;
}

async function segment(org: string, name: string, rule: unknown): Promise<string> {
  const [row] = await sql<{ id: string }>(`insert into public.segments (org_id, name, rule) values ($1, $2, $3) returning id`, [
    org, name, JSON.stringify(rule),
  ]);
  return row!.id;
}

async function run(org: string, kind: 'full' | 'dirty' | 'drift', now = NOW): Promise<void> {
  let after: string | null = null;
  let runId: number | null = null;
  do {
    const rows: Array<{ r: { next_after: string | null; run_id: number } }> = await sql<{ r: { next_after: string | null; run_id: number } }>(
      `select private.recompute($1, $2, $3, 1000, $4, $5) as r`,
      [org, kind, after, runId, now],
      now,
    );
    after = rows[0]!.r.next_after;
    runId = rows[0]!.r.run_id;
  } while (after);
}

async function members(segmentId: string): Promise<string[]> {
  return (await sql<{ id: string }>(`select customer_id as id from public.segment_memberships where segment_id = $1 order by 1`, [segmentId]))
    .map((r) => r.id);
}

const sorted = (ids: string[]) => [...ids].sort();

interface Figures {
  responses: number;
  last_score: number;
  last_scale: string;
  last_score_100: number;
  last_at: string;
  avg_score_100: string;
}

async function figures(org: string, id: string): Promise<Figures | undefined> {
  const [row] = await sql<Figures>(
    `select responses, last_score, last_scale, last_score_100, last_at, avg_score_100::text as avg_score_100
       from public.customer_satisfaction where org_id = $1 and customer_id = $2`,
    [org, id],
  );
  return row;
}

describe('satisfaction figures', () => {
  it('keep the latest answer and the average on 0–100 through inserts, corrections and deletes', async () => {
    const org = await newOrg();
    const a = await customer(org);
    expect(await figures(org, a)).toBeUndefined();

    await visit(org, a, 2, 'csat5', ago(40)); // 25
    const latest = await visit(org, a, 9, 'nps10', ago(10)); // 90
    expect(await figures(org, a)).toMatchObject({
      responses: 2, last_score: 9, last_scale: 'nps10', last_score_100: 90, avg_score_100: '57.50',
    });
    expect(Date.parse((await figures(org, a))!.last_at)).toBe(Date.parse(ago(10)));

    // csat5 1 is 0, 5 is 100; nps10 0 is 0, 10 is 100.
    await sql(`update public.satisfaction_responses set score = 5, scale = 'csat5' where id = $1`, [latest]);
    expect(await figures(org, a)).toMatchObject({ last_score: 5, last_scale: 'csat5', last_score_100: 100, avg_score_100: '62.50' });

    await sql(`delete from public.satisfaction_responses where id = $1`, [latest]);
    expect(await figures(org, a)).toMatchObject({ responses: 1, last_score: 2, last_score_100: 25, avg_score_100: '25.00' });

    await sql(`delete from public.satisfaction_responses where customer_id = $1`, [a]);
    expect(await figures(org, a)).toBeUndefined();
    expect((await sql<{ n: number }>(`select private.rebuild_satisfaction($1) as n`, [org]))[0]!.n).toBe(0);
  });

  it('follow answers moved to another customer, and leave with a deleted customer', async () => {
    const org = await newOrg();
    const [a, b] = [await customer(org), await customer(org)];
    await visit(org, a, 10, 'nps10', ago(5));
    await visit(org, b, 1, 'csat5', ago(1));
    await sql(`update public.satisfaction_responses set customer_id = $2 where customer_id = $1`, [a, b]);
    expect(await figures(org, a)).toBeUndefined();
    expect(await figures(org, b)).toMatchObject({ responses: 2, last_score_100: 0, avg_score_100: '50.00' });
    await sql(`delete from public.customers where id = $1`, [b]);
    expect(await sql(`select 1 from public.customer_satisfaction where org_id = $1`, [org])).toEqual([]);
  });

  it('queue the customer for the next dirty run when an active rule uses satisfaction', async () => {
    const org = await newOrg();
    // No rule uses satisfaction yet: nothing to reclassify.
    const early = await customer(org);
    await visit(org, early, 4, 'csat5', ago(3));
    expect(await sql(`select customer_id from private.dirty_customers where org_id = $1`, [org])).toEqual([]);
    // A rule that does: turning it on evaluates it for everyone, later answers queue their customer.
    const recent = await segment(org, 'Visited lately', { field: 'days_since_satisfaction', op: 'lte', value: 30 });
    const a = await customer(org);
    await run(org, 'dirty');
    expect(await members(recent)).toEqual([early]);
    await visit(org, a, 4, 'csat5', ago(3));
    expect(await sql(`select customer_id from private.dirty_customers where org_id = $1`, [org])).toEqual([{ customer_id: a }]);
    expect(await members(recent)).toEqual([early]);
    await run(org, 'dirty');
    expect(await members(recent)).toEqual(sorted([a, early]));
    expect(await sql(`select 1 from private.dirty_customers where org_id = $1`, [org])).toEqual([]);
  });
});

describe('satisfaction rule fields', () => {
  it('classify exactly at their boundaries, never-visited customers matching no condition', async () => {
    const org = await newOrg();
    const high = await segment(org, 'Last at least 75', { field: 'satisfaction_last', op: 'gte', value: 75 });
    const lowAvg = await segment(org, 'Average under 50', { field: 'satisfaction_avg', op: 'lt', value: 50 });
    const recent = await segment(org, 'Visited within 30 days', { field: 'days_since_satisfaction', op: 'lte', value: 30 });
    const notRecent = await segment(org, 'No visit within 30 days', { not: { field: 'days_since_satisfaction', op: 'lte', value: 30 } });
    const a = await customer(org); // csat5 2 then 5: last 100, average 62.5, 10 days
    const b = await customer(org); // nps10 7, 30 days and 1 hour ago: last 70, day 30
    const c = await customer(org); // nps10 3, 31 days ago: last 30, day 31
    const d = await customer(org); // never asked
    const e = await customer(org); // csat5 4 (75) today; nps10 2 (20) earlier: average 47.5
    await visit(org, a, 2, 'csat5', ago(40));
    await visit(org, a, 5, 'csat5', ago(10));
    await visit(org, b, 7, 'nps10', ago(30, 1));
    await visit(org, c, 3, 'nps10', ago(31));
    await visit(org, e, 2, 'nps10', ago(60));
    await visit(org, e, 4, 'csat5', ago(0, 2));
    await run(org, 'full');

    expect(await members(high)).toEqual(sorted([a, e]));
    expect(await members(lowAvg)).toEqual(sorted([c, e]));
    expect(await members(recent)).toEqual(sorted([a, b, e]));
    expect(await members(notRecent)).toEqual(sorted([c, d]));

    // b crosses 30 whole days 31 × 24 h after its answer: the drift pass moves it then, not before.
    const [pb] = await sql<{ next_transition_at: string }>(`select next_transition_at from public.customer_profiles where customer_id = $1`, [b]);
    expect(Date.parse(pb!.next_transition_at)).toBe(Date.parse(ago(30, 1)) + 31 * DAY);
    const [pd] = await sql<{ next_transition_at: string | null }>(`select next_transition_at from public.customer_profiles where customer_id = $1`, [d]);
    expect(pd!.next_transition_at).toBeNull();
    const justBefore = new Date(Date.parse(ago(30, 1)) + 31 * DAY - 1000).toISOString();
    await run(org, 'drift', justBefore);
    expect(await members(recent)).toEqual(sorted([a, b, e]));
    const dayLater = new Date(nowMs + DAY).toISOString();
    await run(org, 'drift', dayLater);
    expect(await members(recent)).toEqual(sorted([a, e]));
    expect(await members(notRecent)).toEqual(sorted([b, c, d]));
  });

  it('f_score_change counts from the F score of the latest full run', async () => {
    const org = await newOrg();
    const fell = await segment(org, 'F fell', { field: 'f_score_change', op: 'lt', value: 0 });
    const a = await customer(org, 2);
    const b = await customer(org, 2);
    const lead = await customer(org);
    await run(org, 'full');
    expect(await sql(`select customer_id, f_score, prev_f_score from public.customer_profiles where org_id = $1 and customer_id = any ($2) order by f_score nulls last, customer_id`, [org, [a, b, lead]]))
      .toEqual([...sorted([a, b]).map((id) => ({ customer_id: id, f_score: 2 as number | null, prev_f_score: 2 as number | null })), { customer_id: lead, f_score: null, prev_f_score: null }]);
    // A refund lowers a's order count (F 2 → 1); b buys again (F 3): only a's F fell.
    await sql(`update public.orders set status = 'refunded', refunded_amount = total where id = (select id from public.orders where customer_id = $1 limit 1)`, [a]);
    await sql(`insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status) values ($1, $2, 'manual', 'x', $3, 5, 'USD', 'paid')`, [org, b, ago(1)]);
    expect(await members(fell)).toEqual([a]);
    // The next full run counts from the F it finds: nobody has fallen since.
    await run(org, 'full');
    expect(await members(fell)).toEqual([]);
    expect((await sql<{ prev_f_score: number }>(`select prev_f_score from public.customer_profiles where customer_id = $1`, [a]))[0]!.prev_f_score).toBe(1);
  });
});

describe('the suggested segment', () => {
  it('comes inactive with every organization, classifies nobody while off and the right buyers once on', async () => {
    const org = await newOrg();
    const [suggested] = await sql<{ id: string; is_active: boolean; rule: unknown; name: string }>(
      `select id, is_active, rule, name from public.segments where org_id = $1 and suggestion = 'falling_frequency_no_visit'`,
      [org],
    );
    expect(suggested).toMatchObject({ is_active: false });
    expect(suggested!.name).toContain('90');

    const never = await customer(org, 3); // F fell, never visited: in
    const lately = await customer(org, 3); // F fell, visited 20 days ago: out
    const long = await customer(org, 3); // F fell, visited 91 days ago: in
    const edge = await customer(org, 3); // F fell, visited 90 days ago (day 90): out
    const steady = await customer(org, 3); // F unchanged, never visited: out
    await visit(org, lately, 5, 'csat5', ago(20));
    await visit(org, long, 2, 'nps10', ago(91));
    await visit(org, edge, 8, 'nps10', ago(90));
    await run(org, 'full');
    for (const id of [never, lately, long, edge]) {
      await sql(`update public.orders set status = 'cancelled' where id = (select id from public.orders where customer_id = $1 order by ordered_at limit 1)`, [id]);
    }
    await run(org, 'dirty');
    expect(await members(suggested!.id)).toEqual([]);
    expect(steady).toBeTruthy();

    // An admin turns it on (segments.is_active); the next dirty run evaluates it for everyone.
    await sql(`update public.segments set is_active = true where id = $1`, [suggested!.id]);
    await run(org, 'dirty');
    expect(await members(suggested!.id)).toEqual(sorted([never, long]));
  });

  it('is added once per organization', async () => {
    const org = await newOrg();
    const count = async () => (await sql<{ n: number }>(`select count(*)::int as n from public.segments where org_id = $1 and suggestion is not null`, [org]))[0]!.n;
    expect(await count()).toBe(1);
    expect((await sql<{ n: number }>(`select private.add_suggested_segments($1) as n`, [org]))[0]!.n).toBe(0);
    expect(await count()).toBe(1);
  });
});

describe('incremental equals full for satisfaction', () => {
  type Op =
    | { kind: 'visit'; customer: number; score: number; nps: boolean; days: number }
    | { kind: 'correct'; answer: number; score: number; nps: boolean }
    | { kind: 'retime'; answer: number; days: number }
    | { kind: 'move'; answer: number; customer: number }
    | { kind: 'delete'; answer: number }
    | { kind: 'deleteAll'; customer: number };
  const CUSTOMERS = 4;
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('visit' as const), customer: fc.nat(CUSTOMERS - 1), score: fc.nat(10), nps: fc.boolean(), days: fc.nat(120) }),
    fc.record({ kind: fc.constant('correct' as const), answer: fc.nat(20), score: fc.nat(10), nps: fc.boolean() }),
    fc.record({ kind: fc.constant('retime' as const), answer: fc.nat(20), days: fc.nat(120) }),
    fc.record({ kind: fc.constant('move' as const), answer: fc.nat(20), customer: fc.nat(CUSTOMERS - 1) }),
    fc.record({ kind: fc.constant('delete' as const), answer: fc.nat(20) }),
    fc.record({ kind: fc.constant('deleteAll' as const), customer: fc.nat(CUSTOMERS - 1) }),
  );
  const to100 = (score: number, nps: boolean) => (nps ? score * 10 : (score - 1) * 25);
  const csat = (score: number) => 1 + (score % 5);

  it('for random streams of answers written, corrected, moved and deleted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        const org = await newOrg();
        await segment(org, 'Happy', { field: 'satisfaction_avg', op: 'gte', value: 60 });
        await segment(org, 'Asked lately', { any: [{ field: 'days_since_satisfaction', op: 'between', value: [7, 45] }, { field: 'satisfaction_last', op: 'eq', value: 0 }] });
        const ids = [await customer(org, 1), await customer(org, 2), await customer(org), await customer(org)];
        await run(org, 'full');
        const answers: Array<{ id: string; customer: number; score100: number; score: number; scale: string; at: number }> = [];
        const pick = (n: number) => answers[n % answers.length]!;
        for (const op of ops) {
          if (op.kind === 'visit') {
            const score = op.nps ? op.score : csat(op.score);
            const id = await visit(org, ids[op.customer]!, score, op.nps ? 'nps10' : 'csat5', ago(op.days));
            answers.push({ id, customer: op.customer, score100: to100(score, op.nps), score, scale: op.nps ? 'nps10' : 'csat5', at: nowMs - op.days * DAY });
          } else if (!answers.length) {
            continue;
          } else if (op.kind === 'correct') {
            const a = pick(op.answer);
            const score = op.nps ? op.score : csat(op.score);
            await sql(`update public.satisfaction_responses set score = $2, scale = $3 where id = $1`, [a.id, score, op.nps ? 'nps10' : 'csat5']);
            Object.assign(a, { score, scale: op.nps ? 'nps10' : 'csat5', score100: to100(score, op.nps) });
          } else if (op.kind === 'retime') {
            const a = pick(op.answer);
            await sql(`update public.satisfaction_responses set responded_at = $2 where id = $1`, [a.id, ago(op.days)]);
            a.at = nowMs - op.days * DAY;
          } else if (op.kind === 'move') {
            const a = pick(op.answer);
            await sql(`update public.satisfaction_responses set customer_id = $2 where id = $1`, [a.id, ids[op.customer]]);
            a.customer = op.customer;
          } else if (op.kind === 'delete') {
            const a = pick(op.answer);
            await sql(`delete from public.satisfaction_responses where id = $1`, [a.id]);
            answers.splice(answers.indexOf(a), 1);
          } else {
            await sql(`delete from public.satisfaction_responses where customer_id = $1`, [ids[op.customer]]);
            answers.splice(0, answers.length, ...answers.filter((a) => a.customer !== op.customer));
          }
        }
        // The kept figures equal the reference…
        for (const [index, id] of ids.entries()) {
          const mine = answers.filter((a) => a.customer === index);
          const got = await figures(org, id);
          if (!mine.length) {
            expect(got).toBeUndefined();
            continue;
          }
          const latest = [...mine].sort((x, y) => y.at - x.at || (y.id > x.id ? 1 : -1))[0]!;
          const avg = Math.round((mine.reduce((s, a) => s + a.score100, 0) / mine.length) * 100) / 100;
          expect({ ...got, avg_score_100: Number(got!.avg_score_100), last_at: Date.parse(got!.last_at) }).toEqual({
            responses: mine.length, last_score: latest.score, last_scale: latest.scale, last_score_100: latest.score100,
            last_at: latest.at, avg_score_100: avg,
          });
        }
        // …a recount finds nothing to repair…
        expect((await sql<{ n: number }>(`select private.rebuild_satisfaction($1) as n`, [org]))[0]!.n).toBe(0);
        // …and once the queue is drained, every profile and membership is what a full classification gives.
        await run(org, 'dirty');
        const MEMBERS = `array(select m.segment_id from public.segment_memberships m where m.customer_id = p.customer_id order by m.segment_id) as segment_ids`;
        const stored = await sql(`select customer_id, ${MEMBERS}, next_transition_at, lifecycle_stage from public.customer_profiles p where org_id = $1 order by customer_id`, [org]);
        const computed = await sql(`select customer_id, segment_ids, next_transition_at, lifecycle_stage from private.classify($1, $2) order by customer_id`, [org, NOW]);
        expect(computed).toEqual(stored);
      }),
      { numRuns: runs(15) },
    );
  });
});

// Segment rules: the language is the same in SQL (private.validate_rule, checked on every write to
// segments.rule) and in shared/rules.ts (zod), messages included; references between segments are
// checked and cycles refused; memberships and rule tags follow the rules; and no rule or value can
// change the structure of the SQL the rules compile to (fuzzed with hostile strings), while the
// compiled SQL gives exactly the answers of the reference evaluator in shared/rules.ts.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMPANY_SIZES,
  LIFECYCLE_STAGES,
  RFM_SEGMENTS,
  RULE_FIELDS,
  RULE_OPS,
  TICKET_BANDS,
  VALUE_TIERS,
  parseRule,
  segmentRuleProblem,
  type Rule,
} from '../../shared/rules.ts';
import { segmentMatches, type RuleRow } from '../oracle/rules.ts';
import { atEngineTime, freshDb, type TestDb } from './harness.ts';
import { NOW, ago } from './engine-clock.ts';

const runs = (n: number) => n * Math.max(1, Number(process.env.PROPERTY_RUNS ?? 1));

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
  // Reports a rule's first problem as text, so that many rules are checked in one query.
  await t.db.exec(`
    create schema engine_test;
    create function engine_test.rule_problem(p_rule jsonb) returns text language plpgsql as $$
    begin
      perform private.validate_rule(p_rule);
      return null;
    exception when invalid_parameter_value then
      return sqlerrm;
    end $$;
  `);
});
afterAll(async () => {
  await t?.close();
});

const sql = <Row = Record<string, unknown>>(text: string, params: unknown[] = []) => atEngineTime<Row>(t.db, NOW, text, params);

async function sqlError(text: string, params: unknown[] = []): Promise<{ code: string; message: string } | null> {
  try {
    await sql(text, params);
    return null;
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { code: e.code ?? '', message: e.message ?? '' };
  }
}

async function sqlProblems(rules: unknown[]): Promise<Array<string | null>> {
  const rows = await sql<{ problem: string | null }>(
    `select engine_test.rule_problem(r) as problem from unnest($1::jsonb[]) with ordinality as x (r, n) order by n`,
    [rules.map((r) => JSON.stringify(r))],
  );
  return rows.map((r) => r.problem);
}

async function newOrg(): Promise<string> {
  const id = randomUUID();
  await sql(`insert into public.organizations (id, name) values ($1, 'Org')`, [id]);
  return id;
}

async function segment(org: string, name: string, rule: unknown, extra: { tag_id?: string; is_active?: boolean } = {}): Promise<string> {
  const id = randomUUID();
  await sql(`insert into public.segments (id, org_id, name, rule, tag_id, is_active) values ($1, $2, $3, $4, $5, $6)`, [
    id, org, name, JSON.stringify(rule), extra.tag_id ?? null, extra.is_active ?? true,
  ]);
  return id;
}

async function dirtyRun(org: string): Promise<Record<string, unknown>> {
  let after: string | null = null;
  let runId: number | null = null;
  let last: Record<string, unknown>;
  do {
    const [row] = await sql<{ r: Record<string, unknown> }>(`select private.recompute($1, 'dirty', $2, 50, $3, $4) as r`, [org, after, runId, NOW]);
    last = row!.r;
    after = last.next_after as string | null;
    runId = last.run_id as number;
  } while (after);
  return last;
}

describe('the rule language on both sides', () => {
  it('has the same fields, kinds, values and operators in SQL and in shared/rules.ts', async () => {
    const fields = await sql<{ field: string; kind: string; allowed: string[] | null }>(`select field, kind, allowed from private.rule_fields()`);
    expect(fields.map((f) => ({ field: f.field, kind: f.kind, allowed: f.allowed }))).toEqual(
      RULE_FIELDS.map((f) => ({ field: f.field, kind: f.kind, allowed: f.allowed ? [...f.allowed] : null })),
    );
    for (const kind of Object.keys(RULE_OPS) as Array<keyof typeof RULE_OPS>) {
      const [row] = await sql<{ ops: string[] }>(`select private.rule_ops($1) as ops`, [kind]);
      expect(row!.ops, kind).toEqual([...RULE_OPS[kind]]);
    }
  });

  const valid: unknown[] = [
    { all: [] },
    { any: [] },
    { not: { all: [] } },
    { segment: '0b6a1c2e-8f1d-4c33-9a55-1234567890ab' },
    { field: 'order_count', op: 'gte', value: 3 },
    { field: 'net_spend', op: 'between', value: [10.5, 99.99] },
    { field: 'days_since_last_order', op: 'eq', value: 0 },
    { field: 'lifecycle_stage', op: 'in', value: ['at_risk', 'churned'] },
    { field: 'company_size', op: 'not_in', value: ['1-10'] },
    { field: 'country', op: 'in', value: ['US', 'CN'] },
    { field: 'industry', op: 'in', value: ["Bob's; DROP TABLE customers; --"] },
    { field: 'tags', op: 'has', value: 'VIP' },
    { field: 'tags', op: 'all', value: ['a', 'b'] },
    { field: 'last_order_at', op: 'within_days', value: 30 },
    { field: 'created_at', op: 'before_days', value: 0 },
    { field: 'is_valid', op: 'eq', value: false },
    { all: [{ any: [{ not: { field: 'is_partner', op: 'eq', value: true } }, { field: 'r_score', op: 'lt', value: 3 }] }] },
  ];

  it.each(valid.map((rule) => [JSON.stringify(rule), rule]))('accepts %s', async (_label, rule) => {
    expect(await sqlProblems([rule])).toEqual([null]);
    expect(parseRule(rule)).toMatchObject({ success: true });
  });

  const invalid: Array<[unknown, string]> = [
    [[], 'rule: must be an object (a rule), not array'],
    ['order_count > 3', 'rule: must be an object (a rule), not string'],
    [{}, 'rule: a rule is {"all": [...]}, {"any": [...]}, {"not": rule}, {"segment": id} or a condition {"field", "op", "value"}'],
    [{ all: {} }, 'rule.all: must be an array of rules'],
    [{ all: [{ field: 'order_count', op: 'gte', value: 1 }, { field: 'foo', op: 'gt', value: 1 }] }, 'rule.all[1].field: unknown field "foo"'],
    [{ any: [{ not: { field: 'country', op: 'gt', value: 1 } }] }, 'rule.any[0].not.op: operator "gt" does not apply to set field "country"; use one of in, not_in'],
    [{ field: 'order_count', op: 'gte' }, 'rule: a condition needs "value"'],
    [{ op: 'gte', value: 1 }, 'rule: a condition needs "field"'],
    [{ field: 'order_count', value: 1 }, 'rule: a condition needs "op"'],
    [{ field: 'order_count', op: 'gte', value: 1, extra: true }, 'rule: unexpected key "extra" in a condition (a condition has field, op and value)'],
    [{ field: 7, op: 'gte', value: 1 }, 'rule.field: must be a string naming a field'],
    [{ field: 'order_count', op: 3, value: 1 }, 'rule.op: must be a string naming an operator'],
    [{ field: 'order_count', op: 'gte', value: '3' }, 'rule.value: must be a number'],
    [{ field: 'order_count', op: 'gte', value: 1e13 }, 'rule.value: numbers must lie between -1e12 and 1e12'],
    [{ field: 'net_spend', op: 'between', value: [5] }, 'rule.value: between needs [low, high], two numbers'],
    [{ field: 'net_spend', op: 'between', value: [5, 1] }, 'rule.value: between needs [low, high] with low ≤ high'],
    [{ field: 'lifecycle_stage', op: 'in', value: [] }, 'rule.value: must be a non-empty array of strings'],
    [{ field: 'lifecycle_stage', op: 'in', value: ['new', 'sleepy'] },
      'rule.value[1]: "sleepy" is not a lifecycle_stage (one of prospect, lead, new, active, loyal, at_risk, churned, reactivated)'],
    [{ field: 'country', op: 'in', value: ['us'] }, 'rule.value[0]: "us" is not a country code of two capital letters such as "US"'],
    [{ field: 'industry', op: 'in', value: [''] }, 'rule.value[0]: must be 1 to 100 characters long'],
    [{ field: 'industry', op: 'in', value: [3] }, 'rule.value[0]: must be a string'],
    [{ field: 'tags', op: 'has', value: ['VIP'] }, 'rule.value: must be a tag name'],
    [{ field: 'tags', op: 'has', value: '   ' }, 'rule.value: a tag name has 1 to 64 characters'],
    [{ field: 'tags', op: 'any', value: [] }, 'rule.value: must be a non-empty array of tag names'],
    [{ field: 'last_order_at', op: 'within_days', value: 1.5 }, 'rule.value: must be a whole number of days from 0 to 36500'],
    [{ field: 'last_order_at', op: 'within_days', value: -1 }, 'rule.value: must be a whole number of days from 0 to 36500'],
    [{ field: 'is_valid', op: 'eq', value: 'yes' }, 'rule.value: must be true or false'],
    [{ segment: 'not-a-uuid' }, 'rule.segment: must be the id (a UUID) of a segment'],
    [{ all: [], any: [] }, 'rule: a rule is {"all": [...]}, {"any": [...]}, {"not": rule}, {"segment": id} or a condition {"field", "op", "value"}'],
    [{ field: 'x'.repeat(100), op: 'gte', value: 1 }, `rule.field: unknown field "${'x'.repeat(64)}…"`],
  ];

  it.each(invalid.map(([rule, message]) => [message, rule]))('rejects with "%s"', async (message, rule) => {
    expect(await sqlProblems([rule])).toEqual([message]);
    const parsed = parseRule(rule);
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(parsed.message).toBe(message);
  });

  it('refuses rules nested too deeply, at the first node too deep', async () => {
    let rule: unknown = { all: [] };
    for (let i = 0; i < 12; i++) rule = { not: rule };
    const message = `rule${'.not'.repeat(12)}: rules may be nested at most 12 levels deep`;
    expect(await sqlProblems([rule])).toEqual([message]);
    expect(parseRule(rule)).toMatchObject({ success: false, message });
  });

  it('rejects a bad rule written to segments with SQLSTATE 22023 and the message', async () => {
    const org = await newOrg();
    const error = await sqlError(`insert into public.segments (org_id, name, rule) values ($1, 'Bad', $2)`, [
      org, JSON.stringify({ all: [{ field: 'order_count', op: 'gt', value: 1 }, { field: 'foo', op: 'gt', value: 1 }] }),
    ]);
    expect(error).toEqual({ code: '22023', message: 'rule.all[1].field: unknown field "foo"' });
  });

  it('refuses owner "me" in a segment with the same message in SQL and TS, and takes unowned and owned', async () => {
    const org = await newOrg();
    const rule = { all: [{ field: 'order_count', op: 'gte', value: 1 }, { not: { field: 'owner', op: 'in', value: ['owned', 'me'] } }] };
    const message = 'rule.all[1].not.value[1]: "me" is only for the pool\'s filter; a segment may use "unowned" or "owned"';
    // The language itself has "me" (pool_customers' filter takes it): only segments refuse it.
    expect(await sqlProblems([rule])).toEqual([null]);
    const parsed = parseRule(rule);
    expect(parsed.success).toBe(true);
    expect(parsed.success && segmentRuleProblem(parsed.rule)).toBe(message);
    expect(await sqlError(`insert into public.segments (org_id, name, rule) values ($1, 'Mine', $2)`, [org, JSON.stringify(rule)]))
      .toEqual({ code: '22023', message });
    const fine = { field: 'owner', op: 'in', value: ['unowned'] };
    expect(segmentRuleProblem(fine as Rule)).toBeNull();
    expect(await sqlError(`insert into public.segments (org_id, name, rule) values ($1, 'Pool', $2)`, [org, JSON.stringify(fine)])).toBeNull();
    // The new number fields take numbers, as the others do.
    for (const field of ['open_follow_ups', 'days_since_last_contact', 'days_until_recycle']) {
      const bad = { field, op: 'gt', value: 'x' };
      const m = `rule.value: must be a number`;
      expect(await sqlProblems([bad])).toEqual([m]);
      expect(parseRule(bad)).toMatchObject({ success: false, message: m });
    }
    const badOwner = { field: 'owner', op: 'in', value: ['mine'] };
    const ownerMessage = 'rule.value[0]: "mine" is not a owner (one of me, unowned, owned)';
    expect(await sqlProblems([badOwner])).toEqual([ownerMessage]);
    expect(parseRule(badOwner)).toMatchObject({ success: false, message: ownerMessage });
  });

  it('agrees with zod on which random rules are valid', async () => {
    const leaf = fc.oneof(
      fc.record({
        field: fc.constantFrom(...RULE_FIELDS.map((f) => f.field), 'nope', ''),
        op: fc.constantFrom('gt', 'gte', 'lt', 'lte', 'eq', 'between', 'in', 'not_in', 'has', 'any', 'all', 'within_days', 'before_days', 'x'),
        value: fc.oneof(
          fc.integer({ min: -5, max: 40000 }),
          fc.double({ min: -2e12, max: 2e12, noNaN: true, noDefaultInfinity: true }),
          fc.boolean(),
          fc.constantFrom('US', 'us', 'VIP', '', '  ', 'new', 'loyal', 'champions', 'high', '1-10'),
          fc.array(fc.constantFrom('US', 'CN', 'x', '', 'new', 'at_risk', 'vip', 'low', '5001+', 'VIP'), { maxLength: 3 }),
          fc.tuple(fc.integer({ min: -10, max: 10 }), fc.integer({ min: -10, max: 10 })),
          fc.constant(null),
        ),
      }, { requiredKeys: [] }),
      fc.record({ segment: fc.oneof(fc.uuid(), fc.constant('nope')) }),
    );
    const ruleArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.record({ all: fc.array(tie('node'), { maxLength: 3 }) }),
        fc.record({ any: fc.array(tie('node'), { maxLength: 3 }) }),
        fc.record({ not: tie('node') }),
      ),
    })).node;
    await fc.assert(
      fc.asyncProperty(fc.array(ruleArb, { minLength: 20, maxLength: 20 }), async (rules) => {
        const problems = await sqlProblems(rules);
        for (const [i, rule] of rules.entries()) {
          const parsed = parseRule(rule);
          expect(parsed.success, `${JSON.stringify(rule)} → SQL: ${problems[i]}`).toBe(problems[i] === null);
        }
      }),
      { numRuns: runs(25) },
    );
  });
});

describe('references between segments', () => {
  it('refuses references to unknown segments, to itself and cycles, naming the reference', async () => {
    const org = await newOrg();
    const other = await newOrg();
    const foreign = await segment(other, 'Foreign', { all: [] });
    const missing = randomUUID();
    expect(await sqlError(`insert into public.segments (org_id, name, rule) values ($1, 'A', $2)`, [org, JSON.stringify({ any: [{ segment: missing }] })]))
      .toEqual({ code: '22023', message: `rule.any[0].segment: organization has no segment ${missing}` });
    expect(await sqlError(`insert into public.segments (org_id, name, rule) values ($1, 'A', $2)`, [org, JSON.stringify({ segment: foreign })]))
      .toEqual({ code: '22023', message: `rule.segment: organization has no segment ${foreign}` });

    const a = await segment(org, 'A', { field: 'order_count', op: 'gte', value: 1 });
    expect(await sqlError(`update public.segments set rule = $2 where id = $1`, [a, JSON.stringify({ not: { segment: a } })]))
      .toEqual({ code: '22023', message: 'rule.not.segment: a segment cannot refer to itself' });
    const b = await segment(org, 'B', { all: [{ segment: a }] });
    const c = await segment(org, 'C', { any: [{ segment: b }] });
    expect(await sqlError(`update public.segments set rule = $2 where id = $1`, [a, JSON.stringify({ all: [{ field: 'aov', op: 'gt', value: 1 }, { segment: c }] })]))
      .toEqual({ code: '22023', message: `rule.all[1].segment: segment ${c} already depends on this segment; segments may not refer to each other in a cycle` });

    // A segment others refer to is not deleted alone; all of them together are.
    expect((await sqlError(`delete from public.segments where id = $1`, [a]))?.code).toBe('23503');
    expect(await sqlError(`delete from public.segments where id = any ($1)`, [[a, b, c]])).toBeNull();
  });
});

describe('memberships and rule tags', () => {
  it('applies and removes rule tags with membership, leaving tags people added alone', async () => {
    const org = await newOrg();
    const [tag] = await sql<{ id: string }>(`insert into public.tags (org_id, name, created_by) values ($1, 'Big spender', null) returning id`, [org]);
    const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await sql(`insert into public.customers (id, org_id, country, is_valid) select unnest($2::uuid[]), $1, 'US', true`, [org, ids]);
    await sql(`update public.customers set is_valid = false where id = $1`, [ids[3]]);
    const order = async (customer: string, total: number) =>
      (await sql<{ id: string }>(
        `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
         values ($1, $2, 'manual', gen_random_uuid()::text, $3, $4, 'USD', 'paid') returning id`,
        [org, customer, ago(2), total],
      ))[0]!.id;
    const first = await order(ids[0]!, 500);
    await order(ids[1]!, 50);
    await order(ids[3]!, 900);
    // A person already tagged the second customer by hand.
    await sql(`insert into public.customer_tags (org_id, customer_id, tag_id, source, added_by) values ($1, $2, $3, 'manual', null)`, [org, ids[1], tag!.id]);

    const big = await segment(org, 'Big', { field: 'net_spend', op: 'gte', value: 100 }, { tag_id: tag!.id });
    const run = await dirtyRun(org);
    // A new segment: only its memberships are evaluated, for every customer.
    expect(run).toMatchObject({ scope: 'segments', error: null });

    const members = async () =>
      (await sql<{ customer_id: string }>(`select customer_id from public.segment_members where segment_id = $1 order by 1`, [big])).map((r) => r.customer_id);
    const tagged = async () =>
      (await sql<{ customer_id: string; source: string }>(
        `select customer_id, source::text from public.customer_tags where tag_id = $1 order by customer_id`,
        [tag!.id],
      ));
    // The invalid customer spent more but is left out.
    expect(await members()).toEqual([ids[0]]);
    expect(await tagged()).toEqual([
      { customer_id: ids[0]!, source: 'rule' },
      { customer_id: ids[1]!, source: 'manual' },
    ].sort((x, y) => x.customer_id.localeCompare(y.customer_id)));
    const [count] = await sql<{ member_count: number }>(`select member_count from public.segments where id = $1`, [big]);
    expect(count!.member_count).toBe(1);

    // A new order makes the second a member in the same transaction; its manual tag stays manual.
    await order(ids[1]!, 70);
    expect(await members()).toEqual([ids[0], ids[1]].sort());
    // A full refund takes the first out, and its rule tag with it.
    await sql(`update public.orders set status = 'refunded', refunded_amount = total where id = $1`, [first]);
    expect(await members()).toEqual([ids[1]]);
    expect(await tagged()).toEqual([{ customer_id: ids[1], source: 'manual' }]);

    // Deactivating the segment empties it at the next run; the manual tag survives.
    await sql(`update public.segments set is_active = false where id = $1`, [big]);
    await dirtyRun(org);
    expect(await members()).toEqual([]);
    expect(await tagged()).toEqual([{ customer_id: ids[1], source: 'manual' }]);
  });

  it('takes a leftover rule tag off at the customer’s next order once no segment carries the tag', async () => {
    const org = await newOrg();
    const [tag] = await sql<{ id: string }>(`insert into public.tags (org_id, name, created_by) values ($1, 'Regular', null) returning id`, [org]);
    const ids = [randomUUID(), randomUUID()].sort();
    await sql(`insert into public.customers (id, org_id, country) select unnest($2::uuid[]), $1, 'US'`, [org, ids]);
    const order = (customer: string, days: number) =>
      sql(
        `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
         values ($1, $2, 'manual', gen_random_uuid()::text, $3, 40, 'USD', 'paid')`,
        [org, customer, ago(days)],
      );
    await order(ids[0]!, 30);
    await order(ids[1]!, 30);
    const regular = await segment(org, 'Regular', { field: 'order_count', op: 'gte', value: 1 }, { tag_id: tag!.id });
    await segment(org, 'Repeat', { field: 'order_count', op: 'gte', value: 2 });
    await dirtyRun(org);
    const ruleTagged = async () =>
      (await sql<{ customer_id: string }>(
        `select customer_id from public.customer_tags where tag_id = $1 and source = 'rule' order by customer_id`,
        [tag!.id],
      )).map((r) => r.customer_id);
    expect(await ruleTagged()).toEqual(ids);

    // The segment no longer carries the tag: no segment of the organization does.
    await sql(`update public.segments set tag_id = null where id = $1`, [regular]);
    expect(await ruleTagged()).toEqual(ids);
    // A second order moves the first customer into Repeat, and the rule tag nothing asks for any
    // more comes off in the same transaction.
    await order(ids[0]!, 1);
    expect(await ruleTagged()).toEqual([ids[1]]);
    // The next run takes it off everyone else.
    await dirtyRun(org);
    expect(await ruleTagged()).toEqual([]);
  });

  it('includes invalid customers when the rule asks about validity, and evaluates nested segments', async () => {
    const org = await newOrg();
    const ids = [randomUUID(), randomUUID()];
    await sql(`insert into public.customers (id, org_id, industry) select unnest($2::uuid[]), $1, 'Retail'`, [org, ids]);
    await sql(`update public.customers set is_valid = false where id = $1`, [ids[1]]);
    const retail = await segment(org, 'Retail', { field: 'industry', op: 'in', value: ['Retail'] });
    const invalid = await segment(org, 'Invalid', { field: 'is_valid', op: 'eq', value: false });
    const nested = await segment(org, 'Nested', { any: [{ segment: retail }, { segment: invalid }] });
    await dirtyRun(org);
    const [a, b] = await Promise.all(ids.map(async (id) => (await sql<{ segment_ids: string[] }>(
      `select array(select m.segment_id from public.segment_memberships m where m.customer_id = p.customer_id order by m.segment_id) as segment_ids from public.customer_profiles p where p.customer_id = $1`, [id]))[0]!.segment_ids));
    expect(a).toEqual([retail, nested].sort());
    // The invalid one is in Invalid (which asks) but not in Nested, which does not ask itself.
    expect(b).toEqual([invalid]);
  });

  it('reclassifies a customer whose tags change when a rule looks at tags', async () => {
    const org = await newOrg();
    const id = randomUUID();
    await sql(`insert into public.customers (id, org_id) values ($1, $2)`, [id, org]);
    const [tag] = await sql<{ id: string }>(`insert into public.tags (org_id, name, created_by) values ($1, 'Wholesale', null) returning id`, [org]);
    const wholesale = await segment(org, 'Wholesale', { field: 'tags', op: 'has', value: ' wholesale ' });
    await dirtyRun(org);
    await sql(`insert into public.customer_tags (org_id, customer_id, tag_id, source, added_by) values ($1, $2, $3, 'manual', null)`, [org, id, tag!.id]);
    const [p] = await sql<{ segment_ids: string[] }>(`select array(select m.segment_id from public.segment_memberships m where m.customer_id = p.customer_id order by m.segment_id) as segment_ids from public.customer_profiles p where p.customer_id = $1`, [id]);
    expect(p!.segment_ids).toEqual([wholesale]);
    await sql(`delete from public.customer_tags where customer_id = $1`, [id]);
    const [q] = await sql<{ segment_ids: string[] }>(`select array(select m.segment_id from public.segment_memberships m where m.customer_id = p.customer_id order by m.segment_id) as segment_ids from public.customer_profiles p where p.customer_id = $1`, [id]);
    expect(q!.segment_ids).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzzing the compiler

/** Strings meant to break out of SQL text if they ever reached it. */
const hostile = fc.oneof(
  fc.constantFrom(
    "'", "''", '"', ';', '--', '/*', '*/', '$$', '$6', '$1', "'); drop table customers; --", "x' or '1'='1", '\\', '\\x00',
    '$tag$', 'E\'\\n\'', '%s', '%I', '{REASONS}', '{L}', 'r.is_valid', 'true) or (true', 'null', 'Ünïcödé', '😀',
  ),
  fc.string({ unit: fc.constantFrom("'", '"', ';', '$', '-', '/', '*', '\\', '(', ')', 'a', 'Z', ' ', '%', '{', '}'), minLength: 1, maxLength: 30 }),
);
const tidyName = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The only tokens compiled rules may contain. */
const TOKEN = /\s+|\?\||\(|\)|,|r\.[a-z_]+|\$6|->>|->|\?|::(?:numeric|integer|boolean|uuid)|\d+|and\b|or\b|not\b|coalesce\b|true\b|false\b|between\b|array\b|select\b|jsonb_array_elements_text\b|>=|<=|>|<|=|@>|&&/y;
function tokenizes(text: string): boolean {
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    if (!TOKEN.exec(text) || TOKEN.lastIndex === at) return false;
  }
  return true;
}

const numberFields = RULE_FIELDS.filter((f) => f.kind === 'number').map((f) => f.field);
const dateFields = RULE_FIELDS.filter((f) => f.kind === 'date').map((f) => f.field);

function conditionArb(pools: { industry: string[]; source: string[]; tags: string[]; segments: string[] }): fc.Arbitrary<Rule> {
  const text = (pool: string[]) => fc.oneof(fc.constantFrom(...pool), hostile.filter((s) => [...s].length <= 100));
  const tagText = fc.oneof(fc.constantFrom(...pools.tags), hostile.map(tidyName).filter((s) => s.length >= 1 && s.length <= 64));
  const amount = fc.integer({ min: -100, max: 2000 }).map((v) => v / 4);
  return fc.oneof(
    fc.record({ field: fc.constantFrom(...numberFields), op: fc.constantFrom('gt', 'gte', 'lt', 'lte', 'eq'), value: amount }),
    fc.record({ field: fc.constantFrom(...numberFields), op: fc.constant('between'), value: fc.tuple(amount, amount).map(([a, b]) => [Math.min(a, b), Math.max(a, b)]) }),
    fc.record({ field: fc.constant('lifecycle_stage'), op: fc.constantFrom('in', 'not_in'), value: fc.uniqueArray(fc.constantFrom(...LIFECYCLE_STAGES), { minLength: 1, maxLength: 3 }) }),
    fc.record({ field: fc.constant('value_tier'), op: fc.constantFrom('in', 'not_in'), value: fc.uniqueArray(fc.constantFrom(...VALUE_TIERS), { minLength: 1, maxLength: 2 }) }),
    fc.record({ field: fc.constant('rfm_segment'), op: fc.constantFrom('in', 'not_in'), value: fc.uniqueArray(fc.constantFrom(...RFM_SEGMENTS), { minLength: 1, maxLength: 4 }) }),
    fc.record({ field: fc.constant('ticket_band'), op: fc.constantFrom('in', 'not_in'), value: fc.uniqueArray(fc.constantFrom(...TICKET_BANDS), { minLength: 1, maxLength: 2 }) }),
    fc.record({ field: fc.constant('company_size'), op: fc.constantFrom('in', 'not_in'), value: fc.uniqueArray(fc.constantFrom(...COMPANY_SIZES), { minLength: 1, maxLength: 2 }) }),
    fc.record({ field: fc.constant('country'), op: fc.constantFrom('in', 'not_in'), value: fc.uniqueArray(fc.constantFrom('US', 'CN', 'DE', 'JP'), { minLength: 1, maxLength: 2 }) }),
    fc.record({ field: fc.constant('industry'), op: fc.constantFrom('in', 'not_in'), value: fc.array(text(pools.industry), { minLength: 1, maxLength: 3 }) }),
    fc.record({ field: fc.constant('source'), op: fc.constantFrom('in', 'not_in'), value: fc.array(text(pools.source), { minLength: 1, maxLength: 3 }) }),
    fc.record({ field: fc.constant('tags'), op: fc.constant('has'), value: tagText }),
    fc.record({ field: fc.constant('tags'), op: fc.constantFrom('any', 'all'), value: fc.array(tagText, { minLength: 1, maxLength: 3 }) }),
    fc.record({ field: fc.constantFrom(...dateFields), op: fc.constantFrom('within_days', 'before_days'), value: fc.nat(400) }),
    fc.record({ field: fc.constantFrom('is_valid', 'is_partner'), op: fc.constant('eq'), value: fc.boolean() }),
    fc.record({ field: fc.constant('owner'), op: fc.constantFrom('in', 'not_in'), value: fc.uniqueArray(fc.constantFrom('unowned', 'owned', 'me'), { minLength: 1, maxLength: 2 }) }),
    ...(pools.segments.length ? [fc.record({ segment: fc.constantFrom(...pools.segments) })] : []),
  ) as fc.Arbitrary<Rule>;
}

function ruleArb(pools: Parameters<typeof conditionArb>[0]): fc.Arbitrary<Rule> {
  return fc.letrec<{ node: Rule }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      conditionArb(pools),
      fc.record({ all: fc.array(tie('node'), { maxLength: 3 }) }),
      fc.record({ any: fc.array(tie('node'), { maxLength: 3 }) }),
      fc.record({ not: tie('node') }),
    ) as fc.Arbitrary<Rule>,
  })).node;
}

/** The same rule with every value replaced by another of its kind (same shape). */
function revalue(rule: Rule): Rule {
  if ('all' in rule) return { all: rule.all.map(revalue) };
  if ('any' in rule) return { any: rule.any.map(revalue) };
  if ('not' in rule) return { not: revalue(rule.not) };
  if ('segment' in rule) return rule;
  const v = rule.value as unknown;
  const other = (x: unknown): unknown =>
    typeof x === 'number' ? x + 1 : typeof x === 'boolean' ? !x : typeof x === 'string' ? `${x}x` : Array.isArray(x) ? x.map(other) : x;
  if (rule.op === 'between') return { ...rule, value: (v as number[]).map((n) => n + 1) } as Rule;
  if (['lifecycle_stage', 'value_tier', 'rfm_segment', 'ticket_band', 'company_size', 'country', 'owner'].includes(rule.field)) return rule;
  return { ...rule, value: other(v) } as Rule;
}

describe('compiled rules', () => {
  it('never let a value change the structure of the SQL', async () => {
    const pools = { industry: ['Retail'], source: ['Ads'], tags: ['VIP'], segments: [] };
    await fc.assert(
      fc.asyncProperty(fc.array(ruleArb(pools), { minLength: 10, maxLength: 10 }), async (rules) => {
        const compiled = await sql<{ predicate: string; rule_values: unknown[] }>(
          `select c.predicate, c.rule_values from unnest($1::jsonb[]) with ordinality as x (r, n), private.compile_rule(x.r) as c order by x.n`,
          [rules.map((r) => JSON.stringify(r))],
        );
        const shapes = await sql<{ predicate: string }>(
          `select c.predicate from unnest($1::jsonb[]) with ordinality as x (r, n), private.compile_rule(x.r) as c order by x.n`,
          [rules.map((r) => JSON.stringify(revalue(r)))],
        );
        for (const [i, c] of compiled.entries()) {
          // Only the engine's vocabulary: no quote, semicolon, comment or dollar quote can appear.
          expect(tokenizes(c.predicate), c.predicate).toBe(true);
          // Other values, same text: the values are not in it.
          expect(shapes[i]!.predicate).toBe(c.predicate);
        }
      }),
      { numRuns: runs(15) },
    );
  });

  it('give exactly the answers of the reference evaluator, hostile values included', async () => {
    const org = await newOrg();
    const industries = ["Bob's Garage", 'a;b', '$$x$$', '--', 'Retail'];
    const sources = ['Ads', "x' or '1'='1", '/* c */'];
    const tagNames = ["VIP's", 'a;b', '$$ dollar $$', 'plain'];
    const tagIds = new Map<string, string>();
    for (const name of tagNames) {
      const [row] = await sql<{ id: string }>(`insert into public.tags (org_id, name, created_by) values ($1, $2, null) returning id`, [org, name]);
      tagIds.set(name, row!.id);
    }
    // An owner, and recycle rules so that owned customers have a recycle time.
    const owner = randomUUID();
    await sql(`insert into auth.users (id, email, aud, role, created_at) values ($1, $2, 'authenticated', 'authenticated', now())`, [owner, `${owner}@rules.test`]);
    await sql(`insert into public.members (org_id, user_id, role, display_name) values ($1, $2, 'rep', 'Owner')`, [org, owner]);
    await sql(`update public.organizations set settings = $2 where id = $1`, [
      org, JSON.stringify({ pool: { recycle_days: { by_tier: { normal: 30, vip: 45 }, by_stage: { churned: 15 } } } }),
    ]);
    // Thirty customers with varied facts, orders, events, notes, follow-ups and owners, deterministic.
    const rand = fc.sample(fc.integer({ min: 0, max: 1_000_000 }), { numRuns: 400, seed: 42 });
    let k = 0;
    const next = (n: number) => rand[k++ % rand.length]! % n;
    for (let i = 0; i < 30; i++) {
      const id = randomUUID();
      await sql(
        `insert into public.customers (id, org_id, country, industry, acquisition_source, company_size, is_valid, is_partner)
         values ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [id, org, [null, 'US', 'CN', 'DE'][next(4)], [null, ...industries][next(6)], [null, ...sources][next(4)],
          [null, ...COMPANY_SIZES][next(8)], next(5) > 0, next(4) === 0],
      );
      for (let o = next(5); o > 0; o--) {
        await sql(
          `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, refunded_amount, currency, status)
           values ($1, $2, 'manual', gen_random_uuid()::text, $3, $4, $5, 'USD', 'paid')`,
          [org, id, ago(next(400)), next(40000) / 100, 0],
        );
      }
      if (next(3) === 0) {
        await sql(`insert into public.events (org_id, customer_id, kind, occurred_at, recorded_by) values ($1, $2, 'visit', $3, null)`, [org, id, ago(next(200))]);
      }
      // Satisfaction visits on both scales (the rules compare them on 0–100).
      for (let v = next(4) === 0 ? 0 : next(3); v > 0; v--) {
        const scale = next(2) === 0 ? 'csat5' : 'nps10';
        await sql(
          `insert into public.satisfaction_responses (org_id, customer_id, score, scale, channel, recorded_by, responded_at)
           values ($1, $2, $3, $4, 'phone', null, $5)`,
          [org, id, scale === 'csat5' ? 1 + next(5) : next(11), scale, ago(next(200))],
        );
      }
      if (next(3) === 0) {
        await sql(`insert into public.events (org_id, customer_id, kind, occurred_at, recorded_by) values ($1, $2, 'email_out', $3, null)`, [org, id, ago(next(60))]);
      }
      if (next(4) === 0) {
        await sql(`insert into public.notes (org_id, customer_id, author_id, body, created_at) values ($1, $2, null, 'Called', $3)`, [org, id, ago(next(60))]);
      }
      for (let f = next(3); f > 0; f--) {
        const done = next(2) === 0;
        await sql(
          `insert into public.follow_ups (org_id, customer_id, assignee_id, created_by, due_at, done_at) values ($1, $2, null, null, $3, $4)`,
          [org, id, ago(next(30) - 15), done ? ago(next(50)) : null],
        );
      }
      if (next(2) === 0) {
        // Owned since some days ago: the engine's clock set to that moment when the owner is set.
        const since = ago(next(50));
        await t.db.transaction(async (tx) => {
          await tx.query(`select set_config('portrait.engine_now', $1, true)`, [since]);
          await tx.query(`update public.customers set owner_id = $2 where id = $1`, [id, owner]);
        });
      }
      for (const name of tagNames) {
        if (next(3) === 0) {
          await sql(`insert into public.customer_tags (org_id, customer_id, tag_id, source, added_by) values ($1, $2, $3, 'manual', null)`, [org, id, tagIds.get(name)]);
        }
      }
    }
    const s1Rule: Rule = { field: 'order_count', op: 'gte', value: 2 };
    const s2Rule: Rule = { any: [{ segment: '' }, { field: 'is_partner', op: 'eq', value: true }] };
    const s1 = await segment(org, 'Repeat', s1Rule);
    (s2Rule as { any: Rule[] }).any[0] = { segment: s1 };
    const s2 = await segment(org, 'Repeat or partner', s2Rule);
    const segmentRules = new Map<string, Rule>([[s1, s1Rule], [s2, s2Rule]]);
    await dirtyRun(org);
    // The F score of "the latest full run", set directly so that it differs from the current F for some.
    await sql(
      `update public.customer_profiles p set prev_f_score = 1 + abs(hashtext(p.customer_id::text)) % 5
        where p.org_id = $1 and p.f_score is not null and abs(hashtext(p.customer_id::text)) % 3 > 0`,
      [org],
    );

    // The rows as rules see them, from the classification and the customer fields.
    const rows = await sql<Record<string, unknown>>(
      `select k.customer_id, k.order_count, k.net_spend::float8 as net_spend, k.aov::float8 as aov, k.r_score, k.f_score, k.m_score,
              k.rfm_segment::text, k.effective_stage::text as lifecycle_stage, k.value_tier::text, k.ticket_band::text, k.referral_count,
              c.company_size::text, c.country, c.industry, c.acquisition_source as source, c.is_valid, c.is_partner,
              floor(extract(epoch from $2::timestamptz - k.last_order_at) / 86400)::int as last_order_at_days,
              floor(extract(epoch from $2::timestamptz - k.first_order_at) / 86400)::int as first_order_at_days,
              floor(extract(epoch from $2::timestamptz - k.last_event_at) / 86400)::int as last_event_at_days,
              floor(extract(epoch from $2::timestamptz - c.created_at) / 86400)::int as created_at_days,
              coalesce((select array_agg(lower(t.name)) from public.customer_tags ct join public.tags t on t.id = ct.tag_id
                         where ct.customer_id = k.customer_id and ct.source <> 'rule'), '{}') as tag_names,
              sat.last_score_100 as satisfaction_last, sat.avg_score_100::float8 as satisfaction_avg,
              floor(extract(epoch from $2::timestamptz - sat.last_at) / 86400)::int as days_since_satisfaction,
              k.f_score - p.prev_f_score as f_score_change,
              p.open_follow_ups,
              floor(extract(epoch from $2::timestamptz - p.last_contact_at) / 86400)::int as days_since_last_contact,
              case when k.recycle_at is not null
                then greatest(0, ceil(extract(epoch from k.recycle_at - $2::timestamptz) / 86400))::int end as days_until_recycle,
              case when c.owner_id is null then 'unowned' else 'owned' end as owner
         from private.classify($1, $2) k join public.customers c on c.id = k.customer_id
         join public.customer_profiles p on p.org_id = $1 and p.customer_id = k.customer_id
         left join public.customer_satisfaction sat on sat.org_id = $1 and sat.customer_id = k.customer_id`,
      [org, NOW],
    );
    const ruleRows = rows.map((r) => ({ ...r, days_since_last_order: r.last_order_at_days }) as unknown as RuleRow & { customer_id: string });

    const pools = { industry: industries, source: sources, tags: tagNames, segments: [s1, s2] };
    await fc.assert(
      fc.asyncProperty(fc.array(ruleArb(pools), { minLength: 8, maxLength: 8 }), async (rules) => {
        for (const rule of rules) {
          const got = (await sql<{ id: string }>(`select x as id from private.evaluate_rule($1, $2, $3) as x order by 1`, [org, JSON.stringify(rule), NOW]))
            .map((r) => r.id);
          const expected = ruleRows
            .filter((row) => segmentMatches(rule, row, (id) => segmentRules.get(id)))
            .map((row) => row.customer_id)
            .sort();
          expect(got, JSON.stringify(rule)).toEqual(expected);
        }
      }),
      { numRuns: runs(20) },
    );
  });
});

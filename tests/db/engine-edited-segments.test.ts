// The edited-segments pass: after a segment is edited, added, deactivated or deleted, a dirty run
// re-evaluates only the edited segments (and those that include one of them) over every customer.
// Its memberships, member counts and rule tags must be exactly those of a full run: a full run
// right after it finds nothing to write, and every segment's members equal what its rule matches.
// An edit that moves the rules' day bounds takes the full pass instead.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atEngineTime, freshDb, type TestDb } from './harness.ts';
import { NOW, ago, at } from './engine-clock.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => {
  await t?.close();
});

const sqlAt = <Row = Record<string, unknown>>(now: string, text: string, params: unknown[] = []) => atEngineTime<Row>(t.db, now, text, params);
const sql = <Row = Record<string, unknown>>(text: string, params: unknown[] = []) => sqlAt<Row>(NOW, text, params);

interface Chunk {
  run_id: number;
  scope: string;
  scanned: number;
  changed: number;
  rows_written: number;
  next_after: string | null;
  error: string | null;
}

/** Every chunk of a run as of `now`. */
async function runAt(now: string, org: string, kind: 'full' | 'dirty', limit = 7): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  let after: string | null = null;
  let runId: number | null = null;
  do {
    const [row]: Array<{ r: Chunk }> = await sqlAt<{ r: Chunk }>(now, `select private.recompute($1, $2, $3, $4, $5, $6) as r`, [org, kind, after, limit, runId, now]);
    const chunk: Chunk = row!.r;
    if (chunk.error) throw new Error(chunk.error);
    chunks.push(chunk);
    runId = chunk.run_id;
    after = chunk.next_after;
  } while (after !== null);
  return chunks;
}

const run = (org: string, kind: 'full' | 'dirty', limit = 7) => runAt(NOW, org, kind, limit);

/** Every customer's segments, rule tags, and every segment's member count. */
async function memberships(org: string) {
  const profiles = await sql<{ customer_id: string; segment_ids: string[] }>(
    `select customer_id, array(select m.segment_id from public.segment_memberships m where m.customer_id = p.customer_id order by m.segment_id) as segment_ids
       from public.customer_profiles p where org_id = $1 order by customer_id`,
    [org],
  );
  const ruleTags = await sql<{ customer_id: string; tag_id: string }>(
    `select customer_id, tag_id from public.customer_tags where org_id = $1 and source = 'rule' order by customer_id, tag_id`,
    [org],
  );
  const counts = await sql<{ id: string; member_count: number }>(
    `select id, member_count from public.segments where org_id = $1 and is_active order by id`,
    [org],
  );
  return { profiles, ruleTags, counts };
}

/** What each active segment's rule matches right now, as the rule evaluator sees it. */
async function ruleMatches(org: string): Promise<Record<string, string[]>> {
  const segments = await sql<{ id: string; rule: unknown }>(`select id, rule from public.segments where org_id = $1 and is_active order by id`, [org]);
  const result: Record<string, string[]> = {};
  for (const s of segments) {
    const rows = await sql<{ c: string }>(`select c from private.evaluate_rule($1, $2::jsonb, $3) as c order by c`, [org, JSON.stringify(s.rule), NOW]);
    result[s.id] = rows.map((r) => r.c);
  }
  return result;
}

async function membersBySegment(org: string): Promise<Record<string, string[]>> {
  const rows = await sql<{ id: string; members: string[] }>(
    `select s.id, coalesce(array(select m.customer_id from public.segment_memberships m
                                  where m.segment_id = s.id order by m.customer_id), '{}') as members
       from public.segments s where s.org_id = $1 and s.is_active order by s.id`,
    [org],
  );
  return Object.fromEntries(rows.map((r) => [r.id, r.members]));
}

let org: string;
const segment: Record<string, string> = {};

describe('the edited-segments pass', () => {
  beforeAll(async () => {
    org = randomUUID();
    await sql(`insert into public.organizations (id, name) values ($1, 'Edited segments')`, [org]);
    const [vipTag] = await sql<{ id: string }>(`insert into public.tags (org_id, name) values ($1, 'Big spender') returning id`, [org]);
    const [hotTag] = await sql<{ id: string }>(`insert into public.tags (org_id, name) values ($1, 'Hot') returning id`, [org]);
    for (let i = 0; i < 40; i++) {
      const id = randomUUID();
      // One in six invalid: rules leave them out unless they ask about validity.
      await sql(`insert into public.customers (id, org_id, country, is_valid) values ($1, $2, $3, $4)`, [id, org, ['US', 'CN', 'DE'][i % 3], i % 6 !== 5]);
      const orders = i % 5;
      if (orders > 0) {
        await sql(
          `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
           select $1, $2, 'manual', gen_random_uuid()::text, $3::timestamptz - make_interval(days => k * 40), $4, 'USD', 'paid'
             from generate_series(0, $5 - 1) as k`,
          [org, id, ago(i * 3), 20 + i * 15, orders],
        );
      }
      if (i % 4 === 0) await sql(`insert into public.customer_tags (org_id, customer_id, tag_id, source) values ($1, $2, $3, 'manual')`, [org, id, hotTag!.id]);
    }
    const add = async (name: string, rule: unknown, tagId: string | null = null) => {
      const [row] = await sql<{ id: string }>(`insert into public.segments (org_id, name, rule, tag_id) values ($1, $2, $3::jsonb, $4) returning id`, [
        org,
        name,
        JSON.stringify(rule),
        tagId,
      ]);
      segment[name] = row!.id;
    };
    await add('Spenders', { field: 'net_spend', op: 'gte', value: 200 }, vipTag!.id);
    await add('US spenders', { all: [{ segment: segment.Spenders }, { field: 'country', op: 'in', value: ['US'] }] });
    await add('Hot', { field: 'tags', op: 'has', value: 'Hot' });
    await add('Recent', { field: 'days_since_last_order', op: 'lte', value: 30 });
    await add('Frequent', { field: 'order_count', op: 'gte', value: 3 });
    const chunks = await run(org, 'full');
    expect(chunks[0]!.scope).toBe('all');
  });

  it('evaluates only the edited segment and those including it, exactly as a full run would', async () => {
    await sql(`update public.segments set rule = '{"field": "net_spend", "op": "gte", "value": 500}' where id = $1`, [segment.Spenders]);
    const [state] = await sql<{ edited_segments: string[] }>(`select edited_segments from private.engine_state where org_id = $1`, [org]);
    expect([...state!.edited_segments].sort()).toEqual([segment.Spenders, segment['US spenders']].sort());

    const pass = await run(org, 'dirty', 3);
    expect(pass[0]!.scope).toBe('segments');
    expect(pass[0]!.scanned).toBe(40);
    const moved = pass.reduce((n, c) => n + c.changed, 0);
    expect(moved).toBeGreaterThan(3); // several chunks of 3
    expect(pass.length).toBe(Math.ceil(moved / 3));
    const after = await memberships(org);
    expect(await membersBySegment(org)).toEqual(await ruleMatches(org));
    // Rule tags follow: the members of Spenders carry its tag, nobody else.
    const spenders = (await membersBySegment(org))[segment.Spenders!]!;
    expect(after.ruleTags.map((r) => r.customer_id).sort()).toEqual([...spenders].sort());
    expect(after.counts.find((c) => c.id === segment.Spenders)!.member_count).toBe(spenders.length);

    // A full run now has nothing to write, and leaves every membership, tag and count as it is.
    const full = await run(org, 'full');
    expect(full.reduce((n, c) => n + c.rows_written, 0)).toBe(0);
    expect(await memberships(org)).toEqual(after);
    const [done] = await sql<{ edited_segments: string[]; pending: boolean }>(
      `select edited_segments, segments_version > segments_done_version as pending from private.engine_state where org_id = $1`,
      [org],
    );
    expect(done).toEqual({ edited_segments: [], pending: false });
  });

  it('adds a new segment, and takes a deactivated or deleted one off its members', async () => {
    await sql(`insert into public.segments (org_id, name, rule) values ($1, 'Germany', '{"field": "country", "op": "in", "value": ["DE"]}')`, [org]);
    await sql(`update public.segments set is_active = false where id = $1`, [segment.Frequent]);
    await sql(`delete from public.segments where id = $1`, [segment.Hot]);
    const pass = await run(org, 'dirty');
    expect(pass[0]!.scope).toBe('segments');
    const after = await memberships(org);
    expect(await membersBySegment(org)).toEqual(await ruleMatches(org));
    expect(after.profiles.some((p) => p.segment_ids.includes(segment.Frequent!) || p.segment_ids.includes(segment.Hot!))).toBe(false);
    const full = await run(org, 'full');
    expect(full.reduce((n, c) => n + c.rows_written, 0)).toBe(0);
    expect(await memberships(org)).toEqual(after);
  });

  it('evaluates rules that read only profiles and validity without the customer rows, invalid customers left out or asked for', async () => {
    await sql(`update public.segments set rule = '{"field": "net_spend", "op": "gte", "value": 300}' where id = $1`, [segment.Spenders]);
    const [invalidSpenders] = await sql<{ id: string }>(
      `insert into public.segments (org_id, name, rule)
       values ($1, 'Invalid spenders', '{"all": [{"field": "net_spend", "op": "gte", "value": 100}, {"field": "is_valid", "op": "eq", "value": false}]}')
       returning id`,
      [org],
    );
    const pass = await run(org, 'dirty');
    expect(pass[0]!.scope).toBe('segments');
    const [details] = await sql<{ reads_stored: boolean }>(`select (details ->> 'reads_stored')::boolean as reads_stored from public.recompute_runs where id = $1`, [
      pass[0]!.run_id,
    ]);
    expect(details!.reads_stored).toBe(true);
    const members = await membersBySegment(org);
    expect(members).toEqual(await ruleMatches(org));
    const invalid = (await sql<{ id: string }>(`select id from public.customers where org_id = $1 and not is_valid order by id`, [org])).map((r) => r.id);
    expect(invalid.length).toBeGreaterThan(0);
    expect(members[invalidSpenders!.id]!.length).toBeGreaterThan(0);
    expect(members[invalidSpenders!.id]!.every((c) => invalid.includes(c))).toBe(true);
    expect(members[segment.Spenders!]!.some((c) => invalid.includes(c))).toBe(false);
    const full = await run(org, 'full');
    expect(full.reduce((n, c) => n + c.rows_written, 0)).toBe(0);
  });

  it('takes the full pass when an edit moves the rules’ day bounds', async () => {
    await sql(`update public.segments set rule = '{"field": "days_since_last_order", "op": "lte", "value": 60}' where id = $1`, [segment.Recent]);
    const pass = await run(org, 'dirty');
    expect(pass[0]!.scope).toBe('all');
    expect(await membersBySegment(org)).toEqual(await ruleMatches(org));
    // The next edit (no bounds moved) is back on the edited-segments pass.
    await sql(`update public.segments set rule = '{"field": "order_count", "op": "gte", "value": 2}' where id = $1`, [segment.Frequent]);
    await sql(`update public.segments set is_active = true where id = $1`, [segment.Frequent]);
    const next = await run(org, 'dirty');
    expect(next[0]!.scope).toBe('segments');
    expect(await membersBySegment(org)).toEqual(await ruleMatches(org));
    const full = await run(org, 'full');
    expect(full.reduce((n, c) => n + c.rows_written, 0)).toBe(0);
  });
});

// A rule reading the stage: the stored stages are the classification's once the customers whose
// next change has come (next_transition_at) are classified, so the pass classifies those first and
// reads everyone else's stored profile, unless they are more than a chunk.
describe('the edited-segments pass over a rule reading the stage', () => {
  const later = at(40);
  let stageOrg: string;
  let atRisk: string;

  async function matchesAt(now: string, segmentId: string): Promise<string[]> {
    const [s] = await sqlAt<{ rule: unknown }>(now, `select rule from public.segments where id = $1`, [segmentId]);
    return (await sqlAt<{ c: string }>(now, `select c from private.evaluate_rule($1, $2::jsonb, $3) as c order by c`, [stageOrg, JSON.stringify(s!.rule), now])).map((r) => r.c);
  }

  async function membersOf(segmentId: string): Promise<string[]> {
    return (await sql<{ c: string }>(`select customer_id as c from public.segment_memberships where segment_id = $1 order by customer_id`, [segmentId])).map((r) => r.c);
  }

  async function runDetails(runId: number) {
    const [row] = await sql<{ reads_stored: boolean; due_classified: number; stage_changes: number }>(
      `select (details ->> 'reads_stored')::boolean as reads_stored, (details ->> 'due_classified')::integer as due_classified,
              (details ->> 'stage_changes')::integer as stage_changes
         from public.recompute_runs where id = $1`,
      [runId],
    );
    return row!;
  }

  beforeAll(async () => {
    stageOrg = randomUUID();
    await sql(`insert into public.organizations (id, name) values ($1, 'Edited stage rules')`, [stageOrg]);
    // Last orders 0 to 117 days before NOW: forty days later some are new no more, some at risk,
    // some churned, each a transition due by then.
    for (let i = 0; i < 40; i++) {
      const id = randomUUID();
      await sql(`insert into public.customers (id, org_id, country) values ($1, $2, 'US')`, [id, stageOrg]);
      const orders = 1 + (i % 3);
      await sql(
        `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
         select $1, $2, 'manual', gen_random_uuid()::text, $3::timestamptz - make_interval(days => k * 50), 40, 'USD', 'paid'
           from generate_series(0, $4 - 1) as k`,
        [stageOrg, id, ago(i * 3), orders],
      );
    }
    const [row] = await sql<{ id: string }>(
      `insert into public.segments (org_id, name, rule) values ($1, 'At risk', '{"field": "lifecycle_stage", "op": "in", "value": ["at_risk"]}') returning id`,
      [stageOrg],
    );
    atRisk = row!.id;
    await runAt(NOW, stageOrg, 'full', 50);
    expect(await membersOf(atRisk)).toEqual(await matchesAt(NOW, atRisk));
  });

  it('classifies the customers due first, then reads the stored stages, exactly as a full run would', async () => {
    const due = await sql<{ customer_id: string }>(
      `select customer_id from public.customer_profiles where org_id = $1 and next_transition_at <= $2 order by customer_id`,
      [stageOrg, later],
    );
    expect(due.length).toBeGreaterThan(3);

    await sqlAt(later, `update public.segments set rule = '{"field": "lifecycle_stage", "op": "in", "value": ["at_risk", "churned"]}' where id = $1`, [atRisk]);
    const pass = await runAt(later, stageOrg, 'dirty', 50);
    expect(pass[0]!.scope).toBe('segments');
    const details = await runDetails(pass[0]!.run_id);
    expect(details.reads_stored).toBe(true);
    expect(details.due_classified).toBe(due.length);
    expect(details.stage_changes).toBeGreaterThan(0);
    // Their stage changes are recorded as of the run.
    const [recorded] = await sql<{ n: number }>(
      `select count(*)::integer as n from public.stage_changes where org_id = $1 and changed_at = $2 and source = 'computed'`,
      [stageOrg, later],
    );
    expect(recorded!.n).toBe(details.stage_changes);
    const [stillDue] = await sql<{ n: number }>(
      `select count(*)::integer as n from public.customer_profiles where org_id = $1 and next_transition_at <= $2`,
      [stageOrg, later],
    );
    expect(stillDue!.n).toBe(0);

    const members = await membersOf(atRisk);
    expect(members.length).toBeGreaterThan(0);
    expect(members).toEqual(await matchesAt(later, atRisk));
    // A full run at the same time changes no stage and no membership (it rewrites the R scores of
    // the forty days gone by, which no run over stored profiles brings up to date).
    const full = await runAt(later, stageOrg, 'full', 50);
    const fullDetails = await sql<{ stage_changes: number; memberships_written: number }>(
      `select (details ->> 'stage_changes')::integer as stage_changes, (details ->> 'memberships_written')::integer as memberships_written
         from public.recompute_runs where id = $1`,
      [full[0]!.run_id],
    );
    expect(fullDetails).toEqual([{ stage_changes: 0, memberships_written: 0 }]);
    expect(await membersOf(atRisk)).toEqual(members);
  });

  it('classifies everyone instead when more customers are due than a chunk takes', async () => {
    const evenLater = at(130);
    const [due] = await sql<{ n: number }>(
      `select count(*)::integer as n from public.customer_profiles where org_id = $1 and next_transition_at <= $2`,
      [stageOrg, evenLater],
    );
    expect(due!.n).toBeGreaterThan(2);
    await sqlAt(evenLater, `update public.segments set rule = '{"field": "lifecycle_stage", "op": "in", "value": ["churned"]}' where id = $1`, [atRisk]);
    const pass = await runAt(evenLater, stageOrg, 'dirty', 2);
    expect(pass[0]!.scope).toBe('segments');
    const details = await runDetails(pass[0]!.run_id);
    expect(details.reads_stored).toBe(false);
    expect(details.due_classified).toBe(0);
    expect(await membersOf(atRisk)).toEqual(await matchesAt(evenLater, atRisk));
  });
});

// Follow-ups (跟进): add_follow_up, complete_follow_up and my_follow_ups called as the members
// they are for, their argument checks, idempotency, and the table's own rules (who completed a
// follow-up is stamped, whoever writes it). Results are checked against the zod schemas in
// shared/api.ts.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFollowUpResultSchema, completeFollowUpResultSchema, myFollowUpsResultSchema } from '../../shared/api.ts';
import type { Queryable } from '../../supabase/local/db.ts';
import { freshDb, type TestDb } from './harness.ts';
import { asUser, createTenants, emails, orgs, rows, sqlState, users } from './tenants.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
  await createTenants(t.db);
});
afterAll(async () => {
  await t?.close();
});

const A = orgs.a;
const B = orgs.b;
const email = (value: string) => JSON.stringify({ kind: 'email', value });
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

const addFollowUp = (
  tx: Queryable,
  args: { identifier?: string; due?: string | null; note?: string | null; assignee?: string | null; requestId?: string; org?: string },
) =>
  tx
    .query<{ result: unknown }>('select public.add_follow_up($1, $2::jsonb, $3, $4, $5, $6) as result', [
      args.org ?? A,
      args.identifier ?? email(emails.owned),
      args.due === undefined ? inDays(1) : args.due,
      args.note ?? null,
      args.assignee ?? null,
      args.requestId ?? randomUUID(),
    ])
    .then((r) => addFollowUpResultSchema.parse(r.rows[0]!.result));

const complete = (tx: Queryable, followUp: string, requestId = randomUUID(), org = A) =>
  tx
    .query<{ result: unknown }>('select public.complete_follow_up($1, $2, $3) as result', [org, followUp, requestId])
    .then((r) => completeFollowUpResultSchema.parse(r.rows[0]!.result));

const mine = (tx: Queryable, until: string, org = A) =>
  // As PostgREST answers: the rows as JSON.
  tx
    .query<{ result: unknown }>(`select coalesce(jsonb_agg(f), '[]') as result from public.my_follow_ups($1, $2) as f`, [org, until])
    .then((r) => myFollowUpsResultSchema.parse(r.rows[0]!.result));

async function count(table: string, where = 'true'): Promise<number> {
  const { rows: found } = await t.db.query<{ n: number }>(`select count(*)::int as n from public.${table} where ${where}`);
  return found[0]!.n;
}

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { code: e.code ?? '', message: e.message ?? '' };
  }
  throw new Error('expected the call to fail');
}

describe('add_follow_up', () => {
  it('schedules a follow-up for the caller on a known customer', async () => {
    const result = await asUser(t.db, 'staff', (tx) => addFollowUp(tx, { due: inDays(3), note: '  Send the autumn price list. \n' }));
    expect(result.customer_id).toBe(rows.ownedCustomer);
    expect(result.created).toBe(false);
    expect(result.follow_up).toMatchObject({
      customer_id: rows.ownedCustomer,
      assignee_id: users.staff,
      assignee_name: 'Sam Staff',
      note: 'Send the autumn price list.',
      created_by: users.staff,
      created_by_name: 'Sam Staff',
      done_at: null,
      done_by: null,
    });
    expect(Date.parse(result.follow_up.due_at)).toBeGreaterThan(Date.now() + 2.9 * 86_400_000);
  });

  it('assigns it to another member when asked', async () => {
    const result = await asUser(t.db, 'staff', (tx) => addFollowUp(tx, { assignee: users.rep }));
    expect(result.follow_up).toMatchObject({ assignee_id: users.rep, assignee_name: 'Rei Rep', created_by: users.staff });
  });

  it('adds an unknown person as a lead, owned by the rep who adds them', async () => {
    const { result, owner, stage, captured } = await asUser(t.db, 'rep', async (tx) => {
      const answer = await addFollowUp(tx, { identifier: email('New.Person@Example.com') });
      const { rows: found } = await tx.query<{ owner_id: string; stage: string; captured: number }>(
        `select c.owner_id, p.lifecycle_stage as stage,
                (select count(*)::int from public.events e where e.customer_id = c.id and e.kind = 'captured') as captured
           from public.customers c join public.customer_profiles p on p.customer_id = c.id
          where c.org_id = $1 and c.primary_email = 'new.person@example.com'`,
        [A],
      );
      return { result: answer, owner: found[0]!.owner_id, stage: found[0]!.stage, captured: found[0]!.captured };
    });
    expect(result.created).toBe(true);
    expect(owner).toBe(users.rep);
    expect(stage).toBe('lead');
    expect(captured).toBe(1);
  });

  it('returns the first answer to a retry and writes once', async () => {
    const requestId = randomUUID();
    const due = inDays(2);
    const before = await count('follow_ups');
    const [first, second] = await asUser(
      t.db,
      'staff',
      async (tx) => [
        await addFollowUp(tx, { identifier: email('retry@example.com'), note: 'Once', due, requestId }),
        await addFollowUp(tx, { identifier: email('RETRY@example.com'), note: ' Once ', due, requestId }),
      ],
      { commit: true },
    );
    expect(second).toEqual(first);
    expect(await count('follow_ups')).toBe(before + 1);
    expect(await count('customers', `primary_email = 'retry@example.com'`)).toBe(1);
    // The same id for another follow-up is refused rather than answered with the wrong result.
    const reuse = await errorOf(asUser(t.db, 'staff', (tx) => addFollowUp(tx, { identifier: email('retry@example.com'), note: 'Twice', due, requestId })));
    expect(reuse).toMatchObject({ code: '22023' });
    expect(reuse.message).toContain('p_request_id');
  });

  type BadArgs = { identifier?: string; due?: string | null; note?: string; assignee?: string; requestId?: string | null };
  it.each<[string, BadArgs, string]>([
    ['no due time', { due: null }, 'p_due_at'],
    ['a due time six years ahead', { due: inDays(6 * 366) }, 'p_due_at'],
    ['a due time two years ago', { due: inDays(-2 * 366) }, 'p_due_at'],
    ['a note of 2,001 characters', { note: 'n'.repeat(2001) }, 'p_note'],
    ['an assignee of another organization', { assignee: users.otherAdmin }, 'p_assignee'],
    ['an assignee who is nobody', { assignee: randomUUID() }, 'p_assignee'],
    ['no identifier', { identifier: 'null' }, 'p_identifier'],
    ['an identifier with an extra key', { identifier: '{"kind": "email", "value": "a@b.co", "x": 1}' }, 'p_identifier'],
    ['an invalid email', { identifier: email('not an email') }, 'p_identifier'],
    ['no request id', { requestId: null }, 'p_request_id'],
  ])('refuses %s, naming the argument and writing nothing', async (_label, args, argument) => {
    const before = [await count('follow_ups'), await count('customers'), await count('api_requests')];
    const failure = await errorOf(
      asUser(
        t.db,
        'staff',
        (tx) =>
          tx.query('select public.add_follow_up($1, $2::jsonb, $3, $4, $5, $6)', [
            A,
            args.identifier ?? email('someone.new@example.com'),
            'due' in args ? args.due : inDays(1),
            args.note ?? null,
            args.assignee ?? null,
            'requestId' in args ? args.requestId : randomUUID(),
          ]),
        { commit: true },
      ),
    );
    expect(failure.code).toBe('22023');
    expect(failure.message).toContain(argument);
    expect([await count('follow_ups'), await count('customers'), await count('api_requests')]).toEqual(before);
  });

  it('refuses a caller who is not a member of the organization', async () => {
    expect(await sqlState(asUser(t.db, 'otherAdmin', (tx) => addFollowUp(tx, {})))).toBe('42501');
    expect(await sqlState(asUser(t.db, 'newcomer', (tx) => addFollowUp(tx, {})))).toBe('42501');
  });
});

describe('complete_follow_up', () => {
  // Created by the admin, assigned to the rep.
  let followUp: string;
  beforeAll(async () => {
    const result = await asUser(t.db, 'admin', (tx) => addFollowUp(tx, { assignee: users.rep, note: 'Call about the quote' }), { commit: true });
    followUp = result.follow_up.id;
  });

  it('lets the assignee complete it, stamping who and when, once', async () => {
    const [first, again] = await asUser(t.db, 'rep', async (tx) => [await complete(tx, followUp), await complete(tx, followUp)]);
    expect(first.changed).toBe(true);
    expect(first.follow_up).toMatchObject({ id: followUp, done_by: users.rep, done_by_name: 'Rei Rep' });
    expect(first.follow_up.done_at).not.toBeNull();
    expect(again.changed).toBe(false);
    expect(again.follow_up.done_at).toBe(first.follow_up.done_at);
  });

  it('lets its creator and admins complete it', async () => {
    const result = await asUser(t.db, 'admin', (tx) => complete(tx, followUp));
    expect(result).toMatchObject({ changed: true, follow_up: { done_by: users.admin } });
  });

  it('refuses another member', async () => {
    const failure = await errorOf(asUser(t.db, 'staff', (tx) => complete(tx, followUp)));
    expect(failure.code).toBe('42501');
    expect(failure.message).toContain('p_follow_up');
  });

  it("refuses another organization's follow-up and an unknown id", async () => {
    const inB = await asUser(t.db, 'otherAdmin', (tx) => addFollowUp(tx, { org: B, identifier: email(emails.customerB) }), { commit: true });
    for (const id of [inB.follow_up.id, randomUUID()]) {
      const failure = await errorOf(asUser(t.db, 'admin', (tx) => complete(tx, id)));
      expect(failure).toMatchObject({ code: '22023' });
      expect(failure.message).toContain('p_follow_up');
    }
    expect(await count('follow_ups', `id = '${inB.follow_up.id}' and done_at is not null`)).toBe(0);
    // In B's name, A's member is nobody.
    expect(await sqlState(asUser(t.db, 'admin', (tx) => complete(tx, inB.follow_up.id, randomUUID(), B)))).toBe('42501');
  });

  it('answers a retry with the first result', async () => {
    const requestId = randomUUID();
    const [first, second] = await asUser(t.db, 'rep', async (tx) => [await complete(tx, followUp, requestId), await complete(tx, followUp, requestId)]);
    expect(second).toEqual(first);
  });

  it('refuses missing arguments', async () => {
    const failure = await errorOf(asUser(t.db, 'rep', (tx) => tx.query('select public.complete_follow_up($1, $2, $3)', [A, null, randomUUID()])));
    expect(failure.code).toBe('22023');
    expect(failure.message).toContain('p_follow_up');
    const noRequest = await errorOf(asUser(t.db, 'rep', (tx) => tx.query('select public.complete_follow_up($1, $2)', [A, followUp])));
    expect(noRequest.message).toContain('p_request_id');
  });
});

describe('my_follow_ups', () => {
  it("lists the caller's open follow-ups due by the time asked, earliest first, with the customer", async () => {
    const listed = await asUser(t.db, 'rep', async (tx) => {
      const overdue = await addFollowUp(tx, { due: inDays(-2), note: 'Overdue one' });
      const today = await addFollowUp(tx, { due: inDays(0.01), identifier: email(emails.unowned) });
      const later = await addFollowUp(tx, { due: inDays(10) });
      const done = await addFollowUp(tx, { due: inDays(-1) });
      await complete(tx, done.follow_up.id);
      // Someone else's.
      await addFollowUp(tx, { due: inDays(-1), assignee: users.staff });
      const list = await mine(tx, inDays(0.5));
      return { list, ids: { overdue: overdue.follow_up.id, today: today.follow_up.id, later: later.follow_up.id } };
    });
    expect(listed.list.map((f) => f.follow_up_id)).toEqual([listed.ids.overdue, listed.ids.today]);
    expect(listed.list[0]).toMatchObject({
      customer_id: rows.ownedCustomer,
      display_name: 'Olivia Owned',
      primary_email: emails.owned,
      overdue: true,
      note: 'Overdue one',
      created_by_name: 'Rei Rep',
    });
    expect(listed.list[0]!.effective_stage).not.toBeNull();
    expect(listed.list[1]).toMatchObject({ display_name: 'Uma Unowned', overdue: false });
  });

  it('refuses a missing time and another organization', async () => {
    const failure = await errorOf(asUser(t.db, 'rep', (tx) => mine(tx, null as unknown as string)));
    expect(failure.code).toBe('22023');
    expect(failure.message).toContain('p_until');
    expect(await sqlState(asUser(t.db, 'otherAdmin', (tx) => mine(tx, inDays(1))))).toBe('42501');
  });
});

describe('the follow_ups table', () => {
  it('stamps who completed a follow-up and forgets them when it is reopened', async () => {
    const stamped = await asUser(t.db, 'staff', async (tx) => {
      const created = await addFollowUp(tx, {});
      const { rows: done } = await tx.query<{ done_by: string }>(
        'update public.follow_ups set done_at = now() where id = $1 returning done_by',
        [created.follow_up.id],
      );
      const { rows: reopened } = await tx.query<{ done_by: string | null }>(
        'update public.follow_ups set done_at = null where id = $1 returning done_by',
        [created.follow_up.id],
      );
      return [done[0]!.done_by, reopened[0]!.done_by];
    });
    expect(stamped).toEqual([users.staff, null]);
  });

  it('lets the assignee hand a follow-up to a colleague', async () => {
    const handed = await asUser(t.db, 'staff', async (tx) => {
      const created = await addFollowUp(tx, {});
      const { rows: updated } = await tx.query<{ assignee_id: string }>(
        'update public.follow_ups set assignee_id = $2 where id = $1 returning assignee_id',
        [created.follow_up.id, users.rep],
      );
      return updated.map((r) => r.assignee_id);
    });
    expect(handed).toEqual([users.rep]);
  });

  it('keeps the follow-up, unassigned, when its assignee leaves the organization', async () => {
    const created = await asUser(t.db, 'admin', (tx) => addFollowUp(tx, { assignee: users.staff }), { commit: true });
    await t.db.transaction(async (tx) => {
      await tx.query(`delete from public.members where org_id = $1 and user_id = $2`, [A, users.staff]);
      const { rows: left } = await tx.query<{ assignee_id: string | null }>('select assignee_id from public.follow_ups where id = $1', [
        created.follow_up.id,
      ]);
      expect(left).toEqual([{ assignee_id: null }]);
      throw Object.assign(new Error('rollback'), { rollback: true });
    }).catch((error: { rollback?: boolean }) => {
      if (!error.rollback) throw error;
    });
  });
});

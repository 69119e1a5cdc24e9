// Ownership (负责人) and the pool (公海): claim_customer, release_customer and assign_customer as
// the roles they are for and against, the history every change leaves in ownership_changes
// (through the API, Studio or a member leaving), idempotency; and record_satisfaction (回访).
// Results are checked against the zod schemas in shared/api.ts.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assignCustomerResultSchema,
  claimCustomerResultSchema,
  recordSatisfactionResultSchema,
  releaseCustomerResultSchema,
} from '../../shared/api.ts';
import type { Queryable } from '../../supabase/local/db.ts';
import { freshDb, type TestDb } from './harness.ts';
import { asUser, createTenants, emails, orgs, rows, users, type UserName } from './tenants.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
  await createTenants(t.db);
});
afterAll(async () => {
  await t?.close();
});

const A = orgs.a;
const email = (value: string) => JSON.stringify({ kind: 'email', value });

const claim = (tx: Queryable, customer: string, requestId = randomUUID()) =>
  tx
    .query<{ r: unknown }>('select public.claim_customer($1, $2, $3) as r', [A, customer, requestId])
    .then((x) => claimCustomerResultSchema.parse(x.rows[0]!.r));
const release = (tx: Queryable, customer: string, reason: string | null = null, requestId = randomUUID()) =>
  tx
    .query<{ r: unknown }>('select public.release_customer($1, $2, $3, $4) as r', [A, customer, reason, requestId])
    .then((x) => releaseCustomerResultSchema.parse(x.rows[0]!.r));
const assign = (tx: Queryable, customer: string, member: string, requestId = randomUUID()) =>
  tx
    .query<{ r: unknown }>('select public.assign_customer($1, $2, $3, $4) as r', [A, customer, member, requestId])
    .then((x) => assignCustomerResultSchema.parse(x.rows[0]!.r));

interface Change {
  from_owner_id: string | null;
  to_owner_id: string | null;
  reason: string;
  note: string | null;
  changed_by: string | null;
}
const history = (tx: Queryable, customer: string) =>
  tx
    .query<Change>(
      `select from_owner_id, to_owner_id, reason::text, note, changed_by from public.ownership_changes
        where customer_id = $1 order by id`,
      [customer],
    )
    .then((r) => r.rows);

async function failure(user: UserName, fn: (tx: Queryable) => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await asUser(t.db, user, fn);
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { code: e.code ?? '', message: e.message ?? '' };
  }
  throw new Error('expected the call to fail');
}

describe('claim_customer', () => {
  it('gives a pool customer to the rep who claims it, and records why', async () => {
    const { result, changes, owner } = await asUser(t.db, 'rep', async (tx) => {
      const answer = await claim(tx, rows.unownedCustomer);
      const again = await claim(tx, rows.unownedCustomer);
      expect(again.changed).toBe(false);
      return { result: answer, changes: await history(tx, rows.unownedCustomer), owner: answer.portrait.customer.owner };
    });
    expect(result).toMatchObject({ customer_id: rows.unownedCustomer, changed: true, owner: { user_id: users.rep, display_name: 'Rei Rep' } });
    expect(owner).toEqual({ user_id: users.rep, display_name: 'Rei Rep' });
    expect(changes).toEqual([{ from_owner_id: null, to_owner_id: users.rep, reason: 'claimed', note: null, changed_by: users.rep }]);
  });

  it('lets an admin claim too, but not staff', async () => {
    expect((await asUser(t.db, 'admin', (tx) => claim(tx, rows.unownedCustomer))).owner?.user_id).toBe(users.admin);
    const refused = await failure('staff', (tx) => claim(tx, rows.unownedCustomer));
    expect(refused.code).toBe('42501');
    expect(refused.message).toContain('p_customer');
  });

  it("refuses a customer someone else owns, even to an admin (that is assigning)", async () => {
    expect((await failure('admin', (tx) => claim(tx, rows.ownedCustomer))).code).toBe('42501');
    const taken = await failure('rep', async (tx) => {
      await tx.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ role: 'authenticated', sub: users.admin })]);
      await claim(tx, rows.staffCustomer);
      await tx.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ role: 'authenticated', sub: users.rep })]);
      await claim(tx, rows.staffCustomer);
    });
    expect(taken.code).toBe('42501');
  });

  it('answers a retry with the first result and records one change', async () => {
    const requestId = randomUUID();
    const changes = await asUser(t.db, 'rep', async (tx) => {
      const first = await claim(tx, rows.staffCustomer, requestId);
      const second = await claim(tx, rows.staffCustomer, requestId);
      expect(second).toEqual(first);
      return history(tx, rows.staffCustomer);
    });
    expect(changes).toHaveLength(1);
  });
});

describe('release_customer', () => {
  it("lets the owner give their customer back to the pool, with the reason", async () => {
    const { result, changes } = await asUser(t.db, 'rep', async (tx) => ({
      result: await release(tx, rows.ownedCustomer, '  Moved   to a competitor '),
      changes: await history(tx, rows.ownedCustomer),
    }));
    expect(result).toMatchObject({ changed: true, owner: null });
    expect(changes.at(-1)).toEqual({ from_owner_id: users.rep, to_owner_id: null, reason: 'released', note: 'Moved to a competitor', changed_by: users.rep });
  });

  it('lets an admin release any customer, and no one else', async () => {
    expect((await asUser(t.db, 'admin', (tx) => release(tx, rows.ownedCustomer))).changed).toBe(true);
    for (const user of ['staff'] as const) {
      const refused = await failure(user, (tx) => release(tx, rows.ownedCustomer));
      expect(refused.code).toBe('42501');
    }
    // Releasing a pool customer changes nothing.
    expect((await asUser(t.db, 'rep', (tx) => release(tx, rows.unownedCustomer))).changed).toBe(false);
  });
});

describe('assign_customer', () => {
  it('lets an admin give a customer to any member, recorded as assigned', async () => {
    const changes = await asUser(t.db, 'admin', async (tx) => {
      const answer = await assign(tx, rows.ownedCustomer, users.staff);
      expect(answer).toMatchObject({ changed: true, owner: { user_id: users.staff, display_name: 'Sam Staff' } });
      expect((await assign(tx, rows.ownedCustomer, users.staff)).changed).toBe(false);
      return history(tx, rows.ownedCustomer);
    });
    expect(changes.at(-1)).toEqual({ from_owner_id: users.rep, to_owner_id: users.staff, reason: 'assigned', note: null, changed_by: users.admin });
  });

  it('refuses reps and staff, and members of other organizations as owners', async () => {
    for (const user of ['rep', 'staff'] as const) {
      const refused = await failure(user, (tx) => assign(tx, rows.unownedCustomer, user === 'rep' ? users.rep : users.staff));
      expect(refused.code).toBe('42501');
    }
    const outsider = await failure('admin', (tx) => assign(tx, rows.unownedCustomer, users.otherAdmin));
    expect(outsider).toMatchObject({ code: '22023' });
    expect(outsider.message).toContain('p_member');
  });
});

describe('the ownership history', () => {
  it('records a change made in Studio with the reason it amounts to', async () => {
    const changes = await asUser(t.db, 'admin', async (tx) => {
      await tx.query('update public.customers set owner_id = $2 where id = $1', [rows.unownedCustomer, users.rep]);
      await tx.query('update public.customers set owner_id = $2 where id = $1', [rows.unownedCustomer, users.admin]);
      await tx.query('update public.customers set owner_id = null where id = $1', [rows.unownedCustomer]);
      await tx.query('update public.customers set display_name = display_name where id = $1', [rows.unownedCustomer]);
      return history(tx, rows.unownedCustomer);
    });
    expect(changes.map((c) => [c.from_owner_id, c.to_owner_id, c.reason])).toEqual([
      [null, users.rep, 'assigned'],
      [users.rep, users.admin, 'claimed'],
      [users.admin, null, 'released'],
    ]);
  });

  it('records a customer created with an owner, as of its creation', async () => {
    const changes = await asUser(t.db, 'rep', async (tx) => {
      const { rows: created } = await tx.query<{ id: string }>(
        `select (public.tag_customer($1, $2::jsonb, '[]', null, null, $3) ->> 'customer_id') as id`,
        [A, email('brand.new@example.com'), randomUUID()],
      );
      return history(tx, created[0]!.id);
    });
    expect(changes).toEqual([{ from_owner_id: null, to_owner_id: users.rep, reason: 'claimed', note: null, changed_by: users.rep }]);
    // The tenants' customer owned from the start has its row too.
    expect((await asUser(t.db, 'staff', (tx) => history(tx, rows.ownedCustomer)))[0]).toMatchObject({ to_owner_id: users.rep });
  });

  it('puts a customer back in the pool when its owner leaves the organization, and says so', async () => {
    const changes = await asUser(t.db, 'admin', async (tx) => {
      await tx.query('delete from public.members where org_id = $1 and user_id = $2', [A, users.rep]);
      return history(tx, rows.ownedCustomer);
    });
    expect(changes.at(-1)).toMatchObject({ from_owner_id: users.rep, to_owner_id: null, reason: 'released' });
    expect(changes.at(-1)!.note).toContain('no longer a member');
  });

  it('lets a user whose customers return to the pool be deleted', async () => {
    const owned = await t.db
      .transaction(async (tx) => {
        await tx.query('delete from auth.users where id = $1', [users.rep]);
        const { rows: left } = await tx.query('select 1 from public.customers where owner_id = $1', [users.rep]);
        throw Object.assign(new Error('rollback'), { left });
      })
      .catch((error: { left?: unknown[] }) => {
        if (!error.left) throw error;
        return error.left;
      });
    expect(owned).toEqual([]);
  });
});

describe('record_satisfaction', () => {
  const record = (tx: Queryable, args: { identifier?: string; score: number; scale: string; comment?: string | null; channel: string; requestId?: string }) =>
    tx
      .query<{ r: unknown }>('select public.record_satisfaction($1, $2::jsonb, $3::smallint, $4, $5, $6, $7) as r', [
        A,
        args.identifier ?? email(emails.owned),
        args.score,
        args.scale,
        args.comment ?? null,
        args.channel,
        args.requestId ?? randomUUID(),
      ])
      .then((x) => recordSatisfactionResultSchema.parse(x.rows[0]!.r));

  it('records an answer in the caller\'s name, at both ends of each scale', async () => {
    const answers = await asUser(t.db, 'staff', async (tx) => [
      await record(tx, { score: 1, scale: 'csat5', channel: 'phone', comment: ' Slow delivery ' }),
      await record(tx, { score: 5, scale: 'csat5', channel: 'visit' }),
      await record(tx, { score: 0, scale: 'nps10', channel: 'wechat' }),
      await record(tx, { score: 10, scale: 'nps10', channel: 'mail' }),
    ]);
    expect(answers.map((a) => [a.response.score, a.response.scale, a.response.channel])).toEqual([
      [1, 'csat5', 'phone'],
      [5, 'csat5', 'visit'],
      [0, 'nps10', 'wechat'],
      [10, 'nps10', 'mail'],
    ]);
    expect(answers[0]!.response).toMatchObject({ customer_id: rows.ownedCustomer, comment: 'Slow delivery', recorded_by: users.staff, recorded_by_name: 'Sam Staff' });
    expect(answers[0]!.created).toBe(false);
  });

  it('adds an unknown person as a lead and answers a retry once', async () => {
    const requestId = randomUUID();
    const counts = await asUser(t.db, 'staff', async (tx) => {
      const first = await record(tx, { identifier: email('visited@example.com'), score: 4, scale: 'csat5', channel: 'visit', requestId });
      const second = await record(tx, { identifier: email('visited@example.com'), score: 4, scale: 'csat5', channel: 'visit', requestId });
      expect(second).toEqual(first);
      expect(first.created).toBe(true);
      const { rows: found } = await tx.query<{ n: number }>('select count(*)::int as n from public.satisfaction_responses where customer_id = $1', [first.customer_id]);
      return found[0]!.n;
    });
    expect(counts).toBe(1);
  });

  it('is refused outside the organization', async () => {
    expect((await failure('otherAdmin', (tx) => record(tx, { score: 4, scale: 'csat5', channel: 'phone' }))).code).toBe('42501');
  });
});

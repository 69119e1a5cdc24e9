// Owners changed in bulk: one UPDATE of customers.owner_id over thousands of customers (an admin
// handing a departing rep's customers to another in Studio, an import of owners) writes one history
// row per customer, sets owned_since and the pool's recycle time of each, and reclassifies them for
// the rule fields that read the owner — with statement-level triggers, so the statement's work is a
// handful of set-based statements whatever its row count.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atEngineTime, freshDb, type TestDb } from './harness.ts';
import { createTenants, users } from './tenants.ts';

const S = '2026-06-01T12:00:00.000Z';
const DAY = 86_400_000;
const at = (days: number) => new Date(Date.parse(S) + days * DAY).toISOString();
const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());
const N = 2000;

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
  await createTenants(t.db);
});
afterAll(async () => {
  await t?.close();
});

/** Runs statements as postgres in one transaction with the engine's clock at `now`. */
const pg = <Row = Record<string, unknown>>(now: string, text: string, params: unknown[] = []) => atEngineTime<Row>(t.db, now, text, params);

interface Change {
  customer_id: string;
  from_owner_id: string | null;
  to_owner_id: string | null;
  reason: string;
  note: string | null;
  changed_by: string | null;
}

/** The history rows of the organization written after `afterId`, by customer. */
async function changesAfter(org: string, afterId: number): Promise<Change[]> {
  return pg<Change>(
    S,
    `select customer_id, from_owner_id, to_owner_id, reason::text, note, changed_by from public.ownership_changes
      where org_id = $1 and id > $2 order by customer_id, id`,
    [org, afterId],
  );
}
async function lastChangeId(): Promise<number> {
  const [row] = await pg<{ id: string }>(S, `select coalesce(max(id), 0) as id from public.ownership_changes`);
  return Number(row!.id);
}

interface Row {
  id: string;
  owner_id: string | null;
  owned_since: string | null;
  recycle_at: string | null;
  owned_member: boolean;
}
async function customers(org: string, segment: string): Promise<Row[]> {
  return pg<Row>(
    S,
    `select c.id, c.owner_id, c.owned_since, p.recycle_at,
            exists (select 1 from public.segment_memberships m where m.segment_id = $2 and m.customer_id = c.id) as owned_member
       from public.customers c join public.customer_profiles p on p.customer_id = c.id
      where c.org_id = $1 order by c.id`,
    [org, segment],
  );
}

describe('owners changed in bulk', () => {
  it('are recorded by statement-level triggers (one call per statement, whatever its row count)', async () => {
    const triggers = await pg<{ tgname: string; per_row: boolean }>(
      S,
      `select tgname, (tgtype & 1) = 1 as per_row from pg_trigger
        where tgrelid = 'public.customers'::regclass and tgname in ('customers_record_new_owner', 'customers_record_owner_change', 'customers_engine_updated')
        order by tgname`,
    );
    expect(triggers).toEqual([
      { tgname: 'customers_engine_updated', per_row: false },
      { tgname: 'customers_record_new_owner', per_row: false },
      { tgname: 'customers_record_owner_change', per_row: false },
    ]);
  });

  it('records one history row per customer, and sets owned_since, recycle_at and the owner segments of each', async () => {
    const org = randomUUID();
    await pg(S, `insert into public.organizations (id, name, settings) values ($1, 'Bulk org', $2)`, [
      org, JSON.stringify({ pool: { recycle_days: { by_tier: { super: 60, vip: 45, normal: 30 } } } }),
    ]);
    await pg(S, `insert into public.members (org_id, user_id, role, display_name) values ($1, $2, 'admin', 'Ada'), ($1, $3, 'rep', 'Rei')`, [
      org, users.admin, users.rep,
    ]);
    const [segment] = await pg<{ id: string }>(S, `insert into public.segments (org_id, name, rule) values ($1, 'Owned', $2) returning id`, [
      org, JSON.stringify({ field: 'owner', op: 'in', value: ['owned'] }),
    ]);
    // Created with an owner in one statement: a history row each, as of its creation.
    const created = await lastChangeId();
    await pg(
      at(-50),
      `insert into public.customers (org_id, display_name, owner_id, created_at)
       select $1, 'Bulk ' || i, case when i <= 10 then $2::uuid end, $3 from generate_series(1, $4) i`,
      [org, users.rep, at(-50), N],
    );
    const born = await changesAfter(org, created);
    expect(born).toHaveLength(10);
    expect(born.every((c) => c.from_owner_id === null && c.to_owner_id === users.rep && c.reason === 'assigned' && c.changed_by === null)).toBe(true);
    const [bornAt] = await pg<{ changed_at: string }>(S, `select min(changed_at) as changed_at from public.ownership_changes where org_id = $1 and id > $2`, [org, created]);
    expect(iso(bornAt!.changed_at)).toBe(at(-50));
    let rows = await customers(org, segment!.id);
    expect(rows.filter((r) => r.owned_member)).toHaveLength(10);
    expect(rows.filter((r) => r.owner_id !== null).every((r) => iso(r.owned_since) === at(-50) && iso(r.recycle_at) === at(-20))).toBe(true);

    // One UPDATE hands every customer to the rep (the ten already theirs stay as they were).
    const before = await lastChangeId();
    await pg(S, `update public.customers set owner_id = $2 where org_id = $1`, [org, users.rep]);
    let changes = await changesAfter(org, before);
    expect(changes).toHaveLength(N - 10);
    expect(new Set(changes.map((c) => c.customer_id)).size).toBe(N - 10);
    expect(changes.every((c) => c.from_owner_id === null && c.to_owner_id === users.rep && c.reason === 'assigned' && c.note === null)).toBe(true);
    rows = await customers(org, segment!.id);
    const theirs = new Set(born.map((c) => c.customer_id));
    for (const r of rows) {
      const since = theirs.has(r.id) ? at(-50) : S;
      expect({ owner: r.owner_id, since: iso(r.owned_since), recycle: iso(r.recycle_at), member: r.owned_member }).toEqual({
        owner: users.rep, since, recycle: new Date(Date.parse(since) + 30 * DAY).toISOString(), member: true,
      });
    }

    // A week later the admin takes half of them and releases a quarter, in one statement; the
    // reason given through private.change_owner's setting applies to every row.
    const second = await lastChangeId();
    await t.db.transaction(async (tx) => {
      await tx.query(`select set_config('portrait.engine_now', $1, true)`, [at(7)]);
      await tx.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: users.admin, role: 'authenticated' })]);
      await tx.query(
        `update public.customers c set owner_id = case when n.k % 4 = 0 then null else $2::uuid end
           from (select id, row_number() over (order by id) as k from public.customers where org_id = $1) n
          where c.id = n.id and n.k % 2 = 0`,
        [org, users.admin],
      );
    });
    changes = await changesAfter(org, second);
    expect(changes).toHaveLength(N / 2);
    const released = changes.filter((c) => c.to_owner_id === null);
    expect(released).toHaveLength(N / 4);
    expect(released.every((c) => c.reason === 'released' && c.from_owner_id === users.rep && c.changed_by === users.admin)).toBe(true);
    expect(changes.filter((c) => c.to_owner_id === users.admin).every((c) => c.reason === 'claimed' && c.from_owner_id === users.rep)).toBe(true);
    rows = await customers(org, segment!.id);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const c of changes) {
      const r = byId.get(c.customer_id)!;
      if (c.to_owner_id === null) {
        expect({ since: r.owned_since, recycle: r.recycle_at, member: r.owned_member }).toEqual({ since: null, recycle: null, member: false });
      } else {
        expect({ since: iso(r.owned_since), recycle: iso(r.recycle_at), member: r.owned_member }).toEqual({ since: at(7), recycle: at(37), member: true });
      }
    }
    expect(rows.filter((r) => r.owned_member)).toHaveLength(N - N / 4);

    // An update that leaves the owners alone writes no history and keeps owned_since.
    const third = await lastChangeId();
    await pg(at(8), `update public.customers set city = 'Hangzhou' where org_id = $1`, [org]);
    expect(await changesAfter(org, third)).toEqual([]);
    const after = await customers(org, segment!.id);
    expect(after.map((r) => [r.owner_id, iso(r.owned_since), iso(r.recycle_at)])).toEqual(rows.map((r) => [r.owner_id, iso(r.owned_since), iso(r.recycle_at)]));
  });

  it('leaves a customer whose owner left the organization in the pool, saying so, for every customer at once', async () => {
    const org = randomUUID();
    await pg(S, `insert into public.organizations (id, name) values ($1, 'Leaving org')`, [org]);
    await pg(S, `insert into public.members (org_id, user_id, role, display_name) values ($1, $2, 'admin', 'Ada'), ($1, $3, 'rep', 'Rei')`, [
      org, users.admin, users.rep,
    ]);
    await pg(S, `insert into public.customers (org_id, display_name, owner_id) select $1, 'Left ' || i, $2 from generate_series(1, 300) i`, [org, users.rep]);
    const before = await lastChangeId();
    await pg(S, `delete from public.members where org_id = $1 and user_id = $2`, [org, users.rep]);
    const changes = await changesAfter(org, before);
    expect(changes).toHaveLength(300);
    expect(
      changes.every(
        (c) => c.from_owner_id === users.rep && c.to_owner_id === null && c.reason === 'released' && c.note === 'The owner is no longer a member of the organization.',
      ),
    ).toBe(true);
  });
});

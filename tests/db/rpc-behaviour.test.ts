// What the extension's RPC functions do, called as the signed-in members they are meant for.
// Results are checked against the zod schemas in shared/api.ts, so the SQL and the contract the
// extension relies on cannot drift apart.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addNoteResultSchema,
  customerContextResultSchema,
  listTagsResultSchema,
  myOrgsResultSchema,
  searchCustomersResultSchema,
  setLifecycleStageResultSchema,
  tagCustomerResultSchema,
  untagCustomerResultSchema,
} from '../../shared/api.ts';
import { defaultOrgSettings } from '../../shared/settings.ts';
import type { Queryable } from '../../supabase/local/db.ts';
import { asRole, freshDb, type TestDb } from './harness.ts';
import { asUser, claimsOf, createTenants, emails, orgs, rows, sqlState, users, type UserName } from './tenants.ts';

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

async function call<T>(tx: Queryable, sql: string, params: unknown[]): Promise<T> {
  const { rows: result } = await tx.query<{ result: T }>(sql, params);
  return result[0]!.result;
}

const tagCustomer = (tx: Queryable, identifier: unknown, tags: string[], requestId: string, page: { url?: string; title?: string } = {}) =>
  call<unknown>(tx, 'select public.tag_customer($1, $2::jsonb, $3::jsonb, $4, $5, $6) as result', [
    A,
    JSON.stringify(identifier),
    JSON.stringify(tags),
    page.url ?? null,
    page.title ?? null,
    requestId,
  ]).then((r) => tagCustomerResultSchema.parse(r));

const untagCustomer = (tx: Queryable, identifier: unknown, tags: string[], requestId: string) =>
  call<unknown>(tx, 'select public.untag_customer($1, $2::jsonb, $3::jsonb, $4) as result', [A, JSON.stringify(identifier), JSON.stringify(tags), requestId]).then(
    (r) => untagCustomerResultSchema.parse(r),
  );

const setStage = (tx: Queryable, customer: string, stage: string | null, reason: string | null = null, requestId = randomUUID()) =>
  call<unknown>(tx, 'select public.set_lifecycle_stage($1, $2, $3, $4, $5) as result', [A, customer, stage, reason, requestId]).then((r) =>
    setLifecycleStageResultSchema.parse(r),
  );

const context = (tx: Queryable, identifiers: unknown[], org = A) =>
  tx
    .query('select * from public.customer_context($1, $2::jsonb)', [org, JSON.stringify(identifiers)])
    .then((r) => customerContextResultSchema.parse(r.rows));

const search = (tx: Queryable, query: string, limit = 10) =>
  tx.query('select * from public.search_customers($1, $2, $3)', [A, query, limit]).then((r) => searchCustomersResultSchema.parse(r.rows));

/** The stage the engine (or the lead rule) computed for a customer, read as postgres. */
async function computedStage(customer: string): Promise<string> {
  const { rows: found } = await t.db.query<{ stage: string }>(
    'select lifecycle_stage as stage from public.customer_profiles where customer_id = $1',
    [customer],
  );
  return found[0]!.stage;
}

async function count(table: string, where = 'true'): Promise<number> {
  const { rows: found } = await t.db.query<{ n: number }>(`select count(*)::int as n from public.${table} where ${where}`);
  return found[0]!.n;
}

describe('my_orgs', () => {
  it('lists every organization of the user with their role and complete settings', async () => {
    const result = await asUser(t.db, 'staff', async (tx) => myOrgsResultSchema.parse((await tx.query('select * from public.my_orgs()')).rows));
    expect(result.map(({ org_id, name, role }) => ({ org_id, name, role }))).toEqual([
      { org_id: A, name: 'Org A', role: 'staff' },
      { org_id: B, name: 'Org B', role: 'admin' },
    ]);
    expect(result[0]!.settings).toEqual(defaultOrgSettings());
  });

  it('is empty for a user who belongs nowhere', async () => {
    const result = await asUser(t.db, 'newcomer', async (tx) => (await tx.query('select * from public.my_orgs()')).rows);
    expect(result).toEqual([]);
  });
});

describe('list_tags', () => {
  it("lists the organization's tags alphabetically, and only its own", async () => {
    const tags = await asUser(t.db, 'rep', async (tx) => listTagsResultSchema.parse((await tx.query('select * from public.list_tags($1)', [A])).rows));
    expect(tags.map((tag) => tag.name)).toEqual(['Big spender', 'Spare', 'VIP']);
  });

  it('refuses an organization the user is not in', async () => {
    expect(await sqlState(asUser(t.db, 'admin', (tx) => tx.query('select * from public.list_tags($1)', [B])))).toBe('42501');
  });
});

describe('tag_customer', () => {
  it('creates an unknown person as a lead with that identity, the missing tags, and the provenance', async () => {
    const requestId = randomUUID();
    const result = await asUser(t.db, 'staff', (tx) =>
      tagCustomer(tx, { kind: 'email', value: '  Lena.Lead+News@Example.COM ' }, ['vip', ' Trade   fair '], requestId, {
        url: 'https://mail.google.com/mail/u/0/#inbox/123',
        title: 'Re: your quote',
      }),
    );
    expect(result.created).toBe(true);
    expect(result.added_tags).toEqual(['Trade fair', 'VIP']);
    const { portrait } = result;
    expect(portrait.customer.primary_email).toBe('lena.lead+news@example.com');
    expect(portrait.customer.owner).toBeNull();
    expect(portrait.identities).toEqual([{ kind: 'email', value: 'lena.lead+news@example.com' }]);
    expect(portrait.profile).toMatchObject({ lifecycle_stage: 'lead', effective_stage: 'lead', order_count: 0, stage_override: null });
    expect(portrait.stage_history).toMatchObject([{ from_stage: 'prospect', to_stage: 'lead', source: 'computed' }]);
    expect(portrait.tags.map((tag) => [tag.name, tag.source, tag.added_by, tag.page_url, tag.page_title])).toEqual([
      ['Trade fair', 'manual', users.staff, 'https://mail.google.com/mail/u/0/#inbox/123', 'Re: your quote'],
      ['VIP', 'manual', users.staff, 'https://mail.google.com/mail/u/0/#inbox/123', 'Re: your quote'],
    ]);
  });

  it('adds a lead without tags ("add as lead"), named as given', async () => {
    const result = await asUser(t.db, 'staff', async (tx) =>
      tagCustomerResultSchema.parse(
        await call(tx, 'select public.tag_customer($1, $2::jsonb, $3::jsonb, $4, $5, $6, $7) as result', [
          A,
          JSON.stringify({ kind: 'email', value: 'new.lead@example.com' }),
          '[]',
          'https://example.com/team',
          'Our team',
          randomUUID(),
          '  Nora   Newlead ',
        ]),
      ),
    );
    expect(result).toMatchObject({ created: true, added_tags: [] });
    expect(result.portrait.customer.display_name).toBe('Nora Newlead');
    expect(result.portrait.profile?.effective_stage).toBe('lead');
    expect(result.portrait.tags).toEqual([]);
  });

  it('gives a lead captured by a rep to that rep', async () => {
    const result = await asUser(t.db, 'rep', (tx) => tagCustomer(tx, { kind: 'phone', value: '(415) 555-0134' }, ['Called'], randomUUID()));
    expect(result.portrait.customer.owner).toEqual({ user_id: users.rep, display_name: 'Rei Rep' });
    expect(result.portrait.customer.primary_phone).toBe('+14155550134');
    expect(result.portrait.identities).toEqual([{ kind: 'phone', value: '+14155550134' }]);
  });

  it('records a shop identity without touching the contact fields', async () => {
    const result = await asUser(t.db, 'staff', (tx) => tagCustomer(tx, { kind: 'shop_customer', value: 'shopify:00991' }, ['Shop'], randomUUID()));
    expect(result.portrait.identities).toEqual([{ kind: 'shop_customer', value: 'shopify:991' }]);
    expect(result.portrait.customer.primary_email).toBeNull();
  });

  it('adds only the tags a known customer lacks and keeps the first provenance', async () => {
    const result = await asUser(t.db, 'rep', (tx) => tagCustomer(tx, { kind: 'email', value: emails.owned }, ['VIP', 'Spare'], randomUUID()));
    expect(result.created).toBe(false);
    expect(result.customer_id).toBe(rows.ownedCustomer);
    expect(result.added_tags).toEqual(['Spare']);
    const vip = result.portrait.tags.find((tag) => tag.name === 'VIP')!;
    expect(vip.added_by).toBe(users.staff);
  });

  it('is idempotent by request id: a retry returns the same result and writes nothing', async () => {
    const requestId = randomUUID();
    const identifier = { kind: 'email', value: 'retry.me@example.com' };
    const first = await asUser(t.db, 'staff', (tx) => tagCustomer(tx, identifier, ['Retry'], requestId), { commit: true });
    const tables = ['customers', 'customer_identities', 'customer_tags', 'tags', 'events', 'stage_changes', 'api_requests'];
    const before = await Promise.all(tables.map((table) => count(table)));
    const again = await asUser(t.db, 'staff', (tx) => tagCustomer(tx, identifier, ['Retry'], requestId), { commit: true });
    expect(again).toEqual(first);
    expect(await Promise.all(tables.map((table) => count(table)))).toEqual(before);
    // The same request from another user, or with other arguments, is not a retry.
    expect(await sqlState(asUser(t.db, 'staff', (tx) => tagCustomer(tx, identifier, ['Other'], requestId)))).toBe('22023');
    expect(await sqlState(asUser(t.db, 'rep', (tx) => tagCustomer(tx, identifier, ['Retry'], requestId)))).toBe('22023');
  });
});

describe('untag_customer', () => {
  it('removes manual tags by name, case-insensitively', async () => {
    const result = await asUser(t.db, 'staff', (tx) => untagCustomer(tx, { kind: 'email', value: emails.owned }, ['vip'], randomUUID()));
    expect(result.customer_id).toBe(rows.ownedCustomer);
    expect(result.removed_tags).toEqual(['VIP']);
    expect(result.portrait!.tags.map((tag) => tag.name)).toEqual(['Big spender']);
  });

  it('leaves rule tags to admins, with a clear error and nothing removed', async () => {
    for (const user of ['staff', 'rep'] as UserName[]) {
      const error = await asUser(t.db, user, (tx) =>
        untagCustomer(tx, { kind: 'email', value: emails.owned }, ['VIP', 'Big spender'], randomUUID()),
      ).catch((e: { code: string; message: string }) => e);
      expect(error).toMatchObject({ code: '42501', message: expect.stringContaining('Big spender') });
    }
    expect(await count('customer_tags', `customer_id = '${rows.ownedCustomer}'`)).toBe(2);
    const result = await asUser(t.db, 'admin', (tx) => untagCustomer(tx, { kind: 'email', value: emails.owned }, ['Big spender'], randomUUID()));
    expect(result.removed_tags).toEqual(['Big spender']);
  });

  it('has nothing to remove from an unknown identifier', async () => {
    const result = await asUser(t.db, 'staff', (tx) => untagCustomer(tx, { kind: 'email', value: 'nobody@example.com' }, ['VIP'], randomUUID()));
    expect(result).toEqual({ customer_id: null, removed_tags: [], portrait: null });
  });
});

describe('add_note', () => {
  it("adds a note in the caller's name that the portrait shows first", async () => {
    const result = await asUser(t.db, 'rep', async (tx) => {
      const added = await call<unknown>(tx, 'select public.add_note($1, $2, $3, $4) as result', [
        A,
        rows.ownedCustomer,
        '  Wants <b>samples</b>\n',
        randomUUID(),
      ]);
      return addNoteResultSchema.parse(added);
    });
    expect(result.note).toMatchObject({ author_id: users.rep, author_name: 'Rei Rep', body: 'Wants <b>samples</b>' });
    expect(result.portrait.notes[0]).toEqual(result.note);
    expect(result.portrait.notes.map((n) => n.body)).toContain('Prefers email.');
  });

  it('shows the five latest notes, newest first', async () => {
    const portrait = await asRole(t.db, 'postgres', {}, async (tx) => {
      for (let i = 1; i <= 7; i++) {
        await tx.query(
          `insert into public.notes (org_id, customer_id, author_id, body, created_at) values ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
          [A, rows.unownedCustomer, users.staff, `note ${i}`, i],
        );
      }
      await tx.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [
        JSON.stringify({ role: 'authenticated', ...claimsOf('staff') }),
      ]);
      return (await context(tx, [{ kind: 'email', value: emails.unowned }]))[0]!.portrait!;
    });
    expect(portrait.notes.map((n) => n.body)).toEqual(['note 7', 'note 6', 'note 5', 'note 4', 'note 3']);
  });
});

describe('set_lifecycle_stage', () => {
  it('is refused to staff', async () => {
    const error = await asUser(t.db, 'staff', (tx) => setStage(tx, rows.ownedCustomer, 'loyal')).catch((e: { code: string; message: string }) => e);
    expect(error).toMatchObject({ code: '42501', message: expect.stringContaining('only an admin, or the rep who owns this customer') });
  });

  it('lets a rep override the customers they own, and only those', async () => {
    const computed = await computedStage(rows.ownedCustomer);
    const result = await asUser(t.db, 'rep', (tx) => setStage(tx, rows.ownedCustomer, 'loyal', 'Signed a yearly contract'));
    expect(result.changed).toBe(true);
    expect(result.portrait.profile).toMatchObject({
      lifecycle_stage: computed,
      stage_override: 'loyal',
      effective_stage: 'loyal',
      override_by: users.rep,
      override_reason: 'Signed a yearly contract',
    });
    expect(result.portrait.stage_history[0]).toMatchObject({
      from_stage: computed,
      to_stage: 'loyal',
      source: 'manual',
      changed_by: users.rep,
      reason: { code: 'override_set', note: 'Signed a yearly contract' },
    });
    expect(await sqlState(asUser(t.db, 'rep', (tx) => setStage(tx, rows.unownedCustomer, 'loyal')))).toBe('42501');
  });

  it('lets an admin override any customer, and clear the override with null', async () => {
    const computed = await computedStage(rows.unownedCustomer);
    const override = computed === 'churned' ? 'loyal' : 'churned';
    const result = await asUser(t.db, 'admin', async (tx) => {
      const set = await setStage(tx, rows.unownedCustomer, override);
      expect(set.portrait.profile?.effective_stage).toBe(override);
      const again = await setStage(tx, rows.unownedCustomer, override);
      expect(again.changed).toBe(false);
      return setStage(tx, rows.unownedCustomer, null);
    });
    expect(result.changed).toBe(true);
    expect(result.portrait.profile).toMatchObject({
      stage_override: null,
      override_by: null,
      override_at: null,
      lifecycle_stage: computed,
      effective_stage: computed,
    });
    expect(result.portrait.stage_history.slice(0, 2).map((h) => [h.from_stage, h.to_stage, h.reason.code])).toEqual([
      [override, computed, 'override_cleared'],
      [computed, override, 'override_set'],
    ]);
  });

  it('refuses a stage that does not exist', async () => {
    const error = await asUser(t.db, 'admin', (tx) => setStage(tx, rows.ownedCustomer, 'vip')).catch((e: { code: string; message: string }) => e);
    expect(error).toMatchObject({ code: '22023', message: expect.stringContaining('p_stage must be one of prospect, lead') });
  });
});

describe('search_customers', () => {
  it('finds customers by the start of an email address, exact matches first', async () => {
    const found = await asUser(t.db, 'staff', async (tx) => {
      await tagCustomer(tx, { kind: 'email', value: 'owned@a.test.example.com' }, ['Lookalike'], randomUUID());
      return search(tx, 'OWNED@a.test');
    });
    expect(found.map((r) => [r.matched_kind, r.matched_value])).toEqual([
      ['email', 'owned@a.test'],
      ['email', 'owned@a.test.example.com'],
    ]);
    expect(found[0]).toMatchObject({
      customer_id: rows.ownedCustomer,
      display_name: 'Olivia Owned',
      effective_stage: await computedStage(rows.ownedCustomer),
    });
  });

  it('finds customers by the start of any word of their name', async () => {
    const found = await asUser(t.db, 'staff', (tx) => search(tx, 'unow'));
    expect(found.map((r) => r.display_name)).toEqual(['Uma Unowned']);
    const both = await asUser(t.db, 'staff', (tx) => search(tx, 'uma un'));
    expect(both.map((r) => r.display_name)).toEqual(['Uma Unowned']);
  });

  it('finds customers by phone digits however they are written', async () => {
    const found = await asUser(t.db, 'rep', async (tx) => {
      await tagCustomer(tx, { kind: 'phone', value: '+1 415 555 0199' }, ['Phone'], randomUUID());
      return search(tx, '+1 (415) 555-01');
    });
    expect(found.map((r) => r.matched_value)).toEqual(['+14155550199']);
  });

  it('treats query text as text, never as search syntax', async () => {
    for (const query of ["o'brien", 'a & b | !c', '%', '_', '\\', ':*']) {
      const found = await asUser(t.db, 'staff', (tx) => search(tx, query));
      expect(found).toEqual([]);
    }
  });

  it('honours the limit and never shows another organization', async () => {
    const found = await asUser(t.db, 'admin', async (tx) => {
      for (let i = 0; i < 5; i++) await tagCustomer(tx, { kind: 'email', value: `limit${i}@example.com` }, ['Many'], randomUUID());
      return search(tx, 'limit', 3);
    });
    expect(found).toHaveLength(3);
    const other = await asUser(t.db, 'admin', (tx) => search(tx, 'customer@b'));
    expect(other).toEqual([]);
  });
});

describe('customer_context', () => {
  it('answers every identifier in order, with a portrait or null', async () => {
    const result = await asUser(t.db, 'staff', (tx) =>
      context(tx, [
        { kind: 'email', value: 'Nobody@Example.com' },
        { kind: 'email', value: ` ${emails.owned.toUpperCase()} ` },
        { kind: 'email', value: emails.unowned },
        { kind: 'email', value: emails.owned },
        { kind: 'email', value: emails.customerB },
      ]),
    );
    expect(result.map((r) => [r.index, r.normalized, r.customer_id])).toEqual([
      [0, 'nobody@example.com', null],
      [1, emails.owned, rows.ownedCustomer],
      [2, emails.unowned, rows.unownedCustomer],
      [3, emails.owned, rows.ownedCustomer],
      // Org B's customer is unknown to org A.
      [4, emails.customerB, null],
    ]);
    const portrait = result[1]!.portrait!;
    expect(portrait.customer.display_name).toBe('Olivia Owned');
    expect(portrait.customer.owner?.display_name).toBe('Rei Rep');
    expect(portrait.tags.map((tag) => tag.name)).toEqual(['Big spender', 'VIP']);
    expect(portrait.segments).toEqual([{ id: rows.segment, name: 'Everyone' }]);
    expect(portrait.notes.map((n) => n.author_name).sort()).toEqual(['Rei Rep', 'Sam Staff']);
    expect(result[3]!.portrait).toEqual(portrait);
    expect(result[0]!.portrait).toBeNull();
  });
});

// customer_timeline: every kind of activity, newest first, keyset paging that neither repeats nor
// skips an item (also when several items share a time), and row-level security deciding what a
// caller sees. Answers are checked against shared/api.ts customerTimelineResultSchema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerTimelineResultSchema, type CustomerTimeline, type TimelineItem } from '../../shared/api.ts';
import type { Queryable } from '../../supabase/local/db.ts';
import { freshDb, type TestDb } from './harness.ts';
import { asActor, asUser, createTenants, orgs, rows, sqlState, users, type Actor } from './tenants.ts';

let t: TestDb;
const A = orgs.a;
const B = orgs.b;
const customer = '00000000-0000-4000-8000-00000000f001';
const followUp = '00000000-0000-4000-8000-00000000f002';
const tieTime = '2026-06-01T12:00:00+00:00';

beforeAll(async () => {
  t = await freshDb();
  await createTenants(t.db);
  // One customer with one of everything, at known times; three kinds share `tieTime`.
  await t.db.exec(`
    insert into public.customers (id, org_id, display_name, primary_email, created_at)
    values ('${customer}', '${A}', 'Tina Timeline', 'tina@a.test', '2026-05-01T00:00:00Z');
    insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, refunded_amount, currency, status) values
      ('${A}', '${customer}', 'manual', 'T-1', '2026-05-02T10:00:00Z', 100, 0, 'USD', 'paid'),
      ('${A}', '${customer}', 'manual', 'T-2', '2026-05-03T10:00:00Z', 50, 50, 'USD', 'refunded'),
      ('${A}', '${customer}', 'manual', 'T-3', '2026-05-04T10:00:00Z', 80, 20, 'USD', 'paid'),
      ('${A}', '${customer}', 'manual', 'T-4', '2026-05-05T10:00:00Z', 30, 0, 'USD', 'cancelled'),
      ('${A}', '${customer}', 'manual', 'T-5', '${tieTime}', 10, 0, 'USD', 'pending');
    insert into public.notes (org_id, customer_id, author_id, body, created_at) values
      ('${A}', '${customer}', '${users.staff}', '<b>Called</b>, wants a catalogue.', '2026-05-06T10:00:00Z'),
      ('${A}', '${customer}', '${users.rep}', 'Same minute as the others.', '${tieTime}');
    insert into public.stage_changes (org_id, customer_id, from_stage, to_stage, changed_at, source, changed_by, reason) values
      ('${A}', '${customer}', 'active', 'loyal', '2026-05-07T10:00:00Z', 'manual', '${users.admin}', '{"note": "Key account"}');
    insert into public.customer_tags (org_id, customer_id, tag_id, source, added_by, added_at, page_url, page_title) values
      ('${A}', '${customer}', '${rows.tagVip}', 'manual', '${users.staff}', '2026-05-08T10:00:00Z', 'https://mail.google.com/mail/u/0/#inbox/1', 'Inbox - Gmail'),
      ('${A}', '${customer}', '${rows.tagSpare}', 'manual', '${users.staff}', '2026-05-08T11:00:00Z', null, null),
      ('${A}', '${customer}', '${rows.tagRule}', 'rule', null, '2026-05-08T12:00:00Z', null, null);
    insert into public.events (org_id, customer_id, kind, occurred_at, details, recorded_by) values
      ('${A}', '${customer}', 'email_in', '2026-05-09T10:00:00Z', '{"subject": "Catalogue?"}', null),
      ('${A}', '${customer}', 'email_out', '${tieTime}', '{"subject": "Re: Catalogue?"}', '${users.rep}');
    insert into public.follow_ups (id, org_id, customer_id, assignee_id, due_at, note, created_by, created_at, done_at, done_by) values
      ('${followUp}', '${A}', '${customer}', '${users.rep}', '2026-05-12T09:00:00Z', 'Send the catalogue', '${users.admin}',
       '2026-05-10T10:00:00Z', '2026-05-11T10:00:00Z', '${users.rep}');
    insert into public.follow_ups (org_id, customer_id, assignee_id, due_at, note, created_by, created_at) values
      ('${A}', '${customer}', '${users.rep}', now() - interval '1 day', 'Ask about the order', '${users.rep}', '2026-05-13T10:00:00Z');
    insert into public.satisfaction_responses (org_id, customer_id, score, scale, comment, channel, recorded_by, responded_at) values
      ('${A}', '${customer}', 9, 'nps10', 'Happy', 'phone', '${users.rep}', '2026-05-14T10:00:00Z');
  `);
  // Changes made now: a tag taken off, an owner assigned.
  await asUser(
    t.db,
    'admin',
    async (tx) => {
      await tx.query(`delete from public.customer_tags where customer_id = $1 and tag_id = $2`, [customer, rows.tagSpare]);
      await tx.query(`update public.customers set owner_id = $2 where id = $1`, [customer, users.rep]);
    },
    { commit: true },
  );
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const timeline = (tx: Queryable, args: { org?: string; before?: string | null; beforeKey?: string | null; limit?: number; customer?: string } = {}) =>
  tx
    .query<{ result: unknown }>('select public.customer_timeline($1, $2, $3, $4, $5) as result', [
      args.org ?? A,
      'customer' in args ? args.customer : customer,
      args.before ?? null,
      args.limit ?? 20,
      args.beforeKey ?? null,
    ])
    .then((r) => customerTimelineResultSchema.parse(r.rows[0]!.result));

async function everything(actor: Actor = 'staff'): Promise<TimelineItem[]> {
  return (await asActor(t.db, actor, (tx) => timeline(tx, { limit: 100 }))).items;
}

describe('customer_timeline', () => {
  it('lists every kind of activity, newest first', async () => {
    const items = await everything();
    const kinds = items.map((item) => item.kind);
    expect(new Set(kinds)).toEqual(
      new Set([
        'order',
        'note',
        'stage_change',
        'tag_added',
        'tag_removed',
        'event',
        'follow_up_created',
        'follow_up_completed',
        'ownership_change',
        'satisfaction',
      ]),
    );
    // 5 orders, 2 notes, the stage changes (the manual one and those the engine computed from the
    // orders), 2 tags added + 1 removed (not the rule tag), 2 events, 2 follow-ups created + 1
    // completed, 1 owner, 1 answer.
    const { rows: stages } = await t.db.query<{ n: number }>('select count(*)::int as n from public.stage_changes where customer_id = $1', [customer]);
    expect(stages[0]!.n).toBeGreaterThanOrEqual(2);
    expect(items).toHaveLength(5 + 2 + stages[0]!.n + 3 + 2 + 3 + 1 + 1);
    for (let i = 1; i < items.length; i++) {
      const [newer, older] = [items[i - 1]!, items[i]!];
      const order = Date.parse(newer.at) - Date.parse(older.at) || (newer.key > older.key ? 1 : -1);
      expect(order, `${newer.key} before ${older.key}`).toBeGreaterThan(0);
    }
    // The changes made now come first.
    expect(items.slice(0, 2).map((item) => item.kind).sort()).toEqual(['ownership_change', 'tag_removed']);
  });

  it('says who did what, with the facts of each kind', async () => {
    const items = await everything();
    const find = <K extends TimelineItem['kind']>(kind: K, where: (item: Extract<TimelineItem, { kind: K }>) => boolean = () => true) =>
      items.find((item): item is Extract<TimelineItem, { kind: K }> => item.kind === kind && where(item as Extract<TimelineItem, { kind: K }>))!;
    expect(find('order', (o) => o.external_id === 'T-2')).toMatchObject({ status: 'refunded', total: 50, refunded_amount: 50, by: null });
    expect(find('order', (o) => o.external_id === 'T-3')).toMatchObject({ status: 'paid', refunded_amount: 20 });
    expect(find('note', (n) => n.by === users.staff)).toMatchObject({ body: '<b>Called</b>, wants a catalogue.', by_name: 'Sam Staff' });
    expect(find('stage_change', (c) => c.source === 'manual')).toMatchObject({ from_stage: 'active', to_stage: 'loyal', source: 'manual', by_name: 'Ada Admin', reason: { note: 'Key account' } });
    expect(find('tag_added', (g) => g.tag_name === 'VIP')).toMatchObject({
      by_name: 'Sam Staff',
      page_url: 'https://mail.google.com/mail/u/0/#inbox/1',
      page_title: 'Inbox - Gmail',
      source: 'manual',
      tag_colour: '#64748b',
    });
    expect(find('tag_removed')).toMatchObject({ tag_name: 'Spare', by: users.admin, by_name: 'Ada Admin' });
    expect(items.some((item) => (item.kind === 'tag_added' || item.kind === 'tag_removed') && item.tag_name === 'Big spender')).toBe(false);
    expect(find('event', (e) => e.event_kind === 'email_out')).toMatchObject({ details: { subject: 'Re: Catalogue?' }, by_name: 'Rei Rep' });
    expect(find('follow_up_created', (f) => f.follow_up_id === followUp)).toMatchObject({ by_name: 'Ada Admin', assignee_name: 'Rei Rep', note: 'Send the catalogue' });
    expect(find('follow_up_completed')).toMatchObject({ follow_up_id: followUp, by: users.rep, at: '2026-05-11T10:00:00+00:00' });
    expect(find('ownership_change')).toMatchObject({ from_owner_id: null, to_owner_id: users.rep, to_owner_name: 'Rei Rep', reason: 'assigned', by_name: 'Ada Admin' });
    expect(find('satisfaction')).toMatchObject({ score: 9, scale: 'nps10', channel: 'phone', comment: 'Happy', by_name: 'Rei Rep' });
  });

  it('pages through everything without repeating or skipping an item, ties included', async () => {
    const all = await everything();
    for (const size of [1, 2, 3, 7]) {
      const seen: TimelineItem[] = [];
      let page: CustomerTimeline = await asUser(t.db, 'rep', (tx) => timeline(tx, { limit: size }));
      for (let guard = 0; guard < 50; guard++) {
        expect(page.items.length).toBeLessThanOrEqual(size);
        seen.push(...page.items);
        if (!page.next) break;
        const next = page.next;
        page = await asUser(t.db, 'rep', (tx) => timeline(tx, { limit: size, before: next.before, beforeKey: next.before_key }));
      }
      expect(seen.map((item) => item.key), `pages of ${size}`).toEqual(all.map((item) => item.key));
    }
    // Three kinds share one time: the paging key still orders them.
    expect(all.filter((item) => item.at === tieTime).map((item) => item.kind).sort()).toEqual(['event', 'note', 'order']);
  });

  it('answers p_before alone with what happened before that time', async () => {
    const page = await asUser(t.db, 'rep', (tx) => timeline(tx, { before: tieTime, limit: 100 }));
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((item) => Date.parse(item.at) < Date.parse(tieTime))).toBe(true);
    expect(page.next).toBeNull();
  });

  it("lists the customer's open follow-ups beside the first page", async () => {
    const page = await asUser(t.db, 'staff', (tx) => timeline(tx, { limit: 1 }));
    expect(page.open_follow_ups).toHaveLength(1);
    expect(page.open_follow_ups[0]).toMatchObject({ note: 'Ask about the order', assignee_name: 'Rei Rep', done_at: null });
  });

  it("shows another organization's customer as nothing", async () => {
    const page = await asUser(t.db, 'otherAdmin', (tx) => timeline(tx, { org: B }));
    expect(page).toEqual({ customer_id: customer, items: [], next: null, open_follow_ups: [] });
    expect((await asUser(t.db, 'admin', (tx) => timeline(tx, { customer: rows.customerB }))).items).toEqual([]);
  });

  it('refuses callers outside the organization', async () => {
    for (const actor of ['anon', 'service_role', 'otherAdmin', 'newcomer'] as const) {
      expect(await sqlState(asActor(t.db, actor, (tx) => timeline(tx)))).toBe('42501');
    }
  });

  it.each([
    ['no customer', { customer: null as unknown as string }, 'p_customer'],
    ['a limit of 0', { limit: 0 }, 'p_limit'],
    ['a limit of 101', { limit: 101 }, 'p_limit'],
    ['a key without a time', { beforeKey: 'order:1' }, 'p_before_key'],
    ['a key that is no key', { before: tieTime, beforeKey: "x' or 1=1" }, 'p_before_key'],
  ])('refuses %s, naming the argument', async (_label, args, argument) => {
    const failure = await asUser(t.db, 'staff', (tx) => timeline(tx, args)).then(
      () => null,
      (error: { code?: string; message?: string }) => error,
    );
    expect(failure?.code).toBe('22023');
    expect(failure?.message).toContain(argument);
  });

  it('reads as the caller: what row-level security hides is not in it', async () => {
    // A member's view of one table narrowed by a policy the test adds: the timeline follows it.
    const items = await asUser(t.db, 'staff', async (tx) => {
      await tx.query(`select set_config('role', 'postgres', true)`);
      await tx.query(`alter policy "Members can read their organization's notes" on public.notes using (false)`);
      await tx.query(`select set_config('role', 'authenticated', true)`);
      return (await timeline(tx, { limit: 100 })).items;
    });
    expect(items.filter((item) => item.kind === 'note')).toEqual([]);
    expect(items.length).toBe((await everything()).length - 2);
  });
});

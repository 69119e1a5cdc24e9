// Every RPC probed with another organization's ids and with malformed arguments: each probe must
// be refused with a clear error (SQLSTATE and a message naming the argument) or find nothing, and
// must write nothing. Probes run with `commit`, and every table is counted (as postgres) before
// and after, so a write that slipped through would show.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './harness.ts';
import { asActor, createTenants, emails, orgs, rows, users, type Actor } from './tenants.ts';

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

interface Probe {
  name: string;
  actor: Actor;
  sql: string;
  params: unknown[];
  /** The SQLSTATE expected, or 'nothing' for a call that succeeds and finds or changes nothing. */
  expected: '22023' | '42501' | 'nothing';
  /** Words the error message must contain (the argument it names). */
  message?: string;
  /** For calls that succeed: what the answer must not reveal. */
  hidden?: string[];
  /** A wrong shape of this array or JSON argument (nested arrays, objects, numbers, nulls, extra keys…). */
  shape?: string;
}

const tag = 'select public.tag_customer($1, $2::jsonb, $3::jsonb, $4, $5, $6)';
const untag = 'select public.untag_customer($1, $2::jsonb, $3::jsonb, $4)';
const note = 'select public.add_note($1, $2, $3, $4)';
const stage = 'select public.set_lifecycle_stage($1, $2, $3, $4, $5)';
const context = 'select * from public.customer_context($1, $2::jsonb)';
const search = 'select * from public.search_customers($1, $2, $3)';
const tags = 'select * from public.list_tags($1)';
const orgsOf = 'select * from public.my_orgs()';
const overview = 'select public.stage_overview($1, $2::date, $3::date)';
const recompute = 'select public.recompute_segments($1, $2)';
const invitations = 'select * from public.my_invitations()';
const accept = 'select public.accept_invitation($1)';
const decline = 'select public.decline_invitation($1)';
const memberAddresses = 'select * from public.member_addresses($1)';
const orgMembers = 'select * from public.org_members($1)';

/** Wrong shapes for an argument that must be a flat array of strings (JSON text, as PostgREST passes it). */
const notStringLists: Array<[string, string]> = [
  ['nested arrays', '[["a", "b"], ["c", "d"]]'],
  ['an object among the items', '[{"a": 1}]'],
  ['numbers', '[1, 2]'],
  ['a boolean among the items', '["ok", true]'],
  ['a null among the items', '["ok", null]'],
  ['an object instead of an array', '{"tags": ["a"]}'],
  ['a string instead of an array', '"VIP"'],
  ['a number instead of an array', '5'],
  ['JSON null', 'null'],
];
/** Wrong shapes for an identifier object {"kind", "value"}. */
const notIdentifiers: Array<[string, string]> = [
  ['an array', '[{"kind": "email", "value": "a@b.co"}]'],
  ['a string', '"a@b.co"'],
  ['a number', '42'],
  ['an extra key', '{"kind": "email", "value": "a@b.co", "org_id": "x"}'],
  ['an object as value', '{"kind": "email", "value": {"a": 1}}'],
  ['an array as value', '{"kind": "email", "value": ["a@b.co"]}'],
  ['a number as kind', '{"kind": 1, "value": "a@b.co"}'],
  ['a missing value', '{"kind": "email"}'],
];
/** Wrong shapes for an array of identifier objects. */
const notIdentifierLists: Array<[string, string, string]> = [
  ['nested arrays', `[[${email('a@b.co')}]]`, 'p_identifiers[0]'],
  ['numbers', '[1, 2]', 'p_identifiers[0]'],
  ['a null among the items', `[${email('a@b.co')}, null]`, 'p_identifiers[1]'],
  ['an array as value', '[{"kind": "email", "value": ["a@b.co"]}]', 'p_identifiers[0].value'],
  ['a string instead of an array', '"a@b.co"', 'p_identifiers'],
  ['a number instead of an array', '7', 'p_identifiers'],
];

const probes: Probe[] = [
  // Wrong shapes of every array and JSON argument: refused, naming the argument, nothing written.
  ...notStringLists.flatMap(([label, value]): Probe[] => [
    { name: `tag_customer with ${label} as p_tags`, actor: 'staff', sql: tag, params: [A, email('shape@example.com'), value, null, null, randomUUID()], expected: '22023', message: 'p_tags', shape: 'p_tags' },
    { name: `untag_customer with ${label} as p_tags`, actor: 'staff', sql: untag, params: [A, email(emails.owned), value, randomUUID()], expected: '22023', message: 'p_tags', shape: 'p_tags' },
  ]),
  ...notIdentifiers.flatMap(([label, value]): Probe[] => [
    { name: `tag_customer with ${label} as p_identifier`, actor: 'staff', sql: tag, params: [A, value, '["x"]', null, null, randomUUID()], expected: '22023', message: 'p_identifier', shape: 'p_identifier' },
    { name: `untag_customer with ${label} as p_identifier`, actor: 'staff', sql: untag, params: [A, value, '["VIP"]', randomUUID()], expected: '22023', message: 'p_identifier', shape: 'p_identifier' },
    { name: `customer_context with ${label} in p_identifiers`, actor: 'staff', sql: context, params: [A, `[${value}]`], expected: '22023', message: 'p_identifiers', shape: 'p_identifiers' },
  ]),
  ...notIdentifierLists.map(([label, value, named]): Probe => (
    { name: `customer_context with ${label} as p_identifiers`, actor: 'staff', sql: context, params: [A, value], expected: '22023', message: named, shape: 'p_identifiers' }
  )),

  // Another organization: A's admin aims at B, and B's admin aims at A.
  { name: 'customer_context in an organization the caller is not in', actor: 'admin', sql: context, params: [B, `[${email(emails.customerB)}]`], expected: '42501', message: 'p_org' },
  { name: "customer_context for another organization's customer finds nobody", actor: 'otherAdmin', sql: context, params: [B, `[${email(emails.owned)}]`], expected: 'nothing', hidden: [rows.ownedCustomer, 'Olivia'] },
  { name: 'tag_customer in an organization the caller is not in', actor: 'otherAdmin', sql: tag, params: [A, email(emails.owned), ['Hijacked'], null, null, randomUUID()], expected: '42501', message: 'p_org' },
  { name: 'untag_customer in an organization the caller is not in', actor: 'otherAdmin', sql: untag, params: [A, email(emails.owned), ['VIP'], randomUUID()], expected: '42501', message: 'p_org' },
  { name: "untag_customer of another organization's customer removes nothing", actor: 'admin', sql: untag, params: [A, email(emails.customerB), ['B only'], randomUUID()], expected: 'nothing', hidden: [rows.customerB, 'Bert'] },
  { name: 'add_note in an organization the caller is not in', actor: 'otherAdmin', sql: note, params: [A, rows.ownedCustomer, 'Hello', randomUUID()], expected: '42501', message: 'p_org' },
  { name: "add_note on another organization's customer", actor: 'admin', sql: note, params: [A, rows.customerB, 'Hello', randomUUID()], expected: '22023', message: 'p_customer_id' },
  { name: 'set_lifecycle_stage in an organization the caller is not in', actor: 'otherAdmin', sql: stage, params: [A, rows.ownedCustomer, 'loyal', null, randomUUID()], expected: '42501', message: 'p_org' },
  { name: "set_lifecycle_stage on another organization's customer", actor: 'admin', sql: stage, params: [A, rows.customerB, 'loyal', null, randomUUID()], expected: '22023', message: 'p_customer_id' },
  { name: "set_lifecycle_stage naming B's customer under B as a staff member of A", actor: 'rep', sql: stage, params: [B, rows.customerB, 'loyal', null, randomUUID()], expected: '42501' },
  { name: 'search_customers in an organization the caller is not in', actor: 'admin', sql: search, params: [B, 'bert', 10], expected: '42501', message: 'p_org' },
  { name: "search_customers for another organization's customer finds nobody", actor: 'otherAdmin', sql: search, params: [B, 'olivia', 10], expected: 'nothing', hidden: [rows.ownedCustomer, 'Olivia'] },
  { name: 'list_tags in an organization the caller is not in', actor: 'otherAdmin', sql: tags, params: [A], expected: '42501', message: 'p_org' },
  { name: 'stage_overview in an organization the caller is not in', actor: 'otherAdmin', sql: overview, params: [A, '2026-01-01', '2026-01-31'], expected: '42501', message: 'p_org' },
  { name: "stage_overview of B's snapshots by A's admin", actor: 'admin', sql: overview, params: [B, '2026-01-01', '2026-01-31'], expected: '42501', message: 'p_org' },
  { name: 'recompute_segments in an organization the caller is not in', actor: 'otherAdmin', sql: recompute, params: [A, 'dirty'], expected: '42501', message: 'p_org' },
  { name: 'recompute_segments by a member who is not an admin', actor: 'rep', sql: recompute, params: [A, 'dirty'], expected: '42501', message: 'p_org' },
  { name: 'recompute_segments without an organization', actor: 'admin', sql: recompute, params: [null, 'dirty'], expected: '22023', message: 'p_org' },
  { name: 'recompute_segments with an unknown kind', actor: 'admin', sql: recompute, params: [A, 'everything'], expected: '22023', message: 'p_kind' },
  { name: "my_invitations does not show another person's invitation", actor: 'rep', sql: invitations, params: [], expected: 'nothing', hidden: [rows.invitationToB, rows.invitationToStranger] },
  { name: "accept_invitation of an invitation addressed to someone else", actor: 'rep', sql: accept, params: [rows.invitationToB], expected: '22023', message: 'p_invitation' },
  { name: "accept_invitation of an invitation addressed to someone else, by an admin of its organization", actor: 'admin', sql: accept, params: [rows.invitationToStranger], expected: '22023', message: 'p_invitation' },
  { name: 'accept_invitation of an invitation that does not exist', actor: 'newcomer', sql: accept, params: [randomUUID()], expected: '22023', message: 'p_invitation' },
  { name: 'accept_invitation without an invitation', actor: 'otherAdmin', sql: accept, params: [null], expected: '22023', message: 'p_invitation' },
  { name: "decline_invitation of an invitation addressed to someone else", actor: 'staff', sql: decline, params: [rows.invitationToB], expected: '22023', message: 'p_invitation' },
  { name: 'decline_invitation without an invitation', actor: 'otherAdmin', sql: decline, params: [null], expected: '22023', message: 'p_invitation' },
  { name: 'member_addresses of an organization the caller is not in', actor: 'otherAdmin', sql: memberAddresses, params: [A], expected: '42501', message: 'p_org' },
  { name: 'member_addresses without an organization', actor: 'staff', sql: memberAddresses, params: [null], expected: '22023', message: 'p_org' },
  { name: 'org_members of an organization the caller is not in', actor: 'otherAdmin', sql: orgMembers, params: [A], expected: '42501', message: 'p_org' },
  { name: 'org_members without an organization', actor: 'staff', sql: orgMembers, params: [null], expected: '22023', message: 'p_org' },
  { name: "a request id of another user's request", actor: 'rep', sql: note, params: [A, rows.ownedCustomer, 'Replay', rows.adminRequest], expected: '22023', message: 'p_request_id' },

  // Callers without a membership at all.
  ...(['anon', 'service_role'] as const).flatMap((actor): Probe[] => [
    { name: `customer_context as ${actor}`, actor, sql: context, params: [A, `[${email(emails.owned)}]`], expected: '42501' },
    { name: `tag_customer as ${actor}`, actor, sql: tag, params: [A, email(emails.owned), ['x'], null, null, randomUUID()], expected: '42501' },
    { name: `untag_customer as ${actor}`, actor, sql: untag, params: [A, email(emails.owned), ['VIP'], randomUUID()], expected: '42501' },
    { name: `add_note as ${actor}`, actor, sql: note, params: [A, rows.ownedCustomer, 'x', randomUUID()], expected: '42501' },
    { name: `set_lifecycle_stage as ${actor}`, actor, sql: stage, params: [A, rows.ownedCustomer, 'loyal', null, randomUUID()], expected: '42501' },
    { name: `search_customers as ${actor}`, actor, sql: search, params: [A, 'o', 10], expected: '42501' },
    { name: `list_tags as ${actor}`, actor, sql: tags, params: [A], expected: '42501' },
    { name: `my_orgs as ${actor}`, actor, sql: orgsOf, params: [], expected: '42501' },
    { name: `stage_overview as ${actor}`, actor, sql: overview, params: [A, '2026-01-01', '2026-01-31'], expected: '42501' },
    { name: `recompute_segments as ${actor}`, actor, sql: recompute, params: [A, 'dirty'], expected: '42501' },
    { name: `member_addresses as ${actor}`, actor, sql: memberAddresses, params: [A], expected: '42501' },
    { name: `org_members as ${actor}`, actor, sql: orgMembers, params: [A], expected: '42501' },
    { name: `my_invitations as ${actor}`, actor, sql: invitations, params: [], expected: '42501' },
    { name: `accept_invitation as ${actor}`, actor, sql: accept, params: [rows.invitationToB], expected: '42501' },
    { name: `decline_invitation as ${actor}`, actor, sql: decline, params: [rows.invitationToB], expected: '42501' },
  ]),
  { name: 'tag_customer as a signed-in user who belongs nowhere', actor: 'newcomer', sql: tag, params: [A, email('x@example.com'), ['x'], null, null, randomUUID()], expected: '42501', message: 'p_org' },

  // Malformed arguments.
  { name: 'customer_context without an organization', actor: 'staff', sql: context, params: [null, `[${email(emails.owned)}]`], expected: '22023', message: 'p_org' },
  { name: 'customer_context without identifiers', actor: 'staff', sql: context, params: [A, null], expected: '22023', message: 'p_identifiers' },
  { name: 'customer_context with an object instead of an array', actor: 'staff', sql: context, params: [A, email(emails.owned)], expected: '22023', message: 'p_identifiers must be an array' },
  { name: 'customer_context with an empty array', actor: 'staff', sql: context, params: [A, '[]'], expected: '22023', message: 'p_identifiers' },
  { name: 'customer_context with 51 identifiers', actor: 'staff', sql: context, params: [A, JSON.stringify(Array(51).fill({ kind: 'email', value: 'a@b.co' }))], expected: '22023', message: 'p_identifiers' },
  { name: 'customer_context with a string among the identifiers', actor: 'staff', sql: context, params: [A, `[${email(emails.owned)}, "bob@example.com"]`], expected: '22023', message: 'p_identifiers[1]' },
  { name: 'customer_context with an unknown kind', actor: 'staff', sql: context, params: [A, '[{"kind": "twitter", "value": "@bob"}]'], expected: '22023', message: 'p_identifiers[0].kind' },
  { name: 'customer_context with a number as value', actor: 'staff', sql: context, params: [A, '[{"kind": "phone", "value": 4155550100}]'], expected: '22023', message: 'p_identifiers[0].value' },
  { name: 'customer_context with an extra key', actor: 'staff', sql: context, params: [A, '[{"kind": "email", "value": "a@b.co", "org": "x"}]'], expected: '22023', message: 'p_identifiers[0]' },
  { name: 'customer_context with an invalid email', actor: 'staff', sql: context, params: [A, `[${email(emails.owned)}, ${email('not an email')}]`], expected: '22023', message: 'p_identifiers[1]' },
  { name: 'tag_customer with an invalid phone number', actor: 'staff', sql: tag, params: [A, JSON.stringify({ kind: 'phone', value: '12' }), ['x'], null, null, randomUUID()], expected: '22023', message: 'p_identifier' },
  { name: 'tag_customer without an identifier', actor: 'staff', sql: tag, params: [A, null, ['x'], null, null, randomUUID()], expected: '22023', message: 'p_identifier' },
  { name: 'tag_customer without a tag list', actor: 'staff', sql: tag, params: [A, email('new@example.com'), null, null, null, randomUUID()], expected: '22023', message: 'p_tags' },
  { name: 'untag_customer without tags', actor: 'staff', sql: untag, params: [A, email(emails.owned), [], randomUUID()], expected: '22023', message: 'p_tags' },
  { name: 'tag_customer with a display name of 201 characters', actor: 'staff', sql: 'select public.tag_customer($1, $2::jsonb, $3::jsonb, $4, $5, $6, $7)', params: [A, email('new@example.com'), [], null, null, randomUUID(), 'n'.repeat(201)], expected: '22023', message: 'p_display_name' },
  { name: 'tag_customer with a null tag', actor: 'staff', sql: tag, params: [A, email('new@example.com'), ['ok', null], null, null, randomUUID()], expected: '22023', message: 'p_tags[1]' },
  { name: 'tag_customer with a blank tag', actor: 'staff', sql: tag, params: [A, email('new@example.com'), ['  '], null, null, randomUUID()], expected: '22023', message: 'p_tags[0]' },
  { name: 'tag_customer with a tag of 65 characters', actor: 'staff', sql: tag, params: [A, email('new@example.com'), ['x'.repeat(65)], null, null, randomUUID()], expected: '22023', message: 'p_tags[0]' },
  { name: 'tag_customer with 21 tags', actor: 'staff', sql: tag, params: [A, email('new@example.com'), Array.from({ length: 21 }, (_, i) => `t${i}`), null, null, randomUUID()], expected: '22023', message: 'p_tags' },
  { name: 'tag_customer with a javascript: URL', actor: 'staff', sql: tag, params: [A, email('new@example.com'), ['x'], 'javascript:alert(1)', null, randomUUID()], expected: '22023', message: 'p_page_url' },
  { name: 'tag_customer with a page title of 513 characters', actor: 'staff', sql: tag, params: [A, email('new@example.com'), ['x'], null, 't'.repeat(513), randomUUID()], expected: '22023', message: 'p_page_title' },
  { name: 'tag_customer without a request id', actor: 'staff', sql: tag, params: [A, email('new@example.com'), ['x'], null, null, null], expected: '22023', message: 'p_request_id' },
  { name: 'untag_customer with a control character in a tag', actor: 'staff', sql: untag, params: [A, email(emails.owned), ['VI\u0007P'], randomUUID()], expected: '22023', message: 'p_tags[0]' },
  { name: 'untag_customer without a request id', actor: 'staff', sql: untag, params: [A, email(emails.owned), ['VIP'], null], expected: '22023', message: 'p_request_id' },
  { name: 'untag_customer of a rule tag by staff', actor: 'staff', sql: untag, params: [A, email(emails.owned), ['VIP', 'big spender'], randomUUID()], expected: '42501', message: 'p_tags' },
  { name: 'add_note without a customer', actor: 'staff', sql: note, params: [A, null, 'Hello', randomUUID()], expected: '22023', message: 'p_customer_id' },
  { name: 'add_note with a blank body', actor: 'staff', sql: note, params: [A, rows.ownedCustomer, ' \n ', randomUUID()], expected: '22023', message: 'p_body' },
  { name: 'add_note with 10,001 characters', actor: 'staff', sql: note, params: [A, rows.ownedCustomer, 'n'.repeat(10_001), randomUUID()], expected: '22023', message: 'p_body' },
  { name: 'add_note on a customer that does not exist', actor: 'staff', sql: note, params: [A, randomUUID(), 'Hello', randomUUID()], expected: '22023', message: 'p_customer_id' },
  { name: 'add_note without a request id', actor: 'staff', sql: note, params: [A, rows.ownedCustomer, 'Hello', null], expected: '22023', message: 'p_request_id' },
  { name: 'set_lifecycle_stage with an unknown stage', actor: 'admin', sql: stage, params: [A, rows.ownedCustomer, 'gold', null, randomUUID()], expected: '22023', message: 'p_stage' },
  { name: 'set_lifecycle_stage with a reason of 501 characters', actor: 'admin', sql: stage, params: [A, rows.ownedCustomer, 'loyal', 'r'.repeat(501), randomUUID()], expected: '22023', message: 'p_reason' },
  { name: 'set_lifecycle_stage without a customer', actor: 'admin', sql: stage, params: [A, null, 'loyal', null, randomUUID()], expected: '22023', message: 'p_customer_id' },
  { name: 'set_lifecycle_stage by staff', actor: 'staff', sql: stage, params: [A, rows.ownedCustomer, 'loyal', null, randomUUID()], expected: '42501' },
  { name: 'set_lifecycle_stage by a rep on a customer they do not own', actor: 'rep', sql: stage, params: [A, rows.unownedCustomer, 'loyal', null, randomUUID()], expected: '42501' },
  { name: 'search_customers with an empty query', actor: 'staff', sql: search, params: [A, '   ', 10], expected: '22023', message: 'p_query' },
  { name: 'search_customers with a query of 101 characters', actor: 'staff', sql: search, params: [A, 'q'.repeat(101), 10], expected: '22023', message: 'p_query' },
  { name: 'search_customers with a limit of 0', actor: 'staff', sql: search, params: [A, 'o', 0], expected: '22023', message: 'p_limit' },
  { name: 'search_customers with a limit of 51', actor: 'staff', sql: search, params: [A, 'o', 51], expected: '22023', message: 'p_limit' },
  { name: 'list_tags without an organization', actor: 'staff', sql: tags, params: [null], expected: '22023', message: 'p_org' },
  { name: 'stage_overview without an organization', actor: 'rep', sql: overview, params: [null, '2026-01-01', '2026-01-31'], expected: '22023', message: 'p_org' },
  { name: 'stage_overview without a first day', actor: 'rep', sql: overview, params: [A, null, '2026-01-31'], expected: '22023', message: 'p_from' },
  { name: 'stage_overview with the days the wrong way round', actor: 'rep', sql: overview, params: [A, '2026-02-01', '2026-01-31'], expected: '22023', message: 'p_from' },
  { name: 'stage_overview over more than five years', actor: 'rep', sql: overview, params: [A, '2019-01-01', '2026-01-31'], expected: '22023', message: 'p_from..p_to' },
  { name: 'stage_overview of a range without snapshots finds nothing', actor: 'rep', sql: overview, params: [A, '2019-01-01', '2019-01-31'], expected: 'nothing', hidden: ['B only'] },
];

// --- Follow-ups, ownership, satisfaction visits, the timeline -----------------------------------
const followUpB = '00000000-0000-4000-8000-00000000e0b1';
const followUpA = '00000000-0000-4000-8000-00000000e0a1';
beforeAll(async () => {
  await t.db.exec(`
    insert into public.follow_ups (id, org_id, customer_id, assignee_id, due_at, created_by) values
      ('${followUpB}', '${B}', '${rows.customerB}', '${users.otherAdmin}', now(), '${users.otherAdmin}'),
      ('${followUpA}', '${A}', '${rows.ownedCustomer}', '${users.rep}', now(), '${users.rep}');
    -- A follow-up reclassifies its customer (open follow-ups are a rule field), and the engine takes
    -- off the fixture's rule tag, which no segment carries: put it back for the probes about it.
    insert into public.customer_tags (org_id, customer_id, tag_id, source, added_by)
    values ('${A}', '${rows.ownedCustomer}', '${rows.tagRule}', 'rule', null)
    on conflict (org_id, customer_id, tag_id) do nothing;
  `);
});

const addFollowUp = 'select public.add_follow_up($1, $2::jsonb, $3, $4, $5, $6)';
const completeFollowUp = 'select public.complete_follow_up($1, $2, $3)';
const myFollowUps = 'select * from public.my_follow_ups($1, $2)';
const claim = 'select public.claim_customer($1, $2, $3)';
const release = 'select public.release_customer($1, $2, $3, $4)';
const assign = 'select public.assign_customer($1, $2, $3, $4)';
const satisfaction = 'select public.record_satisfaction($1, $2::jsonb, $3::smallint, $4, $5, $6, $7)';
const timeline = 'select public.customer_timeline($1, $2, $3, $4, $5)';
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString();

// --- Imports (admins only) -------------------------------------------------------------------
const importApply = 'select public.import_apply($1)';
const refreshAfterImport = 'select public.refresh_after_import($1)';
probes.push(
  ...(['otherAdmin', 'rep', 'staff'] as const).flatMap((actor): Probe[] => [
    { name: `import_apply as ${actor}`, actor, sql: importApply, params: [A], expected: '42501', message: 'p_org' },
    { name: `refresh_after_import as ${actor}`, actor, sql: refreshAfterImport, params: [A], expected: '42501', message: 'p_org' },
  ]),
  { name: 'import_apply without an organization', actor: 'admin', sql: importApply, params: [null], expected: '22023', message: 'p_org' },
  { name: 'refresh_after_import without an organization', actor: 'admin', sql: refreshAfterImport, params: [null], expected: '22023', message: 'p_org' },
);
// The parts of `npm run import --jobs`: for the service role only.
const importApplyHeld = 'select public.import_apply_held($1)';
const importRecount = 'select public.import_recount($1, $2::text[])';
const batches = (names: Array<string | null>) => `{${names.map((n) => (n === null ? 'NULL' : JSON.stringify(n))).join(',')}}`;
probes.push(
  ...(['admin', 'rep', 'staff', 'anon'] as const).flatMap((actor): Probe[] => [
    { name: `import_apply_held as ${actor}`, actor, sql: importApplyHeld, params: [A], expected: '42501' },
    { name: `import_recount as ${actor}`, actor, sql: importRecount, params: [A, batches(['orders.csv'])], expected: '42501' },
  ]),
  { name: 'import_apply_held without an organization', actor: 'service_role', sql: importApplyHeld, params: [null], expected: '22023', message: 'p_org' },
  { name: 'import_recount without an organization', actor: 'service_role', sql: importRecount, params: [null, batches(['orders.csv'])], expected: '22023', message: 'p_org' },
  // Wrong shapes of the batch list: refused, naming it, nothing recounted.
  ...([
    ['no list', null],
    ['an empty list', batches([])],
    ['a null name', batches(['orders.csv', null])],
    ['an empty name', batches([''])],
    ['a name of 1001 characters', batches(['x'.repeat(1001)])],
    ['1001 names', batches(Array.from({ length: 1001 }, (_, i) => `orders-${i}.csv`))],
    ['a list of lists', '{{"a.csv"},{"b.csv"}}'],
  ] as const).map(([label, value]): Probe => ({
    name: `import_recount with ${label} as p_batches`, actor: 'service_role', sql: importRecount, params: [A, value], expected: '22023', message: 'p_batches', shape: 'p_batches',
  })),
);

// --- Merging customers (admins only) --------------------------------------------------------------
const merge = 'select public.merge_customers($1, $2, $3, $4)';
probes.push(
  { name: 'merge_customers in an organization the caller is not in', actor: 'otherAdmin', sql: merge, params: [A, rows.ownedCustomer, rows.unownedCustomer, randomUUID()], expected: '42501', message: 'p_org' },
  { name: 'merge_customers by a rep', actor: 'rep', sql: merge, params: [A, rows.ownedCustomer, rows.unownedCustomer, randomUUID()], expected: '42501', message: 'p_org' },
  { name: 'merge_customers by staff', actor: 'staff', sql: merge, params: [A, rows.ownedCustomer, rows.unownedCustomer, randomUUID()], expected: '42501', message: 'p_org' },
  { name: "merge_customers of another organization's customer", actor: 'admin', sql: merge, params: [A, rows.ownedCustomer, rows.customerB, randomUUID()], expected: '22023', message: 'p_merge' },
  { name: "merge_customers keeping another organization's customer", actor: 'admin', sql: merge, params: [A, rows.customerB, rows.ownedCustomer, randomUUID()], expected: '22023', message: 'p_keep' },
  { name: 'merge_customers of a customer with itself', actor: 'admin', sql: merge, params: [A, rows.ownedCustomer, rows.ownedCustomer, randomUUID()], expected: '22023', message: 'p_merge' },
);

probes.push(
  // Wrong shapes of the identifier argument: refused, naming it, nothing written.
  ...notIdentifiers.flatMap(([label, value]): Probe[] => [
    { name: `add_follow_up with ${label} as p_identifier`, actor: 'staff', sql: addFollowUp, params: [A, value, tomorrow(), null, null, randomUUID()], expected: '22023', message: 'p_identifier', shape: 'p_identifier' },
    { name: `record_satisfaction with ${label} as p_identifier`, actor: 'staff', sql: satisfaction, params: [A, value, 5, 'csat5', null, 'phone', randomUUID()], expected: '22023', message: 'p_identifier', shape: 'p_identifier' },
  ]),
  // Another organization.
  { name: 'add_follow_up in an organization the caller is not in', actor: 'otherAdmin', sql: addFollowUp, params: [A, email(emails.owned), tomorrow(), null, null, randomUUID()], expected: '42501', message: 'p_org' },
  { name: 'add_follow_up assigned to a member of another organization', actor: 'admin', sql: addFollowUp, params: [A, email(emails.owned), tomorrow(), null, users.otherAdmin, randomUUID()], expected: '22023', message: 'p_assignee' },
  { name: "complete_follow_up of another organization's follow-up", actor: 'admin', sql: completeFollowUp, params: [A, followUpB, randomUUID()], expected: '22023', message: 'p_follow_up' },
  { name: 'complete_follow_up in an organization the caller is not in', actor: 'admin', sql: completeFollowUp, params: [B, followUpB, randomUUID()], expected: '42501', message: 'p_org' },
  { name: 'my_follow_ups in an organization the caller is not in', actor: 'admin', sql: myFollowUps, params: [B, tomorrow()], expected: '42501', message: 'p_org' },
  { name: "claim_customer of another organization's customer", actor: 'rep', sql: claim, params: [A, rows.customerB, randomUUID()], expected: '22023', message: 'p_customer' },
  { name: 'claim_customer in an organization the caller is not in', actor: 'otherAdmin', sql: claim, params: [A, rows.unownedCustomer, randomUUID()], expected: '42501', message: 'p_org' },
  { name: "release_customer of another organization's customer", actor: 'admin', sql: release, params: [A, rows.customerB, null, randomUUID()], expected: '22023', message: 'p_customer' },
  { name: "assign_customer of another organization's customer", actor: 'admin', sql: assign, params: [A, rows.customerB, users.rep, randomUUID()], expected: '22023', message: 'p_customer' },
  { name: 'assign_customer to a member of another organization', actor: 'admin', sql: assign, params: [A, rows.unownedCustomer, users.otherAdmin, randomUUID()], expected: '22023', message: 'p_member' },
  { name: 'assign_customer in an organization the caller is not in', actor: 'otherAdmin', sql: assign, params: [A, rows.unownedCustomer, users.otherAdmin, randomUUID()], expected: '42501', message: 'p_org' },
  { name: 'record_satisfaction in an organization the caller is not in', actor: 'otherAdmin', sql: satisfaction, params: [A, email(emails.owned), 5, 'csat5', null, 'phone', randomUUID()], expected: '42501', message: 'p_org' },
  { name: 'customer_timeline in an organization the caller is not in', actor: 'admin', sql: timeline, params: [B, rows.customerB, null, 20, null], expected: '42501', message: 'p_org' },
  { name: "customer_timeline of another organization's customer shows nothing", actor: 'otherAdmin', sql: timeline, params: [B, rows.ownedCustomer, null, 20, null], expected: 'nothing', hidden: ['Olivia', 'Prefers email', 'A-1'] },

  // Roles.
  { name: 'claim_customer by staff', actor: 'staff', sql: claim, params: [A, rows.unownedCustomer, randomUUID()], expected: '42501', message: 'p_customer' },
  { name: "claim_customer of the rep's customer by the admin", actor: 'admin', sql: claim, params: [A, rows.ownedCustomer, randomUUID()], expected: '42501', message: 'p_customer' },
  { name: "release_customer of the rep's customer by staff", actor: 'staff', sql: release, params: [A, rows.ownedCustomer, null, randomUUID()], expected: '42501', message: 'p_customer' },
  { name: 'assign_customer by a rep', actor: 'rep', sql: assign, params: [A, rows.unownedCustomer, users.rep, randomUUID()], expected: '42501', message: 'p_member' },
  { name: "complete_follow_up of the rep's follow-up by staff", actor: 'staff', sql: completeFollowUp, params: [A, followUpA, randomUUID()], expected: '42501', message: 'p_follow_up' },

  // Callers without a membership at all.
  ...(['anon', 'service_role'] as const).flatMap((actor): Probe[] => [
    { name: `add_follow_up as ${actor}`, actor, sql: addFollowUp, params: [A, email(emails.owned), tomorrow(), null, null, randomUUID()], expected: '42501' },
    { name: `complete_follow_up as ${actor}`, actor, sql: completeFollowUp, params: [A, followUpA, randomUUID()], expected: '42501' },
    { name: `my_follow_ups as ${actor}`, actor, sql: myFollowUps, params: [A, tomorrow()], expected: '42501' },
    { name: `claim_customer as ${actor}`, actor, sql: claim, params: [A, rows.unownedCustomer, randomUUID()], expected: '42501' },
    { name: `release_customer as ${actor}`, actor, sql: release, params: [A, rows.ownedCustomer, null, randomUUID()], expected: '42501' },
    { name: `assign_customer as ${actor}`, actor, sql: assign, params: [A, rows.unownedCustomer, users.rep, randomUUID()], expected: '42501' },
    { name: `record_satisfaction as ${actor}`, actor, sql: satisfaction, params: [A, email(emails.owned), 5, 'csat5', null, 'phone', randomUUID()], expected: '42501' },
    { name: `customer_timeline as ${actor}`, actor, sql: timeline, params: [A, rows.ownedCustomer, null, 20, null], expected: '42501' },
  ]),

  // Malformed arguments.
  { name: 'add_follow_up without a due time', actor: 'staff', sql: addFollowUp, params: [A, email(emails.owned), null, null, null, randomUUID()], expected: '22023', message: 'p_due_at' },
  { name: 'add_follow_up with an array as identifier', actor: 'staff', sql: addFollowUp, params: [A, `[${email(emails.owned)}]`, tomorrow(), null, null, randomUUID()], expected: '22023', message: 'p_identifier' },
  { name: 'add_follow_up with a note of 2,001 characters', actor: 'staff', sql: addFollowUp, params: [A, email(emails.owned), tomorrow(), 'n'.repeat(2001), null, randomUUID()], expected: '22023', message: 'p_note' },
  { name: 'add_follow_up without a request id', actor: 'staff', sql: addFollowUp, params: [A, email(emails.owned), tomorrow(), null, null, null], expected: '22023', message: 'p_request_id' },
  { name: 'complete_follow_up without a follow-up', actor: 'rep', sql: completeFollowUp, params: [A, null, randomUUID()], expected: '22023', message: 'p_follow_up' },
  { name: 'my_follow_ups without a time', actor: 'rep', sql: myFollowUps, params: [A, null], expected: '22023', message: 'p_until' },
  { name: 'claim_customer without a customer', actor: 'rep', sql: claim, params: [A, null, randomUUID()], expected: '22023', message: 'p_customer' },
  { name: 'claim_customer without a request id', actor: 'rep', sql: claim, params: [A, rows.unownedCustomer, null], expected: '22023', message: 'p_request_id' },
  { name: 'release_customer with a reason of 501 characters', actor: 'rep', sql: release, params: [A, rows.ownedCustomer, 'r'.repeat(501), randomUUID()], expected: '22023', message: 'p_reason' },
  { name: 'assign_customer without a member', actor: 'admin', sql: assign, params: [A, rows.unownedCustomer, null, randomUUID()], expected: '22023', message: 'p_member' },
  { name: 'assign_customer to nobody known', actor: 'admin', sql: assign, params: [A, rows.unownedCustomer, randomUUID(), randomUUID()], expected: '22023', message: 'p_member' },
  { name: 'record_satisfaction with 6 on csat5', actor: 'staff', sql: satisfaction, params: [A, email(emails.owned), 6, 'csat5', null, 'phone', randomUUID()], expected: '22023', message: 'p_score' },
  { name: 'record_satisfaction with 0 on csat5', actor: 'staff', sql: satisfaction, params: [A, email(emails.owned), 0, 'csat5', null, 'phone', randomUUID()], expected: '22023', message: 'p_score' },
  { name: 'record_satisfaction with 11 on nps10', actor: 'staff', sql: satisfaction, params: [A, email(emails.owned), 11, 'nps10', null, 'phone', randomUUID()], expected: '22023', message: 'p_score' },
  { name: 'record_satisfaction on an unknown scale', actor: 'staff', sql: satisfaction, params: [A, email(emails.owned), 4, 'stars', null, 'phone', randomUUID()], expected: '22023', message: 'p_scale' },
  { name: 'record_satisfaction by an unknown channel', actor: 'staff', sql: satisfaction, params: [A, email(emails.owned), 4, 'csat5', null, 'fax', randomUUID()], expected: '22023', message: 'p_channel' },
  { name: 'record_satisfaction with a comment of 2,001 characters', actor: 'staff', sql: satisfaction, params: [A, email(emails.owned), 4, 'csat5', 'c'.repeat(2001), 'phone', randomUUID()], expected: '22023', message: 'p_comment' },
  { name: 'record_satisfaction without a request id', actor: 'staff', sql: satisfaction, params: [A, email(emails.owned), 4, 'csat5', null, 'phone', null], expected: '22023', message: 'p_request_id' },
  { name: 'customer_timeline with a limit of 101', actor: 'staff', sql: timeline, params: [A, rows.ownedCustomer, null, 101, null], expected: '22023', message: 'p_limit' },
  { name: 'customer_timeline with a key that is no key', actor: 'staff', sql: timeline, params: [A, rows.ownedCustomer, new Date().toISOString(), 20, "'; drop table notes; --"], expected: '22023', message: 'p_before_key' },
);
// --- end of follow-ups, ownership, satisfaction visits, the timeline ----------------------------

// --- The shared pool (公海) ----------------------------------------------------------------------
const pool = 'select * from public.pool_customers($1, $2::jsonb, $3)';
const poolReturns = 'select * from public.my_pool_returns($1, $2)';
/** Wrong shapes for a rule (the segment language). */
const notRules: Array<[string, string, string]> = [
  ['a string', '"VIP"', 'p_filter: must be an object'],
  ['a number', '5', 'p_filter: must be an object'],
  ['an array of rules', '[{"field": "order_count", "op": "gt", "value": 1}]', 'p_filter: must be an object'],
  ['an unknown field', '{"field": "owner_id", "op": "in", "value": ["x"]}', 'p_filter.field: unknown field'],
  ['an extra key in a condition', '{"field": "order_count", "op": "gt", "value": 1, "sql": "true"}', 'p_filter: unexpected key'],
  ['a string as a number', '{"field": "net_spend", "op": "gt", "value": "1 or true"}', 'p_filter.value: must be a number'],
  ['an unknown owner', '{"field": "owner", "op": "in", "value": ["anyone"]}', 'p_filter.value[0]'],
  ['a nested array', '{"all": [[{"field": "order_count", "op": "gt", "value": 1}]]}', 'p_filter.all[0]: must be an object'],
];
probes.push(
  ...notRules.map(([label, value, named]): Probe => (
    { name: `pool_customers with ${label} as p_filter`, actor: 'rep', sql: pool, params: [A, value, 50], expected: '22023', message: named, shape: 'p_filter' }
  )),
  { name: 'pool_customers in an organization the caller is not in', actor: 'otherAdmin', sql: pool, params: [A, null, 50], expected: '42501', message: 'p_org' },
  { name: "pool_customers shows no other organization's customers", actor: 'otherAdmin', sql: pool, params: [B, null, 200], expected: 'nothing', hidden: ['Uma', 'Olivia', 'Stan'] },
  { name: 'pool_customers with a limit of 0', actor: 'rep', sql: pool, params: [A, null, 0], expected: '22023', message: 'p_limit' },
  { name: 'pool_customers with a limit of 201', actor: 'rep', sql: pool, params: [A, null, 201], expected: '22023', message: 'p_limit' },
  { name: 'pool_customers without an organization', actor: 'rep', sql: pool, params: [null, null, 50], expected: '22023', message: 'p_org' },
  { name: 'my_pool_returns in an organization the caller is not in', actor: 'otherAdmin', sql: poolReturns, params: [A, 7], expected: '42501', message: 'p_org' },
  { name: 'my_pool_returns with -1 days', actor: 'rep', sql: poolReturns, params: [A, -1], expected: '22023', message: 'p_within_days' },
  { name: 'my_pool_returns without days', actor: 'rep', sql: poolReturns, params: [A, null], expected: '22023', message: 'p_within_days' },
  ...(['anon', 'service_role'] as const).flatMap((actor): Probe[] => [
    { name: `pool_customers as ${actor}`, actor, sql: pool, params: [A, null, 50], expected: '42501' },
    { name: `my_pool_returns as ${actor}`, actor, sql: poolReturns, params: [A, 7], expected: '42501' },
  ]),
);

async function rowCounts(): Promise<Record<string, number>> {
  const { rows: tables } = await t.db.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' order by 1`,
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    counts[name] = (await t.db.query<{ n: number }>(`select count(*)::int as n from public."${name}"`)).rows[0]!.n;
  }
  return counts;
}

describe('RPC probes', () => {
  it('probes every RPC in the public schema', async () => {
    const { rows: functions } = await t.db.query<{ name: string }>(
      `select distinct p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public' and p.prokind = 'f' order by 1`,
    );
    const probed = new Set(probes.map((p) => /public\.(\w+)/.exec(p.sql)![1]));
    expect(functions.map((f) => f.name).filter((name) => !probed.has(name))).toEqual([]);
  });

  it('probes every array and JSON argument of every RPC with wrong shapes', async () => {
    const { rows: args } = await t.db.query<{ fn: string; arg: string }>(
      `select p.proname as fn, a.name as arg
         from pg_proc p
         join pg_namespace n on n.oid = p.pronamespace
         cross join lateral unnest(p.proargnames, p.proargtypes::oid[] || array[]::oid[]) with ordinality as a (name, type, i)
         join pg_type t on t.oid = a.type
        where n.nspname = 'public' and p.prokind = 'f' and a.i <= p.pronargs
          and (t.typname in ('json', 'jsonb') or t.typcategory = 'A')
        order by 1, 2`,
    );
    expect(args.length).toBeGreaterThan(0);
    const missing = args.filter(({ fn, arg }) => probes.filter((p) => p.shape === arg && p.sql.includes(`public.${fn}(`)).length < 5);
    expect(missing).toEqual([]);
  });

  it.each(probes)('$name', async ({ sql, actor, params, expected, message, hidden }) => {
    const before = await rowCounts();
    let outcome: { code: string; message: string } | { rows: unknown[] };
    try {
      // Array arguments are jsonb: send JS arrays as JSON text, as PostgREST passes a JSON body.
      const sent = params.map((p) => (Array.isArray(p) ? JSON.stringify(p) : p));
      outcome = { rows: await asActor(t.db, actor, async (tx) => (await tx.query(sql, sent)).rows, { commit: true }) };
    } catch (error) {
      const e = error as { code?: string; message?: string };
      if (!e.code) throw error;
      outcome = { code: e.code, message: e.message ?? '' };
    }
    const after = await rowCounts();
    if (expected === 'nothing') {
      expect(outcome).toHaveProperty('rows');
      for (const secret of hidden ?? []) expect(JSON.stringify(outcome)).not.toContain(secret);
      // A write call that found nothing to do still records its request id, and nothing else.
      const isWrite = /untag_customer|tag_customer|add_note|set_lifecycle_stage/.test(sql);
      expect(after).toEqual({ ...before, api_requests: before.api_requests! + (isWrite ? 1 : 0) });
    } else {
      expect(outcome).toMatchObject({ code: expected });
      if (message) expect((outcome as { message: string }).message).toContain(message);
      expect(after).toEqual(before);
    }
  });
});

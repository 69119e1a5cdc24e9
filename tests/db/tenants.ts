// Two organizations with members in every role, and a little of everything in them, for the
// security and API tests. Users are created straight in auth.users, as the platform's auth
// service would; everything is inserted as `postgres` and committed.
//
//   org A: admin (admin), rep (rep), staff (staff)
//   org B: otherAdmin (admin); staff is also an admin of B and rep is staff in B, so that a role
//          held in one organization is seen not to leak into the other.
import type { Db, Queryable } from '../../supabase/local/db.ts';
import { asRole, type Role, type RoleClaims } from './harness.ts';

const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

export const users = {
  admin: id(0xa1),
  rep: id(0xa2),
  staff: id(0xa3),
  otherAdmin: id(0xb1),
  newcomer: id(0xc1),
} as const;

export type UserName = keyof typeof users;

export const orgs = { a: id(0xa), b: id(0xb) } as const;

/** Rows of org A (and one of org B) the tests aim at. */
export const rows = {
  /** Owned by rep, created by admin. */
  ownedCustomer: id(0x1001),
  /** No owner, created by admin. */
  unownedCustomer: id(0x1002),
  /** No owner, created by staff. */
  staffCustomer: id(0x1003),
  /** Has no profile row (for inserting one). */
  bareCustomer: id(0x1004),
  customerB: id(0x2001),
  tagVip: id(0x3001),
  tagSpare: id(0x3002),
  tagRule: id(0x3003),
  tagB: id(0x3004),
  staffNote: id(0x4001),
  repNote: id(0x4002),
  order: id(0x5001),
  segment: id(0x6001),
  shop: id(0x7001),
  adminRequest: id(0x8001),
  /** A pending invitation of A, addressed to B's admin (admin@b.test), made by A's admin. */
  invitationToB: id(0x9001),
  /** A pending invitation of A, addressed to someone who has no account yet. */
  invitationToStranger: id(0x9002),
} as const;

export const emails = {
  owned: 'owned@a.test',
  unowned: 'unowned@a.test',
  staffMade: 'staff-made@a.test',
  customerB: 'customer@b.test',
} as const;

export async function createTenants(db: Db): Promise<void> {
  await db.exec(`
    insert into auth.users (id, email, aud, role, created_at) values
      ('${users.admin}', 'admin@a.test', 'authenticated', 'authenticated', now()),
      ('${users.rep}', 'rep@a.test', 'authenticated', 'authenticated', now()),
      ('${users.staff}', 'staff@a.test', 'authenticated', 'authenticated', now()),
      ('${users.otherAdmin}', 'admin@b.test', 'authenticated', 'authenticated', now()),
      ('${users.newcomer}', 'newcomer@c.test', 'authenticated', 'authenticated', now());

    insert into public.organizations (id, name) values ('${orgs.a}', 'Org A'), ('${orgs.b}', 'Org B');

    insert into public.members (org_id, user_id, role, display_name) values
      ('${orgs.a}', '${users.admin}', 'admin', 'Ada Admin'),
      ('${orgs.a}', '${users.rep}', 'rep', 'Rei Rep'),
      ('${orgs.a}', '${users.staff}', 'staff', 'Sam Staff'),
      ('${orgs.b}', '${users.otherAdmin}', 'admin', 'Bo Admin'),
      ('${orgs.b}', '${users.staff}', 'admin', 'Sam in B'),
      ('${orgs.b}', '${users.rep}', 'staff', 'Rei in B');

    insert into public.customers (id, org_id, display_name, primary_email, owner_id, created_by) values
      ('${rows.ownedCustomer}', '${orgs.a}', 'Olivia Owned', '${emails.owned}', '${users.rep}', '${users.admin}'),
      ('${rows.unownedCustomer}', '${orgs.a}', 'Uma Unowned', '${emails.unowned}', null, '${users.admin}'),
      ('${rows.staffCustomer}', '${orgs.a}', 'Stan Staffmade', '${emails.staffMade}', null, '${users.staff}'),
      ('${rows.bareCustomer}', '${orgs.a}', 'Bea Bare', null, null, '${users.admin}'),
      ('${rows.customerB}', '${orgs.b}', 'Bert B', '${emails.customerB}', null, '${users.otherAdmin}');
    delete from public.customer_profiles where customer_id = '${rows.bareCustomer}';

    insert into public.tags (id, org_id, name, category, created_by) values
      ('${rows.tagVip}', '${orgs.a}', 'VIP', 'value', '${users.admin}'),
      ('${rows.tagSpare}', '${orgs.a}', 'Spare', 'custom', '${users.admin}'),
      ('${rows.tagRule}', '${orgs.a}', 'Big spender', 'value', null),
      ('${rows.tagB}', '${orgs.b}', 'B only', 'custom', '${users.otherAdmin}');

    insert into public.customer_tags (org_id, customer_id, tag_id, source, added_by) values
      ('${orgs.a}', '${rows.ownedCustomer}', '${rows.tagVip}', 'manual', '${users.staff}'),
      ('${orgs.a}', '${rows.ownedCustomer}', '${rows.tagRule}', 'rule', null),
      ('${orgs.b}', '${rows.customerB}', '${rows.tagB}', 'manual', '${users.otherAdmin}');

    insert into public.notes (id, org_id, customer_id, author_id, body) values
      ('${rows.staffNote}', '${orgs.a}', '${rows.ownedCustomer}', '${users.staff}', 'Prefers email.'),
      ('${rows.repNote}', '${orgs.a}', '${rows.ownedCustomer}', '${users.rep}', 'Asked for a quote.');

    insert into public.orders (id, org_id, customer_id, source, external_id, ordered_at, total, currency, status) values
      ('${rows.order}', '${orgs.a}', '${rows.ownedCustomer}', 'manual', 'A-1', now() - interval '3 days', 120, 'USD', 'paid');

    insert into public.events (org_id, customer_id, kind, occurred_at, recorded_by) values
      ('${orgs.a}', '${rows.ownedCustomer}', 'email_in', now() - interval '1 day', '${users.rep}');

    insert into public.segments (id, org_id, name, rule, created_by) values
      ('${rows.segment}', '${orgs.a}', 'Everyone', '{"all": []}', '${users.admin}');
    insert into public.segment_memberships (org_id, segment_id, customer_id) values
      ('${orgs.a}', '${rows.segment}', '${rows.ownedCustomer}');

    insert into public.stage_changes (org_id, customer_id, from_stage, to_stage, source) values
      ('${orgs.a}', '${rows.unownedCustomer}', 'prospect', 'lead', 'computed');

    insert into public.recompute_runs (org_id, kind, finished_at, customers_scanned) values
      ('${orgs.a}', 'full', now(), 4);

    insert into public.shop_connections (id, org_id, provider, shop_domain, webhook_secret) values
      ('${rows.shop}', '${orgs.a}', 'shopify', 'a-shop.myshopify.com', 'a-long-enough-webhook-secret');
    insert into public.inbound_events (org_id, shop_connection_id, provider, event_key, topic) values
      ('${orgs.a}', '${rows.shop}', 'shopify', 'evt-1', 'orders/create');

    insert into public.invitations (id, org_id, email, role, invited_by) values
      ('${rows.invitationToB}', '${orgs.a}', 'Admin@B.test', 'rep', '${users.admin}'),
      ('${rows.invitationToStranger}', '${orgs.a}', 'stranger@c.test', 'staff', '${users.admin}');

    insert into public.api_requests (request_id, org_id, user_id, rpc, arguments, result, completed_at) values
      ('${rows.adminRequest}', '${orgs.a}', '${users.admin}', 'add_note', '{}', '{}', now());
  `);
}

export function claimsOf(user: UserName): RoleClaims {
  return { sub: users[user], email: `${user}@test`, aud: 'authenticated' };
}

/** Runs `fn` as a signed-in member (rolled back unless `commit`). */
export function asUser<T>(db: Db, user: UserName, fn: (tx: Queryable) => Promise<T>, options: { commit?: boolean } = {}): Promise<T> {
  return asRole(db, 'authenticated', claimsOf(user), fn, options);
}

export type Actor = UserName | 'anon' | 'service_role';

/** Runs `fn` as a member, as anon (no token) or as the service role. */
export function asActor<T>(db: Db, actor: Actor, fn: (tx: Queryable) => Promise<T>, options: { commit?: boolean } = {}): Promise<T> {
  if (actor === 'anon' || actor === 'service_role') return asRole(db, actor as Role, {}, fn, options);
  return asUser(db, actor, fn, options);
}

/** The SQLSTATE a promise rejects with, or null when it resolves. */
export async function sqlState(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    throw error;
  }
}

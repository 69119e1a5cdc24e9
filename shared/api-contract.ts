// Compile-time agreement between the SQL API (types generated from the database by
// `npm run db:types`) and the zod schemas in api.ts: every RPC the extension calls exists in the
// database with exactly the argument names the schema sends. Types only; nothing here runs.
import type { Database } from './database.types.ts';
import type { RpcArgs, RpcName } from './api.ts';

export type DatabaseFunctions = Database['public']['Functions'];

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** RPC names the schemas know but the database does not define. */
type MissingFunctions = Exclude<RpcName, keyof DatabaseFunctions>;
export const everyRpcExists: Same<MissingFunctions, never> = true;

/** Named keys of an object type; an empty record (no arguments) has none. */
type Names<T> = string extends keyof T ? never : keyof T;

/** For each RPC, the argument names of the zod schema and of the SQL function. */
type ArgumentNames = {
  [N in RpcName & keyof DatabaseFunctions]: Same<Names<RpcArgs<N>>, Names<DatabaseFunctions[N]['Args']>>;
};
export const argumentNamesAgree: ArgumentNames = {
  customer_context: true,
  tag_customer: true,
  untag_customer: true,
  add_note: true,
  set_lifecycle_stage: true,
  search_customers: true,
  list_tags: true,
  my_orgs: true,
  member_addresses: true,
  org_members: true,
  stage_overview: true,
  my_invitations: true,
  accept_invitation: true,
  decline_invitation: true,
  add_follow_up: true,
  complete_follow_up: true,
  my_follow_ups: true,
  claim_customer: true,
  release_customer: true,
  assign_customer: true,
  record_satisfaction: true,
  customer_timeline: true,
  merge_customers: true,
  pool_customers: true,
  my_pool_returns: true,
};

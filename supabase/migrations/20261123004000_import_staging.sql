-- Importing a team's customers and order history from CSV files (README: "Importing your data").
--
-- Three staging tables, one per kind of file, that Studio's "Import data from CSV" fills directly
-- and `npm run import` fills by COPY. They are unlogged: loading and marking millions of rows
-- writes no WAL (each row written twice, each page again in full after a checkpoint); what a
-- crash of the database server would lose is this record of the import, which it empties, not
-- the customers and orders imported from it (loading the same file again marks its rows duplicate). Their data columns are text named like the CSV headers, so
-- any file loads; a statement-level trigger (20261123004010_import_apply.sql) then resolves every
-- row into customers, orders, events and tags and marks it applied, duplicate (nothing new) or
-- rejected (with a reason naming the column and the value). Rows stay as a record of the import.

create type public.import_status as enum ('pending', 'applied', 'rejected', 'duplicate');
comment on type public.import_status is
  'State of an imported CSV row: pending 待处理, applied 已导入, rejected 已拒绝 (see error), duplicate 重复 (already imported, nothing changed).';

-- A customer's own id in the system the file came from (a CRM's id, an ERP number). Orders and
-- events files refer to customers by it (customer_external_id).
alter table public.customers add column external_id text;
alter table public.customers add constraint customers_external_id_length check (char_length(external_id) between 1 and 200);
comment on column public.customers.external_id is
  'The customer''s id in the system it was imported from (a CRM or ERP id); unique per organization. Import files refer to customers by it as customer_external_id.';
create unique index customers_org_id_external_id_key on public.customers (org_id, external_id) where external_id is not null;
grant update (external_id) on table public.customers to authenticated;


-- The organization a row is for when the file has no org_id column: the caller's organization
-- when they administer exactly one, or (for Studio's postgres role) the only organization there is.
create function private.import_default_org()
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select case
    when (select auth.uid()) is not null then
      (select case when count(*) = 1 then min(m.org_id::text)::uuid end
         from public.members m
        where m.user_id = (select auth.uid()) and m.role = 'admin')
    else
      (select case when count(*) = 1 then min(o.id::text)::uuid end from public.organizations o)
  end
$$;

comment on function private.import_default_org() is
  'Default org_id of imported rows: the organization the signed-in user administers when there is exactly one, or the only organization when Studio (no user) imports; null otherwise (the row is rejected and asks for an org_id column).';
revoke all on function private.import_default_org() from public;
grant execute on function private.import_default_org() to authenticated, service_role;


create unlogged table public.import_customers (
  id bigint generated always as identity,
  org_id uuid default private.import_default_org(),
  import_batch text not null default ('studio ' || to_char(now() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS')),
  email text,
  phone text,
  name text,
  kind text,
  company text,
  country text,
  region text,
  city text,
  industry text,
  company_size text,
  source text,
  owner_email text,
  referred_by_email text,
  is_partner text,
  is_valid text,
  tags text,
  external_id text,
  created_at text,
  import_status public.import_status not null default 'pending',
  error text,
  customer_id uuid,
  loaded_at timestamptz not null default now(),
  constraint import_customers_pkey primary key (id)
)
-- Half of each page left free: resolving a row rewrites it (status, error, customer) in place on its
-- page (a HOT update, no new index entries), which for millions of rows is most of the marking.
with (fillfactor = 50);

comment on table public.import_customers is
  'Customers file rows (导入客户), loaded as text from CSV by Studio or npm run import, resolved into customers, identities and tags. Filter import_status = rejected to see what was refused and why.';
comment on column public.import_customers.id is 'Row number of the import (in load order).';
comment on column public.import_customers.org_id is 'The organization the row is imported into (defaults to the importing admin''s only organization).';
comment on column public.import_customers.import_batch is 'Name of the load the row came with (the file and time for npm run import, "studio <time>" for Studio).';
comment on column public.import_customers.email is 'CSV email: the customer''s email address.';
comment on column public.import_customers.phone is 'CSV phone: phone number, with country code or in the organization''s default region.';
comment on column public.import_customers.name is 'CSV name: the name shown on the portrait.';
comment on column public.import_customers.kind is 'CSV kind: person (default) or company.';
comment on column public.import_customers.company is 'CSV company: name of the company customer this person works for (created when unknown).';
comment on column public.import_customers.country is 'CSV country: ISO 3166-1 alpha-2 code (CN, US, DE…).';
comment on column public.import_customers.region is 'CSV region: state, province or region.';
comment on column public.import_customers.city is 'CSV city.';
comment on column public.import_customers.industry is 'CSV industry.';
comment on column public.import_customers.company_size is 'CSV company_size: 1-10, 11-50, 51-200, 201-500, 501-1000, 1001-5000 or 5001+.';
comment on column public.import_customers.source is 'CSV source: where the customer came from (acquisition source).';
comment on column public.import_customers.owner_email is 'CSV owner_email: email of the member who owns the customer.';
comment on column public.import_customers.referred_by_email is 'CSV referred_by_email: email of the customer who referred this one (known or in the same file).';
comment on column public.import_customers.is_partner is 'CSV is_partner: true/false, yes/no, 1/0.';
comment on column public.import_customers.is_valid is 'CSV is_valid: true/false, yes/no, 1/0.';
comment on column public.import_customers.tags is 'CSV tags: tag names separated by ; or | (or as Chinese text writes lists: ；、，).';
comment on column public.import_customers.external_id is 'CSV external_id: the customer''s id in the source system (shopify:123 and woocommerce:123 also name a shop customer).';
comment on column public.import_customers.created_at is 'CSV created_at: when the customer was created in the source system.';
comment on column public.import_customers.import_status is 'pending, applied, rejected (see error) or duplicate (nothing new).';
comment on column public.import_customers.error is 'Why the row was rejected, naming the column and the value.';
comment on column public.import_customers.customer_id is 'The customer the row was resolved to.';
comment on column public.import_customers.loaded_at is 'When the row was loaded.';

create index import_customers_org_id_idx on public.import_customers (org_id);


create unlogged table public.import_orders (
  id bigint generated always as identity,
  org_id uuid default private.import_default_org(),
  import_batch text not null default ('studio ' || to_char(now() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS')),
  order_id text,
  customer_email text,
  customer_phone text,
  customer_external_id text,
  customer_name text,
  ordered_at text,
  total text,
  refunded text,
  status text,
  currency text,
  source text,
  import_status public.import_status not null default 'pending',
  error text,
  customer_id uuid,
  loaded_at timestamptz not null default now(),
  constraint import_orders_pkey primary key (id)
);
-- (Unlike the customers' and events' tables, no room kept on the pages for the marking: most
-- orders rows are written once, already resolved, by npm run import (public.import_apply_held), and
-- the marking of a row Studio loads changes import_status, which the index below names, so it
-- is no HOT update anyway.)

comment on table public.import_orders is
  'Orders file rows (导入订单), loaded as text from CSV by Studio or npm run import, upserted into orders by (source, order_id). Filter import_status = rejected to see what was refused and why.';
comment on column public.import_orders.id is 'Row number of the import (in load order).';
comment on column public.import_orders.org_id is 'The organization the row is imported into (defaults to the importing admin''s only organization).';
comment on column public.import_orders.import_batch is 'Name of the load the row came with (the file and time for npm run import, "studio <time>" for Studio).';
comment on column public.import_orders.order_id is 'CSV order_id: the order''s id in its source; with source it identifies the order.';
comment on column public.import_orders.customer_email is 'CSV customer_email: the buyer''s email (a customer is created when unknown).';
comment on column public.import_orders.customer_phone is 'CSV customer_phone: the buyer''s phone (a customer is created when unknown).';
comment on column public.import_orders.customer_external_id is 'CSV customer_external_id: the buyer''s external_id from the customers file.';
comment on column public.import_orders.customer_name is 'CSV customer_name: the buyer''s name, given to a customer the row creates or a known customer who has none (a name is never overwritten).';
comment on column public.import_orders.ordered_at is 'CSV ordered_at: ISO 8601, YYYY-MM-DD HH:MM[:SS] with an optional offset, or YYYY/MM/DD (UTC when no offset).';
comment on column public.import_orders.total is 'CSV total: amount with . or , decimals; currency symbols are ignored.';
comment on column public.import_orders.refunded is 'CSV refunded: amount refunded (default 0), at most the total.';
comment on column public.import_orders.status is 'CSV status: paid, refunded, cancelled or pending, or a synonym (completed, partially_refunded, voided…).';
comment on column public.import_orders.currency is 'CSV currency: ISO 4217 code (default the organization''s currency).';
comment on column public.import_orders.source is 'CSV source: shopify, woocommerce, manual or import (default import).';
comment on column public.import_orders.import_status is 'pending, applied, rejected (see error) or duplicate (the order was already there unchanged).';
comment on column public.import_orders.error is 'Why the row was rejected, naming the column and the value.';
comment on column public.import_orders.customer_id is 'The customer the order was attached to.';
comment on column public.import_orders.loaded_at is 'When the row was loaded.';

-- The rows of an organization still to resolve or to look at (pending, rejected, duplicate): the
-- applied rows, millions after a big import, are not indexed (a million fewer index entries to
-- write, 0.5 s).
create index import_orders_org_id_idx on public.import_orders (org_id) where import_status <> 'applied';


create unlogged table public.import_events (
  id bigint generated always as identity,
  org_id uuid default private.import_default_org(),
  import_batch text not null default ('studio ' || to_char(now() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS')),
  customer_email text,
  customer_phone text,
  customer_external_id text,
  kind text,
  occurred_at text,
  import_status public.import_status not null default 'pending',
  error text,
  customer_id uuid,
  loaded_at timestamptz not null default now(),
  constraint import_events_pkey primary key (id)
)
-- Half of each page left free: resolving a row rewrites it (status, error, customer) in place on its
-- page (a HOT update, no new index entries), which for millions of rows is most of the marking.
with (fillfactor = 50);

comment on table public.import_events is
  'Events file rows (导入互动), loaded as text from CSV by Studio or npm run import, added to events. Filter import_status = rejected to see what was refused and why.';
comment on column public.import_events.id is 'Row number of the import (in load order).';
comment on column public.import_events.org_id is 'The organization the row is imported into (defaults to the importing admin''s only organization).';
comment on column public.import_events.import_batch is 'Name of the load the row came with (the file and time for npm run import, "studio <time>" for Studio).';
comment on column public.import_events.customer_email is 'CSV customer_email: the customer''s email (a customer is created when unknown).';
comment on column public.import_events.customer_phone is 'CSV customer_phone: the customer''s phone (a customer is created when unknown).';
comment on column public.import_events.customer_external_id is 'CSV customer_external_id: the customer''s external_id from the customers file.';
comment on column public.import_events.kind is 'CSV kind: email_in, email_out, visit, cart, checkout, review, referral, support, call, meeting, captured or other.';
comment on column public.import_events.occurred_at is 'CSV occurred_at: ISO 8601, YYYY-MM-DD HH:MM[:SS] with an optional offset, or YYYY/MM/DD (UTC when no offset).';
comment on column public.import_events.import_status is 'pending, applied, rejected (see error) or duplicate (the same event was already there).';
comment on column public.import_events.error is 'Why the row was rejected, naming the column and the value.';
comment on column public.import_events.customer_id is 'The customer the event was added to.';
comment on column public.import_events.loaded_at is 'When the row was loaded.';

create index import_events_org_id_idx on public.import_events (org_id);

-- org_id has no foreign key: checking one per loaded row is most of a COPY's time, and a row
-- naming no organization (or an unknown one) is rejected with that reason when it is resolved.
-- An organization's imported rows go with it.
create function private.delete_org_imports()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from public.import_customers s where s.org_id in (select o.id from old_rows o);
  delete from public.import_orders s where s.org_id in (select o.id from old_rows o);
  delete from public.import_events s where s.org_id in (select o.id from old_rows o);
  return null;
end;
$$;
comment on function private.delete_org_imports() is
  'Trigger: deletes the imported rows of deleted organizations (the import tables have no foreign key on org_id, for load speed).';
revoke all on function private.delete_org_imports() from public;

create trigger organizations_delete_imports
  after delete on public.organizations
  referencing old table as old_rows
  for each statement execute function private.delete_org_imports();


-- Admins only: an import creates customers and orders for the whole organization. Rows are
-- resolved by the trigger, so nobody edits them afterwards; an admin may delete them.
alter table public.import_customers enable row level security;
alter table public.import_orders enable row level security;
alter table public.import_events enable row level security;

create policy "Admins can read their organization's imported customers"
  on public.import_customers for select to authenticated
  using (org_id in (select private.admin_org_ids()));
create policy "Admins can import customers"
  on public.import_customers for insert to authenticated
  with check (org_id in (select private.admin_org_ids()));
create policy "Admins can delete imported customer rows"
  on public.import_customers for delete to authenticated
  using (org_id in (select private.admin_org_ids()));

create policy "Admins can read their organization's imported orders"
  on public.import_orders for select to authenticated
  using (org_id in (select private.admin_org_ids()));
create policy "Admins can import orders"
  on public.import_orders for insert to authenticated
  with check (org_id in (select private.admin_org_ids()));
create policy "Admins can delete imported order rows"
  on public.import_orders for delete to authenticated
  using (org_id in (select private.admin_org_ids()));

create policy "Admins can read their organization's imported events"
  on public.import_events for select to authenticated
  using (org_id in (select private.admin_org_ids()));
create policy "Admins can import events"
  on public.import_events for insert to authenticated
  with check (org_id in (select private.admin_org_ids()));
create policy "Admins can delete imported event rows"
  on public.import_events for delete to authenticated
  using (org_id in (select private.admin_org_ids()));

revoke all on table public.import_customers, public.import_orders, public.import_events from anon, authenticated, service_role;
grant select, insert, delete on table public.import_customers, public.import_orders, public.import_events to authenticated;
grant all on table public.import_customers, public.import_orders, public.import_events to service_role;

-- Customer identities: the lookup key for everything the extension sees on a page. One
-- identifier (an email, a phone number, a shop's customer or order id, a domain) belongs to at
-- most one customer per organization.
--
-- Values are normalised on write by private.normalize_identity (identity normalisation migration),
-- so lookups compare normalised values with `=`. The value column uses the "C" collation: the
-- values are machine identifiers, byte order makes the primary key also serve prefix searches
-- (typeahead over emails and phone numbers), and it is the cheapest comparison there is.
--
-- The primary key puts value before kind. Under row-level security Postgres only uses a condition
-- as an index condition when its operator is leakproof; text and uuid equality are, enum
-- equality is not. With (org_id, value, kind) a signed-in member's lookup is bounded by org_id and
-- value, and kind is checked on the one or two entries found.

create table public.customer_identities (
  org_id uuid not null,
  kind public.identity_kind not null,
  value text collate "C" not null,
  customer_id uuid not null,
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  -- customer_context resolves (org_id, value, kind) → customer_id from this index alone.
  constraint customer_identities_pkey primary key (org_id, value, kind) include (customer_id),
  constraint customer_identities_customer_id_fkey foreign key (org_id, customer_id)
    references public.customers (org_id, id) on delete cascade,
  constraint customer_identities_created_by_fkey foreign key (created_by)
    references auth.users (id) on delete set null,
  constraint customer_identities_value_length check (char_length(value) between 1 and 320)
);

comment on table public.customer_identities is
  'Identifiers a customer is known by (客户标识): email, phone, shop customer or order id, domain. Unique per organization; the extension looks customers up by them.';
comment on column public.customer_identities.org_id is 'The organization.';
comment on column public.customer_identities.kind is 'email, phone, shop_customer, shop_order or domain.';
comment on column public.customer_identities.value is
  'The normalised identifier: email lowercased and trimmed (plus-addressing kept), phone in E.164, shop ids as provider:id (shopify:123), domains lowercased. Normalised on write.';
comment on column public.customer_identities.customer_id is 'The customer this identifier belongs to.';
comment on column public.customer_identities.created_by is 'The user who recorded the identifier (null for imports and webhooks).';
comment on column public.customer_identities.created_at is 'When the identifier was recorded.';

create index customer_identities_customer_id_idx on public.customer_identities (org_id, customer_id);
create index customer_identities_created_by_idx on public.customer_identities (created_by) where created_by is not null;


create function private.prepare_identity_value()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- The organization's region reads national phone numbers; only they need it.
  new.value := private.normalize_identity(new.kind::text, new.value,
                                          case when new.kind = 'phone' then private.org_default_phone_region(new.org_id) end);
  return new;
end;
$$;

comment on function private.prepare_identity_value() is
  'Trigger: stores customer_identities.value normalised (or rejects it with SQLSTATE 22023).';
revoke all on function private.prepare_identity_value() from public;

-- Not while `portrait.bulk` is on for the transaction: a bulk writer (the import, README
-- "Importing your data") writes values it normalised itself.
create trigger customer_identities_prepare_value
  before insert or update of kind, value on public.customer_identities
  for each row
  when (coalesce(current_setting('portrait.bulk', true), '') <> 'on')
  execute function private.prepare_identity_value();


-- A customer's primary email and phone are identities too: whoever sets them in Studio or
-- through the API makes the customer findable by them. An address that already belongs to
-- another customer is refused rather than moved (that would be a merge, decided by a person).
create function private.record_customer_contacts()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  contact record;
  holder uuid;
begin
  for contact in
    select c.kind, c.value
      from (values ('email'::public.identity_kind, new.primary_email),
                   ('phone'::public.identity_kind, new.primary_phone)) as c (kind, value)
     where c.value is not null
       and (tg_op = 'INSERT'
            or c.value is distinct from case c.kind when 'email' then old.primary_email else old.primary_phone end)
  loop
    insert into public.customer_identities (org_id, kind, value, customer_id)
    values (new.org_id, contact.kind, contact.value, new.id)
    on conflict (org_id, value, kind) do nothing;
    if not found then
      select i.customer_id into holder
        from public.customer_identities i
       where i.org_id = new.org_id and i.kind = contact.kind and i.value = contact.value;
      if holder is distinct from new.id then
        raise exception using
          errcode = '23505',
          message = format('the %s %s already belongs to another customer', contact.kind, contact.value),
          detail = format('customer_identities holds it for customer %s', holder),
          hint = 'Merge the two customers, or remove the identifier from the other one first.';
      end if;
    end if;
  end loop;
  return null;
end;
$$;

comment on function private.record_customer_contacts() is
  'Trigger: records customers.primary_email and primary_phone as identities of the customer.';
revoke all on function private.record_customer_contacts() from public;

-- Not while `portrait.bulk` is on for the transaction: a bulk writer (the import, README
-- "Importing your data") records the identities of the customers it writes itself, in one
-- statement.
create trigger customers_record_contacts
  after insert or update of primary_email, primary_phone on public.customers
  for each row
  when (coalesce(current_setting('portrait.bulk', true), '') <> 'on')
  execute function private.record_customer_contacts();


-- Whether the signed-in user may add an identifier to a customer: whoever may edit the customer,
-- and whoever created it (a member who adds a lead records the address they found it by).
create function private.can_add_identity(p_org uuid, p_customer uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
      from public.members m
      join public.customers c on c.org_id = m.org_id
     where m.org_id = p_org
       and m.user_id = (select auth.uid())
       and c.id = p_customer
       and (m.role = 'admin'
            or (m.role = 'rep' and c.owner_id = m.user_id)
            or c.created_by = m.user_id)
  )
$$;

comment on function private.can_add_identity(uuid, uuid) is
  'True when the signed-in user may add an identifier to the customer: an admin, the owning rep, or the member who created it.';
revoke all on function private.can_add_identity(uuid, uuid) from public;
grant execute on function private.can_add_identity(uuid, uuid) to authenticated, service_role;


alter table public.customer_identities enable row level security;

create policy "Members can read their organization's customer identities"
  on public.customer_identities for select to authenticated
  using (org_id in (select private.member_org_ids()));

create policy "Editors and creators of a customer can add its identities"
  on public.customer_identities for insert to authenticated
  with check (
    org_id in (select private.member_org_ids())
    and private.can_add_identity(org_id, customer_id)
  );

create policy "Admins and owning reps can change customer identities"
  on public.customer_identities for update to authenticated
  using (org_id in (select private.member_org_ids()) and private.can_edit_customer(org_id, customer_id))
  with check (org_id in (select private.member_org_ids()) and private.can_edit_customer(org_id, customer_id));

create policy "Admins and owning reps can remove customer identities"
  on public.customer_identities for delete to authenticated
  using (org_id in (select private.member_org_ids()) and private.can_edit_customer(org_id, customer_id));

revoke all on table public.customer_identities from anon, authenticated, service_role;
grant select, insert, delete on table public.customer_identities to authenticated;
grant update (kind, value, customer_id) on table public.customer_identities to authenticated;
grant all on table public.customer_identities to service_role;

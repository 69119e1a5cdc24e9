-- Customers: the editable profile (what Studio users edit). Computed figures live in
-- customer_profiles; the identifiers the extension looks customers up by live in
-- customer_identities.
--
-- References inside an organization use composite foreign keys (org_id, id), so a row can never
-- point at another organization's customer or member, whatever a client sends.

create table public.customers (
  id uuid not null default gen_random_uuid(),
  org_id uuid not null,
  display_name text,
  kind public.customer_kind not null default 'person',
  company_id uuid,
  primary_email text,
  primary_phone text,
  country text,
  region text,
  city text,
  industry text,
  company_size public.company_size,
  acquisition_source text,
  owner_id uuid,
  referred_by uuid,
  is_partner boolean not null default false,
  is_valid boolean not null default true,
  invalid_reason text,
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint customers_pkey primary key (id),
  constraint customers_org_id_id_key unique (org_id, id),
  constraint customers_org_id_fkey foreign key (org_id)
    references public.organizations (id) on delete cascade,
  constraint customers_company_id_fkey foreign key (org_id, company_id)
    references public.customers (org_id, id) on delete set null (company_id),
  constraint customers_owner_id_fkey foreign key (org_id, owner_id)
    references public.members (org_id, user_id) on delete set null (owner_id),
  constraint customers_referred_by_fkey foreign key (org_id, referred_by)
    references public.customers (org_id, id) on delete set null (referred_by),
  constraint customers_created_by_fkey foreign key (created_by)
    references auth.users (id) on delete set null,
  constraint customers_display_name_length check (char_length(btrim(display_name)) between 1 and 200),
  constraint customers_not_own_company check (company_id <> id),
  constraint customers_not_own_referrer check (referred_by <> id),
  constraint customers_country_is_iso_code check (country ~ '^[A-Z]{2}$'),
  constraint customers_region_length check (char_length(region) between 1 and 100),
  constraint customers_city_length check (char_length(city) between 1 and 100),
  constraint customers_industry_length check (char_length(industry) between 1 and 100),
  constraint customers_acquisition_source_length check (char_length(acquisition_source) between 1 and 100),
  constraint customers_invalid_reason_only_when_invalid check (not is_valid or invalid_reason is null),
  constraint customers_invalid_reason_length check (char_length(invalid_reason) between 1 and 500)
);

comment on table public.customers is
  'Customers (客户): the editable profile of a person or company. Computed figures are in customer_profiles, lookup identifiers in customer_identities.';
comment on column public.customers.id is 'Identifier of the customer.';
comment on column public.customers.org_id is 'The organization the customer belongs to.';
comment on column public.customers.display_name is 'Name shown on the portrait; empty until someone knows it.';
comment on column public.customers.kind is 'person 个人 or company 公司.';
comment on column public.customers.company_id is 'The company customer this person works for (same organization).';
comment on column public.customers.primary_email is
  'Main email address, normalised (lowercased, trimmed). Setting it also records it as an email identity.';
comment on column public.customers.primary_phone is
  'Main phone number in E.164 (+8613812345678); numbers without a country code use the organization''s default_phone_region. Setting it also records it as a phone identity.';
comment on column public.customers.country is 'Country as an ISO 3166-1 alpha-2 code (CN, US, DE…).';
comment on column public.customers.region is 'State, province or region.';
comment on column public.customers.city is 'City.';
comment on column public.customers.industry is 'Industry (行业), free text kept short so that segments can group by it.';
comment on column public.customers.company_size is 'Head-count band of a company customer.';
comment on column public.customers.acquisition_source is 'Where the customer came from (获客来源): a campaign, a channel, a referral programme…';
comment on column public.customers.owner_id is 'The member responsible for the customer (负责人); a rep may edit only the customers they own.';
comment on column public.customers.referred_by is 'The customer who referred this one (推荐人); referral_count in customer_profiles counts these.';
comment on column public.customers.is_partner is 'Partner 合作伙伴: a manual flag shown as a badge, independent of the value tier.';
comment on column public.customers.is_valid is 'False for invalid customers (无效客户: unreachable or junk); segments leave them out by default.';
comment on column public.customers.invalid_reason is 'Why the customer was marked invalid.';
comment on column public.customers.created_by is 'The user who created the customer (null when created by an import or webhook).';
comment on column public.customers.created_at is 'When the customer was created.';
comment on column public.customers.updated_at is 'When the editable profile last changed.';

-- Every foreign key has an index that starts with its columns; the owner index also serves
-- "my customers", the referral index the referral count.
create index customers_owner_id_idx on public.customers (org_id, owner_id);
create index customers_company_id_idx on public.customers (org_id, company_id);
create index customers_referred_by_idx on public.customers (org_id, referred_by);
create index customers_created_by_idx on public.customers (created_by) where created_by is not null;
-- The organization's invalid customers (a few percent): rules leave them out, so that a pass over
-- the profiles can do so without reading every customer row (the edited-segments pass).
create index customers_invalid_idx on public.customers (org_id, id) where not is_valid;
-- Typeahead by any word of the name (search_customers): prefix queries on a simple tsvector.
create index customers_name_search_idx on public.customers
  using gin (to_tsvector('simple'::regconfig, coalesce(display_name, '')));

create trigger customers_set_updated_at
  before update on public.customers
  for each row execute function private.set_updated_at();


-- The organization's region for phone numbers written without a country code. Security definer
-- so that triggers get the same answer for every writer (a member, an import, a webhook). A client
-- (anon or authenticated) may only ask about an organization it is a member of; the service role
-- and the database's own roles (imports, webhooks) may ask about any.
create function private.org_default_phone_region(p_org uuid)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if ((select auth.role()) in ('anon', 'authenticated') or current_setting('role', true) in ('anon', 'authenticated'))
     and private.member_role(p_org) is null then
    raise exception using
      errcode = '42501',
      message = format('p_org: you are not a member of organization %s', p_org);
  end if;
  -- The one setting read directly rather than through org_settings_with_defaults (a SQL function
  -- planned on every call): the settings check makes it a string when present.
  return (
    select coalesce(o.settings ->> 'default_phone_region', private.default_org_settings() ->> 'default_phone_region')
      from public.organizations o
     where o.id = p_org
  );
end;
$$;

comment on function private.org_default_phone_region(uuid) is
  'The default_phone_region setting of an organization (with the default applied); refuses a client that is not a member (42501).';
revoke all on function private.org_default_phone_region(uuid) from public;
grant execute on function private.org_default_phone_region(uuid) to authenticated, service_role;


-- Stores the primary email and phone normalised exactly as identities are, so that the value a
-- person typed in Studio is the value the extension finds.
create function private.prepare_customer_contacts()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  column_name text;
  problem_detail text;
  problem_hint text;
begin
  if new.primary_email is null and new.primary_phone is null then
    return new;
  end if;
  begin
    if new.primary_email is not null then
      column_name := 'primary_email';
      new.primary_email := private.normalize_identity('email', new.primary_email, null);
    end if;
    if new.primary_phone is not null then
      column_name := 'primary_phone';
      new.primary_phone := private.normalize_identity('phone', new.primary_phone, private.org_default_phone_region(new.org_id));
    end if;
  exception
    when invalid_parameter_value then
      get stacked diagnostics problem_detail = pg_exception_detail, problem_hint = pg_exception_hint;
      raise exception using
        errcode = '22023',
        message = format('customers.%s: %s', column_name, sqlerrm),
        detail = coalesce(problem_detail, ''),
        hint = coalesce(problem_hint, '');
  end;
  return new;
end;
$$;

comment on function private.prepare_customer_contacts() is
  'Trigger: normalises customers.primary_email and primary_phone with the identity rules, or rejects them.';
revoke all on function private.prepare_customer_contacts() from public;

-- Not while `portrait.bulk` is on for the transaction: a bulk writer (the import, README
-- "Importing your data") writes values it normalised itself.
create trigger customers_prepare_contacts
  before insert or update of primary_email, primary_phone on public.customers
  for each row
  when (coalesce(current_setting('portrait.bulk', true), '') <> 'on')
  execute function private.prepare_customer_contacts();


alter table public.customers enable row level security;

create policy "Members can read their organization's customers"
  on public.customers for select to authenticated
  using (org_id in (select private.member_org_ids()));

-- Any member may add a customer (a lead found on a page). Only an admin may hand it to someone
-- else; others may leave it unowned or take it themselves.
create policy "Members can add customers"
  on public.customers for insert to authenticated
  with check (
    org_id in (select private.member_org_ids())
    and created_by = (select auth.uid())
    and (owner_id is null or owner_id = (select auth.uid()) or org_id in (select private.admin_org_ids()))
  );

create policy "Admins and owning reps can edit customers"
  on public.customers for update to authenticated
  using (
    org_id in (select private.admin_org_ids())
    or (org_id in (select private.rep_org_ids()) and owner_id = (select auth.uid()))
  )
  with check (
    org_id in (select private.admin_org_ids())
    or (org_id in (select private.rep_org_ids()) and owner_id = (select auth.uid()))
  );

create policy "Admins can delete customers"
  on public.customers for delete to authenticated
  using (org_id in (select private.admin_org_ids()));

revoke all on table public.customers from anon, authenticated, service_role;
grant select, insert, delete on table public.customers to authenticated;
grant update (
  display_name, kind, company_id, primary_email, primary_phone, country, region, city, industry,
  company_size, acquisition_source, owner_id, referred_by, is_partner, is_valid, invalid_reason
) on table public.customers to authenticated;
grant all on table public.customers to service_role;


-- Whether the signed-in user may edit a customer's fields: an admin of its organization, or the
-- rep who owns it. Shared by the identity policies and set_lifecycle_stage.
create function private.can_edit_customer(p_org uuid, p_customer uuid)
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
       and (m.role = 'admin' or (m.role = 'rep' and c.owner_id = m.user_id))
  )
$$;

comment on function private.can_edit_customer(uuid, uuid) is
  'True when the signed-in user is an admin of the organization or the rep who owns the customer.';
revoke all on function private.can_edit_customer(uuid, uuid) from public;
grant execute on function private.can_edit_customer(uuid, uuid) to authenticated, service_role;

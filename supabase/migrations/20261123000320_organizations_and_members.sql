-- Tenancy: organizations, their members, and the membership helpers every row-level security
-- policy goes through.
--
-- The helpers are `security definer` so that a policy on `members` can ask about membership
-- without recursing into that same policy, and they return arrays so that a policy can call them
-- as `org_id in (select private.member_org_ids())`: the sub-select makes Postgres evaluate
-- the helper once per statement instead of once per row, and `= any(array)` can use an index.

create table public.organizations (
  id uuid not null default gen_random_uuid(),
  name text not null,
  settings jsonb not null default private.default_org_settings(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint organizations_pkey primary key (id),
  constraint organizations_name_length check (char_length(btrim(name)) between 1 and 200),
  constraint organizations_settings_valid check (cardinality(private.org_settings_problems(settings)) = 0)
);

comment on table public.organizations is
  'A team using Portrait (组织). Every business row belongs to exactly one organization.';
comment on column public.organizations.id is 'Identifier of the organization.';
comment on column public.organizations.name is 'Name shown in the extension''s organization picker.';
comment on column public.organizations.settings is
  'Engine thresholds and extension preferences: currency, default_phone_region, internal_email_domains, lifecycle windows, tier percentiles. Missing keys take the defaults; see migration 20261123000310_organization_settings.sql and shared/settings.ts for the shape.';
comment on column public.organizations.created_at is 'When the organization was created.';
comment on column public.organizations.updated_at is 'When the organization''s name or settings last changed.';

create trigger organizations_set_updated_at
  before update on public.organizations
  for each row execute function private.set_updated_at();

-- The check constraint guarantees validity; this trigger turns a violation into a message that
-- says what is wrong instead of only naming the constraint.
create function private.explain_invalid_org_settings()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  problems text[] := private.org_settings_problems(new.settings);
  region text;
begin
  -- The shape check cannot know which regions phone numbers can be read in; the phone
  -- normaliser does, and refuses an unknown region (SQLSTATE 22023) before reading any number.
  if cardinality(problems) = 0 then
    region := private.org_settings_with_defaults(new.settings) ->> 'default_phone_region';
    begin
      perform private.normalize_phone('', region);
    exception
      when invalid_parameter_value then
        problems := problems || format('default_phone_region: phone numbers cannot be read in region "%s"', region);
    end;
  end if;
  if cardinality(problems) > 0 then
    raise exception using
      errcode = '23514',
      message = 'invalid organization settings: ' || array_to_string(problems, '; '),
      hint = 'See shared/settings.ts for the settings shape and defaults.';
  end if;
  return new;
end;
$$;

comment on function private.explain_invalid_org_settings() is
  'Trigger: rejects invalid organizations.settings with a message listing every problem.';
revoke all on function private.explain_invalid_org_settings() from public;

create trigger organizations_explain_invalid_settings
  before insert or update of settings on public.organizations
  for each row execute function private.explain_invalid_org_settings();


create table public.members (
  org_id uuid not null,
  user_id uuid not null,
  role public.member_role not null default 'staff',
  display_name text,
  created_at timestamptz not null default now(),
  constraint members_pkey primary key (org_id, user_id),
  constraint members_org_id_fkey foreign key (org_id) references public.organizations (id) on delete cascade,
  constraint members_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade,
  constraint members_display_name_length check (display_name is null or char_length(btrim(display_name)) between 1 and 200)
);

comment on table public.members is
  'Who belongs to which organization, and in which role (成员). A user may belong to several organizations.';
comment on column public.members.org_id is 'The organization.';
comment on column public.members.user_id is 'The signed-in user (auth.users.id).';
comment on column public.members.role is 'admin 管理员, rep 销售 or staff 运营/客服; decides what the member may change.';
comment on column public.members.display_name is
  'How colleagues see this member next to notes and owned customers (auth.users is never exposed).';
comment on column public.members.created_at is 'When the user joined the organization.';

-- The primary key serves lookups by organization; this one serves "which organizations am I in".
create index members_user_id_idx on public.members (user_id) include (role);


-- Membership helpers. They read auth.uid() from the request's JWT claims. The two every policy
-- calls are PL/pgSQL: a SQL function with a SET clause is planned again on every call, and a
-- portrait evaluates a policy once per table it reads (about ten per customer), so planning was
-- most of customer_context's time; PL/pgSQL keeps the plan for the session.

create function private.member_org_ids()
returns setof uuid
language plpgsql
stable
security definer
-- A user belongs to a handful of organizations; the default estimate (1000) misleads the planner.
rows 10
set search_path = ''
as $$
begin
  return query
    select m.org_id
      from public.members m
     where m.user_id = (select auth.uid());
end;
$$;

comment on function private.member_org_ids() is
  'Organizations the signed-in user belongs to, in any role. For policies: org_id in (select private.member_org_ids()).';

create function private.admin_org_ids()
returns setof uuid
language plpgsql
stable
security definer
rows 10
set search_path = ''
as $$
begin
  return query
    select m.org_id
      from public.members m
     where m.user_id = (select auth.uid())
       and m.role = 'admin';
end;
$$;

comment on function private.admin_org_ids() is
  'Organizations in which the signed-in user is an admin.';

create function private.rep_org_ids()
returns setof uuid
language sql
stable
security definer
rows 10
set search_path = ''
as $$
  select m.org_id
    from public.members m
   where m.user_id = (select auth.uid())
     and m.role = 'rep'
$$;

comment on function private.rep_org_ids() is
  'Organizations in which the signed-in user is a rep (who may edit the customers they own).';

-- PL/pgSQL rather than SQL: its statement is planned once a session instead of on every call (a
-- SQL function with a SET clause is never inlined), and every RPC calls it.
create function private.member_role(p_org uuid)
returns public.member_role
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select m.role
      from public.members m
     where m.org_id = p_org
       and m.user_id = (select auth.uid())
  );
end;
$$;

comment on function private.member_role(uuid) is
  'The signed-in user''s role in an organization, or null when they are not a member.';

revoke all on function private.member_org_ids() from public;
revoke all on function private.admin_org_ids() from public;
revoke all on function private.rep_org_ids() from public;
revoke all on function private.member_role(uuid) from public;
grant execute on function private.member_org_ids() to authenticated, service_role;
grant execute on function private.admin_org_ids() to authenticated, service_role;
grant execute on function private.rep_org_ids() to authenticated, service_role;
grant execute on function private.member_role(uuid) to authenticated, service_role;


-- An organization must keep an admin, or nobody could manage its members and settings again.
-- Security definer: after an admin removes themselves, their own view of `members` is empty.
create function private.keep_an_admin()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.role = 'admin'
     and exists (select 1 from public.organizations o where o.id = old.org_id)
     and not exists (select 1 from public.members m where m.org_id = old.org_id and m.role = 'admin') then
    raise exception using
      errcode = '23514',
      message = 'an organization must keep at least one admin',
      hint = 'Make another member an admin first.';
  end if;
  return null;
end;
$$;

comment on function private.keep_an_admin() is
  'Trigger: refuses to remove or demote the last admin of an organization.';
revoke all on function private.keep_an_admin() from public;

create trigger members_keep_an_admin
  after update of role, org_id or delete on public.members
  for each row execute function private.keep_an_admin();


-- Row-level security and privileges.

alter table public.organizations enable row level security;
alter table public.members enable row level security;

create policy "Members can read their organizations"
  on public.organizations for select to authenticated
  using (id in (select private.member_org_ids()));

create policy "Admins can update their organizations"
  on public.organizations for update to authenticated
  using (id in (select private.admin_org_ids()))
  with check (id in (select private.admin_org_ids()));

create policy "Members can read their organization's members"
  on public.members for select to authenticated
  using (org_id in (select private.member_org_ids()));

-- No insert policy or privilege: a user becomes a member by accepting an invitation
-- (accept_invitation in 20261123000325_invitations.sql), never because someone else added them.
-- The first admin of an organization is inserted from Studio's SQL editor, which runs as postgres.

create policy "Admins can change members"
  on public.members for update to authenticated
  using (org_id in (select private.admin_org_ids()))
  with check (org_id in (select private.admin_org_ids()));

create policy "Admins can remove members"
  on public.members for delete to authenticated
  using (org_id in (select private.admin_org_ids()));

-- Organizations are created and deleted by the service (onboarding), not by API clients.
revoke all on table public.organizations from anon, authenticated, service_role;
grant select on table public.organizations to authenticated;
grant update (name, settings) on table public.organizations to authenticated;
grant all on table public.organizations to service_role;

revoke all on table public.members from anon, authenticated, service_role;
grant select, delete on table public.members to authenticated;
grant update (role, display_name) on table public.members to authenticated;
grant all on table public.members to service_role;

-- The organization's members, for choosing whom to assign a customer to ("Assign to…" in the
-- card, supabase/README.md §2). public.members is readable by members but has no address, and a
-- member without a display name would be nameless in the picker; their auth email is read by a
-- security-definer helper that checks membership itself, and the public RPC is a thin
-- security-invoker wrapper (like member_addresses, 20261123006000_api_member_addresses.sql).

create function private.org_members(p_org uuid)
returns table (user_id uuid, display_name text, email text, role public.member_role)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform private.require_member(p_org);
  return query
    select m.user_id, m.display_name, u.email::text, m.role
      from public.members m
      join auth.users u on u.id = m.user_id
     where m.org_id = p_org
     order by lower(coalesce(m.display_name, u.email::text, '')), m.user_id;
end;
$$;

comment on function private.org_members(uuid) is
  'The members of an organization with their display name, auth email and role, by name; 42501 for non-members, 22023 when p_org is null.';
revoke all on function private.org_members(uuid) from public, anon;
grant execute on function private.org_members(uuid) to authenticated;


create function public.org_members(p_org uuid)
returns table (user_id uuid, display_name text, email text, role public.member_role)
language sql
stable
security invoker
set search_path = ''
as $$
  select m.user_id, m.display_name, m.email, m.role from private.org_members(p_org) as m
$$;

comment on function public.org_members(uuid) is
  'The organization''s members (user_id, display_name, email, role), ordered by name: whom an admin may assign a customer to. 42501 for non-members, 22023 when p_org is null.';
revoke all on function public.org_members(uuid) from public, anon, service_role;
grant execute on function public.org_members(uuid) to authenticated;

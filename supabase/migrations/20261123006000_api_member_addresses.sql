-- The organization's members' own addresses: the extension never looks them up as customers
-- (a colleague's mailbox is not a lead). auth.users is not readable by clients, so the list is
-- read by a security-definer helper that checks membership itself; the public RPC is a thin
-- security-invoker wrapper.

create function private.member_addresses(p_org uuid)
returns setof text
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform private.require_member(p_org);
  return query
    select distinct private.normalize_email(u.email)
      from public.members m
      join auth.users u on u.id = m.user_id
     where m.org_id = p_org
       and u.email is not null
     order by 1;
end;
$$;

comment on function private.member_addresses(uuid) is
  'The auth email addresses of an organization''s members, normalised like email identities; 42501 for non-members, 22023 when p_org is null.';
revoke all on function private.member_addresses(uuid) from public, anon;
grant execute on function private.member_addresses(uuid) to authenticated;


create function public.member_addresses(p_org uuid)
returns setof text
language sql
stable
security invoker
set search_path = ''
as $$
  select a from private.member_addresses(p_org) as a
$$;

comment on function public.member_addresses(uuid) is
  'The email addresses of the organization''s members (lowercased), which are never customers: the extension leaves them out of lookups like the user''s own address. 42501 for non-members, 22023 when p_org is null.';
revoke all on function public.member_addresses(uuid) from public, anon, service_role;
grant execute on function public.member_addresses(uuid) to authenticated;

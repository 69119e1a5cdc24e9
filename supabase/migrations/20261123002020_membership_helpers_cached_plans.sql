-- The membership helpers every policy calls, as PL/pgSQL: a SQL function with a SET clause is
-- planned again on every call, and a portrait evaluates a policy once per table it reads (about
-- ten per customer), so planning was most of customer_context's time. PL/pgSQL keeps the plan for
-- the session; the answers are the same.

create or replace function private.member_org_ids()
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

create or replace function private.admin_org_ids()
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

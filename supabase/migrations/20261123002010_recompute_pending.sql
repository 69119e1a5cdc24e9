-- Which organizations a scheduled recompute has work in, so that the every-10-seconds dirty drain
-- and the every-minute drift pass open a run (and a row in recompute_runs) only where there is
-- something to do:
--
--   dirty  customers queued in private.dirty_customers, a pass over everyone owed
--          (private.passes_owed), or segments changed since their memberships were last evaluated
--   drift  customers whose next_transition_at has come
--   full   every organization
--
-- Used by the recompute-segments function when the service role runs every organization.

create function private.orgs_to_recompute(p_kind text, p_now timestamptz default null)
returns setof uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  now_ timestamptz := coalesce(p_now, now());
begin
  if p_kind not in ('full', 'dirty', 'drift') then
    raise exception using errcode = '22023', message = 'p_kind must be full, dirty or drift';
  end if;
  if p_kind = 'full' then
    return query select o.id from public.organizations o order by o.id;
  elsif p_kind = 'dirty' then
    return query
      select o.id
        from public.organizations o
       where exists (select from private.dirty_customers dc where dc.org_id = o.id)
          or exists (select from private.passes_owed po where po.org_id = o.id)
          or exists (select from private.engine_state es
                      where es.org_id = o.id and es.segments_version > es.segments_done_version)
       order by o.id;
  else
    return query
      select o.id
        from public.organizations o
       where exists (select from public.customer_profiles p
                      where p.org_id = o.id and p.next_transition_at <= now_)
       order by o.id;
  end if;
end;
$$;

comment on function private.orgs_to_recompute(text, timestamptz) is
  'Organizations a scheduled run of the given kind has work in: dirty = queued customers, a pass over everyone owed or changed segments; drift = customers whose next_transition_at has come; full = all.';

revoke all on function private.orgs_to_recompute(text, timestamptz) from public, anon, authenticated;
grant execute on function private.orgs_to_recompute(text, timestamptz) to service_role;

-- The customer an identifier belongs to, added as a lead when nobody has it yet: what
-- add_follow_up and record_satisfaction do before writing, as tag_customer does (see
-- 20261123000520_api_tagging.sql) — a rep who adds a lead owns it, staff leave it in the pool,
-- and the capture is recorded as an event (which makes the prospect a lead).
--
-- Runs as the caller (row-level security applies to every read and write).

create function private.find_or_add_lead(
  p_org uuid,
  p_kind public.identity_kind,
  p_value text,
  p_caller_role public.member_role,
  p_via text,
  p_request_id uuid,
  out customer_id uuid,
  out created boolean
)
language plpgsql
set search_path = ''
as $$
begin
  created := false;
  select ci.customer_id into customer_id
    from public.customer_identities ci
   where ci.org_id = p_org and ci.kind = p_kind and ci.value = p_value;
  if customer_id is not null then
    return;
  end if;

  insert into public.customers (org_id, primary_email, primary_phone, owner_id)
  values (
    p_org,
    case when p_kind = 'email' then p_value end,
    case when p_kind = 'phone' then p_value end,
    case when p_caller_role = 'rep' then (select auth.uid()) end
  )
  returning id into customer_id;
  -- Primary email and phone become identities by trigger; the other kinds are recorded here.
  if p_kind not in ('email', 'phone') then
    insert into public.customer_identities (org_id, kind, value, customer_id)
    values (p_org, p_kind, p_value, customer_id);
  end if;
  insert into public.events (org_id, customer_id, kind, details)
  values (p_org, customer_id, 'captured', jsonb_strip_nulls(jsonb_build_object('via', p_via, 'request_id', p_request_id)));
  created := true;
end;
$$;

comment on function private.find_or_add_lead(uuid, public.identity_kind, text, public.member_role, text, uuid) is
  'The customer a normalised identifier belongs to, created as a lead (owned by a rep caller, with a captured event) when unknown; returns (customer_id, created). Runs as the caller.';
revoke all on function private.find_or_add_lead(uuid, public.identity_kind, text, public.member_role, text, uuid) from public;
grant execute on function private.find_or_add_lead(uuid, public.identity_kind, text, public.member_role, text, uuid) to authenticated, service_role;

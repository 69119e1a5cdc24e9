-- The customer an identifier belongs to, added as a lead when nobody has it yet: the one home of
-- lead creation, used by tag_customer (20261123000520_api_tagging.sql), add_follow_up and
-- record_satisfaction before they write. A rep who adds a lead owns it, staff leave it in the
-- pool, and the capture is recorded as an event (which makes the prospect a lead) with what the
-- caller knows of it: the call it came through (p_via), the page (p_page_url, p_page_title) and
-- the request id. p_display_name names a new customer only: changing a known customer's name is
-- editing it.
--
-- Runs as the caller (row-level security applies to every read and write).

create function private.find_or_add_lead(
  p_org uuid,
  p_kind public.identity_kind,
  p_value text,
  p_caller_role public.member_role,
  p_via text,
  p_request_id uuid,
  p_display_name text default null,
  p_page_url text default null,
  p_page_title text default null,
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

  insert into public.customers (org_id, display_name, primary_email, primary_phone, owner_id)
  values (
    p_org,
    p_display_name,
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
  values (p_org, customer_id, 'captured', jsonb_strip_nulls(jsonb_build_object(
    'via', p_via, 'page_url', p_page_url, 'page_title', p_page_title, 'request_id', p_request_id)));
  created := true;
end;
$$;

comment on function private.find_or_add_lead(uuid, public.identity_kind, text, public.member_role, text, uuid, text, text, text) is
  'The customer a normalised identifier belongs to, created as a lead (named p_display_name, owned by a rep caller, with a captured event naming p_via and the page) when unknown; returns (customer_id, created). Runs as the caller.';
revoke all on function private.find_or_add_lead(uuid, public.identity_kind, text, public.member_role, text, uuid, text, text, text) from public;
grant execute on function private.find_or_add_lead(uuid, public.identity_kind, text, public.member_role, text, uuid, text, text, text) to authenticated, service_role;

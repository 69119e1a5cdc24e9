-- tag_customer and untag_customer: add or remove manual tags on the customer an identifier
-- belongs to. Tagging someone unknown creates them as a lead with that identifier (the capture is
-- recorded as an event, which makes the prospect a lead); with no tags, tag_customer only adds the
-- lead ("add as lead"). Tag names that do not exist yet are created. Both are idempotent by
-- request id (see api_requests).

create function public.tag_customer(
  p_org uuid,
  p_identifier jsonb,
  p_tags jsonb,
  p_page_url text default null,
  p_page_title text default null,
  p_request_id uuid default null,
  p_display_name text default null
)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  caller_role public.member_role;
  ident record;
  identity_value text;
  tag_names text[];
  page_url text;
  page_title text;
  lead_name text := nullif(btrim(regexp_replace(p_display_name, '\s+', ' ', 'g')), '');
  earlier jsonb;
  lead record;
  target uuid;
  created boolean;
  added text[];
begin
  caller_role := private.require_member(p_org);
  ident := private.parse_identifier(p_identifier, 'p_identifier');
  tag_names := private.clean_tag_names(p_tags, 'p_tags', 0);
  page_url := private.clean_page_url(p_page_url);
  page_title := private.clean_page_title(p_page_title);
  if char_length(lead_name) > 200 then
    raise exception using errcode = '22023', message = 'p_display_name must be at most 200 characters long';
  end if;
  identity_value := private.normalized_argument(ident.kind, ident.value, private.org_default_phone_region(p_org), 'p_identifier');

  earlier := private.claim_request(p_request_id, p_org, 'tag_customer', jsonb_build_object(
    'identifier', jsonb_build_object('kind', ident.kind, 'value', identity_value),
    'tags', to_jsonb(tag_names),
    'page_url', page_url,
    'page_title', page_title,
    'display_name', lead_name
  ));
  if earlier is not null then
    return earlier;
  end if;

  -- The one home of lead creation (20261123000515_api_find_or_add_lead.sql): the display name
  -- names a new customer only; the capture event records the page.
  lead := private.find_or_add_lead(p_org, ident.kind, identity_value, caller_role, null, p_request_id,
                                   lead_name, page_url, page_title);
  target := lead.customer_id;
  created := lead.created;

  insert into public.tags (org_id, name)
  select p_org, name from unnest(tag_names) as name
  on conflict (org_id, lower(name)) do nothing;

  with added_tags as (
    insert into public.customer_tags (org_id, customer_id, tag_id, source, page_url, page_title, request_id)
    select p_org, target, t.id, 'manual', page_url, page_title, p_request_id
      from public.tags t
     where t.org_id = p_org
       and lower(t.name) = any (select lower(name) from unnest(tag_names) as name)
    on conflict (org_id, customer_id, tag_id) do nothing
    returning tag_id
  )
  select coalesce(array_agg(t.name order by lower(t.name)), '{}') into added
    from added_tags a
    join public.tags t on t.org_id = p_org and t.id = a.tag_id;

  return private.complete_request(p_request_id, jsonb_build_object(
    'customer_id', target,
    'created', created,
    'added_tags', to_jsonb(added),
    'portrait', private.portrait(p_org, target)
  ));
end;
$$;

comment on function public.tag_customer(uuid, jsonb, jsonb, text, text, uuid, text) is
  'Adds manual tags (p_tags: a flat array of 0–20 names; none only adds the lead) to the customer an identifier {"kind", "value"} belongs to, creating the customer as a lead (named p_display_name) and missing tag names as needed. Returns {customer_id, created, added_tags, portrait}. Idempotent by p_request_id (required).';


create function public.untag_customer(
  p_org uuid,
  p_identifier jsonb,
  p_tags jsonb,
  p_request_id uuid default null
)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  caller_role public.member_role;
  ident record;
  identity_value text;
  tag_names text[];
  earlier jsonb;
  target uuid;
  protected text[];
  removed text[];
begin
  caller_role := private.require_member(p_org);
  ident := private.parse_identifier(p_identifier, 'p_identifier');
  tag_names := private.clean_tag_names(p_tags, 'p_tags');
  identity_value := private.normalized_argument(ident.kind, ident.value, private.org_default_phone_region(p_org), 'p_identifier');

  earlier := private.claim_request(p_request_id, p_org, 'untag_customer', jsonb_build_object(
    'identifier', jsonb_build_object('kind', ident.kind, 'value', identity_value),
    'tags', to_jsonb(tag_names)
  ));
  if earlier is not null then
    return earlier;
  end if;

  select ci.customer_id into target
    from public.customer_identities ci
   where ci.org_id = p_org and ci.kind = ident.kind and ci.value = identity_value;

  if target is not null then
    -- Rule tags come back with the next recompute and imports are an admin's business: refuse
    -- clearly instead of silently removing nothing.
    if caller_role <> 'admin' then
      select array_agg(t.name order by lower(t.name)) into protected
        from public.customer_tags ct
        join public.tags t on t.org_id = ct.org_id and t.id = ct.tag_id
       where ct.org_id = p_org and ct.customer_id = target and ct.source <> 'manual'
         and lower(t.name) = any (select lower(name) from unnest(tag_names) as name);
      if protected is not null then
        raise exception using
          errcode = '42501',
          message = format('p_tags: only admins can remove tags added by a rule or an import (%s)', array_to_string(protected, ', '));
      end if;
    end if;

    with removed_tags as (
      delete from public.customer_tags ct
       using public.tags t
       where ct.org_id = p_org and ct.customer_id = target
         and t.org_id = ct.org_id and t.id = ct.tag_id
         and lower(t.name) = any (select lower(name) from unnest(tag_names) as name)
      returning t.name
    )
    select array_agg(r.name order by lower(r.name)) into removed from removed_tags r;
  end if;

  return private.complete_request(p_request_id, jsonb_build_object(
    'customer_id', target,
    'removed_tags', to_jsonb(coalesce(removed, '{}')),
    'portrait', case when target is not null then private.portrait(p_org, target) end
  ));
end;
$$;

comment on function public.untag_customer(uuid, jsonb, jsonb, uuid) is
  'Removes tags (p_tags: a flat array of 1–20 names) from the customer an identifier belongs to; only admins may remove rule or import tags. Returns {customer_id, removed_tags, portrait}; customer_id and portrait are null for an unknown identifier. Idempotent by p_request_id (required).';

revoke all on function public.tag_customer(uuid, jsonb, jsonb, text, text, uuid, text) from public, anon, service_role;
revoke all on function public.untag_customer(uuid, jsonb, jsonb, uuid) from public, anon, service_role;
grant execute on function public.tag_customer(uuid, jsonb, jsonb, text, text, uuid, text) to authenticated;
grant execute on function public.untag_customer(uuid, jsonb, jsonb, uuid) to authenticated;

-- Building blocks of the RPC API (the public functions in the following migrations): argument
-- checks with errors that name the argument, the membership check, request idempotency and the
-- portrait document. All run as the caller (security invoker) unless stated otherwise, so
-- row-level security applies to everything they read and write.
--
-- Errors: a bad argument raises SQLSTATE 22023 (invalid_parameter_value) with a message that
-- starts with the argument's name; a caller who may not do something gets 42501
-- (insufficient_privilege). PostgREST turns both into {code, message, details, hint}.

create function private.require_member(p_org uuid)
returns public.member_role
language plpgsql
stable
set search_path = ''
as $$
declare
  caller_role public.member_role;
begin
  if p_org is null then
    raise exception using errcode = '22023', message = 'p_org is required: the organization to work in (see my_orgs())';
  end if;
  caller_role := private.member_role(p_org);
  if caller_role is null then
    raise exception using
      errcode = '42501',
      message = format('p_org: you are not a member of organization %s', p_org),
      hint = 'my_orgs() lists the organizations you belong to.';
  end if;
  return caller_role;
end;
$$;

comment on function private.require_member(uuid) is
  'The caller''s role in the organization; raises 42501 when they are not a member, 22023 when p_org is null.';


-- An identifier argument is a JSON object {"kind": "...", "value": "..."}; returns it checked but
-- not yet normalised.
create function private.parse_identifier(p_identifier jsonb, p_argument text, out kind public.identity_kind, out value text)
language plpgsql
immutable
set search_path = ''
as $$
declare
  extra text;
begin
  if p_identifier is null or jsonb_typeof(p_identifier) = 'null' then
    raise exception using errcode = '22023', message = format('%s is required: an object {"kind", "value"}', p_argument);
  end if;
  if jsonb_typeof(p_identifier) <> 'object' then
    raise exception using errcode = '22023', message = format('%s must be an object {"kind", "value"}, not %s', p_argument, jsonb_typeof(p_identifier));
  end if;
  -- Keys other than kind and value are looked for only when there are some (a statement costs
  -- more than the rest of the check).
  if p_identifier - 'kind' - 'value' <> '{}'::jsonb then
    select k into extra from jsonb_object_keys(p_identifier) as k where k not in ('kind', 'value') limit 1;
    raise exception using errcode = '22023', message = format('%s has an unexpected key "%s"; only "kind" and "value" are allowed', p_argument, extra);
  end if;
  if jsonb_typeof(p_identifier -> 'kind') is distinct from 'string'
     or not (p_identifier ->> 'kind') = any (enum_range(null::public.identity_kind)::text[]) then
    raise exception using
      errcode = '22023',
      message = format('%s.kind must be one of %s', p_argument, array_to_string(enum_range(null::public.identity_kind)::text[], ', '));
  end if;
  if jsonb_typeof(p_identifier -> 'value') is distinct from 'string'
     or btrim(p_identifier ->> 'value') = ''
     or char_length(p_identifier ->> 'value') > 512 then
    raise exception using errcode = '22023', message = format('%s.value must be a non-empty string of at most 512 characters', p_argument);
  end if;
  kind := (p_identifier ->> 'kind')::public.identity_kind;
  value := p_identifier ->> 'value';
end;
$$;

comment on function private.parse_identifier(jsonb, text) is
  'Checks an identifier argument {"kind", "value"} and returns its parts; raises 22023 naming the argument.';


-- Normalises an identifier with the identity rules, reporting a failure against the argument.
create function private.normalized_argument(p_kind public.identity_kind, p_value text, p_region text, p_argument text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  normalized text;
  problem_detail text;
  problem_hint text;
begin
  begin
    normalized := private.normalize_identity(p_kind::text, p_value, p_region);
  exception
    when invalid_parameter_value then
      get stacked diagnostics problem_detail = pg_exception_detail, problem_hint = pg_exception_hint;
      raise exception using
        errcode = '22023',
        message = format('%s: %s', p_argument, sqlerrm),
        detail = coalesce(problem_detail, ''),
        hint = coalesce(problem_hint, '');
  end;
  if normalized is null then
    raise exception using errcode = '22023', message = format('%s.value is not a valid %s', p_argument, p_kind);
  end if;
  return normalized;
end;
$$;

comment on function private.normalized_argument(public.identity_kind, text, text, text) is
  'private.normalize_identity with errors that name the argument.';


-- A required scalar argument (an id, a time): raises 22023 "<argument> is required" (with what it
-- is for, when given) when it is null.
create function private.required_argument(p_value anyelement, p_argument text, p_what text default null)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_value is null then
    raise exception using errcode = '22023', message = format('%s is required', p_argument) || coalesce(': ' || p_what, '');
  end if;
end;
$$;

comment on function private.required_argument(anyelement, text, text) is
  'Raises 22023 "<p_argument> is required[: p_what]" when an RPC''s required scalar argument is null.';

-- Array arguments arrive as jsonb, so that their exact shape can be checked: a text[] parameter
-- would take [1, 2] as {"1","2"}, [{"a": 1}] as {"{\"a\": 1}"} and [["a"], ["b"]] as a
-- two-dimensional array, and the function could not tell. Every RPC checks its array arguments
-- with these helpers.

-- An array of p_min to p_max items; returns its length. p_items describes an item for the message.
create function private.array_argument(p_value jsonb, p_argument text, p_items text, p_min integer, p_max integer)
returns integer
language plpgsql
immutable
set search_path = ''
as $$
declare
  item_count integer;
begin
  if p_value is null or jsonb_typeof(p_value) = 'null' then
    raise exception using errcode = '22023', message = format('%s is required: an array of %s', p_argument, p_items);
  end if;
  if jsonb_typeof(p_value) <> 'array' then
    raise exception using errcode = '22023', message = format('%s must be an array of %s, not %s', p_argument, p_items, jsonb_typeof(p_value));
  end if;
  item_count := jsonb_array_length(p_value);
  if item_count < p_min or item_count > p_max then
    raise exception using errcode = '22023', message = format('%s must hold %s to %s %s', p_argument, p_min, p_max, p_items);
  end if;
  return item_count;
end;
$$;

comment on function private.array_argument(jsonb, text, text, integer, integer) is
  'Checks that an RPC argument is a JSON array of p_min to p_max items and returns its length; raises 22023 naming the argument.';

-- A flat array of strings: no nested arrays, objects, numbers, booleans or nulls among the items.
create function private.string_list_argument(p_value jsonb, p_argument text, p_items text, p_min integer, p_max integer)
returns text[]
language plpgsql
immutable
set search_path = ''
as $$
declare
  item_count integer := private.array_argument(p_value, p_argument, p_items, p_min, p_max);
  item_type text;
  strings text[] := '{}';
begin
  for i in 0 .. item_count - 1 loop
    item_type := jsonb_typeof(p_value -> i);
    if item_type <> 'string' then
      raise exception using errcode = '22023', message = format('%s[%s] must be a string, not %s', p_argument, i, item_type);
    end if;
    strings := strings || (p_value ->> i);
  end loop;
  return strings;
end;
$$;

comment on function private.string_list_argument(jsonb, text, text, integer, integer) is
  'Checks that an RPC argument is a flat JSON array of p_min to p_max strings and returns them; raises 22023 naming the argument (and the item).';


-- Tag names as people type them: a flat array of strings, each trimmed with runs of whitespace
-- made one space, duplicates (ignoring case) dropped keeping the first spelling, order kept. At
-- least p_min_count names (tagging may send none, to add a lead only; removing must name a tag).
create function private.clean_tag_names(p_tags jsonb, p_argument text, p_min_count integer default 1)
returns text[]
language plpgsql
immutable
set search_path = ''
as $$
declare
  cleaned text[] := '{}';
  tag text;
  item_index integer := 0;
  tidy text;
begin
  foreach tag in array private.string_list_argument(p_tags, p_argument, 'tag names', p_min_count, 20) loop
    tidy := btrim(regexp_replace(tag, '\s+', ' ', 'g'));
    if tidy = '' or char_length(tidy) > 64 then
      raise exception using errcode = '22023', message = format('%s[%s] must be 1 to 64 characters long', p_argument, item_index);
    end if;
    if tidy ~ '[[:cntrl:]]' then
      raise exception using errcode = '22023', message = format('%s[%s] must not contain control characters', p_argument, item_index);
    end if;
    if not lower(tidy) = any (select lower(c) from unnest(cleaned) as c) then
      cleaned := cleaned || tidy;
    end if;
    item_index := item_index + 1;
  end loop;
  return cleaned;
end;
$$;

comment on function private.clean_tag_names(jsonb, text, integer) is
  'Checks and tidies tag names (a flat array of p_min_count to 20 strings, each 1–64 characters); raises 22023 naming the argument.';


create function private.clean_page_url(p_page_url text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_page_url is null or btrim(p_page_url) = '' then
    return null;
  end if;
  if char_length(p_page_url) > 2048 or btrim(p_page_url) !~* '^https?://[^[:space:]]+$' then
    raise exception using errcode = '22023', message = 'p_page_url must be an http or https URL of at most 2048 characters';
  end if;
  return btrim(p_page_url);
end;
$$;

comment on function private.clean_page_url(text) is 'Checks the page URL argument of a tagging call (http/https, ≤ 2048 characters).';

create function private.clean_page_title(p_page_title text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  tidy text := btrim(regexp_replace(p_page_title, '\s+', ' ', 'g'));
begin
  if tidy is null or tidy = '' then
    return null;
  end if;
  if char_length(tidy) > 512 then
    raise exception using errcode = '22023', message = 'p_page_title must be at most 512 characters long';
  end if;
  return tidy;
end;
$$;

comment on function private.clean_page_title(text) is 'Tidies the page title argument of a tagging call (≤ 512 characters).';


-- Idempotency. A write RPC first claims its request id. The first claim inserts the request (a
-- concurrent second claim of the same id waits for the first to commit); later claims get the
-- stored result, which the caller returns without writing anything. Reusing an id for another
-- call is an error rather than a silent replay of the wrong result.
create function private.claim_request(p_request_id uuid, p_org uuid, p_rpc text, p_arguments jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  earlier record;
begin
  if p_request_id is null then
    raise exception using
      errcode = '22023',
      message = 'p_request_id is required: a UUID naming this write, sent again unchanged on retries';
  end if;

  insert into public.api_requests (request_id, org_id, rpc, arguments)
  values (p_request_id, p_org, p_rpc, p_arguments)
  on conflict (request_id) do nothing;
  if found then
    return null;
  end if;

  select r.org_id, r.rpc, r.arguments, r.result into earlier
    from public.api_requests r
   where r.request_id = p_request_id;
  if not found or earlier.org_id <> p_org or earlier.rpc <> p_rpc or earlier.arguments <> p_arguments then
    raise exception using
      errcode = '22023',
      message = format('p_request_id %s was already used for a different request', p_request_id),
      hint = 'Use a new request id for every distinct write.';
  end if;
  return earlier.result;
end;
$$;

comment on function private.claim_request(uuid, uuid, text, jsonb) is
  'Claims a request id for a write RPC: null when the call should proceed, else the stored result of the earlier call.';

create function private.complete_request(p_request_id uuid, p_result jsonb)
returns jsonb
language sql
set search_path = ''
as $$
  update public.api_requests
     set result = p_result,
         completed_at = now()
   where request_id = p_request_id
  returning result
$$;

comment on function private.complete_request(uuid, jsonb) is
  'Stores a write RPC''s result under its request id and returns it.';


-- The portraits: everything the overlay shows about a customer, as one JSON document each, for
-- the customers listed (those of another organization, or not found, are left out). Every part
-- is an index lookup by (org_id, customer_id). What it reads is what row-level security lets a
-- member of the organization see (every table it reads has the one policy "members read their
-- organization's rows"), so it checks that membership once and reads as its owner: under the
-- caller's rights each of its dozen reads would evaluate the policy again, which costs as much as
-- the reads themselves. Anyone else signed in gets no rows, as row-level security would give them.
-- One statement for all the customers of a call: the check, the constants of the reasons
-- (engine_config) and the statement's start are paid once, not once per customer.
-- As json, not jsonb: the documents are built as text and sent as they are. Built as jsonb, every
-- nested object is copied into its parent and the whole is converted to text again on the way
-- out (four portraits: 0.83 → 0.65 ms of the database's time).
create function private.portraits(p_org uuid, p_customers uuid[])
returns table (customer_id uuid, portrait json)
language plpgsql
stable
security definer
-- A page shows a handful of customers.
rows 5
set search_path = ''
-- A custom plan, which knows how many customers are asked for, always looks cheaper than the
-- generic one, so the statement would be planned afresh on every call (planning it costs more
-- than running it). The generic plan reads every part by index whatever the number.
set plan_cache_mode = force_generic_plan
as $$
begin
  if ((select auth.role()) in ('anon', 'authenticated') or current_setting('role', true) in ('anon', 'authenticated'))
     and private.member_role(p_org) is null then
    return;
  end if;
  return query
    -- The reasons use the settings and cut points only, not the rules' day bounds.
    with constants as materialized (
      select private.engine_config(p_org, null) as config
    )
    select c.id, json_build_object(
      'customer', json_build_object(
        'id', c.id,
        'display_name', c.display_name,
        'kind', c.kind,
        'company', (select json_build_object('id', co.id, 'display_name', co.display_name)
                      from public.customers co
                     where co.org_id = c.org_id and co.id = c.company_id),
        'primary_email', c.primary_email,
        'primary_phone', c.primary_phone,
        'country', c.country,
        'region', c.region,
        'city', c.city,
        'industry', c.industry,
        'company_size', c.company_size,
        'acquisition_source', c.acquisition_source,
        'owner', (select json_build_object('user_id', m.user_id, 'display_name', m.display_name)
                    from public.members m
                   where m.org_id = c.org_id and m.user_id = c.owner_id),
        'referred_by', (select json_build_object('id', r.id, 'display_name', r.display_name)
                          from public.customers r
                         where r.org_id = c.org_id and r.id = c.referred_by),
        'is_partner', c.is_partner,
        'is_valid', c.is_valid,
        'invalid_reason', c.invalid_reason,
        'created_at', c.created_at,
        'updated_at', c.updated_at
      ),
      'identities', coalesce(
        (select json_agg(json_build_object('kind', i.kind, 'value', i.value) order by i.kind, i.value)
           from public.customer_identities i
          where i.org_id = c.org_id and i.customer_id = c.id),
        '[]'::json),
      'profile', case when p.customer_id is not null then json_build_object(
          'order_count', p.order_count,
          'net_spend', p.net_spend,
          'aov', p.aov,
          'first_order_at', p.first_order_at,
          'last_order_at', p.last_order_at,
          'r_score', p.r_score,
          'f_score', p.f_score,
          'm_score', p.m_score,
          'rfm_segment', p.rfm_segment,
          'lifecycle_stage', p.lifecycle_stage,
          'stage_override', p.stage_override,
          'override_by', p.override_by,
          'override_at', p.override_at,
          'override_reason', p.override_reason,
          'effective_stage', p.effective_stage,
          'value_tier', p.value_tier,
          'ticket_band', p.ticket_band,
          'referral_count', p.referral_count,
          'reasons', private.profile_reasons(p, c.is_valid, c.invalid_reason, (select constants.config from constants)),
          'computed_at', p.computed_at
        ) end,
      -- When the owned customer returns to the pool (公海) if nobody follows them up; null when
      -- unowned or no recycle rule applies (20261123005100_recycle_rules.sql).
      'recycle_at', p.recycle_at,
      'tags', coalesce(
        (select json_agg(json_build_object(
                  'id', t.id, 'name', t.name, 'colour', t.colour, 'category', t.category,
                  'source', ct.source, 'added_by', ct.added_by, 'added_at', ct.added_at,
                  'page_url', ct.page_url, 'page_title', ct.page_title)
                order by lower(t.name))
           from public.customer_tags ct
           join public.tags t on t.org_id = ct.org_id and t.id = ct.tag_id
          where ct.org_id = c.org_id and ct.customer_id = c.id),
        '[]'::json),
      'notes', coalesce(
        (select json_agg(json_build_object(
                  'id', n.id, 'author_id', n.author_id, 'author_name', n.author_name,
                  'body', n.body, 'created_at', n.created_at, 'updated_at', n.updated_at)
                order by n.created_at desc, n.id)
           from (select n.id, n.author_id, a.display_name as author_name, n.body, n.created_at, n.updated_at
                   from public.notes n
                   left join public.members a on a.org_id = n.org_id and a.user_id = n.author_id
                  where n.org_id = c.org_id and n.customer_id = c.id
                  order by n.created_at desc, n.id
                  limit 5) as n),
        '[]'::json),
      'segments', coalesce(
        (select json_agg(json_build_object('id', s.id, 'name', s.name) order by lower(s.name))
           from public.segment_memberships m
           join public.segments s on s.id = m.segment_id
          where m.org_id = c.org_id and m.customer_id = c.id),
        '[]'::json),
      'stage_history', coalesce(
        (select json_agg(json_build_object(
                  'from_stage', h.from_stage, 'to_stage', h.to_stage, 'changed_at', h.changed_at,
                  'source', h.source, 'changed_by', h.changed_by, 'reason', h.reason)
                order by h.changed_at desc, h.id desc)
           from (select h.id, h.from_stage, h.to_stage, h.changed_at, h.source, h.changed_by, h.reason
                   from public.stage_changes h
                  where h.org_id = c.org_id and h.customer_id = c.id
                  order by h.changed_at desc, h.id desc
                  limit 20) as h),
        '[]'::json),
      -- Orders not yet paid: shown so the rep knows of them, never counted in the figures above
      -- (the engine counts paid orders only). Read through orders_pending_idx.
      'open_orders', coalesce(
        (select json_agg(json_build_object(
                  'external_id', o.external_id, 'source', o.source, 'ordered_at', o.ordered_at,
                  'total', o.total, 'currency', o.currency)
                order by o.ordered_at desc, o.id)
           from (select o.id, o.external_id, o.source, o.ordered_at, o.total, o.currency
                   from public.orders o
                  where o.org_id = c.org_id and o.customer_id = c.id and o.status = 'pending'
                  order by o.ordered_at desc, o.id
                  limit 3) as o),
        '[]'::json),
      'open_order_count', (select count(*) from public.orders o
                            where o.org_id = c.org_id and o.customer_id = c.id and o.status = 'pending'),
      -- Satisfaction visits (20261123005200_satisfaction_stats.sql): the latest answer as given and
      -- on 0–100, the average on 0–100; null when the customer was never asked.
      'satisfaction', (select json_build_object(
                              'responses', s.responses, 'last_score', s.last_score, 'last_scale', s.last_scale,
                              'last_score_100', s.last_score_100, 'last_at', s.last_at, 'avg_score_100', s.avg_score_100)
                         from public.customer_satisfaction s
                        where s.org_id = c.org_id and s.customer_id = c.id)
    )
      from public.customers c
      left join public.customer_profiles p on p.org_id = c.org_id and p.customer_id = c.id
     where c.org_id = p_org and c.id = any (p_customers);
end;
$$;

comment on function private.portraits(uuid, uuid[]) is
  'The portraits of some customers of an organization as JSON, one row {customer_id, portrait} per customer found (customer, identities, profile, tags, latest 5 notes, segments, latest 20 stage changes, latest 3 pending orders and their count, satisfaction figures); no rows when the caller is no member of the organization. Shape: shared/api.ts portraitSchema.';

-- The portrait of one customer: the write RPCs answer with it.
create function private.portrait(p_org uuid, p_customer uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
  return (select pt.portrait::jsonb from private.portraits(p_org, array[p_customer]) as pt);
end;
$$;

comment on function private.portrait(uuid, uuid) is
  'The portrait of one customer as JSON (private.portraits); null when the caller is no member of the organization or the customer is not found.';


revoke all on function private.require_member(uuid) from public;
revoke all on function private.parse_identifier(jsonb, text) from public;
revoke all on function private.normalized_argument(public.identity_kind, text, text, text) from public;
revoke all on function private.required_argument(anyelement, text, text) from public;
revoke all on function private.array_argument(jsonb, text, text, integer, integer) from public;
revoke all on function private.string_list_argument(jsonb, text, text, integer, integer) from public;
revoke all on function private.clean_tag_names(jsonb, text, integer) from public;
revoke all on function private.clean_page_url(text) from public;
revoke all on function private.clean_page_title(text) from public;
revoke all on function private.claim_request(uuid, uuid, text, jsonb) from public;
revoke all on function private.complete_request(uuid, jsonb) from public;
revoke all on function private.portraits(uuid, uuid[]) from public;
revoke all on function private.portrait(uuid, uuid) from public;
grant execute on function private.require_member(uuid) to authenticated, service_role;
grant execute on function private.parse_identifier(jsonb, text) to authenticated, service_role;
grant execute on function private.normalized_argument(public.identity_kind, text, text, text) to authenticated, service_role;
grant execute on function private.required_argument(anyelement, text, text) to authenticated, service_role;
grant execute on function private.array_argument(jsonb, text, text, integer, integer) to authenticated, service_role;
grant execute on function private.string_list_argument(jsonb, text, text, integer, integer) to authenticated, service_role;
grant execute on function private.clean_tag_names(jsonb, text, integer) to authenticated, service_role;
grant execute on function private.clean_page_url(text) to authenticated, service_role;
grant execute on function private.clean_page_title(text) to authenticated, service_role;
grant execute on function private.claim_request(uuid, uuid, text, jsonb) to authenticated, service_role;
grant execute on function private.complete_request(uuid, jsonb) to authenticated, service_role;
grant execute on function private.portraits(uuid, uuid[]) to authenticated, service_role;
grant execute on function private.portrait(uuid, uuid) to authenticated, service_role;

-- Read-only lookups for the extension: typeahead over customers, the organization's tags, and
-- the organizations the signed-in user belongs to.

-- Customers of an organization whose name has words starting with the words of a query, for
-- search_customers. Under row-level security Postgres will not use the name's full-text index
-- (the @@ operator is not leakproof, so it may only run after the policy check, row by row), so
-- this one lookup runs as the definer: it checks membership itself, stays inside p_org, and
-- returns only ids, which search_customers then reads under row-level security.
create function private.customer_ids_by_name(p_org uuid, p_words tsquery, p_limit integer)
returns setof uuid
language plpgsql
stable
security definer
rows 50
set search_path = ''
as $$
begin
  if private.member_role(p_org) is null then
    raise exception using errcode = '42501', message = format('p_org: you are not a member of organization %s', p_org);
  end if;
  if p_words is null then
    return;
  end if;
  return query
    select c.id
      from public.customers c
     where c.org_id = p_org
       and to_tsvector('simple'::regconfig, coalesce(c.display_name, '')) @@ p_words
     order by c.display_name, c.id
     limit p_limit;
end;
$$;

comment on function private.customer_ids_by_name(uuid, tsquery, integer) is
  'Ids of an organization''s customers whose name matches a prefix query (members only), through the name''s full-text index.';
revoke all on function private.customer_ids_by_name(uuid, tsquery, integer) from public;
grant execute on function private.customer_ids_by_name(uuid, tsquery, integer) to authenticated;


-- search_customers: typeahead. Matches, best first:
--   0  an email identity equal to the query,
--   1  an email or phone identity starting with the query (phones compared by digits, so
--      "+49 30 1234" finds +49301234…),
--   2  a customer whose name has words starting with each word of the query ("ann sm" finds
--      "Anna Smith").
-- Each kind of match is an index range scan limited to p_limit rows: the primary key of
-- customer_identities (collation "C", so a prefix is a range) and the name's tsvector index.
create function public.search_customers(p_org uuid, p_query text, p_limit integer default 10)
returns table (
  customer_id uuid,
  display_name text,
  primary_email text,
  primary_phone text,
  effective_stage public.lifecycle_stage,
  value_tier public.value_tier,
  matched_kind text,
  matched_value text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  query_text text := btrim(p_query);
  email_prefix text;
  -- Phone numbers are searched in [phone_low, phone_high); an empty range when the query is no
  -- phone number, so the plan stays an index range scan either way.
  phone_low text := '';
  phone_high text := '';
  name_query tsquery;
  -- The highest code point: "prefix || top" bounds every string that starts with prefix.
  top constant text := U&'\+10FFFF';
begin
  perform private.require_member(p_org);
  if query_text is null or query_text = '' or char_length(query_text) > 100 then
    raise exception using errcode = '22023', message = 'p_query must be 1 to 100 characters long (not counting surrounding spaces)';
  end if;
  if p_limit is null or p_limit < 1 or p_limit > 50 then
    raise exception using errcode = '22023', message = 'p_limit must be between 1 and 50';
  end if;

  email_prefix := lower(query_text);
  if query_text ~ '^\+?[0-9][0-9 ().-]*$' and char_length(regexp_replace(query_text, '[^0-9]', '', 'g')) >= 3 then
    phone_low := '+' || regexp_replace(query_text, '[^0-9]', '', 'g');
    phone_high := phone_low || top;
  end if;
  -- Each word of the query becomes a quoted prefix lexeme; quoting keeps user text from being
  -- read as tsquery syntax.
  select string_agg(format('''%s'':*', replace(replace(lexeme, '\', '\\'), '''', '''''')), ' & ')::tsquery
    into name_query
    from unnest(tsvector_to_array(to_tsvector('simple'::regconfig, query_text))) as lexeme;

  return query
    with matches as (
      (select i.customer_id, i.kind::text as kind, i.value collate "default" as value,
              case when i.value = email_prefix collate "C" then 0 else 1 end as rank
         from public.customer_identities i
        where i.org_id = p_org
          and i.kind = 'email'
          and i.value >= email_prefix collate "C"
          and i.value < (email_prefix || top) collate "C"
        order by i.value
        limit p_limit)
      union all
      (select i.customer_id, i.kind::text, i.value collate "default", 1
         from public.customer_identities i
        where i.org_id = p_org
          and i.kind = 'phone'
          and i.value >= phone_low collate "C"
          and i.value < phone_high collate "C"
        order by i.value
        limit p_limit)
      union all
      (select c.id, 'name', c.display_name, 2
         from private.customer_ids_by_name(p_org, name_query, p_limit) as named (id)
         join public.customers c on c.org_id = p_org and c.id = named.id)
    ),
    best as (
      select distinct on (m.customer_id) m.customer_id, m.kind, m.value, m.rank
        from matches m
       order by m.customer_id, m.rank, m.value
    )
    select c.id, c.display_name, c.primary_email, c.primary_phone, p.effective_stage, p.value_tier, b.kind, b.value
      from best b
      join public.customers c on c.org_id = p_org and c.id = b.customer_id
      left join public.customer_profiles p on p.org_id = c.org_id and p.customer_id = c.id
     order by b.rank, lower(coalesce(c.display_name, b.value)), c.id
     limit p_limit;
end;
$$;

comment on function public.search_customers(uuid, text, integer) is
  'Typeahead over customers by email, phone and name words (prefix matches), best first: {customer_id, display_name, primary_email, primary_phone, effective_stage, value_tier, matched_kind, matched_value}. p_query 1–100 characters, p_limit 1–50 (default 10).';


create function public.list_tags(p_org uuid)
returns table (
  id uuid,
  name text,
  colour text,
  category public.tag_category,
  description text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  perform private.require_member(p_org);
  return query
    select t.id, t.name, t.colour, t.category, t.description
      from public.tags t
     where t.org_id = p_org
     order by lower(t.name);
end;
$$;

comment on function public.list_tags(uuid) is
  'The organization''s tags for autocomplete, alphabetically: {id, name, colour, category, description}.';


create function public.my_orgs()
returns table (
  org_id uuid,
  name text,
  role public.member_role,
  settings jsonb
)
language sql
stable
security invoker
set search_path = ''
as $$
  select o.id, o.name, m.role, private.org_settings_with_defaults(o.settings)
    from public.members m
    join public.organizations o on o.id = m.org_id
   where m.user_id = (select auth.uid())
   order by lower(o.name), o.id
$$;

comment on function public.my_orgs() is
  'The organizations the signed-in user belongs to, with their role and the settings the extension needs (defaults filled in): {org_id, name, role, settings}.';

revoke all on function public.search_customers(uuid, text, integer) from public, anon, service_role;
revoke all on function public.list_tags(uuid) from public, anon, service_role;
revoke all on function public.my_orgs() from public, anon, service_role;
grant execute on function public.search_customers(uuid, text, integer) to authenticated;
grant execute on function public.list_tags(uuid) to authenticated;
grant execute on function public.my_orgs() to authenticated;

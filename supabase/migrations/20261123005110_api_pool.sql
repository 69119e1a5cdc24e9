-- The shared pool (公海) through the API (supabase/README.md §2):
--
--   pool_customers(p_org, p_filter, p_limit)  the organization's valid customers without an owner,
--                                            highest net spend first, optionally filtered by a
--                                            rule of the segment language evaluated on their
--                                            stored profiles (owner "me" allowed here)
--   my_pool_returns(p_org, p_within_days)    the caller's customers that return to the pool
--                                            within that many days, soonest first
--
-- Both are security invoker: row-level security decides what the caller sees. The filter is
-- checked and compiled by private.pool_filter (security definer: it reads the organization's
-- segments for {"segment": id}), which returns SQL text built only from the engine's own
-- fragments with every value of the rule bound as a parameter (20261123001030_segment_rule_compiler.sql).

-- Checks and compiles a pool filter for a member of the organization. Raises 22023 naming
-- p_filter (p_filter.all[1].field: unknown field "foo") for a bad rule.
create function private.pool_filter(p_org uuid, p_filter jsonb, out predicate text, out rule_values jsonb)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  compiled record;
begin
  perform private.require_member(p_org);
  if p_filter is null or p_filter = 'null'::jsonb then
    predicate := 'r.is_valid';
    rule_values := '[]';
    return;
  end if;
  begin
    select * into compiled from private.compile_rule(p_filter, p_org);
  exception when invalid_parameter_value then
    raise exception using
      errcode = '22023',
      message = 'p_filter' || case when sqlerrm like 'rule%' then substr(sqlerrm, 5) else ': ' || sqlerrm end,
      hint = 'p_filter is a rule of the segment language (shared/rules.ts); owner may be "me", "unowned" or "owned".';
  end;
  predicate := compiled.predicate;
  rule_values := compiled.rule_values;
end;
$$;

comment on function private.pool_filter(uuid, jsonb) is
  'Checks and compiles a pool_customers filter (a segment rule) for a member of the organization: the SQL predicate over the row r (values only as $2 references) and the values. Raises 22023 naming p_filter.';
revoke all on function private.pool_filter(uuid, jsonb) from public;
grant execute on function private.pool_filter(uuid, jsonb) to authenticated, service_role;


create function public.pool_customers(p_org uuid, p_filter jsonb default null, p_limit integer default 50)
returns table (
  customer_id uuid,
  display_name text,
  primary_email text,
  primary_phone text,
  lifecycle_stage public.lifecycle_stage,
  value_tier public.value_tier,
  net_spend numeric,
  order_count integer,
  last_order_at timestamptz,
  pooled_at timestamptz
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  compiled record;
  tags_sql text;
begin
  perform private.require_member(p_org);
  if p_limit is null or p_limit not between 1 and 200 then
    raise exception using errcode = '22023', message = 'p_limit must be between 1 and 200';
  end if;
  select * into compiled from private.pool_filter(p_org, p_filter);
  tags_sql := case when position('r.tag_names' in compiled.predicate) > 0 then
    'array(select lower(t.name) from public.customer_tags ct join public.tags t on t.org_id = ct.org_id and t.id = ct.tag_id
            where ct.org_id = c.org_id and ct.customer_id = c.id and ct.source <> ''rule'')'
    else '''{}''::text[]' end;
  -- The row r as rules see it, from the stored profile (private.stored_rule_row_sql). Pool
  -- customers are unowned: they have no time of return to the pool. The rule's values are $6, as
  -- the compiler writes them.
  return query execute format($sql$
select c.id, c.display_name, c.primary_email, c.primary_phone, p.effective_stage, p.value_tier, p.net_spend::numeric,
       p.order_count, p.last_order_at,
       (select oc.changed_at from public.ownership_changes oc
         where oc.org_id = c.org_id and oc.customer_id = c.id and oc.to_owner_id is null
         order by oc.changed_at desc limit 1)
  from public.customers c
  join public.customer_profiles p on p.org_id = c.org_id and p.customer_id = c.id
  left join public.customer_satisfaction sat on sat.org_id = c.org_id and sat.customer_id = c.id
  %s
 where c.org_id = $1 and c.owner_id is null and (%s)
 order by p.net_spend desc, c.id
 limit $3$sql$, private.stored_rule_row_sql(tags_sql), replace(compiled.predicate, '$6', '$4'))
  using p_org, now(), p_limit, compiled.rule_values;
end;
$$;

comment on function public.pool_customers(uuid, jsonb, integer) is
  'The shared pool (公海): the organization''s valid customers without an owner, highest net spend first (then id), at most p_limit (1–200). p_filter: a rule of the segment language (shared/rules.ts) evaluated on their stored profiles; owner may be "me" here. pooled_at: when the customer last became unowned (null if never owned). Errors: 42501 not a member; 22023 p_limit out of range or a bad p_filter (named by its path).';


create function public.my_pool_returns(p_org uuid, p_within_days integer default 7)
returns table (
  customer_id uuid,
  display_name text,
  primary_email text,
  primary_phone text,
  lifecycle_stage public.lifecycle_stage,
  value_tier public.value_tier,
  recycle_at timestamptz
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  perform private.require_member(p_org);
  if p_within_days is null or p_within_days not between 0 and 3650 then
    raise exception using errcode = '22023', message = 'p_within_days must be a whole number of days from 0 to 3650';
  end if;
  return query
    select c.id, c.display_name, c.primary_email, c.primary_phone, p.effective_stage, p.value_tier, p.recycle_at
      from public.customers c
      join public.customer_profiles p on p.org_id = c.org_id and p.customer_id = c.id
     where c.org_id = p_org and c.owner_id = (select auth.uid())
       and p.recycle_at <= now() + p_within_days * interval '24 hours'
     order by p.recycle_at, c.id;
end;
$$;

comment on function public.my_pool_returns(uuid, integer) is
  'The caller''s customers that return to the pool (公海) within p_within_days days (0–3650, default 7) unless followed up, soonest first (overdue ones included). Errors: 42501 not a member; 22023 p_within_days out of range.';

revoke all on function public.pool_customers(uuid, jsonb, integer) from public, anon, service_role;
revoke all on function public.my_pool_returns(uuid, integer) from public, anon, service_role;
grant execute on function public.pool_customers(uuid, jsonb, integer) to authenticated;
grant execute on function public.my_pool_returns(uuid, integer) to authenticated;

-- Compiles segment rules (checked by private.validate_rule) into one SQL expression per
-- organization, which the classification evaluates for every customer it classifies.
--
-- No string from a rule ever becomes SQL text. The compiled text is assembled only from the
-- engine's own fragments: column names from private.rule_fields() (chosen by matching the rule's
-- field name, never copied from it), fixed operators, and references to parameter $6 by position
-- ($6 ->> 3); every number, string, tag name and segment id from a rule goes into the jsonb array
-- bound as $6. Two rules with the same shape compile to the same text, whatever their values.
--
-- The compiled expression reads the classified row as `r` (see private.classification_ctes):
-- r.order_count, r.net_spend, r.aov, r.days_since_last_order, r.referral_count, r.r_score,
-- r.f_score, r.m_score, r.lifecycle_stage, r.value_tier, r.rfm_segment, r.ticket_band,
-- r.company_size, r.country, r.industry, r.source (text), r.tag_names (lowercased names of tags
-- added by people or imports), r.<date>_days (days since each date), r.is_valid, r.is_partner;
-- r.satisfaction_last, r.satisfaction_avg, r.days_since_satisfaction, r.f_score_change;
-- r.open_follow_ups, r.days_since_last_contact, r.days_until_recycle, r.owner_keys (text[]:
-- {unowned}, {owned}, or {owned,me} where the caller is the owner).
--
-- Every condition is two-valued (coalesce(…, false)), so `not` means "does not match".

-- Adds the day counts at which a condition changes its answer as time passes (for the drift pass).
create function private.rule_add_bounds(p_bounds jsonb, p_anchor text, p_days numeric[])
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select case
    when p_anchor is null then p_bounds
    else jsonb_set(
      p_bounds,
      array[p_anchor],
      coalesce(p_bounds -> p_anchor, '[]'::jsonb)
        || coalesce((select jsonb_agg(d::integer) from unnest(p_days) as d
                      where d is not null and d between -1000000 and 1000000), '[]'::jsonb))
  end
$$;

comment on function private.rule_add_bounds(jsonb, text, numeric[]) is
  'Adds day counts to the time bounds of an anchor (last_order, first_order, last_event, created, satisfaction, last_contact, recycle) while compiling rules.';


create function private.compile_rule_node(
  p_node jsonb,
  p_org uuid,
  p_stack uuid[],
  inout io_values jsonb,
  inout io_bounds jsonb,
  out sql text
)
language plpgsql
stable
set search_path = ''
as $$
declare
  key text;
  child jsonb;
  parts text[] := '{}';
  part record;
  f record;
  op text;
  v numeric;
  lo numeric;
  hi numeric;
  k integer;
  referenced jsonb;
  symbol text;
begin
  if p_node ? 'all' or p_node ? 'any' then
    key := case when p_node ? 'all' then 'all' else 'any' end;
    for child in select e from jsonb_array_elements(p_node -> key) as e loop
      select * into part from private.compile_rule_node(child, p_org, p_stack, io_values, io_bounds);
      parts := parts || part.sql;
      io_values := part.io_values;
      io_bounds := part.io_bounds;
    end loop;
    if cardinality(parts) = 0 then
      sql := case key when 'all' then 'true' else 'false' end;
    else
      sql := '(' || array_to_string(parts, case key when 'all' then ' and ' else ' or ' end) || ')';
    end if;
    return;
  end if;

  if p_node ? 'not' then
    select * into part from private.compile_rule_node(p_node -> 'not', p_org, p_stack, io_values, io_bounds);
    io_values := part.io_values;
    io_bounds := part.io_bounds;
    sql := '(not ' || part.sql || ')';
    return;
  end if;

  if p_node ? 'segment' then
    -- Evaluated by the referenced segment's own rule; a missing one (or a loop, which writes
    -- refuse) matches nobody.
    select s.rule into referenced
      from public.segments s
     where s.org_id = p_org and s.id = (p_node ->> 'segment')::uuid;
    if referenced is null or (p_node ->> 'segment')::uuid = any (p_stack) or cardinality(p_stack) > 50 then
      sql := 'false';
      return;
    end if;
    select * into part
      from private.compile_segment_rule(referenced, p_org, p_stack || (p_node ->> 'segment')::uuid, io_values, io_bounds);
    io_values := part.io_values;
    io_bounds := part.io_bounds;
    sql := part.sql;
    return;
  end if;

  select * into f from private.rule_fields() as rf where rf.field = p_node ->> 'field';
  if not found then
    perform private.rule_error('rule', format('unknown field %s', private.rule_quote(p_node ->> 'field')));
  end if;
  op := p_node ->> 'op';
  k := jsonb_array_length(io_values);

  if f.kind = 'number' then
    if op = 'between' then
      lo := (p_node #>> '{value,0}')::numeric;
      hi := (p_node #>> '{value,1}')::numeric;
      io_values := io_values || jsonb_build_array(p_node -> 'value' -> 0, p_node -> 'value' -> 1);
      sql := format('coalesce(%s between ($6 ->> %s)::numeric and ($6 ->> %s)::numeric, false)', f.column_sql, k, k + 1);
      io_bounds := private.rule_add_bounds(io_bounds, f.anchor, array[ceil(lo), floor(hi) + 1]);
    else
      v := (p_node #>> '{value}')::numeric;
      symbol := case op when 'gt' then '>' when 'gte' then '>=' when 'lt' then '<' when 'lte' then '<=' when 'eq' then '=' end;
      io_values := io_values || jsonb_build_array(p_node -> 'value');
      sql := format('coalesce(%s %s ($6 ->> %s)::numeric, false)', f.column_sql, symbol, k);
      io_bounds := private.rule_add_bounds(io_bounds, f.anchor, case op
        when 'gt' then array[floor(v) + 1]
        when 'gte' then array[ceil(v)]
        when 'lt' then array[ceil(v)]
        when 'lte' then array[floor(v) + 1]
        when 'eq' then case when v = trunc(v) then array[v, v + 1] else '{}'::numeric[] end
      end);
    end if;
  elsif f.kind = 'set' then
    io_values := io_values || jsonb_build_array(p_node -> 'value');
    -- owner: the row's keys (r.owner_keys: unowned, or owned and, for the caller's own, me) against the list.
    sql := format(case when f.field = 'owner' then 'coalesce(($6 -> %s) ?| %s, false)' else 'coalesce(($6 -> %s) ? %s, false)' end,
                  k, f.column_sql);
    if op = 'not_in' then
      sql := '(not ' || sql || ')';
    end if;
  elsif f.kind = 'tags' then
    io_values := io_values || jsonb_build_array((
      select jsonb_agg(lower(btrim(regexp_replace(t, '\s+', ' ', 'g'))))
        from jsonb_array_elements_text(case when op = 'has' then jsonb_build_array(p_node -> 'value') else p_node -> 'value' end) as t));
    sql := format('coalesce(%s %s array(select jsonb_array_elements_text($6 -> %s)), false)',
                  f.column_sql, case op when 'any' then '&&' else '@>' end, k);
  elsif f.kind = 'date' then
    v := (p_node #>> '{value}')::numeric;
    io_values := io_values || jsonb_build_array(p_node -> 'value');
    sql := format('coalesce(%s %s ($6 ->> %s)::integer, false)', f.column_sql, case op when 'within_days' then '<=' else '>' end, k);
    io_bounds := private.rule_add_bounds(io_bounds, f.anchor, array[v + 1]);
  elsif f.kind = 'boolean' then
    io_values := io_values || jsonb_build_array(p_node -> 'value');
    sql := format('coalesce(%s = ($6 ->> %s)::boolean, false)', f.column_sql, k);
  end if;
end;
$$;

comment on function private.compile_rule_node(jsonb, uuid, uuid[], jsonb, jsonb) is
  'Compiles one node of a checked segment rule into SQL over the classified row r, appending its values to the $6 array and its time bounds; nested segments are compiled from their own rules.';


create function private.compile_segment_rule(
  p_rule jsonb,
  p_org uuid,
  p_stack uuid[],
  inout io_values jsonb,
  inout io_bounds jsonb,
  out sql text
)
language plpgsql
stable
set search_path = ''
as $$
declare
  part record;
begin
  select * into part from private.compile_rule_node(p_rule, p_org, p_stack, io_values, io_bounds);
  io_values := part.io_values;
  io_bounds := part.io_bounds;
  sql := part.sql;
  -- Invalid customers stay out unless the rule itself asks about validity.
  if not jsonb_path_exists(p_rule, 'lax $.** ? (@.field == "is_valid")') then
    sql := '(' || sql || ' and r.is_valid)';
  end if;
end;
$$;

comment on function private.compile_segment_rule(jsonb, uuid, uuid[], jsonb, jsonb) is
  'Compiles a segment''s whole rule: its conditions, and leaving out invalid customers unless the rule mentions is_valid.';


create function private.compile_rule(p_rule jsonb, p_org uuid default null)
returns table (predicate text, rule_values jsonb, bounds jsonb)
language plpgsql
stable
set search_path = ''
as $$
declare
  compiled record;
begin
  perform private.validate_rule(p_rule);
  select * into compiled
    from private.compile_segment_rule(p_rule, p_org, '{}', '[]'::jsonb,
                                      '{"last_order": [], "first_order": [], "last_event": [], "created": [], "satisfaction": []}'::jsonb);
  predicate := compiled.sql;
  rule_values := compiled.io_values;
  bounds := compiled.io_bounds;
  return next;
end;
$$;

comment on function private.compile_rule(jsonb, uuid) is
  'Checks and compiles one rule: the SQL predicate over r (values only as $6 references), the values bound as $6, and the day bounds per time anchor. For previews and tests.';


-- A customer's segments digest (customer_profiles.segments_digest) is the XOR of the hashes of
-- its segments, null for none (a XOR of 0 counts as none). A XOR, so that a pass that moves some
-- memberships brings the digest along from the moved ones alone (each segment joined or left
-- flips its hash), without reading the customer's other memberships. This is the hash of one
-- segment (p_segment: an expression of type uuid), as SQL text for the engine's statements.
create function private.segment_hash_sql(p_segment text)
returns text
language sql
immutable
set search_path = ''
as $$
  select format('hashtextextended((%s)::text, 0)', p_segment)
$$;

comment on function private.segment_hash_sql(text) is
  'The SQL text of one segment''s hash in a segments digest (the XOR of a customer''s segments'' hashes, null for none).';


-- Sorted distinct day counts of one anchor.
create function private.rule_bounds_of(p_bounds jsonb, p_anchor text)
returns integer[]
language sql
immutable
set search_path = ''
as $$
  select coalesce(array(select distinct b::integer from jsonb_array_elements_text(p_bounds -> p_anchor) as b order by 1), '{}')
$$;

comment on function private.rule_bounds_of(jsonb, text) is 'The sorted, distinct day bounds of one time anchor.';


create function private.compile_org_segments(p_org uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  seg record;
  compiled record;
  rule_values jsonb := '[]';
  bounds jsonb := '{"last_order": [], "first_order": [], "last_event": [], "created": [], "satisfaction": []}';
  cases text[] := '{}';
  listed uuid[] := '{}';
  membership text;
begin
  for seg in
    select s.id, s.rule from public.segments s where s.org_id = p_org and s.is_active order by s.id
  loop
    select * into compiled from private.compile_segment_rule(seg.rule, p_org, array[seg.id], rule_values, bounds);
    rule_values := compiled.io_values || jsonb_build_array(seg.id::text);
    bounds := compiled.io_bounds;
    cases := cases || format('case when %s then ($6 ->> %s)::uuid end', compiled.sql, jsonb_array_length(rule_values) - 1);
    listed := listed || seg.id;
  end loop;
  membership := case
    when cardinality(cases) = 0 then '''{}''::uuid[]'
    else 'array[' || array_to_string(cases, ', ') || ']::uuid[]'
  end;

  insert into private.engine_state as es (
    org_id, membership_sql, membership_values, uses_tags, uses_satisfaction,
    last_order_bounds, first_order_bounds, last_event_bounds, created_bounds,
    satisfaction_bounds,
    last_contact_bounds, recycle_bounds,
    segments_version, compiled_at, segment_list
  ) values (
    p_org, membership, rule_values, position('r.tag_names' in membership) > 0, position('satisfaction' in membership) > 0,
    private.rule_bounds_of(bounds, 'last_order'), private.rule_bounds_of(bounds, 'first_order'),
    private.rule_bounds_of(bounds, 'last_event'), private.rule_bounds_of(bounds, 'created'),
    private.rule_bounds_of(bounds, 'satisfaction'),
    private.rule_bounds_of(bounds, 'last_contact'), private.rule_bounds_of(bounds, 'recycle'),
    1, now(), listed
  )
  on conflict (org_id) do update set
    membership_sql = excluded.membership_sql,
    membership_values = excluded.membership_values,
    uses_tags = excluded.uses_tags,
    uses_satisfaction = excluded.uses_satisfaction,
    last_order_bounds = excluded.last_order_bounds,
    first_order_bounds = excluded.first_order_bounds,
    last_event_bounds = excluded.last_event_bounds,
    created_bounds = excluded.created_bounds,
    satisfaction_bounds = excluded.satisfaction_bounds,
    last_contact_bounds = excluded.last_contact_bounds,
    recycle_bounds = excluded.recycle_bounds,
    segments_version = es.segments_version + 1,
    compiled_at = excluded.compiled_at,
    segment_list = excluded.segment_list;

  -- The cached-plan function for lists of customers embeds the membership expression.
  perform private.generate_engine_function(p_org);
end;
$$;

comment on function private.compile_org_segments(uuid) is
  'Compiles the active segments of an organization into private.engine_state, marks their memberships as due for evaluation (segments_version) and regenerates the organization''s classification function.';


-- An organization's generated classification function goes with its engine state.
create function private.drop_engine_function()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.function_name is not null then
    execute format('drop function if exists private.%I(uuid, timestamptz, uuid[], jsonb, jsonb, boolean)', old.function_name);
  end if;
  return null;
end;
$$;

comment on function private.drop_engine_function() is
  'Trigger: drops the generated classification function of an organization whose engine state is deleted.';
revoke all on function private.drop_engine_function() from public;

create trigger engine_state_drop_function
  after delete on private.engine_state
  for each row execute function private.drop_engine_function();



-- Notes an edit of some segments after their organization was recompiled: the edited ids and,
-- transitively, the active segments whose rules refer to one of them. p_before is the state before
-- the recompile.
create function private.note_edited_segments(p_org uuid, p_ids uuid[], p_before private.engine_state)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  closure uuid[] := coalesce(p_ids, '{}');
  more uuid[];
begin
  loop
    more := array(
      select s.id from public.segments s
       where s.org_id = p_org and not s.id = any (closure)
         and exists (select 1 from unnest(closure) as e (id) where strpos(s.rule::text, '"' || e.id::text || '"') > 0));
    exit when cardinality(more) = 0;
    closure := closure || more;
  end loop;

  update private.engine_state es set
    edited_segments = case when p_before.edited_upto = p_before.segments_version
                           then array(select distinct x from unnest(es.edited_segments || closure) as x order by x)
                           else es.edited_segments end,
    edited_upto = case when p_before.edited_upto = p_before.segments_version then es.segments_version else es.edited_upto end,
    edited_bounds_changed = es.edited_bounds_changed
      or (es.last_order_bounds, es.first_order_bounds, es.last_event_bounds, es.created_bounds,
          es.last_contact_bounds, es.recycle_bounds)
         is distinct from (p_before.last_order_bounds, p_before.first_order_bounds, p_before.last_event_bounds, p_before.created_bounds,
                           p_before.last_contact_bounds, p_before.recycle_bounds)
      or es.satisfaction_bounds is distinct from p_before.satisfaction_bounds
   where es.org_id = p_org;
end;
$$;

comment on function private.note_edited_segments(uuid, uuid[], private.engine_state) is
  'Records edited segments (and the segments that include them) in engine_state after a recompile, for the dirty run''s edited-segments pass.';
revoke all on function private.note_edited_segments(uuid, uuid[], private.engine_state) from public;


-- Segment writes recompile their organization's rules. Only the definition matters (rule,
-- is_active, tag_id): the engine's own updates of member_count and computed_at do not.
create function private.recompile_inserted_segments()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  org uuid;
  before private.engine_state;
begin
  for org in select distinct n.org_id from new_rows n order by 1 loop
    perform private.lock_org_segments(org);
    before := private.engine_state_of(org);
    perform private.compile_org_segments(org);
    -- An inactive segment (a suggestion not turned on) has no members to evaluate.
    perform private.note_edited_segments(org, array(select n.id from new_rows n where n.org_id = org and n.is_active), before);
  end loop;
  return null;
end;
$$;

comment on function private.recompile_inserted_segments() is
  'Trigger: recompiles the rules of every organization that got new segments.';
revoke all on function private.recompile_inserted_segments() from public;

create function private.recompile_changed_segments()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  org uuid;
  before private.engine_state;
begin
  for org in
    select distinct x.org_id from (
      select n.org_id, o.org_id as old_org
        from new_rows n
        full join old_rows o on o.id = n.id
       where n.id is null or o.id is null
          or (o.org_id, o.rule, o.is_active, o.tag_id) is distinct from (n.org_id, n.rule, n.is_active, n.tag_id)
    ) changed
    cross join lateral (values (changed.org_id), (changed.old_org)) as x (org_id)
     where x.org_id is not null
     order by 1
  loop
    perform private.lock_org_segments(org);
    before := private.engine_state_of(org);
    perform private.compile_org_segments(org);
    perform private.note_edited_segments(org, array(
      select coalesce(n.id, o.id)
        from new_rows n
        full join old_rows o on o.id = n.id
       where (n.org_id = org or o.org_id = org)
         and (n.id is null or o.id is null
              or (o.org_id, o.rule, o.is_active, o.tag_id) is distinct from (n.org_id, n.rule, n.is_active, n.tag_id))), before);
  end loop;
  return null;
end;
$$;

comment on function private.recompile_changed_segments() is
  'Trigger: recompiles the rules of every organization whose segments changed their rule, activity or tag.';
revoke all on function private.recompile_changed_segments() from public;

create function private.recompile_deleted_segments()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  org uuid;
  before private.engine_state;
begin
  for org in
    select distinct o.org_id from old_rows o
     where exists (select 1 from public.organizations g where g.id = o.org_id)
     order by 1
  loop
    perform private.lock_org_segments(org);
    before := private.engine_state_of(org);
    perform private.compile_org_segments(org);
    perform private.note_edited_segments(org, array(select o.id from old_rows o where o.org_id = org), before);
  end loop;
  return null;
end;
$$;

comment on function private.recompile_deleted_segments() is
  'Trigger: recompiles the rules of every organization that lost segments (unless the organization itself is being deleted).';
revoke all on function private.recompile_deleted_segments() from public;

create trigger segments_recompile_inserted
  after insert on public.segments
  referencing new table as new_rows
  for each statement execute function private.recompile_inserted_segments();

create trigger segments_recompile_updated
  after update on public.segments
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.recompile_changed_segments();

create trigger segments_recompile_deleted
  after delete on public.segments
  referencing old table as old_rows
  for each statement execute function private.recompile_deleted_segments();


-- updated_at says when the definition changed: keep it when the engine only refreshes the member
-- count. (Runs after segments_set_updated_at, which fires first by name.)
create function private.keep_segment_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if (new.name, new.description, new.rule, new.is_active, new.tag_id, new.org_id)
     is not distinct from (old.name, old.description, old.rule, old.is_active, old.tag_id, old.org_id) then
    new.updated_at := old.updated_at;
  end if;
  return new;
end;
$$;

comment on function private.keep_segment_updated_at() is
  'Trigger: leaves segments.updated_at alone when only the engine''s member_count or computed_at changed.';
revoke all on function private.keep_segment_updated_at() from public;

create trigger segments_stats_keep_updated_at
  before update on public.segments
  for each row execute function private.keep_segment_updated_at();


revoke all on function private.rule_add_bounds(jsonb, text, numeric[]) from public;
revoke all on function private.compile_rule_node(jsonb, uuid, uuid[], jsonb, jsonb) from public;
revoke all on function private.compile_segment_rule(jsonb, uuid, uuid[], jsonb, jsonb) from public;
revoke all on function private.compile_rule(jsonb, uuid) from public;
revoke all on function private.rule_bounds_of(jsonb, text) from public;
revoke all on function private.segment_hash_sql(text) from public;
revoke all on function private.compile_org_segments(uuid) from public;
grant execute on function private.compile_rule(jsonb, uuid) to service_role;
grant execute on function private.compile_org_segments(uuid) to service_role;

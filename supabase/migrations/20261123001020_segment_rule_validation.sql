-- The segment rule language (supabase/README.md §4), checked whenever segments.rule is written. The same
-- language is described by the zod schema in shared/rules.ts; tests/db/engine-rules.test.ts keeps
-- the two in agreement.
--
--   rule      := {"all": [rule, …]} | {"any": [rule, …]} | {"not": rule} | {"segment": "<uuid>"} | condition
--   condition := {"field": <field>, "op": <op>, "value": <value>}
--
--   number fields   order_count, net_spend, aov, days_since_last_order, referral_count,
--                   r_score, f_score, m_score
--                   op gt | gte | lt | lte | eq (value: a number), between (value: [low, high])
--   closed sets     lifecycle_stage (the stage shown, override included), value_tier, rfm_segment,
--                   ticket_band, company_size (values of their enums), country (ISO codes),
--                   industry, source (acquisition source; text compared exactly)
--                   op in | not_in (value: a non-empty array of strings); a customer without a
--                   value is not "in" any list, so not_in holds for them
--   tags            op has (value: a tag name), any | all (value: a non-empty array of tag names);
--                   names compare case-insensitively; only tags people or imports added count
--                   (source manual or import), so that a rule never depends on another rule's tags:
--                   use {"segment": id} for that
--   dates           last_order_at, first_order_at, last_event_at, created_at
--                   op within_days (days since ≤ value) | before_days (days since > value),
--                   value a whole number of days; a missing date satisfies neither
--   flags           is_valid, is_partner; op eq, value true or false
--   contact, pool   open_follow_ups (not-done follow-ups), days_since_last_contact (whole days since
--                   the latest mail event, note or completed follow-up; missing when never
--                   contacted), days_until_recycle (whole days, rounded up, until an owned customer
--                   returns to the pool; missing when unowned or no recycle rule applies): numbers;
--                   owner: a set of 'unowned', 'owned' and 'me' (the caller; only pool_customers'
--                   filter may use 'me': a segment's members cannot depend on who is asking)
--
-- Invalid customers (is_valid false) are left out of a segment unless its rule mentions is_valid.
-- Nested segments are evaluated by their rule, so a segment may refer to an inactive one; cycles
-- are refused when the rule is written.
--
-- Errors are SQLSTATE 22023 with a message that names the bad part by its path, such as
-- rule.all[1].field: unknown field "foo".

create function private.rule_fields()
returns table (field text, kind text, column_sql text, anchor text, allowed text[])
language sql
stable
set search_path = ''
as $$
  select f.field, f.kind, f.column_sql, f.anchor, f.allowed
    from (values
      ('order_count', 'number', 'r.order_count', null, null::text[]),
      ('net_spend', 'number', 'r.net_spend', null, null),
      ('aov', 'number', 'r.aov', null, null),
      ('days_since_last_order', 'number', 'r.days_since_last_order', 'last_order', null),
      ('referral_count', 'number', 'r.referral_count', null, null),
      ('r_score', 'number', 'r.r_score', null, null),
      ('f_score', 'number', 'r.f_score', null, null),
      ('m_score', 'number', 'r.m_score', null, null),
      -- Satisfaction visits (0–100, see 20261123005200_satisfaction_stats.sql) and the F score's change.
      ('satisfaction_last', 'number', 'r.satisfaction_last', null, null),
      ('satisfaction_avg', 'number', 'r.satisfaction_avg', null, null),
      ('days_since_satisfaction', 'number', 'r.days_since_satisfaction', 'satisfaction', null),
      ('f_score_change', 'number', 'r.f_score_change', null, null),
      -- Contact and the pool (公海).
      ('open_follow_ups', 'number', 'r.open_follow_ups', null, null),
      ('days_since_last_contact', 'number', 'r.days_since_last_contact', 'last_contact', null),
      ('days_until_recycle', 'number', 'r.days_until_recycle', 'recycle', null),
      ('lifecycle_stage', 'set', 'r.lifecycle_stage', null, enum_range(null::public.lifecycle_stage)::text[]),
      ('value_tier', 'set', 'r.value_tier', null, enum_range(null::public.value_tier)::text[]),
      ('rfm_segment', 'set', 'r.rfm_segment', null, enum_range(null::public.rfm_segment)::text[]),
      ('ticket_band', 'set', 'r.ticket_band', null, enum_range(null::public.ticket_band)::text[]),
      ('company_size', 'set', 'r.company_size', null, enum_range(null::public.company_size)::text[]),
      ('country', 'set', 'r.country', null, null),
      ('industry', 'set', 'r.industry', null, null),
      ('source', 'set', 'r.source', null, null),
      -- The pool (公海): "me" only in pool_customers' filter.
      ('owner', 'set', 'r.owner_keys', null, array['me', 'unowned', 'owned']),
      ('tags', 'tags', 'r.tag_names', null, null),
      ('last_order_at', 'date', 'r.last_order_at_days', 'last_order', null),
      ('first_order_at', 'date', 'r.first_order_at_days', 'first_order', null),
      ('last_event_at', 'date', 'r.last_event_at_days', 'last_event', null),
      ('created_at', 'date', 'r.created_at_days', 'created', null),
      ('is_valid', 'boolean', 'r.is_valid', null, null),
      ('is_partner', 'boolean', 'r.is_partner', null, null)
    ) as f (field, kind, column_sql, anchor, allowed)
$$;

comment on function private.rule_fields() is
  'The fields segment rules may use: kind (number, set, tags, date, boolean), the engine''s column for it, the time anchor of day-based fields and the allowed values of closed sets. The only source of column names in compiled rules.';

create function private.rule_ops(p_kind text)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select case p_kind
    when 'number' then array['gt', 'gte', 'lt', 'lte', 'eq', 'between']
    when 'set' then array['in', 'not_in']
    when 'tags' then array['has', 'any', 'all']
    when 'date' then array['within_days', 'before_days']
    when 'boolean' then array['eq']
  end
$$;

comment on function private.rule_ops(text) is 'The operators a segment rule may apply to a field of the given kind.';


-- A string from a rule, shortened and quoted for an error message.
create function private.rule_quote(p_value text)
returns text
language sql
immutable
set search_path = ''
as $$
  select '"' || case when char_length(p_value) > 64 then left(p_value, 64) || '…' else p_value end || '"'
$$;

comment on function private.rule_quote(text) is 'A value from a rule, quoted and cut to 64 characters, for error messages.';


create function private.rule_error(p_path text, p_message text)
returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  raise exception using
    errcode = '22023',
    message = p_path || ': ' || p_message,
    hint = 'A rule is {"all": [...]}, {"any": [...]}, {"not": rule}, {"segment": id} or a condition {"field", "op", "value"}; see shared/rules.ts.';
end;
$$;

comment on function private.rule_error(text, text) is 'Raises SQLSTATE 22023 "path: message" for a bad segment rule.';


create function private.check_rule_node(p_node jsonb, p_path text, p_depth integer)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  keys text[];
  key text;
  child jsonb;
  position integer;
  f record;
  op text;
  value jsonb;
  item jsonb;
  item_text text;
  number_value numeric;
begin
  if p_depth > 12 then
    perform private.rule_error(p_path, 'rules may be nested at most 12 levels deep');
  end if;
  if p_node is null or jsonb_typeof(p_node) <> 'object' then
    perform private.rule_error(p_path, format('must be an object (a rule), not %s', coalesce(jsonb_typeof(p_node), 'nothing')));
  end if;
  keys := array(select k from jsonb_object_keys(p_node) as k order by k);

  if keys = array['all'] or keys = array['any'] then
    key := keys[1];
    if jsonb_typeof(p_node -> key) <> 'array' then
      perform private.rule_error(p_path || '.' || key, 'must be an array of rules');
    end if;
    if jsonb_array_length(p_node -> key) > 100 then
      perform private.rule_error(p_path || '.' || key, 'may hold at most 100 rules');
    end if;
    position := 0;
    for child in select e from jsonb_array_elements(p_node -> key) as e loop
      perform private.check_rule_node(child, format('%s.%s[%s]', p_path, key, position), p_depth + 1);
      position := position + 1;
    end loop;
    return;
  end if;

  if keys = array['not'] then
    perform private.check_rule_node(p_node -> 'not', p_path || '.not', p_depth + 1);
    return;
  end if;

  if keys = array['segment'] then
    if jsonb_typeof(p_node -> 'segment') <> 'string'
       or (p_node ->> 'segment') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
      perform private.rule_error(p_path || '.segment', 'must be the id (a UUID) of a segment');
    end if;
    return;
  end if;

  if not (keys && array['field', 'op', 'value']) then
    perform private.rule_error(p_path,
      'a rule is {"all": [...]}, {"any": [...]}, {"not": rule}, {"segment": id} or a condition {"field", "op", "value"}');
  end if;

  -- A condition.
  select k into key from unnest(keys) as k where k not in ('field', 'op', 'value') limit 1;
  if key is not null then
    perform private.rule_error(p_path, format('unexpected key %s in a condition (a condition has field, op and value)', private.rule_quote(key)));
  end if;
  if not p_node ? 'field' then
    perform private.rule_error(p_path, 'a condition needs "field"');
  end if;
  if jsonb_typeof(p_node -> 'field') <> 'string' then
    perform private.rule_error(p_path || '.field', 'must be a string naming a field');
  end if;
  select * into f from private.rule_fields() as rf where rf.field = p_node ->> 'field';
  if not found then
    perform private.rule_error(p_path || '.field', format('unknown field %s', private.rule_quote(p_node ->> 'field')));
  end if;
  if not p_node ? 'op' then
    perform private.rule_error(p_path, 'a condition needs "op"');
  end if;
  if jsonb_typeof(p_node -> 'op') <> 'string' then
    perform private.rule_error(p_path || '.op', 'must be a string naming an operator');
  end if;
  op := p_node ->> 'op';
  if not op = any (private.rule_ops(f.kind)) then
    perform private.rule_error(p_path || '.op', format('operator %s does not apply to %s field "%s"; use one of %s',
      private.rule_quote(op), f.kind, f.field, array_to_string(private.rule_ops(f.kind), ', ')));
  end if;
  if not p_node ? 'value' then
    perform private.rule_error(p_path, 'a condition needs "value"');
  end if;
  value := p_node -> 'value';

  if f.kind = 'number' and op = 'between' then
    if jsonb_typeof(value) <> 'array' or jsonb_array_length(value) <> 2
       or jsonb_typeof(value -> 0) <> 'number' or jsonb_typeof(value -> 1) <> 'number' then
      perform private.rule_error(p_path || '.value', 'between needs [low, high], two numbers');
    end if;
    if abs((value ->> 0)::numeric) > 1e12 or abs((value ->> 1)::numeric) > 1e12 then
      perform private.rule_error(p_path || '.value', 'numbers must lie between -1e12 and 1e12');
    end if;
    if (value ->> 0)::numeric > (value ->> 1)::numeric then
      perform private.rule_error(p_path || '.value', 'between needs [low, high] with low ≤ high');
    end if;
  elsif f.kind = 'number' then
    if jsonb_typeof(value) <> 'number' then
      perform private.rule_error(p_path || '.value', 'must be a number');
    end if;
    if abs((value #>> '{}')::numeric) > 1e12 then
      perform private.rule_error(p_path || '.value', 'numbers must lie between -1e12 and 1e12');
    end if;
  elsif f.kind = 'set' then
    if jsonb_typeof(value) <> 'array' or jsonb_array_length(value) = 0 then
      perform private.rule_error(p_path || '.value', 'must be a non-empty array of strings');
    end if;
    if jsonb_array_length(value) > 1000 then
      perform private.rule_error(p_path || '.value', 'may list at most 1000 values');
    end if;
    position := 0;
    for item in select e from jsonb_array_elements(value) as e loop
      if jsonb_typeof(item) <> 'string' then
        perform private.rule_error(format('%s.value[%s]', p_path, position), 'must be a string');
      end if;
      item_text := item #>> '{}';
      if f.allowed is not null and not item_text = any (f.allowed) then
        perform private.rule_error(format('%s.value[%s]', p_path, position),
          format('%s is not a %s (one of %s)', private.rule_quote(item_text), f.field, array_to_string(f.allowed, ', ')));
      elsif f.field = 'country' and item_text !~ '^[A-Z]{2}$' then
        perform private.rule_error(format('%s.value[%s]', p_path, position),
          format('%s is not a country code of two capital letters such as "US"', private.rule_quote(item_text)));
      elsif char_length(item_text) not between 1 and 100 then
        perform private.rule_error(format('%s.value[%s]', p_path, position), 'must be 1 to 100 characters long');
      end if;
      position := position + 1;
    end loop;
  elsif f.kind = 'tags' and op = 'has' then
    if jsonb_typeof(value) <> 'string' then
      perform private.rule_error(p_path || '.value', 'must be a tag name');
    end if;
    if char_length(btrim(value #>> '{}')) not between 1 and 64 then
      perform private.rule_error(p_path || '.value', 'a tag name has 1 to 64 characters');
    end if;
  elsif f.kind = 'tags' then
    if jsonb_typeof(value) <> 'array' or jsonb_array_length(value) = 0 then
      perform private.rule_error(p_path || '.value', 'must be a non-empty array of tag names');
    end if;
    if jsonb_array_length(value) > 100 then
      perform private.rule_error(p_path || '.value', 'may list at most 100 tags');
    end if;
    position := 0;
    for item in select e from jsonb_array_elements(value) as e loop
      if jsonb_typeof(item) <> 'string' then
        perform private.rule_error(format('%s.value[%s]', p_path, position), 'must be a tag name');
      end if;
      if char_length(btrim(item #>> '{}')) not between 1 and 64 then
        perform private.rule_error(format('%s.value[%s]', p_path, position), 'a tag name has 1 to 64 characters');
      end if;
      position := position + 1;
    end loop;
  elsif f.kind = 'date' then
    if jsonb_typeof(value) <> 'number' then
      perform private.rule_error(p_path || '.value', 'must be a whole number of days');
    end if;
    number_value := (value #>> '{}')::numeric;
    if number_value <> trunc(number_value) or number_value not between 0 and 36500 then
      perform private.rule_error(p_path || '.value', 'must be a whole number of days from 0 to 36500');
    end if;
  elsif f.kind = 'boolean' then
    if jsonb_typeof(value) <> 'boolean' then
      perform private.rule_error(p_path || '.value', 'must be true or false');
    end if;
  end if;
end;
$$;

comment on function private.check_rule_node(jsonb, text, integer) is
  'Checks one node of a segment rule and everything under it; raises 22023 naming the first bad part by its path.';


create function private.validate_rule(p_rule jsonb)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if octet_length(p_rule::text) > 65536 then
    perform private.rule_error('rule', 'is too large (at most 64 KB)');
  end if;
  perform private.check_rule_node(p_rule, 'rule', 1);
end;
$$;

comment on function private.validate_rule(jsonb) is
  'Checks a segment rule against the rule language (see shared/rules.ts); raises SQLSTATE 22023 with a message naming the bad part, e.g. rule.all[1].field: unknown field "foo".';


-- The segments a rule refers to, with the path of each reference.
create function private.rule_segment_refs(p_node jsonb, p_path text default 'rule')
returns table (path text, segment_id uuid)
language plpgsql
immutable
set search_path = ''
as $$
declare
  key text;
  child jsonb;
  position integer;
begin
  if jsonb_typeof(p_node) <> 'object' then
    return;
  end if;
  if p_node ? 'segment' and jsonb_typeof(p_node -> 'segment') = 'string' then
    path := p_path || '.segment';
    segment_id := (p_node ->> 'segment')::uuid;
    return next;
  elsif p_node ? 'not' then
    return query select * from private.rule_segment_refs(p_node -> 'not', p_path || '.not');
  else
    foreach key in array array['all', 'any'] loop
      if jsonb_typeof(p_node -> key) = 'array' then
        position := 0;
        for child in select e from jsonb_array_elements(p_node -> key) as e loop
          return query select * from private.rule_segment_refs(child, format('%s.%s[%s]', p_path, key, position));
          position := position + 1;
        end loop;
      end if;
    end loop;
  end if;
end;
$$;

comment on function private.rule_segment_refs(jsonb, text) is
  'The {"segment": id} references in a rule, each with its path (rule.any[0].segment).';


-- The path of the first "me" in an owner condition of a rule (null when there is none): "me" is
-- the caller, which a segment's members cannot depend on; only pool_customers' filter takes it.
create function private.rule_me_path(p_node jsonb, p_path text default 'rule')
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  key text;
  child jsonb;
  position integer;
  found_path text;
begin
  if jsonb_typeof(p_node) <> 'object' then
    return null;
  end if;
  if p_node ->> 'field' = 'owner' and jsonb_typeof(p_node -> 'value') = 'array' then
    position := 0;
    for child in select e from jsonb_array_elements(p_node -> 'value') as e loop
      if child = '"me"'::jsonb then
        return format('%s.value[%s]', p_path, position);
      end if;
      position := position + 1;
    end loop;
    return null;
  end if;
  if p_node ? 'not' then
    return private.rule_me_path(p_node -> 'not', p_path || '.not');
  end if;
  foreach key in array array['all', 'any'] loop
    if jsonb_typeof(p_node -> key) = 'array' then
      position := 0;
      for child in select e from jsonb_array_elements(p_node -> key) as e loop
        found_path := private.rule_me_path(child, format('%s.%s[%s]', p_path, key, position));
        if found_path is not null then
          return found_path;
        end if;
        position := position + 1;
      end loop;
    end if;
  end loop;
  return null;
end;
$$;

comment on function private.rule_me_path(jsonb, text) is
  'The path of the first "me" in an owner condition of a rule, or null; segments refuse it (their members cannot depend on who asks).';


-- The lock that serialises changes to one organization's segments, so that two concurrent writes
-- can neither build a cycle together nor compile rules without each other.
create function private.lock_org_segments(p_org uuid)
returns void
language sql
volatile
set search_path = ''
as $$
  select pg_advisory_xact_lock(hashtext('portrait.segments'), hashtext(p_org::text))
$$;

comment on function private.lock_org_segments(uuid) is
  'Takes the transaction lock that serialises changes to an organization''s segments.';


create function private.check_segment_rule()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  ref record;
begin
  perform private.lock_org_segments(new.org_id);
  perform private.validate_rule(new.rule);
  if private.rule_me_path(new.rule) is not null then
    perform private.rule_error(private.rule_me_path(new.rule),
      '"me" is only for the pool''s filter; a segment may use "unowned" or "owned"');
  end if;
  for ref in select * from private.rule_segment_refs(new.rule) loop
    if ref.segment_id = new.id then
      perform private.rule_error(ref.path, 'a segment cannot refer to itself');
    end if;
    if not exists (select 1 from public.segments s where s.org_id = new.org_id and s.id = ref.segment_id) then
      perform private.rule_error(ref.path, format('organization has no segment %s', ref.segment_id));
    end if;
    -- Does the referenced segment lead back here? (union, not union all: stops on any loop.)
    if exists (
      with recursive reached (id) as (
        select ref.segment_id
        union
        select r.segment_id
          from reached
          join public.segments s on s.org_id = new.org_id and s.id = reached.id
          cross join lateral private.rule_segment_refs(s.rule) as r
      )
      select 1 from reached where reached.id = new.id
    ) then
      perform private.rule_error(ref.path,
        format('segment %s already depends on this segment; segments may not refer to each other in a cycle', ref.segment_id));
    end if;
  end loop;
  return new;
end;
$$;

comment on function private.check_segment_rule() is
  'Trigger: refuses a segment rule that breaks the rule language, refers to a segment of another organization or to none, or closes a cycle (SQLSTATE 22023).';
revoke all on function private.check_segment_rule() from public;

create trigger segments_check_rule
  before insert or update of rule, org_id on public.segments
  for each row execute function private.check_segment_rule();


-- A segment other rules refer to cannot be deleted on its own (deleting the organization, which
-- takes all its segments in one statement, still works).
create function private.keep_referenced_segments()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  used record;
begin
  select gone.name as gone_name, s.name as user_name into used
    from old_rows gone
    join public.segments s on s.org_id = gone.org_id
   where exists (select 1 from private.rule_segment_refs(s.rule) r where r.segment_id = gone.id)
   limit 1;
  if found then
    raise exception using
      errcode = '23503',
      message = format('segment "%s" is used by the rule of segment "%s"', used.gone_name, used.user_name),
      hint = 'Change that rule first, or delete both segments together.';
  end if;
  return null;
end;
$$;

comment on function private.keep_referenced_segments() is
  'Trigger: refuses to delete a segment that a remaining segment''s rule refers to (SQLSTATE 23503).';
revoke all on function private.keep_referenced_segments() from public;

create trigger segments_keep_referenced
  after delete on public.segments
  referencing old table as old_rows
  for each statement execute function private.keep_referenced_segments();


revoke all on function private.rule_fields() from public;
revoke all on function private.rule_ops(text) from public;
revoke all on function private.rule_quote(text) from public;
revoke all on function private.rule_error(text, text) from public;
revoke all on function private.check_rule_node(jsonb, text, integer) from public;
revoke all on function private.validate_rule(jsonb) from public;
revoke all on function private.rule_segment_refs(jsonb, text) from public;
revoke all on function private.lock_org_segments(uuid) from public;
revoke all on function private.rule_me_path(jsonb, text) from public;
grant execute on function private.rule_fields() to authenticated, service_role;
grant execute on function private.rule_ops(text) to authenticated, service_role;
grant execute on function private.rule_quote(text) to authenticated, service_role;
grant execute on function private.rule_error(text, text) to authenticated, service_role;
grant execute on function private.check_rule_node(jsonb, text, integer) to authenticated, service_role;
grant execute on function private.validate_rule(jsonb) to authenticated, service_role;
grant execute on function private.rule_segment_refs(jsonb, text) to authenticated, service_role;
grant execute on function private.rule_me_path(jsonb, text) to authenticated, service_role;

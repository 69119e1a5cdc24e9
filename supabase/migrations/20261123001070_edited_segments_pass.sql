-- Edited segments: when segments are edited, a dirty run re-evaluates only the edited segments (and those that
-- include one of them) over every customer, instead of classifying everyone again.
--
-- A segment's membership depends only on its own rule (segments included in it are compiled into
-- it), so after an edit only the slots of the edited segments can change. The segment triggers
-- note which segments changed (private.engine_state.edited_segments), together with the segments
-- whose rules refer to them, directly or through others. The next dirty run then has scope
-- 'segments': one read-only pass evaluates those segments for every customer against their stored
-- figures, with the classification's own CTEs (the planner leaves out every column the edited
-- rules do not need), and keeps the customers whose membership of them differs from the stored
-- one in private.run_pending; each chunk evaluates its customers again and rewrites only their
-- memberships of the edited segments (public.segment_memberships), their profile's
-- segments_digest and their rule tags. The stored memberships of the edited segments are read
-- from the membership table (only theirs: a hash join with a few rows per member).
--
-- The full pass (scope 'all') is still taken when the notes do not cover every change since the
-- memberships were last evaluated, or when the edit moved the rules' day bounds (next_transition_at
-- then changes too).

-- The membership expression of some segments only (those of p_ids that are active, in the order
-- of engine_state.segment_list), with their values: like compile_org_segments, for the edited pass.
-- changed_sql says whether a classified row y's membership of these segments (and of the listed
-- ones no longer active) differs from its stored one, slot by slot (no list built per row).
create function private.compile_some_segments(
  p_org uuid, p_ids uuid[], out membership_sql text, out membership_values jsonb, out changed_sql text)
language plpgsql
stable
set search_path = ''
as $$
declare
  seg record;
  compiled record;
  cases text[] := '{}';
  tests text[] := '{}';
  bounds jsonb := '{"last_order": [], "first_order": [], "last_event": [], "created": []}';
  active uuid[] := '{}';
  gone uuid[];
begin
  membership_values := '[]';
  for seg in
    select s.id, s.rule from public.segments s
     where s.org_id = p_org and s.is_active and s.id = any (p_ids)
     order by s.id
  loop
    select * into compiled from private.compile_segment_rule(seg.rule, p_org, array[seg.id], membership_values, bounds);
    membership_values := compiled.io_values || jsonb_build_array(seg.id::text);
    bounds := compiled.io_bounds;
    cases := cases || format('case when %s then ($6 ->> %s)::uuid end', compiled.sql, jsonb_array_length(membership_values) - 1);
    tests := tests || format('(y.seg_slots[%s] is not null) <> (coalesce(y.old_segment_ids, ''{}'') @> array[($6 ->> %s)::uuid])',
                             cardinality(cases), jsonb_array_length(membership_values) - 1);
    active := active || seg.id;
  end loop;
  gone := array(select i from unnest(p_ids) as i where not i = any (active));
  if cardinality(gone) > 0 then
    membership_values := membership_values || jsonb_build_array(gone::text);
    tests := tests || format('coalesce(y.old_segment_ids, ''{}'') && ($6 ->> %s)::uuid[]', jsonb_array_length(membership_values) - 1);
  end if;
  membership_sql := case
    when cardinality(cases) = 0 then '''{}''::uuid[]'
    else 'array[' || array_to_string(cases, ', ') || ']::uuid[]'
  end;
  changed_sql := coalesce('(' || array_to_string(tests, ' or ') || ')', 'false');
end;
$$;

comment on function private.compile_some_segments(uuid, uuid[]) is
  'The membership expression (and its $6 values) of some of an organization''s active segments, and the condition that a row''s membership of the listed segments changed, for the edited-segments pass.';
revoke all on function private.compile_some_segments(uuid, uuid[]) from public;


-- The statements of the edited-segments pass, over parameters $1 org, $2 now, $3/$4 id range,
-- $5 ids, $6 the edited segments' values, $7 constants (with 'edited': the edited segment ids as
-- uuid[] text); p_state.segment_list lists the slots' segments, p_changed is compile_some_segments'
-- changed_sql. p_write false: the ids of the customers whose membership of the edited segments
-- differs from the stored one, and each slot's members (scope 'range'); true: rewrite the
-- memberships of the listed customers (scope 'ids') and return {written, memberships_written,
-- tag_ids}.
create function private.segment_pass_sql(p_state private.engine_state, p_changed text, p_write boolean)
returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  state private.engine_state := p_state;
  ctes text;
begin
  -- No day bounds: next_transition_at is not computed here (the edit left the bounds unchanged).
  state.last_order_bounds := '{}';
  state.first_order_bounds := '{}';
  state.last_event_bounds := '{}';
  state.created_bounds := '{}';
  state.satisfaction_bounds := '{}';
  state.last_contact_bounds := '{}';
  state.recycle_bounds := '{}';
  state.uses_tags := position('r.tag_names' in state.membership_sql) > 0;
  state.uses_satisfaction := position('satisfaction' in state.membership_sql) > 0;
  ctes := private.classification_ctes('stored', state, case when p_write then 'ids' else 'range' end,
                                      '($7 ->> ''edited'')::uuid[]');
  if not p_write then
    return 'with ' || ctes || format($sql$
select coalesce(array_agg(y.customer_id order by y.customer_id) filter (where y.has_profile and %s), '{}') as changed_ids,
       count(*)::integer as scanned,
       %s as segment_counts
  from y$sql$, p_changed,
    coalesce('array[' || (select string_agg(format('count(y.seg_slots[%s])', n), ', ' order by n)
                            from generate_series(1, cardinality(state.segment_list)) as n) || ']::bigint[]',
             '''{}''::bigint[]'));
  end if;
  -- The customer's segments after the pass: the stored ones without the edited segments, with the
  -- edited ones the row is in, in the order of the ids (every statement of the WITH sees the
  -- memberships as they were before it).
  return private.engine_scope('with ' || ctes || format($sql$,
-- Only what the writes below read: the planner then leaves out every other column of the
-- classification (the CTE is materialized, so y.* would compute them all).
ch as (
  select y.customer_id, y.new_segment_ids from y where y.has_profile and %s
),
left_segments as (
  delete from public.segment_memberships m
   using ch y
   where m.org_id = $1 and m.customer_id = y.customer_id and m.segment_id = any (($7 ->> 'edited')::uuid[])
     and not m.segment_id = any (y.new_segment_ids)
  returning 1
),
joined_segments as (
  insert into public.segment_memberships (org_id, segment_id, customer_id)
  select $1, s.segment_id, y.customer_id from ch y cross join lateral unnest(y.new_segment_ids) as s (segment_id)
  on conflict (segment_id, customer_id) do nothing
  returning 1
),
upd as (
  update public.customer_profiles p set
    segments_digest = l.digest,
    computed_at = $2
  from ch y
  -- The digest as the classification takes it (hashtextextended of the ids in order, joined by
  -- commas; null for none), from one read of the customer's other memberships.
  cross join lateral (
    select hashtextextended(string_agg(u.id::text, ',' order by u.id), 0) as digest
      from (select m.segment_id as id from public.segment_memberships m
             where m.org_id = $1 and m.customer_id = y.customer_id
               and not m.segment_id = any (($7 ->> 'edited')::uuid[])
            union
            select s from unnest(y.new_segment_ids) as s) u
  ) l
  where p.org_id = $1 and {SCOPE:p.customer_id} and p.customer_id = y.customer_id
  returning p.customer_id
)
select (select count(*) from upd)::integer as written,
       ((select count(*) from left_segments) + (select count(*) from joined_segments))::integer as memberships_written,
       array(select u.customer_id from upd u) as tag_ids$sql$, p_changed), 'ids');
end;
$$;

comment on function private.segment_pass_sql(private.engine_state, text, boolean) is
  'The text of the edited-segments pass: find the customers whose membership of the edited segments changed (p_write false), or rewrite those memberships for a list of customers (p_write true).';
revoke all on function private.segment_pass_sql(private.engine_state, text, boolean) from public;

-- Edited segments: when segments are edited, a dirty run re-evaluates only the edited segments (and those that
-- include one of them) over every customer, instead of classifying everyone again.
--
-- A segment's membership depends only on its own rule (segments included in it are compiled into
-- it), so after an edit only the slots of the edited segments can change. The segment triggers
-- note which segments changed (private.engine_state.edited_segments), together with the segments
-- whose rules refer to them, directly or through others. The next dirty run then has scope
-- 'segments': one read-only pass (private.run_segment_scan) evaluates those segments for every customer against their stored
-- figures, with the classification's own CTEs (the planner leaves out every column the edited
-- rules do not need), and keeps the customers whose membership of them differs from the stored
-- one in private.run_pending; each chunk evaluates its customers again and rewrites only their
-- memberships of the edited segments (public.segment_memberships), their profile's
-- segments_digest and their rule tags. The stored memberships of the edited segments are read
-- from the membership table (only theirs: a hash join with a few rows per member).
--
-- When the edited rules read only what the stored profiles keep current (segment_pass_reads_stored:
-- no R score, RFM segment or time of return, no customer waiting in the dirty queue, cut points and
-- settings as every profile was classified against; the stage once the customers due by the run's
-- time are classified, which private.recompute does first), the pass does not classify everyone:
-- each rule is a condition on customers joined to their profiles (stored_rule_row_sql; on the
-- profiles alone when it reads no customer column but the validity), its matches are set against
-- the stored members as (segment, customer) pairs, and each chunk writes the differences of its
-- customers, evaluated again from their rows by index (stored_segment_pass_sql,
-- write_segment_differences).
--
-- The full pass (scope 'all') is still taken when the notes do not cover every change since the
-- memberships were last evaluated, or when the edit moved the rules' day bounds (next_transition_at
-- then changes too).

-- The membership expression of some segments only (those of p_ids that are active, in the order
-- of engine_state.segment_list), with their values: like compile_org_segments, for the edited pass.
-- changed_sql says whether a classified row y's membership of these segments (and of the listed
-- ones no longer active) differs from its stored one, slot by slot (no list built per row).
-- slot_predicates: each active segment's compiled rule apart (over r), in the same order, and
-- slot_id_at the position of its id among membership_values (for the pass over stored figures).
create function private.compile_some_segments(
  p_org uuid, p_ids uuid[], out membership_sql text, out membership_values jsonb, out changed_sql text,
  out slot_predicates text[], out slot_id_at integer[])
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
  slot_predicates := '{}';
  slot_id_at := '{}';
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
    slot_predicates := slot_predicates || compiled.sql;
    slot_id_at := slot_id_at || (jsonb_array_length(membership_values) - 1);
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
  'The membership expression (and its $6 values) of some of an organization''s active segments, the condition that a row''s membership of the listed segments changed, and each segment''s rule apart, for the edited-segments pass.';
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
select count(*)::integer as scanned,
       coalesce(array_agg(y.customer_id order by y.customer_id) filter (where y.has_profile and %s), '{}') as changed_ids,
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
  -- The digest as the classification takes it (private.segment_hash_sql: the XOR of the
  -- segments' hashes, null for none), from one read of the customer's other memberships.
  cross join lateral (
    select nullif(bit_xor(%s), 0) as digest
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
       array(select u.customer_id from upd u) as tag_ids$sql$, p_changed, private.segment_hash_sql('u.id')), 'ids');
end;
$$;

comment on function private.segment_pass_sql(private.engine_state, text, boolean) is
  'The text of the edited-segments pass: find the customers whose membership of the edited segments changed (p_write false), or rewrite those memberships for a list of customers (p_write true).';
revoke all on function private.segment_pass_sql(private.engine_state, text, boolean) from public;


-- The rule row r (private.rule_row_sql, the classification's own select list) of a customer c
-- from its stored profile p and satisfaction figures sat, under the names the classification's
-- row x has: a lateral join for a statement over customers c joined to their profiles p and
-- left-joined to public.customer_satisfaction sat. p_tag_names: the expression (text[]) of the
-- customer's tag names as rules see them. $2 is the moment the day counts are taken at. There is
-- no time of return to the pool (rc.new_recycle_at null): rules asking days_until_recycle are not
-- evaluated this way by the engine. Shared by public.pool_customers and the edited-segments pass.
create function private.stored_rule_row_sql(p_tag_names text)
returns text
language sql
immutable
set search_path = ''
as $fn$
  select format($sql$cross join lateral (
    select x.*,
    %s
      from (
        select p.order_count as n, p.net_spend as s, p.aov as new_aov,
               p.r_score as new_r_score, p.f_score as new_f_score, p.m_score as new_m_score, p.prev_f_score,
               p.effective_stage as new_effective_stage, p.value_tier as new_value_tier,
               p.rfm_segment as new_rfm_segment, p.ticket_band as new_ticket_band,
               floor(date_part('epoch', $2 - p.last_order_at) / 86400)::integer as d_last,
               floor(date_part('epoch', $2 - p.first_order_at) / 86400)::integer as d_first,
               floor(date_part('epoch', $2 - p.last_event_at) / 86400)::integer as d_event,
               floor(date_part('epoch', $2 - c.created_at) / 86400)::integer as d_created,
               sat.last_score_100 as sat_last, sat.avg_score_100 as sat_avg,
               floor(date_part('epoch', $2 - sat.last_at) / 86400)::integer as d_sat,
               p.open_follow_ups as open_fu,
               floor(date_part('epoch', $2 - p.last_contact_at) / 86400)::integer as d_contact,
               c.owner_id, p.referral_count,
               c.company_size::text as company_size, c.country, c.industry, c.acquisition_source as source,
               %s as tag_names,
               c.is_valid, c.is_partner
      ) x
     cross join lateral (select null::timestamptz as new_recycle_at) rc
  ) r$sql$, private.rule_row_sql(), p_tag_names)
$fn$;

comment on function private.stored_rule_row_sql(text) is
  'The lateral join giving the row r as segment rules see it from a customer''s stored profile (c, p and sat in scope), for public.pool_customers and the edited-segments pass.';
revoke all on function private.stored_rule_row_sql(text) from public;
grant execute on function private.stored_rule_row_sql(text) to authenticated, service_role;


-- Whether the edited segments' rules (p_membership_sql, compile_some_segments) can be evaluated
-- on the stored profiles: they then match exactly what the classification's CTEs would find. So
-- it is when the rules read only figures a profile keeps current between runs, or that are taken
-- live (the customer's columns, tags, satisfaction, day counts as of the run), and every profile
-- was classified as the classification would now classify it:
--   - not r.r_score nor r.rfm_segment (the R score moves with the days since the last order and is
--     brought up to date only by a run over the customer), not r.days_until_recycle (the time of
--     return follows the stage);
--   - r.lifecycle_stage only once the customers due by the run's time (next_transition_at) are
--     classified, which private.recompute does first: any other customer's stored stage is the one
--     its classification gives until its next_transition_at;
--   - no customer waiting in the dirty queue and no pass over everyone owed (deferred
--     classification leaves the figures derived from the statistics behind them);
--   - the cut points were stored by a full run that finished without an error, with the settings
--     the organization has now (the scores and tiers were all computed against them).
create function private.segment_pass_reads_stored(p_org uuid, p_membership_sql text)
returns boolean
language sql
stable
set search_path = ''
as $$
  select position('r.r_score' in p_membership_sql) = 0
     and position('r.rfm_segment' in p_membership_sql) = 0
     and position('r.days_until_recycle' in p_membership_sql) = 0
     and not exists (select 1 from private.dirty_customers dc where dc.org_id = p_org)
     and not exists (select 1 from private.passes_owed po where po.org_id = p_org)
     and exists (
       select 1
         from public.cut_points cp
         join public.recompute_runs rr on rr.id = cp.run_id
         join public.organizations o on o.id = cp.org_id
        where cp.org_id = p_org and rr.finished_at is not null and rr.error is null
          and cp.settings = private.org_settings_with_defaults(o.settings))
$$;

comment on function private.segment_pass_reads_stored(uuid, text) is
  'Whether the edited segments'' rules (their compiled membership expression) match on the stored profiles exactly what the classification would find, so that the edited-segments pass can read the profiles instead of classifying (a rule reading the stage once the customers due are classified).';
revoke all on function private.segment_pass_reads_stored(uuid, text) from public;


-- The statements of the edited-segments pass over stored profiles (segment_pass_reads_stored),
-- with the parameters of segment_pass_sql. Each active edited segment's rule (p_predicates, its id
-- at $6 ->> p_id_at[i]) is evaluated as a condition on the join of customers and profiles (on the
-- profiles alone, the invalid customers set apart by their index, when the rule reads no other
-- customer column): its members now, as (segment, customer) pairs, set against the stored members
-- of the edited segments (those no longer active have no pairs: all their members leave). Nothing
-- is classified and no list is built per customer.
-- p_write false (scope 'range', one statement for every customer: sequential scans, a hash join
-- of the customers (or an anti-join of the invalid ones) with the profiles that match, and a hash
-- full join of those pairs with the stored ones): {scanned, changed_ids, segment_counts}. p_write
-- true (scope 'ids', the customers of $5 by index): inserts the pairs that are new, deletes those
-- that left and flips their hashes in the profiles' segments digest, returning {written,
-- memberships_written, tag_ids}.
create function private.stored_segment_pass_sql(p_predicates text[], p_id_at integer[], p_uses_tags boolean, p_write boolean)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  tags_join text := '';
  rule_row text;
  from_sql text;
  profiles_sql text;
  -- The fields of the rule row read from the customer's own columns (stored_rule_row_sql's c),
  -- its validity apart.
  customer_fields constant text := '\mr\.(created_at_days|owner_keys|company_size|country|industry|source|is_partner)\M';
  members_now text;
begin
  -- Only the tags some rule names, as the classification reads them (private.rule_named_tags_sql).
  if p_uses_tags then
    tags_join := format($sql$
  left join (
    select nt.customer_id, array_agg(nt.name) as names
      from (%s) nt
     group by nt.customer_id
  ) tg on tg.customer_id = c.id$sql$, private.rule_named_tags_sql());
  end if;
  rule_row := private.stored_rule_row_sql(case when p_uses_tags then 'coalesce(tg.names, ''{}''::text[])' else '''{}''::text[]' end);
  from_sql := $sql$
  from public.customers c
  join public.customer_profiles p on p.org_id = c.org_id and p.customer_id = c.id and {SCOPE:p.customer_id}
  left join public.customer_satisfaction sat on sat.org_id = c.org_id and sat.customer_id = c.id$sql$
    || tags_join || E'\n  ' || rule_row
    || E'\n where c.org_id = $1 and {SCOPE:c.id}';
  -- A rule that reads none of the customer_fields (only the validity, which every rule but those
  -- asking about it adds) is evaluated on the profiles alone: the customer row c stands in with
  -- its id and validity (not among the organization's invalid customers, read from their partial
  -- index; a profile always has its customer), its other columns never read, so that the pass
  -- reads no customer row (at a million customers, 37,000 pages of them).
  profiles_sql := $sql$
  from public.customer_profiles p
  left join public.customer_satisfaction sat on sat.org_id = p.org_id and sat.customer_id = p.customer_id
  left join public.customers iv on iv.org_id = p.org_id and iv.id = p.customer_id and not iv.is_valid
  cross join lateral (
    select p.customer_id as id, iv.id is null as is_valid, null::timestamptz as created_at, null::uuid as owner_id,
           null::text as company_size, null::text as country, null::text as industry,
           null::text as acquisition_source, null::boolean as is_partner
  ) c$sql$
    || tags_join || E'\n  ' || rule_row
    || E'\n where p.org_id = $1 and {SCOPE:p.customer_id}';
  members_now := coalesce(
    (select string_agg(format('select ($6 ->> %s)::uuid as segment_id, c.id as customer_id%s and %s', a.at,
                              case when a.predicate ~ customer_fields then from_sql else profiles_sql end,
                              a.predicate),
                       E'\nunion all\n' order by a.n)
       from unnest(p_predicates, p_id_at) with ordinality as a (predicate, at, n)),
    'select null::uuid as segment_id, null::uuid as customer_id where false');

  if not p_write then
    return private.engine_scope(format($sql$
with members_now as (
%s
), members_stored as (
  select m.segment_id, m.customer_id
    from public.segment_memberships m
   where m.segment_id = any (($7 ->> 'edited')::uuid[]) and {SCOPE:m.customer_id}
), differences as (
  select n.segment_id as member_now, o.segment_id as member_stored, coalesce(n.customer_id, o.customer_id) as customer_id
    from members_now n
    full join members_stored o on o.segment_id = n.segment_id and o.customer_id = n.customer_id
)
select (select count(*) from public.customers c where c.org_id = $1 and {SCOPE:c.id})::integer as scanned,
       -- A member always has a profile (both go with the customer), so one that left is written.
       coalesce(array_agg(distinct d.customer_id) filter (where d.member_now is null or d.member_stored is null), '{}') as changed_ids,
       %s as segment_counts
  from differences d$sql$,
      members_now,
      coalesce('array[' || (select string_agg(format('count(*) filter (where d.member_now = ($6 ->> %s)::uuid)', a.at), ', ' order by a.n)
                              from unnest(p_id_at) with ordinality as a (at, n)) || ']::bigint[]',
               '''{}''::bigint[]')), 'range');
  end if;

  return private.engine_scope(format($sql$
with members_now as (
%s
), members_stored as (
  -- Each listed customer looked up by the primary key of the membership table (offset 0: a probe
  -- per customer, never a hash of every member of the edited segments).
  select m.segment_id, m.customer_id
    from unnest($5::uuid[]) as i (customer_id)
    cross join lateral (
      select m.segment_id, m.customer_id
        from public.segment_memberships m
       where m.segment_id = any (($7 ->> 'edited')::uuid[]) and m.customer_id = i.customer_id
      offset 0
    ) m
), differences as (
  -- A full join: hashed or merged whatever the planner expects of either side.
  select n.segment_id as joined, o.segment_id as left_from, coalesce(n.customer_id, o.customer_id) as customer_id
    from members_now n
    full join members_stored o on o.segment_id = n.segment_id and o.customer_id = n.customer_id
   where n.customer_id is null or o.customer_id is null
), joined as (
  -- In the order of the membership table's indexes, so that neighbouring rows go to the same pages.
  insert into public.segment_memberships (org_id, segment_id, customer_id)
  select $1, d.joined, d.customer_id
    from differences d
   where d.left_from is null
   order by d.joined, d.customer_id
  on conflict (segment_id, customer_id) do nothing
  returning segment_id, customer_id
), left_segments as (
  delete from public.segment_memberships m
   using differences d
   where d.joined is null and m.segment_id = d.left_from and m.customer_id = d.customer_id
  returning m.segment_id, m.customer_id
), upd as (
  -- The digest follows from the memberships moved alone: each flips its segment's hash
  -- (private.segment_hash_sql), the customer's other memberships are not read.
  update public.customer_profiles p
     set segments_digest = nullif(coalesce(p.segments_digest, 0) # f.flips, 0),
         computed_at = $2
    from (
      select mv.customer_id, bit_xor(%s) as flips
        from (select j.segment_id, j.customer_id from joined j
              union all
              select l.segment_id, l.customer_id from left_segments l) mv
       group by mv.customer_id
    ) f
   where p.org_id = $1 and p.customer_id = f.customer_id
  returning p.customer_id
)
select (select count(*) from upd)::integer as written,
       ((select count(*) from joined) + (select count(*) from left_segments))::integer as memberships_written,
       array(select u.customer_id from upd u) as tag_ids$sql$,
    members_now, private.segment_hash_sql('mv.segment_id')), 'ids');
end;
$$;

comment on function private.stored_segment_pass_sql(text[], integer[], boolean, boolean) is
  'The text of the edited-segments pass over stored profiles: the customers whose membership of the edited segments differs from the stored one (p_write false), or the writes of those differences for a list of customers (p_write true).';
revoke all on function private.stored_segment_pass_sql(text[], integer[], boolean, boolean) from public;


-- One part (the customers with ids in (p_after, p_upto]) of the read-only statement of the
-- edited-segments pass: stored_segment_pass_sql(…, false) or segment_pass_sql(…, false). Parallel
-- safe, so that a worker may run it (private.scan_parts_sql).
create function private.segment_scan_part(
  p_sql text, p_org uuid, p_now timestamptz, p_values jsonb, p_cfg jsonb, p_after uuid, p_upto uuid)
returns table (scanned integer, changed_ids uuid[], segment_counts bigint[])
language plpgsql
stable
parallel safe
cost 100000000
rows 1
set search_path = ''
as $$
begin
  return query execute p_sql using p_org, p_now, p_after, p_upto, null::uuid[], p_values, p_cfg;
end;
$$;

comment on function private.segment_scan_part(text, uuid, timestamptz, jsonb, jsonb, uuid, uuid) is
  'One part (a range of customer ids) of the read-only statement of the edited-segments pass; parallel safe.';
revoke all on function private.segment_scan_part(text, uuid, timestamptz, jsonb, jsonb, uuid, uuid) from public;


-- Runs the read-only statement of the edited-segments pass (over stored profiles, or classifying)
-- over every customer, in p_parts parallel parts (private.scan_parts_sql), or as one statement when
-- p_parts is 1. The classifying pass is split like the classification's (private.scan_parts(org));
-- the pass over stored profiles is not: it classifies nothing, so reading its tables is most of its
-- work, and each part reads them whole (at a million customers, one statement 0.85–1.25 s, two
-- parts 1.0–1.6 s; the classifying pass 4.5–5.7 s as one statement, 3.9–4.1 s in two parts; load
-- 4.5). Through RETURN QUERY, so that the planner may give it a parallel plan (EXECUTE … INTO runs
-- a statement with a row limit, never in parallel); returns its one row.
create function private.run_segment_scan(p_sql text, p_org uuid, p_now timestamptz, p_values jsonb, p_cfg jsonb, p_parts integer)
returns table (scanned integer, changed_ids uuid[], segment_counts bigint[])
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_parts <= 1 then
    return query execute p_sql using p_org, p_now, null::uuid, null::uuid, null::uuid[], p_values, p_cfg;
  else
    return query execute private.scan_parts_sql(
        'private.segment_scan_part($1, $2, $3, $4, $5, %s, %s)', p_parts,
        '{scanned, changed_ids, segment_counts}', '{integer, uuid[], bigint[]}')
      using p_sql, p_org, p_now, p_values, p_cfg;
  end if;
end;
$$;

comment on function private.run_segment_scan(text, uuid, timestamptz, jsonb, jsonb, integer) is
  'Runs the read-only statement of the edited-segments pass over every customer, in p_parts parallel parts (or as one statement); returns its one row.';
revoke all on function private.run_segment_scan(text, uuid, timestamptz, jsonb, jsonb, integer) from public;


-- Writes the differences of the edited segments' memberships for some customers and their
-- profiles' segments digest (the pass over stored profiles, p_sql = stored_segment_pass_sql(…,
-- true)); returns {written, memberships_written, tag_ids}. segments_digest and computed_at are no
-- indexed columns, so a profile is updated in place when its page has room.
create function private.write_segment_differences(
  p_sql text, p_org uuid, p_now timestamptz, p_ids uuid[], p_values jsonb, p_cfg jsonb,
  out written integer, out memberships_written integer, out tag_ids uuid[])
language plpgsql
volatile
set search_path = ''
-- The listed customers are a few percent of the organization, spread over its tables: read by
-- index probes, not by sequential scans that the default random page cost makes the planner
-- prefer past ~10,000 ids (as the drift pass's write, private.recompute).
set random_page_cost = 1.1
as $$
begin
  execute p_sql into written, memberships_written, tag_ids
    using p_org, p_now, null::uuid, null::uuid, p_ids, p_values, p_cfg;
end;
$$;

comment on function private.write_segment_differences(text, uuid, timestamptz, uuid[], jsonb, jsonb) is
  'Writes the edited segments'' membership differences of some customers (the pass over stored profiles) and their profiles'' segments digest; returns {written, memberships_written, tag_ids}.';
revoke all on function private.write_segment_differences(text, uuid, timestamptz, uuid[], jsonb, jsonb) from public;

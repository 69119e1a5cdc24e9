-- Runs over every customer (a full run, or a dirty run after the segments changed) in one read-only
-- pass, then chunked writes.
--
-- Customer ids are random UUIDs, so a chunk of ids in (p_after, upto] reads its customers, profiles
-- and tags from pages spread over the whole tables: at a million customers every chunk read most
-- pages of them again. Instead, the first call of such a run classifies every customer in one
-- read-only statement (sequential scans and hash joins, the same plan as private.classify), stores
-- the ids of the customers whose profile would change in private.run_pending, and gathers today's
-- snapshot figures. Every call (the first included) then writes up to p_limit of the pending
-- customers, classified again as they are at that moment, so an order that arrives between the
-- pass and the write is never overwritten. next_after is the last customer written while more are
-- pending; the call that leaves none pending closes the run as before.
--
-- What a caller sees: the first chunk's scanned is every customer of the organization and later
-- chunks scan none; chunks count the calls that wrote (at least one); changed and rows_written are
-- as before.

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
-- segment_ids (and rule tags).
--
-- The full pass (scope 'all') is still taken when the notes do not cover every change since the
-- memberships were last evaluated, or when the edit moved the rules' day bounds (next_transition_at
-- then changes too).

alter table private.engine_state
  add column edited_segments uuid[] not null default '{}',
  add column edited_upto bigint not null default 0,
  add column edited_bounds_changed boolean not null default false;

-- Organizations whose memberships are current start with nothing edited.
update private.engine_state set edited_upto = segments_version where segments_done_version = segments_version;

-- The state of an organization without segments, whatever columns the state has.
create or replace function private.engine_state_of(p_org uuid)
returns private.engine_state
language plpgsql
stable
set search_path = ''
as $$
declare
  state private.engine_state;
begin
  select * into state from private.engine_state es where es.org_id = p_org;
  if not found then
    state.org_id := p_org;
    state.membership_sql := '''{}''::uuid[]';
    state.membership_values := '[]';
    state.uses_tags := false;
    state.last_order_bounds := '{}';
    state.first_order_bounds := '{}';
    state.last_event_bounds := '{}';
    state.created_bounds := '{}';
    state.segments_version := 0;
    state.segments_done_version := 0;
    state.compiled_at := now();
    state.segment_list := '{}';
    state.edited_segments := '{}';
    state.edited_upto := 0;
    state.edited_bounds_changed := false;
  end if;
  return state;
end;
$$;

comment on column private.engine_state.edited_segments is
  'Segments edited (rule, activity or tag) since their memberships were last evaluated for everyone, with the segments that include them: what a dirty run re-evaluates when edited_upto = segments_version.';
comment on column private.engine_state.edited_upto is
  'The segments_version up to which edited_segments accounts for every change since segments_done_version.';
comment on column private.engine_state.edited_bounds_changed is
  'True when an edit since the last evaluation changed the rules'' day bounds (the next dirty run then classifies everyone).';


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
      or (es.last_order_bounds, es.first_order_bounds, es.last_event_bounds, es.created_bounds)
         is distinct from (p_before.last_order_bounds, p_before.first_order_bounds, p_before.last_event_bounds, p_before.created_bounds)
   where es.org_id = p_org;
end;
$$;

comment on function private.note_edited_segments(uuid, uuid[], private.engine_state) is
  'Records edited segments (and the segments that include them) in engine_state after a recompile, for the dirty run''s edited-segments pass.';
revoke all on function private.note_edited_segments(uuid, uuid[], private.engine_state) from public;


create or replace function private.recompile_inserted_segments()
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
    perform private.note_edited_segments(org, array(select n.id from new_rows n where n.org_id = org), before);
  end loop;
  return null;
end;
$$;

create or replace function private.recompile_changed_segments()
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

create or replace function private.recompile_deleted_segments()
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
-- segment_ids of the listed customers (scope 'ids') and return {written, tag_ids}.
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
  state.uses_tags := position('r.tag_names' in state.membership_sql) > 0;
  ctes := private.classification_ctes('stored', state, case when p_write then 'ids' else 'range' end);
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
  -- The new list: the stored one without the edited segments, with the edited ones the row is in
  -- (slots in segment_list order, which is the order of the ids, as in segment_ids).
  return private.engine_scope('with ' || ctes || format($sql$,
upd as (
  update public.customer_profiles p set
    segment_ids = array(select m from unnest(p.segment_ids) as m where not m = any (($7 ->> 'edited')::uuid[])
                        union
                        select m from unnest(y.new_segment_ids) as m
                        order by 1),
    computed_at = $2
  from y
  where p.org_id = $1 and {SCOPE:p.customer_id} and p.customer_id = y.customer_id and y.has_profile and %s
  returning p.customer_id
)
select (select count(*) from upd)::integer as written, array(select u.customer_id from upd u) as tag_ids$sql$,
    replace(p_changed, 'y.old_segment_ids', 'p.segment_ids')), 'ids');
end;
$$;

comment on function private.segment_pass_sql(private.engine_state, text, boolean) is
  'The text of the edited-segments pass: find the customers whose membership of the edited segments changed (p_write false), or rewrite those memberships for a list of customers (p_write true).';
revoke all on function private.segment_pass_sql(private.engine_state, text, boolean) from public;


create or replace function private.recompute(
  p_org uuid,
  p_kind text,
  p_after uuid default null,
  p_limit integer default 20000,
  p_run_id bigint default null,
  p_now timestamptz default null
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
set work_mem = '128MB'
set jit = off
as $$
declare
  v_kind public.recompute_kind;
  run public.recompute_runs;
  state private.engine_state;
  scope text;
  chunk_started timestamptz := clock_timestamp();
  ids uuid[];
  last_chunk boolean;
  next_after uuid;
  result jsonb;
  extra_rows integer := 0;
  tag_rows integer := 0;
  members jsonb;
  scan record;
  tags record;
  stored_settings jsonb;
  current_settings jsonb;
  v_force boolean;
  opened boolean := false;
  scanned integer := 0;
  edited uuid[];
  some_segments record;
  segment_state private.engine_state;
  segment_config jsonb;
  segment_write record;
  problem text;
begin
  if (select auth.role()) = 'anon'
     or ((select auth.role()) = 'authenticated' and not p_org in (select private.admin_org_ids())) then
    raise exception using errcode = '42501', message = 'only an admin of the organization can recompute its segments';
  end if;
  begin
    v_kind := p_kind::public.recompute_kind;
  exception when invalid_text_representation then
    v_kind := null;
  end;
  if v_kind is null then
    raise exception using errcode = '22023', message = 'p_kind must be full, dirty or drift';
  end if;
  if p_limit is null or p_limit not between 1 and 1000000 then
    raise exception using errcode = '22023', message = 'p_limit must be between 1 and 1000000';
  end if;
  select private.org_settings_with_defaults(o.settings) into current_settings from public.organizations o where o.id = p_org;
  if current_settings is null then
    raise exception using errcode = '22023', message = format('p_org: no organization %s', p_org);
  end if;

  -- One run at a time per organization.
  perform pg_advisory_xact_lock(hashtext('portrait.recompute'), hashtext(p_org::text));
  state := private.engine_state_of(p_org);
  select cp.settings into stored_settings from public.cut_points cp where cp.org_id = p_org;

  if p_run_id is not null or p_after is not null then
    select * into run
      from public.recompute_runs rr
     where rr.org_id = p_org and rr.kind = v_kind and rr.finished_at is null
       and (p_run_id is null or rr.id = p_run_id)
     order by rr.started_at desc, rr.id desc
     limit 1
       for update;
    if not found then
      raise exception using
        errcode = '22023',
        message = format('no open %s run%s of organization %s to continue', v_kind,
                         case when p_run_id is null then '' else ' ' || p_run_id end, p_org),
        hint = 'Start a run with p_after null and p_run_id null.';
    end if;
  else
    update public.recompute_runs rr
       set finished_at = greatest(clock_timestamp(), rr.started_at),
           error = 'abandoned: a new run of this kind started before it finished'
     where rr.org_id = p_org and rr.kind = v_kind and rr.finished_at is null;

    scope := case v_kind
      when 'full' then 'all'
      when 'drift' then 'due'
      else case
        when state.segments_version <= state.segments_done_version then 'queue'
        -- Only edited segments to evaluate again, when the notes cover every change since.
        when state.edited_upto = state.segments_version and not state.edited_bounds_changed
             and cardinality(state.edited_segments) > 0 then 'segments'
        else 'all'
      end
    end;
    insert into public.recompute_runs (org_id, kind, as_of, details)
    values (p_org, v_kind, coalesce(p_now, private.engine_now()), jsonb_build_object(
      'scope', scope,
      'segments_version', state.segments_version,
      'aggregates', scope = 'all',
      'segment_list', to_jsonb(state.segment_list),
      'edited', case when scope = 'segments' then to_jsonb(state.edited_segments) end,
      'stage_counts', to_jsonb(array_fill(0, array[8])),
      'stage_revenue', to_jsonb(array_fill(0, array[8])),
      'segment_counts', to_jsonb(array_fill(0, array[cardinality(state.segment_list)])),
      'force', v_kind = 'full' and stored_settings is distinct from current_settings,
      'chunks', 0, 'profiles_written', 0, 'stage_changes', 0, 'tags_added', 0, 'tags_removed', 0
    ))
    returning * into run;
    opened := true;

    if v_kind = 'full' then
      perform private.store_cut_points(p_org, run.as_of, run.id);
      update public.recompute_runs rr
         set details = rr.details || '{"cut_points_refreshed": true}'
       where rr.id = run.id
      returning * into run;
    end if;
  end if;

  scope := run.details ->> 'scope';
  v_force := coalesce((run.details ->> 'force')::boolean, false);

  begin
    -- The chunk.
    if scope = 'all' then
      if opened then
        -- One read-only pass over every customer (sequential scans and hash joins: the ids are
        -- random, so ranges of them would read most pages once per chunk): who changed, and
        -- today's figures. The changed customers wait in run_pending for the chunks that write them.
        execute private.classification_scan_sql(state) into scan
          using p_org, run.as_of, null::uuid, null::uuid, null::uuid[], state.membership_values,
                private.engine_config(p_org, state), v_force;
        insert into private.run_pending (run_id, customer_id)
        select run.id, i from unnest(scan.changed_ids) as i;
        update public.recompute_runs rr
           set details = rr.details || jsonb_build_object(
                 'stage_counts', to_jsonb(scan.stage_counts),
                 'stage_revenue', to_jsonb(scan.stage_revenue),
                 'segment_counts', to_jsonb(scan.segment_counts),
                 'pending', cardinality(scan.changed_ids))
         where rr.id = run.id
        returning * into run;
        scanned := scan.scanned;
        delete from private.dirty_customers dc
         where dc.org_id = p_org and dc.queued_at <= chunk_started;
      end if;
      -- Write up to p_limit of the changed customers (classified again as they are now).
      -- Taken off the list by the pending index (= any: a semi-join with the list can turn into a
      -- loop over both).
      ids := array(
        select rp.customer_id from private.run_pending rp
         where rp.run_id = run.id
         order by rp.customer_id
         limit p_limit);
      delete from private.run_pending rp where rp.run_id = run.id and rp.customer_id = any (ids);
      if cardinality(ids) > 0 then
        result := private.apply_classification(p_org, run.as_of, null, null, ids, 'stored', v_force, true);
      else
        result := jsonb_build_object('changed', 0, 'rows_written', 0, 'profiles_written', 0,
                                     'stage_changes', 0, 'tags_added', 0, 'tags_removed', 0);
      end if;
      result := result || jsonb_build_object('scanned', scanned);
      last_chunk := not exists (select 1 from private.run_pending rp where rp.run_id = run.id);
      next_after := case when last_chunk then null else ids[cardinality(ids)] end;
    elsif scope = 'segments' then
      -- The edited segments (and those including them), evaluated for every customer in one
      -- read-only pass; the chunks rewrite the memberships that differ.
      edited := array(select jsonb_array_elements_text(run.details -> 'edited')::uuid);
      select * into some_segments from private.compile_some_segments(p_org, edited);
      segment_state := state;
      segment_state.membership_sql := some_segments.membership_sql;
      -- The slots: the edited segments still active, in the order of their ids.
      segment_state.segment_list := array(select s.id from public.segments s
                                           where s.org_id = p_org and s.is_active and s.id = any (edited)
                                           order by s.id);
      segment_config := private.engine_config(p_org, state) || jsonb_build_object('edited', edited::text);
      if opened then
        execute private.segment_pass_sql(segment_state, some_segments.changed_sql, false) into scan
          using p_org, run.as_of, null::uuid, null::uuid, null::uuid[], some_segments.membership_values, segment_config;
        insert into private.run_pending (run_id, customer_id)
        select run.id, i from unnest(scan.changed_ids) as i;
        -- Members of each edited segment still active (in the order of its id), as the pass found them.
        update public.recompute_runs rr
           set details = rr.details || jsonb_build_object(
                 'pending', cardinality(scan.changed_ids),
                 'edited_counts', (select coalesce(jsonb_object_agg(a.id, scan.segment_counts[a.n]), '{}')
                                     from unnest(segment_state.segment_list) with ordinality as a (id, n)))
         where rr.id = run.id
        returning * into run;
        scanned := scan.scanned;
      end if;
      ids := array(
        select rp.customer_id from private.run_pending rp
         where rp.run_id = run.id
         order by rp.customer_id
         limit p_limit);
      delete from private.run_pending rp where rp.run_id = run.id and rp.customer_id = any (ids);
      result := jsonb_build_object('changed', 0, 'rows_written', 0, 'profiles_written', 0,
                                   'stage_changes', 0, 'tags_added', 0, 'tags_removed', 0);
      if cardinality(ids) > 0 then
        execute private.segment_pass_sql(segment_state, some_segments.changed_sql, true) into segment_write
          using p_org, run.as_of, null::uuid, null::uuid, ids, some_segments.membership_values, segment_config;
        if cardinality(segment_write.tag_ids) > 0 then
          select t.added, t.removed into tags from private.sync_rule_tags(p_org, segment_write.tag_ids) as t;
        else
          select 0 as added, 0 as removed into tags;
        end if;
        result := jsonb_build_object('changed', segment_write.written, 'profiles_written', segment_write.written,
                                     'stage_changes', 0, 'tags_added', tags.added, 'tags_removed', tags.removed,
                                     'rows_written', segment_write.written + tags.added + tags.removed);
      end if;
      result := result || jsonb_build_object('scanned', scanned);
      last_chunk := not exists (select 1 from private.run_pending rp where rp.run_id = run.id);
      next_after := case when last_chunk then null else ids[cardinality(ids)] end;
    else
      if scope = 'queue' then
        ids := array(
          select dc.customer_id from private.dirty_customers dc
           where dc.org_id = p_org and (p_after is null or dc.customer_id > p_after)
           order by dc.customer_id
           limit p_limit);
      else
        ids := array(
          select p.customer_id from public.customer_profiles p
           where p.org_id = p_org and p.next_transition_at <= run.as_of
             and (p_after is null or p.customer_id > p_after)
           order by p.customer_id
           limit p_limit);
      end if;
      last_chunk := cardinality(ids) < p_limit;
      next_after := case when last_chunk then null else ids[cardinality(ids)] end;
      if cardinality(ids) > 0 then
        result := private.apply_classification(p_org, run.as_of, null, null, ids,
                                               case when scope = 'queue' then 'orders' else 'stored' end, false, false);
        delete from private.dirty_customers dc
         where dc.org_id = p_org and dc.customer_id = any (ids) and dc.queued_at <= chunk_started;
      else
        result := jsonb_build_object('scanned', 0, 'changed', 0, 'rows_written', 0, 'profiles_written', 0,
                                     'stage_changes', 0, 'tags_added', 0, 'tags_removed', 0);
      end if;
    end if;

    update public.recompute_runs rr set
      customers_scanned = rr.customers_scanned + (result ->> 'scanned')::integer,
      customers_changed = rr.customers_changed + (result ->> 'changed')::integer,
      rows_written = rr.rows_written + (result ->> 'rows_written')::integer,
      details = rr.details || jsonb_build_object(
        'chunks', coalesce((rr.details ->> 'chunks')::integer, 0) + 1,
        'profiles_written', coalesce((rr.details ->> 'profiles_written')::integer, 0) + (result ->> 'profiles_written')::integer,
        'stage_changes', coalesce((rr.details ->> 'stage_changes')::integer, 0) + (result ->> 'stage_changes')::integer,
        'tags_added', coalesce((rr.details ->> 'tags_added')::integer, 0) + (result ->> 'tags_added')::integer,
        'tags_removed', coalesce((rr.details ->> 'tags_removed')::integer, 0) + (result ->> 'tags_removed')::integer,
        'next_after', next_after)
     where rr.id = run.id
    returning * into run;

    if last_chunk then
      -- Today's snapshot: always after a full run; after a drift run when the organization's latest
      -- is more than an hour old (the drift pass runs every minute and must stay cheap).
      if scope = 'all' and (run.details ->> 'aggregates')::boolean then
        -- Gathered chunk by chunk.
        select coalesce(jsonb_object_agg(run.details -> 'segment_list' ->> (n - 1), (run.details -> 'segment_counts' ->> (n - 1))::bigint), '{}')
          into members
          from generate_series(1, jsonb_array_length(run.details -> 'segment_list')) as n;
      end if;
      if v_kind = 'full' and members is not null then
        perform private.write_stage_snapshot(p_org, run.as_of,
          array(select jsonb_array_elements_text(run.details -> 'stage_counts')::bigint),
          array(select jsonb_array_elements_text(run.details -> 'stage_revenue')::numeric),
          members);
        extra_rows := extra_rows + 1;
      elsif v_kind = 'full' or (v_kind = 'drift' and not exists (
           select 1 from public.stage_snapshots ss
            where ss.org_id = p_org and ss.source = 'engine'
              and ss.as_of > run.as_of - interval '1 hour' and ss.as_of <= run.as_of)) then
        members := private.take_stage_snapshot(p_org, run.as_of);
        extra_rows := extra_rows + 1;
      end if;
      if scope = 'segments' then
        -- The edited segments' members were just evaluated: their counts (the others' stand).
        with updated as (
          update public.segments s
             set member_count = coalesce((run.details -> 'edited_counts' ->> s.id::text)::integer, 0),
                 computed_at = run.as_of
           where s.org_id = p_org and s.is_active
             and s.id in (select jsonb_array_elements_text(run.details -> 'edited')::uuid)
          returning 1
        )
        select extra_rows + count(*)::integer into extra_rows from updated;
      end if;
      if scope in ('all', 'segments') then
        if scope = 'all' then
          -- Memberships of every customer were just evaluated.
          if members is null then
            members := private.segment_member_counts(p_org);
          end if;
          with updated as (
            update public.segments s
               set member_count = coalesce((members ->> s.id::text)::integer, 0), computed_at = run.as_of
             where s.org_id = p_org and s.is_active
            returning 1
          )
          select extra_rows + count(*)::integer into extra_rows from updated;
        end if;
        -- The edits noted up to this run's segments are evaluated now.
        update private.engine_state es set
          edited_segments = '{}', edited_bounds_changed = false,
          edited_upto = (run.details ->> 'segments_version')::bigint
         where es.org_id = p_org
           and (es.edited_upto = (run.details ->> 'segments_version')::bigint
                or (es.edited_upto < (run.details ->> 'segments_version')::bigint
                    and es.segments_version = (run.details ->> 'segments_version')::bigint));

        if (run.details ->> 'segments_version')::bigint > state.segments_done_version then
          -- A segment's tag may have changed without its members: every member's rule tags, when
          -- the organization has any (a pass over all profiles otherwise finds nothing to do).
          if exists (select 1 from public.segments s where s.org_id = p_org and s.tag_id is not null)
             or exists (select 1 from public.customer_tags ct where ct.org_id = p_org and ct.source = 'rule') then
            select t.added, t.removed into tags from private.sync_rule_tags(p_org, null) as t;
          else
            select 0 as added, 0 as removed into tags;
          end if;
          tag_rows := tags.added + tags.removed;
          update public.recompute_runs rr
             set rows_written = rr.rows_written + tag_rows,
                 details = rr.details || jsonb_build_object(
                   'tags_added', (rr.details ->> 'tags_added')::integer + tags.added,
                   'tags_removed', (rr.details ->> 'tags_removed')::integer + tags.removed)
           where rr.id = run.id;
          update private.engine_state es
             set segments_done_version = greatest(es.segments_done_version, (run.details ->> 'segments_version')::bigint)
           where es.org_id = p_org;
        end if;
      end if;
      update public.recompute_runs rr
         set finished_at = greatest(clock_timestamp(), rr.started_at),
             details = rr.details || jsonb_build_object('bookkeeping_rows', extra_rows)
       where rr.id = run.id
      returning * into run;
    end if;
  exception when others then
    get stacked diagnostics problem = message_text;
    update public.recompute_runs rr
       set finished_at = greatest(clock_timestamp(), rr.started_at), error = problem
     where rr.id = run.id
    returning * into run;
    return jsonb_build_object(
      'run_id', run.id, 'kind', v_kind, 'scope', scope, 'as_of', run.as_of,
      'scanned', 0, 'changed', 0, 'rows_written', 0, 'next_after', null,
      'full_recommended', stored_settings is distinct from current_settings,
      'error', problem);
  end;

  return jsonb_build_object(
    'run_id', run.id,
    'kind', v_kind,
    'scope', scope,
    'as_of', run.as_of,
    'scanned', (result ->> 'scanned')::integer,
    'changed', (result ->> 'changed')::integer,
    'rows_written', (result ->> 'rows_written')::integer + tag_rows,
    'next_after', next_after,
    'full_recommended', v_kind <> 'full' and stored_settings is distinct from current_settings,
    'error', null);
end;
$$;

comment on function private.recompute(uuid, text, uuid, integer, bigint, timestamptz) is
  'One chunk of an engine run (full | dirty | drift) for an organization: a run over everyone classifies all its customers in the first chunk''s read-only pass and then writes at most p_limit changed customers per chunk; other runs take at most p_limit customers after p_after per chunk. The first chunk (p_after and p_run_id null) opens the run (a full run refreshes the cut points); pass next_after and run_id to continue; the chunk returning next_after null closes it. Returns {run_id, kind, scope, as_of, scanned, changed, rows_written, next_after, full_recommended, error}.';



-- JIT compilation costs the one-pass statements more than it saves (seconds of compiling the
-- classification's many expressions at a million customers); the read-only classification is
-- measured against the full run under the same setting.
alter function private.classify(uuid, timestamptz, boolean) set jit = off;


-- Rule tags: the same, but without touching the customers' tags when no segment carries a tag and
-- none of these customers has a rule tag to take off.
create or replace function private.sync_rule_tags(p_org uuid, p_ids uuid[] default null, out added integer, out removed integer)
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  -- Nothing to put and nothing to take off (the common case of an order): no statement over the
  -- customers' tags at all.
  if p_ids is not null
     and not exists (select 1 from public.segments s where s.org_id = p_org and s.tag_id is not null)
     and not exists (select 1 from public.customer_tags ct
                      where ct.org_id = p_org and ct.customer_id = any (p_ids) and ct.source = 'rule') then
    added := 0;
    removed := 0;
    return;
  end if;
  if p_ids is null then
    with desired as (
      select distinct p.customer_id, s.tag_id
        from public.customer_profiles p
        cross join lateral unnest(p.segment_ids) as m (segment_id)
        join public.segments s on s.org_id = p.org_id and s.id = m.segment_id
       where p.org_id = p_org and s.tag_id is not null and s.is_active and cardinality(p.segment_ids) > 0
    ), gone as (
      delete from public.customer_tags ct
       where ct.org_id = p_org and ct.source = 'rule'
         and not exists (select 1 from desired d where d.customer_id = ct.customer_id and d.tag_id = ct.tag_id)
      returning 1
    ), put as (
      insert into public.customer_tags (org_id, customer_id, tag_id, source, added_by, added_at)
      select p_org, d.customer_id, d.tag_id, 'rule', null, now() from desired d
      on conflict (org_id, customer_id, tag_id) do nothing
      returning 1
    )
    select (select count(*) from put)::integer, (select count(*) from gone)::integer into added, removed;
  else
    -- Some customers: every lookup by customer id.
    with listed as (
      select distinct i as customer_id from unnest(p_ids) as i
    ), desired as (
      select distinct p.customer_id, s.tag_id
        from listed l
        join public.customer_profiles p on p.org_id = p_org and p.customer_id = l.customer_id
        cross join lateral unnest(p.segment_ids) as m (segment_id)
        join public.segments s on s.org_id = p.org_id and s.id = m.segment_id
       where s.tag_id is not null and s.is_active
    ), gone as (
      delete from public.customer_tags ct
       using listed l
       where ct.org_id = p_org and ct.customer_id = l.customer_id and ct.source = 'rule'
         and not exists (select 1 from desired d where d.customer_id = ct.customer_id and d.tag_id = ct.tag_id)
      returning 1
    ), put as (
      insert into public.customer_tags (org_id, customer_id, tag_id, source, added_by, added_at)
      select p_org, d.customer_id, d.tag_id, 'rule', null, now() from desired d
      on conflict (org_id, customer_id, tag_id) do nothing
      returning 1
    )
    select (select count(*) from put)::integer, (select count(*) from gone)::integer into added, removed;
  end if;
end;
$$;


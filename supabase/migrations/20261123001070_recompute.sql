-- Engine runs: what the recompute-segments edge function (and the local scheduler) calls in a loop,
-- one chunk of customers per call, so that no call runs long and no transaction is huge.
--
--   private.recompute(p_org, p_kind, p_after, p_limit, p_run_id, p_now) returns jsonb
--     {"run_id", "kind", "scope", "as_of", "scanned", "changed", "rows_written", "next_after",
--      "full_recommended", "error"}
--
-- Calling it:
--   1. First chunk: p_after null and p_run_id null. Opens a run in recompute_runs (as_of = p_now,
--      default now; every chunk of the run classifies as of that moment). A 'full' run stores
--      fresh cut points first. Earlier runs of the same organization and kind left open (a caller
--      that gave up) are closed with an error.
--   2. Next chunks: pass the previous answer's next_after as p_after and its run_id as p_run_id
--      (without p_run_id, the latest open run of that organization and kind is continued).
--   3. Stop when next_after is null: the last chunk closes the run (finished_at); a full run writes
--      today's stage snapshot, a drift run too when the latest snapshot is more than an hour old.
--
-- Kinds:
--   full   every customer, ids in (p_after, …] up to p_limit of them, against fresh cut points;
--          also refreshes segments.member_count. Rewrites every profile's reasons when the
--          organization's settings changed since the cut points were last computed.
--   dirty  the customers in private.dirty_customers; when segments changed since their
--          memberships were last evaluated, every customer instead (against the stored cut points).
--   drift  the customers whose next_transition_at has come (as of the run's as_of).
-- Each chunk writes only rows whose values changed: a run over everyone first classifies its range
-- in one read-only pass (which also gathers today's snapshot figures), then writes the changed
-- customers. rows_written counts the rows written in customer_profiles, stage_changes and
-- customer_tags; the bookkeeping rows (cut points, member counts, the snapshot) are counted in
-- details.bookkeeping_rows.
--
-- full_recommended is true when the settings changed since the cut points were computed: a full
-- run then brings every reason and threshold up to date.
--
-- Callers: the service role and direct database connections (the edge function, the scheduler);
-- a signed-in user only for an organization they administer (public.recompute_segments).
-- An error inside a chunk rolls the chunk back and closes the run with the error recorded.

-- Element-wise sum of two arrays of numbers (missing elements count as 0).
create function private.add_arrays(p_a numeric[], p_b numeric[])
returns numeric[]
language sql
immutable
set search_path = ''
as $$
  select coalesce(array_agg(coalesce(u.a, 0) + coalesce(u.b, 0) order by u.n), '{}')
    from unnest(p_a, p_b) with ordinality as u (a, b, n)
$$;

comment on function private.add_arrays(numeric[], numeric[]) is 'Element-wise sum of two arrays of numbers; a missing element counts as 0.';
revoke all on function private.add_arrays(numeric[], numeric[]) from public;


-- Members per active segment of an organization, in one pass over its profiles.
create function private.segment_member_counts(p_org uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  segment_list uuid[] := array(select g.id from public.segments g where g.org_id = p_org and g.is_active order by g.id);
  counts text;
  totals bigint[];
begin
  if cardinality(segment_list) = 0 then
    return '{}'::jsonb;
  end if;
  select string_agg(format('count(*) filter (where p.segment_ids @> array[($2::uuid[])[%s]])', n), ', ' order by n)
    into counts
    from generate_series(1, cardinality(segment_list)) as n;
  execute 'select array[' || counts || ']::bigint[] from public.customer_profiles p where p.org_id = $1'
    into totals using p_org, segment_list;
  return (select jsonb_object_agg(segment_list[n], totals[n]) from generate_series(1, cardinality(segment_list)) as n);
end;
$$;

comment on function private.segment_member_counts(uuid) is
  'How many customers are in each active segment of an organization ({"<segment id>": count}), counted in one pass.';

revoke all on function private.segment_member_counts(uuid) from public;


create function private.recompute(
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
as $$
declare
  v_kind public.recompute_kind;
  run public.recompute_runs;
  state private.engine_state;
  scope text;
  chunk_started timestamptz := clock_timestamp();
  upto uuid;
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
      else case when state.segments_version > state.segments_done_version then 'all' else 'queue' end
    end;
    insert into public.recompute_runs (org_id, kind, as_of, details)
    values (p_org, v_kind, coalesce(p_now, private.engine_now()), jsonb_build_object(
      'scope', scope,
      'segments_version', state.segments_version,
      'aggregates', scope = 'all',
      'segment_list', to_jsonb(state.segment_list),
      'stage_counts', to_jsonb(array_fill(0, array[8])),
      'stage_revenue', to_jsonb(array_fill(0, array[8])),
      'segment_counts', to_jsonb(array_fill(0, array[cardinality(state.segment_list)])),
      'force', v_kind = 'full' and stored_settings is distinct from current_settings,
      'chunks', 0, 'profiles_written', 0, 'stage_changes', 0, 'tags_added', 0, 'tags_removed', 0
    ))
    returning * into run;

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
      select c.id into upto
        from public.customers c
       where c.org_id = p_org and (p_after is null or c.id > p_after)
       order by c.id
      offset p_limit - 1
       limit 1;
      last_chunk := upto is null;
      next_after := upto;
      -- One pass over the range: who changed, and today's figures; then only the changed are written.
      execute private.classification_scan_sql(state) into scan
        using p_org, run.as_of, p_after, upto, null::uuid[], state.membership_values, private.engine_config(p_org, state), v_force;
      if cardinality(scan.changed_ids) > 0 then
        result := private.apply_classification(p_org, run.as_of, null, null, scan.changed_ids, 'stored', v_force, true);
      else
        result := jsonb_build_object('changed', 0, 'rows_written', 0, 'profiles_written', 0,
                                     'stage_changes', 0, 'tags_added', 0, 'tags_removed', 0);
      end if;
      result := result || jsonb_build_object('scanned', scan.scanned);
      if (run.details ->> 'aggregates')::boolean
         and state.segment_list = array(select jsonb_array_elements_text(run.details -> 'segment_list')::uuid) then
        update public.recompute_runs rr
           set details = rr.details || jsonb_build_object(
                 'stage_counts', to_jsonb(private.add_arrays(
                   array(select jsonb_array_elements_text(rr.details -> 'stage_counts')::numeric), scan.stage_counts::numeric[])),
                 'stage_revenue', to_jsonb(private.add_arrays(
                   array(select jsonb_array_elements_text(rr.details -> 'stage_revenue')::numeric), scan.stage_revenue)),
                 'segment_counts', to_jsonb(private.add_arrays(
                   array(select jsonb_array_elements_text(rr.details -> 'segment_counts')::numeric), scan.segment_counts::numeric[])))
         where rr.id = run.id
        returning * into run;
      else
        update public.recompute_runs rr set details = rr.details || '{"aggregates": false}'
         where rr.id = run.id
        returning * into run;
      end if;
      delete from private.dirty_customers dc
       where dc.org_id = p_org and (p_after is null or dc.customer_id > p_after)
         and (upto is null or dc.customer_id <= upto) and dc.queued_at <= chunk_started;
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
         where dc.org_id = p_org and dc.customer_id in (select unnest(ids)) and dc.queued_at <= chunk_started;
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

        if (run.details ->> 'segments_version')::bigint > state.segments_done_version then
          select t.added, t.removed into tags from private.sync_rule_tags(p_org, null) as t;
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
  'One chunk of an engine run (full | dirty | drift) for an organization: customers with ids after p_after, at most p_limit. The first chunk (p_after and p_run_id null) opens the run (a full run refreshes the cut points); pass next_after and run_id to continue; the chunk returning next_after null closes it. Returns {run_id, kind, scope, as_of, scanned, changed, rows_written, next_after, full_recommended, error}.';

revoke all on function private.recompute(uuid, text, uuid, integer, bigint, timestamptz) from public;
grant execute on function private.recompute(uuid, text, uuid, integer, bigint, timestamptz) to authenticated, service_role;


-- The API's way to recompute on demand: an admin runs every chunk of a run in one call. Fine for
-- organizations of tens of thousands of customers; larger ones use the recompute-segments edge
-- function, which calls private.recompute chunk by chunk within the edge limits.
create function public.recompute_segments(p_org uuid, p_kind text default 'full')
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  chunk jsonb;
  after_ uuid;
  run_id bigint;
  chunks integer := 0;
  scanned integer := 0;
  changed integer := 0;
  written integer := 0;
begin
  if p_org is null then
    raise exception using errcode = '22023', message = 'p_org is required: the organization to recompute';
  end if;
  if not p_org in (select private.admin_org_ids()) then
    raise exception using
      errcode = '42501',
      message = format('p_org: only an admin of organization %s can recompute its segments', p_org);
  end if;
  if p_kind is null or p_kind not in ('full', 'dirty', 'drift') then
    raise exception using errcode = '22023', message = 'p_kind must be full, dirty or drift';
  end if;

  loop
    chunk := private.recompute(p_org, p_kind, after_, 20000, run_id);
    run_id := (chunk ->> 'run_id')::bigint;
    chunks := chunks + 1;
    scanned := scanned + (chunk ->> 'scanned')::integer;
    changed := changed + (chunk ->> 'changed')::integer;
    written := written + (chunk ->> 'rows_written')::integer;
    after_ := (chunk ->> 'next_after')::uuid;
    exit when after_ is null;
  end loop;

  return jsonb_build_object(
    'run_id', run_id,
    'kind', p_kind,
    'chunks', chunks,
    'scanned', scanned,
    'changed', changed,
    'rows_written', written,
    'full_recommended', (chunk ->> 'full_recommended')::boolean,
    'error', chunk -> 'error');
end;
$$;

comment on function public.recompute_segments(uuid, text) is
  'Recomputes an organization''s portraits and segments now (p_kind full, dirty or drift; default full), for its admins. Returns {run_id, kind, chunks, scanned, changed, rows_written, full_recommended, error}; the run is recorded in recompute_runs.';

revoke all on function public.recompute_segments(uuid, text) from public, anon, service_role;
grant execute on function public.recompute_segments(uuid, text) to authenticated;

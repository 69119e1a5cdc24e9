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

create table private.run_pending (
  run_id bigint not null,
  customer_id uuid not null,
  constraint run_pending_pkey primary key (run_id, customer_id),
  constraint run_pending_run_id_fkey foreign key (run_id) references public.recompute_runs (id) on delete cascade
);

comment on table private.run_pending is
  'Customers a run over everyone found changed in its read-only pass and has not written yet (removed as each chunk writes them).';
comment on column private.run_pending.run_id is 'The run (public.recompute_runs).';
comment on column private.run_pending.customer_id is 'A customer whose profile the run still has to write.';

alter table private.run_pending enable row level security;
revoke all on table private.run_pending from public, anon, authenticated;
grant all on table private.run_pending to service_role;


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
      ids := array(
        select rp.customer_id from private.run_pending rp
         where rp.run_id = run.id
         order by rp.customer_id
         limit p_limit);
      if cardinality(ids) > 0 then
        result := private.apply_classification(p_org, run.as_of, null, null, ids, 'stored', v_force, true);
        delete from private.run_pending rp where rp.run_id = run.id and rp.customer_id in (select unnest(ids));
      else
        result := jsonb_build_object('changed', 0, 'rows_written', 0, 'profiles_written', 0,
                                     'stage_changes', 0, 'tags_added', 0, 'tags_removed', 0);
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


-- Engine runs: what the recompute-segments edge function (and the local scheduler) calls in a loop,
-- one chunk per call, so that no call runs long and no transaction is huge.
--
--   private.recompute(p_org, p_kind, p_after, p_limit, p_run_id, p_now) returns jsonb
--     {"run_id", "kind", "scope", "as_of", "scanned", "changed", "rows_written", "next_after",
--      "full_recommended", "error"}
--
-- Calling it:
--   1. First chunk: p_after null and p_run_id null. Opens a run in recompute_runs (as_of = now;
--      every chunk of the run classifies as of that moment). A 'full' run stores fresh cut points
--      first. Earlier runs of the same organization and kind left open (a caller that gave up) are
--      closed with an error.
--   2. Next chunks: pass the previous answer's next_after as p_after and its run_id as p_run_id
--      (without p_run_id, the latest open run of that organization and kind is continued).
--   3. Stop when next_after is null: the last chunk closes the run (finished_at); a full run writes
--      today's stage snapshot, a drift run too when the latest snapshot is more than an hour old.
--
-- The engine's clock: a run is as of the transaction's time. Only the service role or a direct
-- database connection without a client's role (tests, imports) may run it as of another moment
-- (p_now, or portrait.engine_now), at most a day ahead and at most ten years back; the run records
-- that its moment was given (details.as_of_given). A signed-in user's run is always as of now: a
-- p_now from them is refused (42501) and portrait.engine_now is ignored.
--
-- Kinds and their scopes (details.scope):
--   full   every customer ('all'), against fresh cut points; also refreshes segments.member_count.
--          Rewrites every profile's reasons when the organization's settings changed since the cut
--          points were last computed.
--   dirty  the customers in private.dirty_customers ('queue'); when segments changed since their
--          memberships were last evaluated, the edited segments for every customer ('segments',
--          see 20261123001070_edited_segments_pass.sql) or, when the edits moved the rules' day
--          bounds or are not all noted, every customer ('all', against the stored cut points);
--          every customer ('all') too while the organization owes a pass over everyone
--          (private.passes_owed, noted by an import instead of queueing its customers).
--   drift  the customers whose next_transition_at has come as of the run's as_of ('due'); first,
--          owned customers whose recycle_at has come go back to the pool (details.recycled).
--
-- Runs over every customer ('all', 'segments') take one read-only pass, then chunked writes.
-- Customer ids are random UUIDs, so a chunk of ids in (p_after, upto] would read its customers,
-- profiles and tags from pages spread over the whole tables: at a million customers every chunk
-- would read most pages again. Instead, the first call classifies every customer in one read-only
-- pass (sequential scans and hash joins, the same plan as private.classify; in
-- private.scan_parts(p_org) parts over wide id ranges run by parallel workers, supabase/README.md "A run
-- over everyone, in parts"), finds the customers whose profile would change (those past the
-- first p_limit wait in private.run_pending), and gathers today's snapshot figures. Every call
-- (the first included) then writes up to p_limit of the changed customers,
-- classified again as they are at that moment, so an order that arrives between the pass and the
-- write is never overwritten. next_after is the last customer written while more are pending; the
-- call that leaves none pending closes the run. The first chunk's scanned is every customer and
-- later chunks scan none. Other runs take at most p_limit customers after p_after per chunk.
--
-- Each chunk writes only rows whose values changed. rows_written counts the rows written in
-- customer_profiles, stage_changes, segment_memberships and customer_tags (details has each apart); the bookkeeping rows (cut points, member
-- counts, the snapshot) are counted in details.bookkeeping_rows. full_recommended is true when the
-- settings changed since the cut points were computed: a full run then brings every reason and
-- threshold up to date.
--
-- Callers: the service role and direct database connections (the edge function, the scheduler);
-- a signed-in user only for an organization they administer (public.recompute_segments).
-- An error inside a chunk rolls the chunk back and closes the run with the error recorded.

create table private.run_pending (
  run_id bigint not null,
  first_id uuid not null,
  customer_ids uuid[] not null,
  constraint run_pending_pkey primary key (run_id, first_id),
  constraint run_pending_run_id_fkey foreign key (run_id) references public.recompute_runs (id) on delete cascade,
  constraint run_pending_part_not_empty check (cardinality(customer_ids) > 0 and customer_ids[1] = first_id)
)
-- A queue, like private.dirty_customers (supabase/README.md "Autovacuum").
with (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
-- Random ids do not compress: stored out of line as they are, without trying.
alter table private.run_pending alter column customer_ids set storage external;

comment on table private.run_pending is
  'Customers a run has not written yet, in parts of a chunk each (one row, one foreign-key check and one index entry a part, not a customer): those a run over everyone found changed in its read-only pass, or those a drift run found due, beyond its first chunk. Each chunk takes its customers off the run''s first parts.';
comment on column private.run_pending.run_id is 'The run (public.recompute_runs).';
comment on column private.run_pending.first_id is 'The part''s first customer (customer_ids[1], kept in the row: the ids are stored out of line, and taking the parts in order reads no array): the run''s parts are taken in its order.';
comment on column private.run_pending.customer_ids is 'Customers whose profile the run still has to write (or, in a drift run, to classify again), in the order of their ids.';

alter table private.run_pending enable row level security;
revoke all on table private.run_pending from public, anon, authenticated;
grant all on table private.run_pending to service_role;


-- The next p_limit customers a run still has to write (private.run_pending, in id order), taken
-- off the list: its first parts (one row per chunk still to come), each deleted where it was read,
-- whatever plan is cached (supabase/README.md "Queues and cached plans"). A part longer than what
-- is still wanted (a caller that changed its chunk size) leaves its rest queued. A run's list is
-- written by its first chunk, before any is taken.
create function private.take_pending(p_run bigint, p_limit integer)
returns uuid[]
language plpgsql
volatile
set search_path = ''
as $$
declare
  ids uuid[] := '{}';
  part record;
  room integer;
begin
  loop
    room := p_limit - cardinality(ids);
    exit when room <= 0;
    select rp.ctid as row_, rp.customer_ids into part
      from private.run_pending rp where rp.run_id = p_run order by rp.first_id limit 1;
    exit when not found;
    delete from private.run_pending rp where rp.ctid = part.row_;
    if cardinality(part.customer_ids) > room then
      insert into private.run_pending (run_id, first_id, customer_ids)
      values (p_run, part.customer_ids[room + 1], part.customer_ids[room + 1:]);
      ids := ids || part.customer_ids[1:room];
    else
      ids := ids || part.customer_ids;
    end if;
  end loop;
  return ids;
end;
$$;

comment on function private.take_pending(bigint, integer) is
  'Takes the next p_limit customers (in id order) off a run''s pending list (private.run_pending) and returns them.';
revoke all on function private.take_pending(bigint, integer) from public;

-- A run's first chunk: the first p_limit of the customers it found (p_ids, in id order), which it
-- writes at once; the others are queued in private.run_pending for the chunks after it, in parts
-- of p_limit: a row and a foreign-key check a part, not a customer (supabase/README.md "Queues and
-- cached plans").
create function private.queue_pending(p_run bigint, p_ids uuid[], p_limit integer)
returns uuid[]
language sql
volatile
set search_path = ''
as $$
  insert into private.run_pending (run_id, first_id, customer_ids)
  select p_run, p_ids[s], p_ids[s:s + p_limit - 1]
    from generate_series(p_limit + 1, cardinality(p_ids), p_limit) as s;
  select p_ids[1:p_limit];
$$;

comment on function private.queue_pending(bigint, uuid[], integer) is
  'Queues in private.run_pending, in parts of p_limit, all but the first p_limit of a run''s customers (in id order) and returns those first p_limit, the run''s first chunk.';
revoke all on function private.queue_pending(bigint, uuid[], integer) from public;


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


-- Members per active segment of an organization, by the membership table's primary key.
create function private.segment_member_counts(p_org uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select coalesce(jsonb_object_agg(s.id, (select count(*) from public.segment_memberships m where m.segment_id = s.id)), '{}')
    from public.segments s
   where s.org_id = p_org and s.is_active
$$;

comment on function private.segment_member_counts(uuid) is
  'How many customers are in each active segment of an organization ({"<segment id>": count}).';

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
  v_as_of timestamptz;
  opened boolean := false;
  scanned integer := 0;
  edited uuid[];
  some_segments record;
  segment_state private.engine_state;
  segment_config jsonb;
  segment_write record;
  reads_stored boolean;
  problem text;
  recycled integer := 0;
  due uuid[];
  due_result jsonb;
  sees pg_snapshot;
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
  -- The engine's clock (see above): a client's run is as of now; the service role and direct
  -- connections may give another moment, within bounds, and the run records that they did.
  if (select auth.role()) in ('anon', 'authenticated') or current_setting('role', true) in ('anon', 'authenticated') then
    if p_now is not null then
      raise exception using
        errcode = '42501',
        message = 'p_now: only the service role can run the engine as of another moment than now';
    end if;
    v_as_of := now();
  else
    v_as_of := coalesce(p_now, private.engine_now());
    if v_as_of > now() + interval '1 day' or v_as_of < now() - interval '10 years' then
      raise exception using
        errcode = '22023',
        message = format('p_now: %s is not within a day ahead and ten years back of now (%s)', v_as_of, now());
    end if;
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
        when exists (select 1 from private.passes_owed po where po.org_id = p_org) then 'all'
        when state.segments_version <= state.segments_done_version then 'queue'
        -- Only edited segments to evaluate again, when the notes cover every change since.
        when state.edited_upto = state.segments_version and not state.edited_bounds_changed
             and cardinality(state.edited_segments) > 0 then 'segments'
        else 'all'
      end
    end;
    insert into public.recompute_runs (org_id, kind, as_of, details)
    values (p_org, v_kind, v_as_of, jsonb_build_object(
      'scope', scope,
      'as_of_given', v_as_of <> now(),
      'as_of_given_by', case when v_as_of <> now() then coalesce((select auth.role()), session_user) end,
      'segments_version', state.segments_version,
      'aggregates', scope = 'all',
      'segment_list', to_jsonb(state.segment_list),
      'edited', case when scope = 'segments' then to_jsonb(state.edited_segments) end,
      'stage_counts', to_jsonb(array_fill(0, array[8])),
      'stage_revenue', to_jsonb(array_fill(0, array[8])),
      'segment_counts', to_jsonb(array_fill(0, array[cardinality(state.segment_list)])),
      'force', v_kind = 'full' and stored_settings is distinct from current_settings,
      'chunks', 0, 'profiles_written', 0, 'stage_changes', 0, 'memberships_written', 0, 'tags_added', 0, 'tags_removed', 0
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
        -- The transactions this pass sees committed: the notes of passes owed that they wrote are
        -- taken away when the run finishes (a snapshot taken before the pass's own sees no more).
        sees := pg_current_snapshot();
        -- One read-only pass over every customer (sequential scans and hash joins: the ids are
        -- random, so ranges of them would read most pages once per chunk; split into parallel parts
        -- by private.run_classification_scan): who changed, and today's figures. The changed
        -- customers wait in run_pending for the chunks that write them.
        select * into scan
          from private.run_classification_scan(private.classification_scan_sql(state, 'range', v_kind = 'full'), p_org,
                                               run.as_of, state.membership_values, private.engine_config(p_org, state), v_force);
        -- A full run: the F score as of this run, before it writes (the rule field f_score_change
        -- counts from here; supabase/README.md §4). The pass classified with it and listed the rows
        -- whose stored prev_f_score differs, so only those are read again (by their key) and
        -- written, not every profile scanned for them.
        if v_kind = 'full' and cardinality(scan.f_moved_ids) > 0 then
          update public.customer_profiles p set prev_f_score = p.f_score
           where p.org_id = p_org and p.customer_id = any (scan.f_moved_ids) and p.prev_f_score is distinct from p.f_score;
        end if;
        -- This chunk writes the first p_limit of the changed customers (the list is in the order of
        -- their ids); only the others wait in run_pending.
        ids := private.queue_pending(run.id, scan.changed_ids, p_limit);
        update public.recompute_runs rr
           set details = rr.details || jsonb_build_object(
                 'stage_counts', to_jsonb(scan.stage_counts),
                 'stage_revenue', to_jsonb(scan.stage_revenue),
                 'segment_counts', to_jsonb(scan.segment_counts),
                 'pending', cardinality(scan.changed_ids),
                 'sees', sees::text)
         where rr.id = run.id
        returning * into run;
        scanned := scan.scanned;
        delete from private.dirty_customers dc
         where dc.org_id = p_org and dc.queued_at <= chunk_started;
      end if;
      -- Write up to p_limit of the changed customers (classified again as they are now).
      if not opened then
        ids := private.take_pending(run.id, p_limit);
      end if;
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
      -- read-only pass; the chunks rewrite the memberships that differ. When the rules can be
      -- evaluated on the stored profiles (segment_pass_reads_stored, decided by the first chunk),
      -- both read them instead of classifying.
      edited := array(select jsonb_array_elements_text(run.details -> 'edited')::uuid);
      select * into some_segments from private.compile_some_segments(p_org, edited);
      segment_state := state;
      segment_state.membership_sql := some_segments.membership_sql;
      -- The slots: the edited segments still active, in the order of their ids.
      segment_state.segment_list := array(select s.id from public.segments s
                                           where s.org_id = p_org and s.is_active and s.id = any (edited)
                                           order by s.id);
      segment_state.uses_tags := position('r.tag_names' in some_segments.membership_sql) > 0;
      segment_config := private.engine_config(p_org, state) || jsonb_build_object('edited', edited::text);
      if opened then
        reads_stored := private.segment_pass_reads_stored(p_org, some_segments.membership_sql);
        -- A rule reading the stage reads it stored once the customers due by the run's time are
        -- classified, as the next drift pass would classify them: here first, when they fit in this
        -- chunk (a few a minute between drift passes); otherwise the pass classifies everyone.
        if reads_stored and position('r.lifecycle_stage' in some_segments.membership_sql) > 0 then
          -- As the drift pass reads them (by the due index; no row limit, which a cached plan could
          -- turn into a walk of every profile in id order).
          due := array(
            select p.customer_id from public.customer_profiles p
             where p.org_id = p_org and p.next_transition_at <= run.as_of
             order by p.customer_id);
          if cardinality(due) > p_limit then
            reads_stored := false;
          elsif cardinality(due) > 0 then
            due_result := private.apply_classification(p_org, run.as_of, null, null, due, 'stored', false, false);
          end if;
        end if;
        if reads_stored then
          select * into scan
            from private.run_segment_scan(
                   private.stored_segment_pass_sql(some_segments.slot_predicates, some_segments.slot_id_at, segment_state.uses_tags, false),
                   p_org, run.as_of, some_segments.membership_values, segment_config, 1);
        else
          select * into scan
            from private.run_segment_scan(private.segment_pass_sql(segment_state, some_segments.changed_sql, false),
                                          p_org, run.as_of, some_segments.membership_values, segment_config,
                                          private.scan_parts(p_org));
        end if;
        -- This chunk writes the first p_limit of the changed customers (the list is in the order of
        -- their ids); only the others wait in run_pending.
        ids := private.queue_pending(run.id, scan.changed_ids, p_limit);
        -- Members of each edited segment still active (in the order of its id), as the pass found them.
        update public.recompute_runs rr
           set details = rr.details || jsonb_build_object(
                 'pending', cardinality(scan.changed_ids),
                 'reads_stored', reads_stored,
                 'due_classified', case when due_result is null then 0 else cardinality(due) end,
                 'edited_counts', (select coalesce(jsonb_object_agg(a.id, scan.segment_counts[a.n]), '{}')
                                     from unnest(segment_state.segment_list) with ordinality as a (id, n)))
         where rr.id = run.id
        returning * into run;
        scanned := scan.scanned;
      end if;
      reads_stored := coalesce((run.details ->> 'reads_stored')::boolean, false);
      if not opened then
        ids := private.take_pending(run.id, p_limit);
      end if;
      result := jsonb_build_object('changed', 0, 'rows_written', 0, 'profiles_written', 0,
                                   'stage_changes', 0, 'tags_added', 0, 'tags_removed', 0);
      if cardinality(ids) > 0 then
        if reads_stored then
          select * into segment_write
            from private.write_segment_differences(
                   private.stored_segment_pass_sql(some_segments.slot_predicates, some_segments.slot_id_at, segment_state.uses_tags, true),
                   p_org, run.as_of, ids, some_segments.membership_values, segment_config);
        else
          execute private.segment_pass_sql(segment_state, some_segments.changed_sql, true) into segment_write
            using p_org, run.as_of, null::uuid, null::uuid, ids, some_segments.membership_values, segment_config;
        end if;
        if cardinality(segment_write.tag_ids) > 0 then
          select t.added, t.removed into tags from private.sync_rule_tags(p_org, segment_write.tag_ids) as t;
        else
          select 0 as added, 0 as removed into tags;
        end if;
        result := jsonb_build_object('changed', segment_write.written, 'profiles_written', segment_write.written,
                                     'stage_changes', 0, 'memberships_written', segment_write.memberships_written,
                                     'tags_added', tags.added, 'tags_removed', tags.removed,
                                     'rows_written', segment_write.written + segment_write.memberships_written
                                                     + tags.added + tags.removed);
      end if;
      if due_result is not null then
        -- What classifying the customers due wrote counts with the chunk's own writes.
        result := result || (select jsonb_object_agg(d.key, coalesce((result ->> d.key)::integer, 0) + d.value::integer)
                               from jsonb_each_text(due_result) as d
                              where d.key <> 'scanned');
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
        -- The pool: owned customers whose recycle time has come return to it first (up to p_limit
        -- per chunk, by the partial index on recycle_at, the rest in the next run;
        -- 20261123005100_recycle_rules.sql).
        recycled := private.recycle_due(p_org, run.as_of, p_limit);
        if opened then
          -- Every customer due, read once by the first chunk (the due index leads to each one's
          -- profile page: at a million customers, 20,500 due cost 15,300 page reads, which a chunk
          -- taking the next ones from the index would pay again). Those past p_limit wait in
          -- run_pending.
          due := array(
            select p.customer_id from public.customer_profiles p
             where p.org_id = p_org and p.next_transition_at <= run.as_of
             order by p.customer_id);
          ids := private.queue_pending(run.id, due, p_limit);
          last_chunk := cardinality(due) <= p_limit;
        else
          ids := private.take_pending(run.id, p_limit);
          last_chunk := not exists (select 1 from private.run_pending rp where rp.run_id = run.id);
          next_after := ids[cardinality(ids)];
          -- Those still due (an order since the first chunk may have moved a customer's next change).
          ids := array(
            select p.customer_id from public.customer_profiles p
             where p.org_id = p_org and p.customer_id = any (ids) and p.next_transition_at <= run.as_of
             order by p.customer_id);
        end if;
      end if;
      if scope = 'queue' then
        last_chunk := cardinality(ids) < p_limit;
      end if;
      next_after := case when last_chunk then null else coalesce(next_after, ids[cardinality(ids)]) end;
      if cardinality(ids) > 0 then
        -- Read and written by index probes (private.apply_classification: at a million customers,
        -- 20,300 due, the write 2.6 s with sequential scans, 2.1 s with the probes).
        result := private.apply_classification(p_org, run.as_of, null, null, ids,
                                               case when scope = 'queue' then 'orders' else 'stored' end, false, false);
        -- Planned with the chunk's list, never a cached generic plan (supabase/README.md "Queues
        -- and cached plans"): the queue is analyzed while nearly empty.
        execute 'delete from private.dirty_customers dc
                  where dc.org_id = $1 and dc.customer_id = any ($2) and dc.queued_at <= $3'
          using p_org, ids, chunk_started;
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
        'memberships_written', coalesce((rr.details ->> 'memberships_written')::integer, 0)
                               + coalesce((result ->> 'memberships_written')::integer, 0),
        'tags_added', coalesce((rr.details ->> 'tags_added')::integer, 0) + (result ->> 'tags_added')::integer,
        'tags_removed', coalesce((rr.details ->> 'tags_removed')::integer, 0) + (result ->> 'tags_removed')::integer,
        'recycled', coalesce((rr.details ->> 'recycled')::integer, 0) + recycled,
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
          -- Every customer was classified as the transactions the pass saw left them.
          delete from private.passes_owed po
           where po.org_id = p_org and pg_visible_in_snapshot(po.owed_by, (run.details ->> 'sees')::pg_snapshot);
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
          -- A segment's tag may have changed without its members: every member's rule tags (which
          -- touches nothing in an organization without rule tags, private.sync_rule_tags).
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
  'One chunk of an engine run (full | dirty | drift) for an organization: a run over everyone classifies all its customers in the first chunk''s read-only pass and then writes at most p_limit changed customers per chunk; other runs take at most p_limit customers after p_after per chunk. The first chunk (p_after and p_run_id null) opens the run (a full run refreshes the cut points); pass next_after and run_id to continue; the chunk returning next_after null closes it. Returns {run_id, kind, scope, as_of, scanned, changed, rows_written, next_after, full_recommended, error}.';

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

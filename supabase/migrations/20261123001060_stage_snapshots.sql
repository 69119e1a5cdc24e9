-- Stage snapshots (以时间为线): per organization and day, how many customers are in each lifecycle
-- stage and what they have spent, how many are in each segment, and how many moved between
-- stages that day. Full and drift runs upsert today's row; private.backfill_stage_snapshots
-- reconstructs past days from order history, so that a new installation shows its history at once.
-- Days are UTC days; a day's figures are as of its last instant (orders placed before midnight UTC).

create table public.stage_snapshots (
  org_id uuid not null,
  day date not null,
  customers integer not null,
  customers_by_stage jsonb not null,
  net_revenue_by_stage jsonb not null,
  members_by_segment jsonb not null default '{}',
  moves jsonb not null default '{}',
  source text not null,
  as_of timestamptz not null,
  taken_at timestamptz not null default now(),
  constraint stage_snapshots_pkey primary key (org_id, day),
  constraint stage_snapshots_org_id_fkey foreign key (org_id) references public.organizations (id) on delete cascade,
  constraint stage_snapshots_customers_not_negative check (customers >= 0),
  constraint stage_snapshots_source_is_known check (source in ('engine', 'backfill')),
  constraint stage_snapshots_by_stage_is_object check (jsonb_typeof(customers_by_stage) = 'object'),
  constraint stage_snapshots_revenue_is_object check (jsonb_typeof(net_revenue_by_stage) = 'object'),
  constraint stage_snapshots_members_is_object check (jsonb_typeof(members_by_segment) = 'object'),
  constraint stage_snapshots_moves_is_object check (jsonb_typeof(moves) = 'object')
);

comment on table public.stage_snapshots is
  'Per organization and UTC day (阶段快照): customers and net revenue per lifecycle stage, members per segment and moves between stages. Kept by the engine, backfilled from order history; read-only for clients.';
comment on column public.stage_snapshots.org_id is 'The organization.';
comment on column public.stage_snapshots.day is 'The UTC day; its figures are as of the day''s end (or, for today, as of the latest run).';
comment on column public.stage_snapshots.customers is 'Customers that existed on the day.';
comment on column public.stage_snapshots.customers_by_stage is
  'Customers per lifecycle stage as shown (override first): {"prospect": 120, "lead": 30, …}, every stage present.';
comment on column public.stage_snapshots.net_revenue_by_stage is
  'Net spend to date of the customers in each stage (what each stage has earned): {"active": 1234.50, …}, every stage present.';
comment on column public.stage_snapshots.members_by_segment is
  'Members per active segment: {"<segment id>": 42, …}. Empty for backfilled days (segment rules read tags and fields that have no history).';
comment on column public.stage_snapshots.moves is
  'Moves between stages during the day: {"<from stage>": {"<to stage>": count}}.';
comment on column public.stage_snapshots.source is 'engine (taken by a full or drift run) or backfill (reconstructed from order history).';
comment on column public.stage_snapshots.as_of is 'The moment the figures describe: the run''s "now", or the end of a backfilled day.';
comment on column public.stage_snapshots.taken_at is 'When the row was written.';

alter table public.stage_snapshots enable row level security;

create policy "Members can read their organization's stage snapshots"
  on public.stage_snapshots for select to authenticated
  using (org_id in (select private.member_org_ids()));

revoke all on table public.stage_snapshots from anon, authenticated, service_role;
grant select on table public.stage_snapshots to authenticated;
grant all on table public.stage_snapshots to service_role;


-- Writes today's row (the UTC day of p_now) from per-stage figures (in the order of the
-- lifecycle_stage enum) and members per segment, with that day's moves from stage_changes.
create function private.write_stage_snapshot(
  p_org uuid,
  p_now timestamptz,
  p_stage_counts bigint[],
  p_stage_revenue numeric[],
  p_members jsonb
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  snapshot_day date := (p_now at time zone 'UTC')::date;
  day_start timestamptz := (p_now at time zone 'UTC')::date::timestamp at time zone 'UTC';
  by_stage jsonb;
  revenue jsonb;
  moves jsonb;
begin
  select jsonb_object_agg(s.stage, coalesce(p_stage_counts[s.n], 0)),
         jsonb_object_agg(s.stage, coalesce(p_stage_revenue[s.n], 0))
    into by_stage, revenue
    from unnest(enum_range(null::public.lifecycle_stage)) with ordinality as s (stage, n);

  select coalesce(jsonb_object_agg(f.from_stage, f.tos), '{}'::jsonb) into moves
    from (
      select x.from_stage, jsonb_object_agg(x.to_stage, x.n) as tos
        from (
          select sc.from_stage, sc.to_stage, count(*) as n
            from public.stage_changes sc
           where sc.org_id = p_org and sc.from_stage is not null
             and sc.changed_at >= day_start and sc.changed_at < day_start + interval '24 hours'
           group by sc.from_stage, sc.to_stage
        ) x
       group by x.from_stage
    ) f;

  insert into public.stage_snapshots as ss (
    org_id, day, customers, customers_by_stage, net_revenue_by_stage, members_by_segment, moves, source, as_of, taken_at
  ) values (
    p_org, snapshot_day, coalesce((select sum(c) from unnest(p_stage_counts) as c), 0), by_stage, revenue,
    coalesce(p_members, '{}'::jsonb), moves, 'engine', p_now, now()
  )
  on conflict (org_id, day) do update set
    customers = excluded.customers,
    customers_by_stage = excluded.customers_by_stage,
    net_revenue_by_stage = excluded.net_revenue_by_stage,
    members_by_segment = excluded.members_by_segment,
    moves = excluded.moves,
    source = excluded.source,
    as_of = excluded.as_of,
    taken_at = excluded.taken_at;
end;
$$;

comment on function private.write_stage_snapshot(uuid, timestamptz, bigint[], numeric[], jsonb) is
  'Upserts the organization''s stage snapshot for the UTC day of p_now from customers and net spend per stage (lifecycle_stage enum order), members per segment, and that day''s stage changes.';


-- The figures of today's row: the organization's customers and net spend per stage shown
-- (segment_id null) and its memberships per segment (effective_stage null), from one pass over its
-- profiles. A profile's segments digest (customer_profiles.segments_digest) stands for the set of
-- segments the customer is in: the engine writes both in the same statement and decides whether a
-- customer's memberships moved by comparing digests alone. So the pass groups the profiles by
-- stage and digest, and the members of each segment are the customers of each digest counted
-- once per segment of one customer holding it (one probe of the memberships' customer index per
-- digest: a few thousand at a million customers, against reading all 3.6 M memberships). Every
-- membership of that customer is counted, the active segments picked by the caller (a segment
-- deleted since the last pass over edited segments is still in its members' digests). At a
-- million customers, 20 segments, 5,646 digests: 430–475 ms against 575–615 ms for a pass over
-- the profiles and one over the memberships. Through RETURN QUERY, so that the pass may use a
-- parallel plan: a statement PL/pgSQL runs for a value or a loop asks for a limited number of
-- rows, and such a statement never runs in parallel.
create function private.stage_snapshot_counts(p_org uuid)
returns table (effective_stage public.lifecycle_stage, segment_id uuid, n bigint, revenue numeric)
language plpgsql
stable
set search_path = ''
as $$
begin
  return query
    with per_stage_and_digest as materialized (
      -- One profile of each group, by where it lies (min over tid: no order on uuid is needed).
      select p.effective_stage, p.segments_digest, count(*) as customers, sum(p.net_spend) as revenue,
             min(p.ctid) as one_profile
        from public.customer_profiles p
       where p.org_id = p_org
       group by p.effective_stage, p.segments_digest
    ), per_digest as (
      select g.segments_digest, sum(g.customers) as customers, min(g.one_profile) as one_profile
        from per_stage_and_digest g
       where g.segments_digest is not null
       group by g.segments_digest
    )
    select g.effective_stage, null::uuid, sum(g.customers)::bigint, sum(g.revenue)
      from per_stage_and_digest g
     group by g.effective_stage
    union all
    select null::public.lifecycle_stage, m.segment_id, sum(d.customers)::bigint, null::numeric
      from per_digest d
      join public.customer_profiles p on p.ctid = d.one_profile
      join public.segment_memberships m on m.org_id = p_org and m.customer_id = p.customer_id
     group by m.segment_id;
end;
$$;

comment on function private.stage_snapshot_counts(uuid) is
  'Customers and net spend per stage shown (segment_id null) and memberships per segment (effective_stage null) of an organization, from one pass over its profiles grouped by stage and segments digest (parallel when the planner chooses) and the memberships of one customer per digest.';

revoke all on function private.stage_snapshot_counts(uuid) from public;


-- Today's row from the current profiles and memberships (private.stage_snapshot_counts).
-- Returns the members per segment
-- ({"<segment id>": count}), which runs also store in segments.member_count. (A run over every
-- customer gathers these figures as it goes and calls write_stage_snapshot instead.)
create function private.take_stage_snapshot(p_org uuid, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  segment_list uuid[] := array(select g.id from public.segments g where g.org_id = p_org and g.is_active order by g.id);
  counted record;
  stage_counts bigint[] := array_fill(0::bigint, array[8]);
  stage_revenue numeric[] := array_fill(0::numeric, array[8]);
  members bigint[] := array_fill(0::bigint, array[cardinality(segment_list)]);
  members_json jsonb;
  position integer;
begin
  for counted in select * from private.stage_snapshot_counts(p_org) loop
    if counted.segment_id is null then
      position := array_position(enum_range(null::public.lifecycle_stage), counted.effective_stage);
      stage_counts[position] := counted.n;
      stage_revenue[position] := counted.revenue;
    else
      position := array_position(segment_list, counted.segment_id);
      if position is not null then
        members[position] := counted.n;
      end if;
    end if;
  end loop;
  select coalesce(jsonb_object_agg(segment_list[n], members[n]), '{}'::jsonb) into members_json
    from generate_series(1, cardinality(segment_list)) as n;
  perform private.write_stage_snapshot(p_org, p_now, stage_counts, stage_revenue, members_json);
  return members_json;
end;
$$;

comment on function private.take_stage_snapshot(uuid, timestamptz) is
  'Upserts the organization''s stage snapshot for the UTC day of p_now from the current profiles and memberships (one pass over each) and that day''s stage changes; returns the members per active segment.';


-- Reconstructing the snapshots of past days from order and event history, set-based: each
-- customer's stage is piecewise constant between its orders and the lifecycle windows after each
-- one, so its history is a list of intervals (stage, net spend to date); counting the intervals
-- that cover each day's end gives the day's figures, and consecutive intervals give the moves.
-- Orders count with their current status and refunds; an override counts from when it was set.
-- Every customer's history is its own, so the work is split by customer id into the
-- organization's parts (private.scan_parts, as a run over everyone is: supabase/README.md "A run
-- over everyone, in parts"), whose figures add up.

-- One part of the stage history: the customers with ids in (p_after, p_upto] (a null bound is no
-- bound), over the days p_from..p_to, with the organization's settings (p_settings, with
-- defaults). Rows with from_stage null: per day and stage, how many customers' intervals start
-- (+) or end (−) being counted that day, and their net spend; rows with from_stage: per day, how
-- many customers moved from from_stage to stage. Parallel safe, so that a worker may run it.
create function private.stage_history_part(
  p_org uuid, p_from date, p_to date, p_settings jsonb, p_after uuid, p_upto uuid)
returns table (day date, stage public.lifecycle_stage, from_stage public.lifecycle_stage, customers bigint, revenue numeric)
language plpgsql
stable
parallel safe
cost 100000000
rows 10000
set search_path = ''
as $$
declare
  lead_days integer := (p_settings #>> '{lifecycle,lead_event_days}')::integer;
  new_days integer := (p_settings #>> '{lifecycle,new_order_days}')::integer;
  at_risk_days integer := (p_settings #>> '{lifecycle,at_risk_days}')::integer;
  churned_days integer := (p_settings #>> '{lifecycle,churned_days}')::integer;
  gap_days integer := (p_settings #>> '{lifecycle,reactivated_gap_days}')::integer;
  recent_days integer := (p_settings #>> '{lifecycle,reactivated_recent_days}')::integer;
  loyal_orders integer := (p_settings #>> '{lifecycle,loyal_min_orders}')::integer;
begin
  return query
  with offsets as (
      -- The days after an order at which its stage can change, with the next such day: three sets,
      -- after a first order (kind 1), after an order that ends a long gap (2), after another (3).
      select s.kind, o.offset_days, lead(o.offset_days) over (partition by s.kind order by o.offset_days) as next_days
        from (values (1), (2), (3)) as s (kind)
        cross join lateral (
          select distinct v as offset_days
            from unnest(array[
                   0,
                   case when s.kind = 1 then new_days + 1 end,
                   case when s.kind = 2 then recent_days + 1 end,
                   at_risk_days + 1,
                   churned_days + 1]) as v
           where v is not null
        ) o
    ), paid as (
      select o.customer_id, o.ordered_at as t, o.total - o.refunded_amount as amount,
             row_number() over (partition by o.customer_id order by o.ordered_at, o.id) as k
        from public.orders o
       where o.org_id = p_org and o.status = 'paid' and (p_after is null or o.customer_id > p_after) and (p_upto is null or o.customer_id <= p_upto)
    ), seq as (
      select p.customer_id, p.k, p.t,
             lead(p.t) over w as t_next,
             floor(date_part('epoch', p.t - lag(p.t) over w) / 86400)::integer as gap,
             sum(p.amount) over (w rows between unbounded preceding and current row) as spend
        from paid p
      window w as (partition by p.customer_id order by p.k)
    ), buyer as (
      -- After the k-th order, until the next: stages change only at the lifecycle windows.
      select q.customer_id, q.spend,
             q.t + b.offset_days * interval '24 hours' as a,
             least(coalesce(q.t + b.next_days * interval '24 hours', 'infinity'::timestamptz),
                   coalesce(q.t_next, 'infinity'::timestamptz)) as z,
             (case
                when q.k >= 2 and b.offset_days <= recent_days and q.gap > gap_days then 'reactivated'
                when q.k = 1 and b.offset_days <= new_days then 'new'
                when b.offset_days > churned_days then 'churned'
                when b.offset_days > at_risk_days then 'at_risk'
                when q.k >= loyal_orders then 'loyal'
                else 'active'
              end)::public.lifecycle_stage as stage
        from seq q
        join offsets b on b.kind = case when q.k = 1 then 1 when q.gap > gap_days then 2 else 3 end
    ), starts as (
      -- A customer counts from its creation, its first paid order or its first event, whichever came first.
      select c.id as customer_id, least(c.created_at, f.t1, ev.e1) as since, f.t1
        from public.customers c
        left join (select paid.customer_id, min(paid.t) as t1 from paid group by paid.customer_id) f on f.customer_id = c.id
        left join (
          select e.customer_id, min(e.occurred_at) as e1 from public.events e where e.org_id = p_org and (p_after is null or e.customer_id > p_after) and (p_upto is null or e.customer_id <= p_upto) group by e.customer_id
        ) ev on ev.customer_id = c.id
       where c.org_id = p_org and (p_after is null or c.id > p_after) and (p_upto is null or c.id <= p_upto)
    ), points as (
      -- Before the first order: prospect or lead changes only at events and when their window ends.
      select s.customer_id, s.since as p from starts s
      union
      select s.customer_id, pt.p
        from starts s
        join public.events e on e.org_id = p_org and e.customer_id = s.customer_id
        cross join lateral (values (e.occurred_at), (e.occurred_at + (lead_days + 1) * interval '24 hours')) as pt (p)
       where pt.p > s.since and (s.t1 is null or pt.p < s.t1)
    ), before_orders as (
      select pt.customer_id, pt.p as a,
             coalesce(lead(pt.p) over (partition by pt.customer_id order by pt.p), s.t1, 'infinity'::timestamptz) as z
        from points pt
        join starts s on s.customer_id = pt.customer_id
    ), intervals as (
      select bu.customer_id, bu.a, bu.z, bu.stage, bu.spend from buyer bu where bu.a < bu.z
      union all
      select bo.customer_id, bo.a, bo.z,
             (case when exists (
                select 1 from public.events e
                 where e.org_id = p_org and e.customer_id = bo.customer_id
                   and e.occurred_at <= bo.a and bo.a < e.occurred_at + (lead_days + 1) * interval '24 hours')
              then 'lead' else 'prospect' end)::public.lifecycle_stage,
             0::numeric
        from before_orders bo
       where bo.a < bo.z
    ), overrides as (
      select p.customer_id, p.stage_override, p.override_at
        from public.customer_profiles p
       where p.org_id = p_org and p.stage_override is not null and (p_after is null or p.customer_id > p_after) and (p_upto is null or p.customer_id <= p_upto)
    ), shown as (
      select i.customer_id, i.a, least(i.z, coalesce(ov.override_at, 'infinity'::timestamptz)) as z, i.stage, i.spend
        from intervals i
        left join overrides ov on ov.customer_id = i.customer_id
      union all
      select i.customer_id, greatest(i.a, ov.override_at), i.z, ov.stage_override, i.spend
        from intervals i
        join overrides ov on ov.customer_id = i.customer_id
       where i.z > ov.override_at
    ), covered as (
      -- Day D is described as of its last instant, just before (D + 1) 00:00 UTC: the interval
      -- [a, z) describes the days D with a < (D + 1) 00:00 <= z.
      select sh.customer_id, sh.stage, sh.spend,
             greatest((sh.a at time zone 'UTC')::date, p_from - 1) as d1,
             least(case when sh.z = 'infinity'::timestamptz then p_to
                        else (sh.z at time zone 'UTC')::date - 1 end, p_to) as d2
        from shown sh
       where sh.a < sh.z
    ), kept as (
      select * from covered cv where cv.d1 <= cv.d2
  )
    -- Counted from the day an interval starts to be counted, no longer from the day after it ends.
    select d.day, d.stage, null::public.lifecycle_stage, sum(d.dc)::bigint, sum(d.dr)
      from (
        select greatest(kp.d1, p_from) as day, kp.stage, 1 as dc, kp.spend as dr from kept kp where kp.d2 >= p_from
        union all
        select kp.d2 + 1, kp.stage, -1, -kp.spend from kept kp where kp.d2 >= p_from and kp.d2 < p_to
      ) d
     group by d.day, d.stage
    union all
    select m.day, m.to_stage, m.from_stage, count(*), null::numeric
      from (
        select kp.d1 as day, kp.stage as to_stage, lag(kp.stage) over w as from_stage
          from kept kp
        window w as (partition by kp.customer_id order by kp.d1)
      ) m
     where m.from_stage is not null and m.from_stage <> m.to_stage and m.day >= p_from
     group by m.day, m.from_stage, m.to_stage;
end;
$$;

comment on function private.stage_history_part(uuid, date, date, jsonb, uuid, uuid) is
  'One part (a range of customer ids) of an organization''s stage history over p_from..p_to: per day and stage the customers starting (+1) or ending (−1) an interval in it and their net spend (from_stage null), and per day the moves between stages; parallel safe.';
revoke all on function private.stage_history_part(uuid, date, date, jsonb, uuid, uuid) from public;


-- The stage history's parts (private.stage_history_part), one per part of the organization
-- (private.scan_parts): as the children of one UNION ALL through RETURN QUERY, which the planner
-- runs as a Parallel Append under a Gather (serially by the leader where no worker starts).
create function private.stage_history_rows(p_org uuid, p_from date, p_to date, p_settings jsonb)
returns table (day date, stage public.lifecycle_stage, from_stage public.lifecycle_stage, customers bigint, revenue numeric)
language plpgsql
stable
set search_path = ''
as $$
begin
  return query execute private.scan_parts_union_sql('private.stage_history_part($1, $2, $3, $4, %s, %s)', private.scan_parts(p_org))
    using p_org, p_from, p_to, p_settings;
end;
$$;

comment on function private.stage_history_rows(uuid, date, date, jsonb) is
  'The rows of every part of an organization''s stage history over p_from..p_to (private.stage_history_part), in parallel where workers start.';
revoke all on function private.stage_history_rows(uuid, date, date, jsonb) from public;


-- Writes the snapshots of the days p_from..p_to from the stage history (private.stage_history_rows).
-- Rows the engine took itself are kept. Returns the number of days written.
create function private.backfill_stage_snapshots(p_org uuid, p_from date, p_to date)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  settings jsonb;
  written integer;
begin
  if p_from is null or p_to is null or p_from > p_to then
    raise exception using errcode = '22023', message = 'p_from and p_to must give a range of days with p_from ≤ p_to';
  end if;
  if p_to - p_from > 36600 then
    raise exception using errcode = '22023', message = 'at most 100 years of days can be backfilled at once';
  end if;
  select private.org_settings_with_defaults(o.settings) into settings from public.organizations o where o.id = p_org;
  if settings is null then
    raise exception using errcode = '22023', message = format('p_org: no organization %s', p_org);
  end if;

  with history as materialized (
    select * from private.stage_history_rows(p_org, p_from, p_to, settings)
  ), daily as (
    select g.day::date as day, st.stage,
           sum(coalesce(x.dc, 0)) over (partition by st.stage order by g.day) as customers,
           sum(coalesce(x.dr, 0)) over (partition by st.stage order by g.day) as revenue
      from generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') as g (day)
      cross join unnest(enum_range(null::public.lifecycle_stage)) as st (stage)
      left join (
        select h.stage, h.day, sum(h.customers) as dc, sum(h.revenue) as dr from history h where h.from_stage is null group by h.stage, h.day
      ) x on x.stage = st.stage and x.day = g.day::date
  ), moved as (
    select h.day, h.from_stage, h.stage as to_stage, sum(h.customers)::integer as n
      from history h
     where h.from_stage is not null
     group by h.day, h.from_stage, h.stage
  ), moves_by_day as (
    select f.day, jsonb_object_agg(f.from_stage, f.tos) as moves
      from (
        select mv.day, mv.from_stage, jsonb_object_agg(mv.to_stage, mv.n) as tos
          from moved mv
         group by mv.day, mv.from_stage
      ) f
     group by f.day
  ), per_day as (
    select dl.day, sum(dl.customers)::integer as customers,
           jsonb_object_agg(dl.stage, dl.customers) as by_stage,
           jsonb_object_agg(dl.stage, dl.revenue) as revenue
      from daily dl
     group by dl.day
  ), upserted as (
    insert into public.stage_snapshots as ss (
      org_id, day, customers, customers_by_stage, net_revenue_by_stage, members_by_segment, moves, source, as_of, taken_at
    )
    select p_org, pd.day, pd.customers, pd.by_stage, pd.revenue, '{}'::jsonb, coalesce(mb.moves, '{}'::jsonb), 'backfill',
           (pd.day + 1)::timestamp at time zone 'UTC', now()
      from per_day pd
      left join moves_by_day mb on mb.day = pd.day
    on conflict (org_id, day) do update set
      customers = excluded.customers,
      customers_by_stage = excluded.customers_by_stage,
      net_revenue_by_stage = excluded.net_revenue_by_stage,
      members_by_segment = excluded.members_by_segment,
      moves = excluded.moves,
      as_of = excluded.as_of,
      taken_at = excluded.taken_at
    where ss.source = 'backfill'
    returning 1
  )
  select count(*)::integer into written from upserted;
  return written;
end;
$$;


comment on function private.backfill_stage_snapshots(uuid, date, date) is
  'Reconstructs stage snapshots for the UTC days p_from..p_to from order and event history (stages as of each day''s end; segments left empty); keeps rows the engine took. Returns the number of days written.';


revoke all on function private.take_stage_snapshot(uuid, timestamptz) from public;
revoke all on function private.write_stage_snapshot(uuid, timestamptz, bigint[], numeric[], jsonb) from public;
revoke all on function private.backfill_stage_snapshots(uuid, date, date) from public;
grant execute on function private.backfill_stage_snapshots(uuid, date, date) to service_role;

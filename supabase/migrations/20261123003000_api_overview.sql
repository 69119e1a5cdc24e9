-- The Overview page (以时间为线): an organization's stage snapshots over a range of days, in the
-- compact shape its charts draw from. Read-only and security invoker: row-level security on
-- stage_snapshots, segments and organizations decides what the caller sees, and the membership
-- check turns "nothing visible" into a clear error instead of empty charts.

-- stage_overview: one JSON document for the range p_from..p_to (UTC days, both included, at most
-- 1,830 days — five years):
--   stages                  the lifecycle stages in enum order (the order of every series)
--   days                    the days that have a snapshot, ascending
--   customers_by_stage      {stage: [customers on each of those days]}
--   net_revenue_by_stage    {stage: [net spend to date of the stage's customers on each day]}
--   segments                members per active segment on the latest day in the range that counted
--                           them ({day, items: [{id, name, members}]}, largest first); day null
--                           when no snapshot in the range counted them (backfilled days do not), in
--                           which case members are the segments' current member_count
--   moves                   moves between stages summed over the range: [{from, to, count}]
--   month_moves             the same over the calendar month of p_to, up to p_to ({from, to, items})
-- The snapshots are read once, by primary key range, into memory; each stage's series is one
-- ordered pass over them.
create function public.stage_overview(p_org uuid, p_from date, p_to date)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
-- The planner guesses 100 rows for every jsonb_each, so the moves' cost estimate runs into JIT
-- compilation, which takes ten times longer than the query itself.
set jit = off
as $$
declare
  month_start date;
  result jsonb;
begin
  perform private.require_member(p_org);
  if p_from is null then
    raise exception using errcode = '22023', message = 'p_from is required: the first day of the range (a UTC date)';
  end if;
  if p_to is null then
    raise exception using errcode = '22023', message = 'p_to is required: the last day of the range (a UTC date)';
  end if;
  if p_from > p_to then
    raise exception using errcode = '22023', message = format('p_from (%s) must be on or before p_to (%s)', p_from, p_to);
  end if;
  if p_to - p_from > 1830 then
    raise exception using
      errcode = '22023',
      message = format('p_from..p_to must span at most 1830 days (five years), not %s', p_to - p_from),
      hint = 'Ask for a shorter range.';
  end if;
  month_start := date_trunc('month', p_to)::date;

  with snap as materialized (
    select s.day, s.customers_by_stage, s.net_revenue_by_stage, s.members_by_segment, s.moves
      from public.stage_snapshots s
     where s.org_id = p_org and s.day between p_from and p_to
  ), stage_list as (
    select st.stage::text as stage, st.n
      from unnest(enum_range(null::public.lifecycle_stage)) with ordinality as st (stage, n)
  ), series as (
    -- One ordered pass over the (in-memory) snapshots per stage: cheaper than grouping all of
    -- stages × days at once.
    select sl.stage, sl.n,
           coalesce((select jsonb_agg(coalesce((sn.customers_by_stage ->> sl.stage)::bigint, 0) order by sn.day) from snap sn),
                    '[]'::jsonb) as customers,
           coalesce((select jsonb_agg(coalesce(sn.net_revenue_by_stage -> sl.stage, '0'::jsonb) order by sn.day) from snap sn),
                    '[]'::jsonb) as revenue
      from stage_list sl
  ), counted_day as (
    select sn.day, sn.members_by_segment
      from snap sn
     where sn.members_by_segment <> '{}'::jsonb
     order by sn.day desc
     limit 1
  ), segment_sizes as (
    select g.id, g.name,
           coalesce((cd.members_by_segment ->> g.id::text)::bigint,
                    case when cd.day is null then g.member_count end) as members
      from public.segments g
      left join counted_day cd on true
     where g.org_id = p_org and g.is_active
  ), move_rows as (
    select sn.day, f.key as from_stage, t.key as to_stage, (t.value #>> '{}')::bigint as n
      from snap sn
      cross join lateral jsonb_each(sn.moves) as f
      cross join lateral jsonb_each(case when jsonb_typeof(f.value) = 'object' then f.value else '{}'::jsonb end) as t
  ), period_moves as (
    select m.from_stage, m.to_stage, sum(m.n) as n from move_rows m group by m.from_stage, m.to_stage
  ), month_moves as (
    select m.from_stage, m.to_stage, sum(m.n) as n from move_rows m where m.day >= month_start group by m.from_stage, m.to_stage
  )
  select jsonb_build_object(
           'org_id', p_org,
           'from', p_from,
           'to', p_to,
           'currency', (select private.org_settings_with_defaults(o.settings) ->> 'currency'
                          from public.organizations o where o.id = p_org),
           'stages', (select jsonb_agg(sl.stage order by sl.n) from stage_list sl),
           'days', coalesce((select jsonb_agg(sn.day order by sn.day) from snap sn), '[]'::jsonb),
           'customers_by_stage', (select jsonb_object_agg(se.stage, se.customers) from series se),
           'net_revenue_by_stage', (select jsonb_object_agg(se.stage, se.revenue) from series se),
           'segments', jsonb_build_object(
             'day', (select cd.day from counted_day cd),
             'items', coalesce((select jsonb_agg(jsonb_build_object('id', ss.id, 'name', ss.name, 'members', ss.members)
                                                 order by ss.members desc nulls last, lower(ss.name), ss.id)
                                  from segment_sizes ss), '[]'::jsonb)),
           'moves', coalesce((select jsonb_agg(jsonb_build_object('from', pm.from_stage, 'to', pm.to_stage, 'count', pm.n)
                                               order by pm.n desc, pm.from_stage, pm.to_stage)
                                from period_moves pm), '[]'::jsonb),
           'month_moves', jsonb_build_object(
             'from', greatest(month_start, p_from),
             'to', p_to,
             'items', coalesce((select jsonb_agg(jsonb_build_object('from', mm.from_stage, 'to', mm.to_stage, 'count', mm.n)
                                                 order by mm.n desc, mm.from_stage, mm.to_stage)
                                  from month_moves mm), '[]'::jsonb))
         )
    into result;
  return result;
end;
$$;

comment on function public.stage_overview(uuid, date, date) is
  'The Overview page''s figures for the UTC days p_from..p_to (at most 1830 days): {org_id, from, to, currency, stages, days, customers_by_stage, net_revenue_by_stage, segments {day, items [{id, name, members}]}, moves [{from, to, count}], month_moves {from, to, items}}. Members of the organization only; shape: shared/api.ts stageOverviewResultSchema.';

revoke all on function public.stage_overview(uuid, date, date) from public, anon, service_role;
grant execute on function public.stage_overview(uuid, date, date) to authenticated;

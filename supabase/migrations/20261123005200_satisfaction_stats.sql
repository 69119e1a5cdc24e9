-- Satisfaction figures per customer (supabase/README.md §3, "Satisfaction"): the latest answer,
-- when it was given, how many answers and their average, kept current from
-- satisfaction_responses by a trigger (insert, update, delete; merge_customers moves answers,
-- which is an update). They live in their own narrow table rather than on customer_profiles, so
-- that the row every engine pass reads and rewrites stays narrow; the classification joins them
-- only when some active rule looks at satisfaction.
--
-- Scales differ (csat5 1–5, nps10 0–10), so the engine compares answers on one scale: 0–100,
-- csat5 (score − 1) × 25 and nps10 score × 10 (private.satisfaction_score_100). The latest answer
-- is also kept as given (score and scale) for the card.

create function private.satisfaction_score_100(p_score smallint, p_scale public.satisfaction_scale)
returns smallint
language sql
immutable
set search_path = ''
as $$
  select (case p_scale when 'csat5' then (p_score - 1) * 25 when 'nps10' then p_score * 10 end)::smallint
$$;

comment on function private.satisfaction_score_100(smallint, public.satisfaction_scale) is
  'A satisfaction score on the common 0–100 scale the engine compares: csat5 (score − 1) × 25 (1 → 0, 5 → 100), nps10 score × 10.';
revoke all on function private.satisfaction_score_100(smallint, public.satisfaction_scale) from public;


create table public.customer_satisfaction (
  org_id uuid not null,
  customer_id uuid not null,
  responses integer not null,
  last_score smallint not null,
  last_scale public.satisfaction_scale not null,
  last_score_100 smallint not null,
  last_at timestamptz not null,
  avg_score_100 numeric(5, 2) not null,
  constraint customer_satisfaction_pkey primary key (org_id, customer_id),
  constraint customer_satisfaction_customer_id_fkey foreign key (org_id, customer_id)
    references public.customers (org_id, id) on delete cascade,
  constraint customer_satisfaction_responses_positive check (responses > 0),
  constraint customer_satisfaction_scores_in_range check (
    last_score_100 between 0 and 100 and avg_score_100 between 0 and 100
  )
);

comment on table public.customer_satisfaction is
  'Satisfaction figures (满意度) per customer who answered at least once, kept from satisfaction_responses by a trigger; read-only for clients. Scores are compared on 0–100: csat5 (score − 1) × 25, nps10 score × 10.';
comment on column public.customer_satisfaction.org_id is 'The organization.';
comment on column public.customer_satisfaction.customer_id is 'The customer.';
comment on column public.customer_satisfaction.responses is 'How many satisfaction answers the customer gave.';
comment on column public.customer_satisfaction.last_score is 'The latest answer''s score as given, on its own scale (last_scale).';
comment on column public.customer_satisfaction.last_scale is 'The latest answer''s scale: csat5 (1–5) or nps10 (0–10).';
comment on column public.customer_satisfaction.last_score_100 is
  'The latest answer on the common 0–100 scale (csat5 (score − 1) × 25, nps10 score × 10): the rule field satisfaction_last.';
comment on column public.customer_satisfaction.last_at is
  'When the latest answer was given (satisfaction_responses.responded_at; ties by id): the rule field days_since_satisfaction counts whole days since.';
comment on column public.customer_satisfaction.avg_score_100 is
  'The average of all the customer''s answers on the 0–100 scale, rounded to 2 decimals: the rule field satisfaction_avg.';

alter table public.customer_satisfaction enable row level security;

create policy "Members can read their organization's satisfaction figures"
  on public.customer_satisfaction for select to authenticated
  using (org_id in (select private.member_org_ids()));

revoke all on table public.customer_satisfaction from anon, authenticated, service_role;
grant select on table public.customer_satisfaction to authenticated;
grant all on table public.customer_satisfaction to service_role;


-- The figures of some customers as satisfaction_responses gives them (one index probe each).
create function private.satisfaction_figures(p_org uuid, p_ids uuid[])
returns table (customer_id uuid, responses integer, last_score smallint, last_scale public.satisfaction_scale,
               last_score_100 smallint, last_at timestamptz, avg_score_100 numeric)
language sql
stable
set search_path = ''
as $$
  select c.id, a.responses, l.score, l.scale, private.satisfaction_score_100(l.score, l.scale), l.responded_at, a.avg_score_100
    from unnest(p_ids) as c (id)
    cross join lateral (
      select count(*)::integer as responses,
             round(avg(private.satisfaction_score_100(s.score, s.scale)), 2) as avg_score_100
        from public.satisfaction_responses s
       where s.org_id = p_org and s.customer_id = c.id
    ) a
    cross join lateral (
      select s.score, s.scale, s.responded_at
        from public.satisfaction_responses s
       where s.org_id = p_org and s.customer_id = c.id
       order by s.responded_at desc, s.id desc
       limit 1
    ) l
   where a.responses > 0
$$;

comment on function private.satisfaction_figures(uuid, uuid[]) is
  'The satisfaction figures of the given customers, recounted from satisfaction_responses (customers without answers are left out).';
revoke all on function private.satisfaction_figures(uuid, uuid[]) from public;


-- Brings the figures of some customers up to date and, when an active rule of the organization
-- looks at satisfaction (engine_state.uses_satisfaction), queues them for the engine: a dirty run
-- reclassifies them (their satisfaction rule fields and next_transition_at change). Otherwise
-- nothing the engine stores depends on the figures; a rule turned on later is evaluated for every
-- customer by the next dirty run (an edited segment).
create function private.refresh_satisfaction(p_org uuid, p_ids uuid[])
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  -- Customers being deleted (a cascade) are left alone.
  p_ids := array(select c.id from public.customers c where c.org_id = p_org and c.id = any (p_ids));
  if cardinality(p_ids) = 0 then
    return;
  end if;
  delete from public.customer_satisfaction cs
   where cs.org_id = p_org and cs.customer_id = any (p_ids)
     and not exists (select 1 from public.satisfaction_responses s where s.org_id = p_org and s.customer_id = cs.customer_id);
  insert into public.customer_satisfaction as cs (
    org_id, customer_id, responses, last_score, last_scale, last_score_100, last_at, avg_score_100)
  select p_org, f.customer_id, f.responses, f.last_score, f.last_scale, f.last_score_100, f.last_at, f.avg_score_100
    from private.satisfaction_figures(p_org, p_ids) f
  on conflict (org_id, customer_id) do update set
    responses = excluded.responses,
    last_score = excluded.last_score,
    last_scale = excluded.last_scale,
    last_score_100 = excluded.last_score_100,
    last_at = excluded.last_at,
    avg_score_100 = excluded.avg_score_100
  where (cs.responses, cs.last_score, cs.last_scale, cs.last_at, cs.avg_score_100)
        is distinct from (excluded.responses, excluded.last_score, excluded.last_scale, excluded.last_at, excluded.avg_score_100);
  insert into private.dirty_customers (org_id, customer_id)
  select p_org, i
    from unnest(p_ids) as i
   where exists (select 1 from private.engine_state es where es.org_id = p_org and es.uses_satisfaction)
  on conflict (org_id, customer_id) do update set queued_at = excluded.queued_at;
end;
$$;

comment on function private.refresh_satisfaction(uuid, uuid[]) is
  'Recounts the satisfaction figures of some customers from their answers and, when an active rule uses satisfaction, queues them for the next dirty run.';
revoke all on function private.refresh_satisfaction(uuid, uuid[]) from public;


-- Statement-level, as private.events_changed (20261123001050_engine_triggers.sql): transition
-- tables need one trigger per event, and the three share this function, which reads the tables
-- its event has.
create function private.satisfaction_responses_changed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  batch record;
begin
  if tg_op = 'INSERT' then
    for batch in select n.org_id, array_agg(distinct n.customer_id) as ids from new_rows n group by n.org_id loop
      perform private.refresh_satisfaction(batch.org_id, batch.ids);
    end loop;
  elsif tg_op = 'DELETE' then
    for batch in select o.org_id, array_agg(distinct o.customer_id) as ids from old_rows o group by o.org_id loop
      perform private.refresh_satisfaction(batch.org_id, batch.ids);
    end loop;
  else
    -- A corrected answer or one moved to another customer (merge_customers): both customers.
    for batch in
      select x.org_id, array_agg(distinct x.customer_id) as ids
        from (
          select n.org_id, n.customer_id from new_rows n
          union all
          select o.org_id, o.customer_id from old_rows o
        ) x
       group by x.org_id
    loop
      perform private.refresh_satisfaction(batch.org_id, batch.ids);
    end loop;
  end if;
  return null;
end;
$$;

comment on function private.satisfaction_responses_changed() is
  'Trigger: customers whose satisfaction answers were added, corrected, moved (merge_customers) or removed get their figures recounted and are queued for the engine.';
revoke all on function private.satisfaction_responses_changed() from public;

create trigger satisfaction_responses_stats_inserted
  after insert on public.satisfaction_responses
  referencing new table as new_rows
  for each statement execute function private.satisfaction_responses_changed();

create trigger satisfaction_responses_stats_updated
  after update on public.satisfaction_responses
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.satisfaction_responses_changed();

create trigger satisfaction_responses_stats_deleted
  after delete on public.satisfaction_responses
  referencing old table as old_rows
  for each statement execute function private.satisfaction_responses_changed();


-- Recounts an organization's figures from scratch and repairs what differs; returns how many
-- customers it repaired (0 when the trigger kept everything exact).
create function private.rebuild_satisfaction(p_org uuid)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  fixed integer;
  removed integer;
begin
  with truth as (
    select f.* from private.satisfaction_figures(p_org, array(
      select distinct s.customer_id from public.satisfaction_responses s where s.org_id = p_org)) f
  ), upserted as (
    insert into public.customer_satisfaction as cs (
      org_id, customer_id, responses, last_score, last_scale, last_score_100, last_at, avg_score_100)
    select p_org, t.customer_id, t.responses, t.last_score, t.last_scale, t.last_score_100, t.last_at, t.avg_score_100
      from truth t
    on conflict (org_id, customer_id) do update set
      responses = excluded.responses, last_score = excluded.last_score, last_scale = excluded.last_scale,
      last_score_100 = excluded.last_score_100, last_at = excluded.last_at, avg_score_100 = excluded.avg_score_100
    where (cs.responses, cs.last_score, cs.last_scale, cs.last_score_100, cs.last_at, cs.avg_score_100)
          is distinct from (excluded.responses, excluded.last_score, excluded.last_scale, excluded.last_score_100,
                            excluded.last_at, excluded.avg_score_100)
    returning 1
  )
  select count(*)::integer into fixed from upserted;
  delete from public.customer_satisfaction cs
   where cs.org_id = p_org
     and not exists (select 1 from public.satisfaction_responses s where s.org_id = p_org and s.customer_id = cs.customer_id);
  get diagnostics removed = row_count;
  return fixed + removed;
end;
$$;

comment on function private.rebuild_satisfaction(uuid) is
  'Recounts an organization''s satisfaction figures from its answers, repairs what differs and returns how many customers it repaired.';
revoke all on function private.rebuild_satisfaction(uuid) from public;
grant execute on function private.rebuild_satisfaction(uuid) to service_role;

-- Contact statistics (supabase/README.md, the pool): when a customer was last contacted and how
-- many follow-ups are still open, kept per customer in customer_profiles next to the order and
-- event statistics, so that the engine reads them with the row it reads anyway (two narrow
-- columns). The last contact is the latest of
--   a mail event (events of kind email_in or email_out, at occurred_at),
--   a note (notes.created_at),
--   a completed follow-up (follow_ups.done_at);
-- open follow-ups count follow-ups with no done_at.
--
-- Statement-level triggers on events, notes and follow_ups (one call per statement, whatever its
-- row count: imports and merges write many rows at once) recount the statistics of the customers
-- the statement touched, from the sources, and reclassify those whose statistics changed: rule
-- fields open_follow_ups and days_since_last_contact, and the time an owned customer returns to
-- the pool, depend on them. Under portrait.defer_classification (bulk loads) the statistics are
-- still recounted at once and the customers queued for the next dirty run. A merge moves the
-- duplicate's rows to the survivor by update: both customers are recounted.

alter table public.customer_profiles
  add column last_contact_at timestamptz,
  add column open_follow_ups integer not null default 0,
  add constraint customer_profiles_open_follow_ups_not_negative check (open_follow_ups >= 0);

comment on column public.customer_profiles.last_contact_at is
  'When the customer was last contacted (最近联系): the latest mail event (email_in, email_out), note or completed follow-up; null when never. Kept by triggers on events, notes and follow_ups.';
comment on column public.customer_profiles.open_follow_ups is
  'How many of the customer''s follow-ups are not done yet (待跟进). Kept by triggers on follow_ups.';

-- The latest mail event of a customer: one probe when recounting.
create index events_customer_mail_idx on public.events (org_id, customer_id, occurred_at desc)
  where kind in ('email_in', 'email_out');


-- Recounts the contact statistics of some customers from events, notes and follow-ups, writes the
-- rows that differ, and returns the ids of the customers whose statistics changed.
create function private.refresh_contact_stats(p_org uuid, p_ids uuid[])
returns uuid[]
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  changed uuid[];
begin
  with fresh as (
    select c.id,
           greatest(
             (select max(e.occurred_at) from public.events e
               where e.org_id = p_org and e.customer_id = c.id and e.kind in ('email_in', 'email_out')),
             (select max(n.created_at) from public.notes n where n.org_id = p_org and n.customer_id = c.id),
             (select max(f.done_at) from public.follow_ups f
               where f.org_id = p_org and f.customer_id = c.id and f.done_at is not null)
           ) as ct_at,
           (select count(*) from public.follow_ups f
             where f.org_id = p_org and f.customer_id = c.id and f.done_at is null)::integer as open_fu
      from public.customers c
     where c.org_id = p_org and c.id = any (p_ids)
  ), upd as (
    update public.customer_profiles p set last_contact_at = f.ct_at, open_follow_ups = f.open_fu
      from fresh f
     where p.org_id = p_org and p.customer_id = f.id
       and (p.last_contact_at, p.open_follow_ups) is distinct from (f.ct_at, f.open_fu)
    returning p.customer_id
  )
  select coalesce(array_agg(u.customer_id order by u.customer_id), '{}') into changed from upd u;
  return changed;
end;
$$;

comment on function private.refresh_contact_stats(uuid, uuid[]) is
  'Recounts last_contact_at and open_follow_ups of some customers from mail events, notes and follow-ups; writes only rows that differ and returns the ids of the customers whose statistics changed.';


-- What the three triggers do for the customers of one organization a statement touched: recount
-- them, and reclassify those whose statistics changed when p_reclassify (events are reclassified by
-- their engine trigger, which fires after this one).
create function private.contact_stats_changed(p_org uuid, p_ids uuid[], p_reclassify boolean)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  changed uuid[];
begin
  changed := private.refresh_contact_stats(p_org, p_ids);
  if p_reclassify and cardinality(changed) > 0 then
    perform private.refresh_customers(p_org, changed, false);
  end if;
end;
$$;

comment on function private.contact_stats_changed(uuid, uuid[], boolean) is
  'Recounts the contact statistics of some customers of an organization and, when asked, reclassifies those whose statistics changed.';


-- One trigger function for the three tables, told by its trigger's arguments what differs:
--   tg_argv[0]   'reclassify' to reclassify the customers whose statistics changed (notes,
--                follow-ups), 'recount' to leave that to the table's engine trigger (events)
--   tg_argv[1]   the column of the row's contact time (created_at, done_at, occurred_at)
--   tg_argv[2]   optionally a column that says whether a row counts (events: kind) …
--   tg_argv[3:]  … and the values of it that do (email_in, email_out)
-- An update recounts the customers before and after of the rows whose organization, customer,
-- contact time or counting column changed. The queries are built from these column names
-- (quoted) because a trigger's transition tables have the columns of its own table.
create function private.contact_rows_changed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  reclassify boolean := tg_argv[0] = 'reclassify';
  at_column text := tg_argv[1];
  kind_column text := tg_argv[2];
  kinds text[] := tg_argv[3:];
  -- Whether a row (alias %1$s) counts, and the columns whose change matters.
  counts text := case when kind_column is null then 'true' else format('%%1$s.%I::text = any ($1)', kind_column) end;
  compared text := concat_ws(', ', '%1$s.org_id', '%1$s.customer_id',
                             case when kind_column is not null then format('%%1$s.%I', kind_column) end,
                             format('%%1$s.%I', at_column));
  batches text;
  batch record;
begin
  -- One statement per operation: a trigger's transition tables exist only for its own event.
  if tg_op in ('INSERT', 'DELETE') then
    batches := format('select x.org_id, array_agg(distinct x.customer_id) as ids from %s x where %s group by x.org_id',
                      case tg_op when 'INSERT' then 'new_rows' else 'old_rows' end, format(counts, 'x'));
  else
    batches := format($sql$
      select y.org_id, array_agg(distinct y.customer_id) as ids
        from old_rows o join new_rows n on n.id = o.id
       cross join lateral (values (o.org_id, o.customer_id), (n.org_id, n.customer_id)) as y (org_id, customer_id)
       where (%s or %s) and (%s) is distinct from (%s)
       group by y.org_id$sql$, format(counts, 'o'), format(counts, 'n'), format(compared, 'o'), format(compared, 'n'));
  end if;
  for batch in execute batches using kinds loop
    perform private.contact_stats_changed(batch.org_id, batch.ids, reclassify);
  end loop;
  return null;
end;
$$;

comment on function private.contact_rows_changed() is
  'Trigger: notes, follow-ups and mail events added, moved, completed or removed recount their customers'' last contact and open follow-ups; notes and follow-ups reclassify them (the engine''s events trigger reclassifies after events). Arguments: reclassify or recount, the contact time column, optionally a column and the values of it that count.';

create trigger notes_contact_inserted after insert on public.notes
  referencing new table as new_rows for each statement execute function private.contact_rows_changed('reclassify', 'created_at');
create trigger notes_contact_updated after update on public.notes
  referencing old table as old_rows new table as new_rows for each statement execute function private.contact_rows_changed('reclassify', 'created_at');
create trigger notes_contact_deleted after delete on public.notes
  referencing old table as old_rows for each statement execute function private.contact_rows_changed('reclassify', 'created_at');

create trigger follow_ups_contact_inserted after insert on public.follow_ups
  referencing new table as new_rows for each statement execute function private.contact_rows_changed('reclassify', 'done_at');
create trigger follow_ups_contact_updated after update on public.follow_ups
  referencing old table as old_rows new table as new_rows for each statement execute function private.contact_rows_changed('reclassify', 'done_at');
create trigger follow_ups_contact_deleted after delete on public.follow_ups
  referencing old table as old_rows for each statement execute function private.contact_rows_changed('reclassify', 'done_at');

-- Named to fire before events_engine_* (triggers of one event fire in name order).
create trigger events_contact_inserted after insert on public.events
  referencing new table as new_rows for each statement
  execute function private.contact_rows_changed('recount', 'occurred_at', 'kind', 'email_in', 'email_out');
create trigger events_contact_updated after update on public.events
  referencing old table as old_rows new table as new_rows for each statement
  execute function private.contact_rows_changed('recount', 'occurred_at', 'kind', 'email_in', 'email_out');
create trigger events_contact_deleted after delete on public.events
  referencing old table as old_rows for each statement
  execute function private.contact_rows_changed('recount', 'occurred_at', 'kind', 'email_in', 'email_out');

-- Statistics of the rows already there.
update public.customer_profiles p set last_contact_at = s.ct_at, open_follow_ups = s.open_fu
  from (
    select c.org_id, c.id,
           greatest(
             (select max(e.occurred_at) from public.events e
               where e.org_id = c.org_id and e.customer_id = c.id and e.kind in ('email_in', 'email_out')),
             (select max(n.created_at) from public.notes n where n.org_id = c.org_id and n.customer_id = c.id),
             (select max(f.done_at) from public.follow_ups f where f.org_id = c.org_id and f.customer_id = c.id)) as ct_at,
           (select count(*) from public.follow_ups f
             where f.org_id = c.org_id and f.customer_id = c.id and f.done_at is null)::integer as open_fu
      from public.customers c
  ) s
 where p.org_id = s.org_id and p.customer_id = s.id
   and (p.last_contact_at, p.open_follow_ups) is distinct from (s.ct_at, s.open_fu);

revoke all on function private.refresh_contact_stats(uuid, uuid[]) from public;
revoke all on function private.contact_stats_changed(uuid, uuid[], boolean) from public;
revoke all on function private.contact_rows_changed() from public;

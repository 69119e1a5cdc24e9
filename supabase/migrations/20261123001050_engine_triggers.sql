-- The triggers that keep portraits current in the writing transaction: an order ingested, a
-- refund, a cancellation, an event, a customer's fields, a tag, a stage override. All are
-- statement-level with transition tables (one call per statement, whatever its row count), pick
-- out the customers whose classification can change, and hand them to
-- private.refresh_customers: recount (orders, events) or reclassify (the rest) those customers,
-- against the stored cut points, with segment membership and rule tags.
--
-- Transition tables cannot be combined with several events or a column list, hence one trigger
-- per event, each filtering the rows that matter.

-- Orders: a paid order counts; an update matters when it touches a paid order's customer,
-- status, total, refund or time (a refund lowers net spend, a status change to refunded or
-- cancelled removes it). A statement of one order (a webhook, a person) takes the per-order path,
-- private.refresh_order_customer; statements of several recount their customers.
create function private.orders_inserted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  batch record;
  first_row record;
  one public.orders;
begin
  -- The first row and the statement's row count, in one read of the transition table.
  select n as row_, count(*) over () as rows_ into first_row from new_rows n limit 1;
  if first_row.rows_ = 1 then
    one := first_row.row_;
    if one.status = 'paid' then
      perform private.refresh_order_customer(one.org_id, one.customer_id, null, null,
                                             one.ordered_at, one.total - one.refunded_amount);
    end if;
    return null;
  end if;
  for batch in
    select n.org_id, array_agg(distinct n.customer_id) as ids
      from new_rows n
     where n.status = 'paid'
     group by n.org_id
  loop
    perform private.refresh_customers(batch.org_id, batch.ids, true);
  end loop;
  return null;
end;
$$;

create function private.orders_updated()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  batch record;
  before_row public.orders;
  after_row public.orders;
begin
  if (select count(*) from new_rows) = 1 then
    select * into before_row from old_rows;
    select * into after_row from new_rows;
    if before_row.id = after_row.id
       and (before_row.org_id, before_row.customer_id) = (after_row.org_id, after_row.customer_id) then
      if (before_row.status = 'paid' or after_row.status = 'paid')
         and (before_row.status, before_row.total, before_row.refunded_amount, before_row.ordered_at)
             is distinct from (after_row.status, after_row.total, after_row.refunded_amount, after_row.ordered_at) then
        perform private.refresh_order_customer(
          after_row.org_id, after_row.customer_id,
          case when before_row.status = 'paid' then before_row.ordered_at end, before_row.total - before_row.refunded_amount,
          case when after_row.status = 'paid' then after_row.ordered_at end, after_row.total - after_row.refunded_amount);
      end if;
      return null;
    end if;
  end if;
  for batch in
    with changed as (
      select o.org_id as old_org, o.customer_id as old_customer, o.status as old_status,
             n.org_id as new_org, n.customer_id as new_customer, n.status as new_status
        from old_rows o
        full join new_rows n on n.id = o.id
       where (o.id is null or n.id is null)
          or ((o.status = 'paid' or n.status = 'paid')
              and (o.org_id, o.customer_id, o.status, o.total, o.refunded_amount, o.ordered_at)
                  is distinct from (n.org_id, n.customer_id, n.status, n.total, n.refunded_amount, n.ordered_at))
    )
    select x.org_id, array_agg(distinct x.customer_id) as ids
      from (
        select old_org as org_id, old_customer as customer_id from changed where old_status = 'paid'
        union all
        select new_org, new_customer from changed where new_status = 'paid'
      ) x
     group by x.org_id
  loop
    perform private.refresh_customers(batch.org_id, batch.ids, true);
  end loop;
  return null;
end;
$$;

create function private.orders_deleted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  batch record;
  first_row record;
  one public.orders;
begin
  select o as row_, count(*) over () as rows_ into first_row from old_rows o limit 1;
  if first_row.rows_ = 1 then
    one := first_row.row_;
    if one.status = 'paid' then
      perform private.refresh_order_customer(one.org_id, one.customer_id, one.ordered_at,
                                             one.total - one.refunded_amount, null, null);
    end if;
    return null;
  end if;
  for batch in
    select o.org_id, array_agg(distinct o.customer_id) as ids
      from old_rows o
     where o.status = 'paid'
     group by o.org_id
  loop
    perform private.refresh_customers(batch.org_id, batch.ids, true);
  end loop;
  return null;
end;
$$;

comment on function private.orders_inserted() is
  'Trigger: customers with new paid orders get their statistics, profile, segments and rule tags brought up to date.';
comment on function private.orders_updated() is
  'Trigger: customers whose paid orders changed (refund, status, total, time, customer) are brought up to date.';
comment on function private.orders_deleted() is
  'Trigger: customers who lost paid orders are brought up to date.';

-- Not while `portrait.bulk` is on for the transaction: a bulk writer (the import, README
-- "Importing your data") refreshes the customers of the orders it wrote itself, once the table's
-- statistics know about them.
create trigger orders_engine_inserted
  after insert on public.orders
  referencing new table as new_rows
  for each statement
  when (coalesce(current_setting('portrait.bulk', true), '') <> 'on')
  execute function private.orders_inserted();

create trigger orders_engine_updated
  after update on public.orders
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.orders_updated();

create trigger orders_engine_deleted
  after delete on public.orders
  referencing old table as old_rows
  for each statement execute function private.orders_deleted();


-- Events: the latest event decides prospect or lead (and date rules on last_event_at).
create function private.events_changed()
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
      perform private.refresh_customers(batch.org_id, batch.ids, true);
    end loop;
  elsif tg_op = 'DELETE' then
    for batch in select o.org_id, array_agg(distinct o.customer_id) as ids from old_rows o group by o.org_id loop
      perform private.refresh_customers(batch.org_id, batch.ids, true);
    end loop;
  else
    for batch in
      with changed as (
        select o.org_id as old_org, o.customer_id as old_customer, n.org_id as new_org, n.customer_id as new_customer
          from old_rows o
          full join new_rows n on n.id = o.id
         where o.id is null or n.id is null
            or (o.org_id, o.customer_id, o.occurred_at) is distinct from (n.org_id, n.customer_id, n.occurred_at)
      )
      select x.org_id, array_agg(distinct x.customer_id) as ids
        from (
          select old_org as org_id, old_customer as customer_id from changed where old_org is not null
          union all
          select new_org, new_customer from changed where new_org is not null
        ) x
       group by x.org_id
    loop
      perform private.refresh_customers(batch.org_id, batch.ids, true);
    end loop;
  end if;
  return null;
end;
$$;

comment on function private.events_changed() is
  'Trigger: customers with new, moved or removed events get their latest event time and profile brought up to date.';

create trigger events_engine_inserted
  after insert on public.events
  referencing new table as new_rows
  for each statement execute function private.events_changed();

create trigger events_engine_updated
  after update on public.events
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.events_changed();

create trigger events_engine_deleted
  after delete on public.events
  referencing old table as old_rows
  for each statement execute function private.events_changed();


-- Customers: a new customer is classified at once (segments over country, industry…); a change
-- of the fields rules read reclassifies it; a referral added, moved or removed changes the
-- referrers' referral counts.
create function private.customers_changed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  batch record;
begin
  if tg_op = 'INSERT' then
    for batch in
      select x.org_id, array_agg(distinct x.id) as ids
        from (select n.org_id, n.id from new_rows n
              union all
              select n.org_id, n.referred_by from new_rows n where n.referred_by is not null) x
       group by x.org_id
    loop
      perform private.refresh_customers(batch.org_id, batch.ids, false);
    end loop;
  elsif tg_op = 'DELETE' then
    for batch in
      select o.org_id, array_agg(distinct o.referred_by) as ids
        from old_rows o
       where o.referred_by is not null
       group by o.org_id
    loop
      perform private.refresh_customers(batch.org_id, batch.ids, false);
    end loop;
  else
    -- An UPDATE that changed no row (one whose condition matched none, such as a webhook filling
    -- in what a known customer's record lacks when it lacks nothing) has nothing to classify.
    if not exists (select from new_rows) then
      return null;
    end if;
    -- Dynamic statements, planned for each call: a cached plan of the join of the two transition
    -- tables, made for the single row of an earlier statement, would compare every row with every
    -- other one for an UPDATE of 300,000 customers (an admin reassigning a rep's customers).
    for batch in execute $sql$
      select x.org_id, array_agg(distinct x.id) as ids
        from (
          select n.org_id, n.id
            from new_rows n join old_rows o on o.id = n.id
           where (o.country, o.industry, o.company_size, o.acquisition_source, o.is_valid, o.invalid_reason,
                  o.is_partner, o.created_at, o.owner_id, o.owned_since)
                 is distinct from
                 (n.country, n.industry, n.company_size, n.acquisition_source, n.is_valid, n.invalid_reason,
                  n.is_partner, n.created_at, n.owner_id, n.owned_since)
        ) x
       group by x.org_id$sql$
    loop
      -- Only what their classification changes is written: the reasons, the validity's included,
      -- are derived when a portrait is read (private.profile_reasons), not stored in the profile.
      perform private.refresh_customers(batch.org_id, batch.ids, false);
    end loop;
    for batch in execute $sql$
      select x.org_id, array_agg(distinct x.id) as ids
        from (
          select o.org_id, o.referred_by as id
            from old_rows o join new_rows n on n.id = o.id
           where o.referred_by is not null and o.referred_by is distinct from n.referred_by
          union all
          select n.org_id, n.referred_by
            from new_rows n join old_rows o on o.id = n.id
           where n.referred_by is not null and o.referred_by is distinct from n.referred_by
        ) x
       group by x.org_id$sql$
    loop
      perform private.refresh_customers(batch.org_id, batch.ids, false);
    end loop;
  end if;
  return null;
end;
$$;

comment on function private.customers_changed() is
  'Trigger: classifies new customers, reclassifies customers whose segment-relevant fields (owner included: the pool''s recycle time) changed, and updates referrers'' referral counts.';

create trigger customers_engine_inserted
  after insert on public.customers
  referencing new table as new_rows
  for each statement execute function private.customers_changed();

create trigger customers_engine_updated
  after update on public.customers
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.customers_changed();

create trigger customers_engine_deleted
  after delete on public.customers
  referencing old table as old_rows
  for each statement execute function private.customers_changed();


-- Tags people or imports put on customers feed rules about tags (rule tags never do: the engine
-- writes those itself): their customers are reclassified when a rule of the organization looks at
-- tags. What the triggers below do, and the import (which inserts tags with portrait.bulk on,
-- when the insert's trigger stands aside) calls itself.
create function private.refresh_tagged_customers(p_org uuid, p_ids uuid[])
returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  if exists (select 1 from private.engine_state es where es.org_id = p_org and es.uses_tags) then
    perform private.refresh_customers(p_org, p_ids, false);
  end if;
end;
$$;

comment on function private.refresh_tagged_customers(uuid, uuid[]) is
  'Customers of an organization whose tags (added by hand or by an import) changed: reclassified when a rule of the organization looks at tags.';
revoke all on function private.refresh_tagged_customers(uuid, uuid[]) from public;

create function private.customer_tags_changed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  batch record;
begin
  for batch in
    select x.org_id, array_agg(distinct x.customer_id) as ids
      from (
        select n.org_id, n.customer_id, n.source from new_rows n where tg_op in ('INSERT', 'UPDATE')
        union all
        select o.org_id, o.customer_id, o.source from old_rows o where tg_op in ('DELETE', 'UPDATE')
      ) x
     where x.source <> 'rule'
     group by x.org_id
  loop
    perform private.refresh_tagged_customers(batch.org_id, batch.ids);
  end loop;
  return null;
end;
$$;

comment on function private.customer_tags_changed() is
  'Trigger: when a rule looks at tags, customers whose tags added by hand or by an import were changed are reclassified.';

create function private.customer_tags_inserted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  batch record;
begin
  for batch in
    select n.org_id, array_agg(distinct n.customer_id) as ids
      from new_rows n
     where n.source <> 'rule'
     group by n.org_id
  loop
    perform private.refresh_tagged_customers(batch.org_id, batch.ids);
  end loop;
  return null;
end;
$$;

create function private.customer_tags_deleted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  batch record;
begin
  for batch in
    select o.org_id, array_agg(distinct o.customer_id) as ids
      from old_rows o
     where o.source <> 'rule'
     group by o.org_id
  loop
    perform private.refresh_tagged_customers(batch.org_id, batch.ids);
  end loop;
  return null;
end;
$$;

comment on function private.customer_tags_inserted() is
  'Trigger: when a rule looks at tags, customers given a tag by hand or by an import are reclassified.';
comment on function private.customer_tags_deleted() is
  'Trigger: when a rule looks at tags, customers who lost a tag added by hand or by an import are reclassified.';

-- Not while `portrait.bulk` is on for the transaction: the import (README "Importing your data")
-- calls private.refresh_tagged_customers itself for the customers it tagged.
create trigger customer_tags_engine_inserted
  after insert on public.customer_tags
  referencing new table as new_rows
  for each statement
  when (coalesce(current_setting('portrait.bulk', true), '') <> 'on')
  execute function private.customer_tags_inserted();

create trigger customer_tags_engine_updated
  after update on public.customer_tags
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.customer_tags_changed();

create trigger customer_tags_engine_deleted
  after delete on public.customer_tags
  referencing old table as old_rows
  for each statement execute function private.customer_tags_deleted();


-- A renamed tag changes what rules naming it match: its customers are queued.
create function private.tag_renamed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if lower(new.name) is distinct from lower(old.name)
     and exists (select 1 from private.engine_state es where es.org_id = new.org_id and es.uses_tags) then
    insert into private.dirty_customers (org_id, customer_id)
    select ct.org_id, ct.customer_id
      from public.customer_tags ct
     where ct.org_id = new.org_id and ct.tag_id = new.id and ct.source <> 'rule'
    on conflict (org_id, customer_id) do update set queued_at = excluded.queued_at;
  end if;
  return null;
end;
$$;

comment on function private.tag_renamed() is
  'Trigger: a tag renamed while rules look at tags queues its customers for the next dirty run.';

create trigger tags_engine_renamed
  after update of name on public.tags
  for each row execute function private.tag_renamed();


-- A stage override set or cleared changes the stage segments see.
create function private.stage_override_changed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.stage_override is distinct from old.stage_override then
    perform private.refresh_customers(new.org_id, array[new.customer_id], false);
  end if;
  return null;
end;
$$;

comment on function private.stage_override_changed() is
  'Trigger: reclassifies a customer whose stage override was set or cleared (segments read the stage shown).';

create trigger customer_profiles_engine_override
  after update of stage_override on public.customer_profiles
  for each row execute function private.stage_override_changed();


revoke all on function private.orders_inserted() from public;
revoke all on function private.orders_updated() from public;
revoke all on function private.orders_deleted() from public;
revoke all on function private.events_changed() from public;
revoke all on function private.customers_changed() from public;
revoke all on function private.customer_tags_changed() from public;
revoke all on function private.customer_tags_inserted() from public;
revoke all on function private.customer_tags_deleted() from public;
revoke all on function private.tag_renamed() from public;
revoke all on function private.stage_override_changed() from public;

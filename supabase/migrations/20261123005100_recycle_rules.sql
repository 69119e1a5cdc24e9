-- Recycle rules of the shared pool (公海, supabase/README.md): an owned customer nobody followed up
-- (no mail event, note or completed follow-up) for N days since max(last contact, owned since)
-- returns to the pool. N comes from organization settings pool.recycle_days: by_stage for the
-- stage shown (override included), else by_tier for the value tier; a stage's entry wins over
-- the tier's, even when it is longer; neither: the customer is never recycled. Off by default.
--
-- customer_profiles.recycle_at is the moment the customer is due, computed by the engine's
-- classification with the rest of the profile (so it follows the owner, the last contact, the
-- tier and the stage), and for the owned customers of an organization whose recycle days change
-- (the trigger below). The drift pass (private.recompute, kind drift) takes due customers by the
-- partial index below, never scanning the others, and sets their owner to null; the ownership
-- history records it as recycled and the classification clears recycle_at.
--
-- Limits on claiming (pool.max_owned_per_rep, pool.max_claims_per_day) are checked by
-- private.change_owner through private.check_claim_limits; past them claim_customer raises
-- SQLSTATE P0001 (a business rule, not a permission: the rep may claim again later).

alter table public.customers
  add column owned_since timestamptz;

comment on column public.customers.owned_since is
  'Since when the current owner has owned the customer (set by trigger whenever owner_id changes; null without an owner). The pool''s recycle time counts from the later of this and the last contact.';

alter table public.customer_profiles
  add column recycle_at timestamptz;

comment on column public.customer_profiles.recycle_at is
  'When the owned customer returns to the pool (公海) if nobody follows them up: max(last contact, owned since) + the recycle days of the organization''s settings for their stage or tier; null when unowned or no rule applies. The drift pass recycles customers whose moment has come.';

-- The drift pass: owned customers of an organization whose recycle time has come.
create index customer_profiles_recycle_at_idx on public.customer_profiles (org_id, recycle_at)
  where recycle_at is not null;

-- Owners already set: owned since their latest ownership change, else the customer's creation.
update public.customers c
   set owned_since = coalesce(
         (select max(oc.changed_at) from public.ownership_changes oc
           where oc.org_id = c.org_id and oc.customer_id = c.id and oc.to_owner_id = c.owner_id),
         c.created_at)
 where c.owner_id is not null;


-- Keeps owned_since with the owner, whoever writes (the API, Studio, an import). The engine's
-- clock (private.engine_now) so that an import or a test classifying as of a moment agrees. Clients
-- may not update the column (no column privilege); the database owner and the service role may
-- backdate it while the owner stays (an import of owners, the demo data).
create function private.set_owned_since()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.owner_id is null then
    new.owned_since := null;
  elsif tg_op = 'INSERT' or new.owner_id is distinct from old.owner_id then
    new.owned_since := private.engine_now();
  end if;
  return new;
end;
$$;

comment on function private.set_owned_since() is
  'Trigger: sets customers.owned_since to now when the owner changes, null without an owner; otherwise keeps what the writer gave (clients cannot write the column).';
revoke all on function private.set_owned_since() from public;

-- Row-level, since it writes into the row being stored (a statement-level trigger would have to
-- update every row a second time), but only for the rows whose owned_since must change: an update
-- that leaves the owner alone never calls the function.
create trigger customers_set_owned_since
  before insert on public.customers
  for each row when (new.owner_id is not null or new.owned_since is not null)
  execute function private.set_owned_since();

create trigger customers_set_owned_since_on_update
  before update on public.customers
  for each row when (new.owner_id is distinct from old.owner_id or (new.owner_id is null and new.owned_since is not null))
  execute function private.set_owned_since();


-- The drift pass's recycling: up to p_limit owned customers of the organization whose recycle
-- time is at or before p_now go back to the pool, soonest first. Returns how many.
create function private.recycle_due(p_org uuid, p_now timestamptz, p_limit integer)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  due uuid[];
  recycled integer;
begin
  -- The due customers first, then one update by their ids: joined in one statement, statistics
  -- taken before owners were handed out (one owned customer, one due) made the planner scan the
  -- due list once per owned customer.
  due := array(
    select p.customer_id
      from public.customer_profiles p
     where p.org_id = p_org and p.recycle_at <= p_now
     order by p.recycle_at
     limit p_limit);
  if cardinality(due) = 0 then
    return 0;
  end if;
  perform set_config('portrait.ownership_reason', 'recycled', true),
          set_config('portrait.ownership_note', 'Nobody followed the customer up within the recycle days (organization settings pool.recycle_days).', true);
  update public.customers c set owner_id = null
   where c.id = any (due) and c.org_id = p_org and c.owner_id is not null;
  get diagnostics recycled = row_count;
  perform set_config('portrait.ownership_reason', '', true), set_config('portrait.ownership_note', '', true);
  return recycled;
end;
$$;

comment on function private.recycle_due(uuid, timestamptz, integer) is
  'Returns to the pool up to p_limit owned customers of an organization whose recycle_at has come (by the partial index on recycle_at), recorded as recycled in ownership_changes; returns how many.';
revoke all on function private.recycle_due(uuid, timestamptz, integer) from public;


-- The pool's limits for a rep about to claim a customer; raises P0001 past one of them. Takes a
-- transaction lock per member and organization so that concurrent claims are counted one by one.
create function private.check_claim_limits(p_org uuid, p_user uuid)
returns void
language plpgsql
volatile
set search_path = ''
as $$
declare
  pool jsonb;
  owned integer;
  claimed integer;
begin
  select private.org_settings_with_defaults(o.settings) -> 'pool' into pool from public.organizations o where o.id = p_org;
  if jsonb_typeof(pool -> 'max_owned_per_rep') is distinct from 'number'
     and jsonb_typeof(pool -> 'max_claims_per_day') is distinct from 'number' then
    return;
  end if;
  perform pg_advisory_xact_lock(hashtext('portrait.claims'), hashtext(p_org::text || p_user::text));
  if jsonb_typeof(pool -> 'max_owned_per_rep') = 'number' then
    select count(*)::integer into owned from public.customers c where c.org_id = p_org and c.owner_id = p_user;
    if owned >= (pool ->> 'max_owned_per_rep')::integer then
      raise exception using
        errcode = 'P0001',
        message = format('p_customer: you already own %s customers, the most a rep may own in this organization (pool.max_owned_per_rep)', owned),
        hint = 'Release a customer first, or ask an admin to assign this one.';
    end if;
  end if;
  if jsonb_typeof(pool -> 'max_claims_per_day') = 'number' then
    select count(*)::integer into claimed
      from public.ownership_changes oc
     where oc.to_owner_id = p_user and oc.changed_at > now() - interval '24 hours'
       and oc.org_id = p_org and oc.reason = 'claimed';
    if claimed >= (pool ->> 'max_claims_per_day')::integer then
      raise exception using
        errcode = 'P0001',
        message = format('p_customer: you claimed %s customers in the last 24 hours, the most a rep may claim in a day in this organization (pool.max_claims_per_day)', claimed),
        hint = 'Try again later, or ask an admin to assign this one.';
    end if;
  end if;
end;
$$;

comment on function private.check_claim_limits(uuid, uuid) is
  'Raises P0001 when a rep claiming a customer would pass the organization''s pool limits (customers owned, claims in the last 24 hours).';
revoke all on function private.check_claim_limits(uuid, uuid) from public;


-- New recycle days move the recycle time of every owned customer of the organization at once.
create function private.pool_settings_changed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if private.org_settings_with_defaults(new.settings) #> '{pool,recycle_days}'
     is distinct from private.org_settings_with_defaults(old.settings) #> '{pool,recycle_days}' then
    perform private.refresh_customers(new.id, array(
      select c.id from public.customers c where c.org_id = new.id and c.owner_id is not null), false);
  end if;
  return null;
end;
$$;

comment on function private.pool_settings_changed() is
  'Trigger: when an organization''s recycle days change, its owned customers are reclassified (their recycle_at moves).';
revoke all on function private.pool_settings_changed() from public;

create trigger organizations_pool_settings_changed
  after update of settings on public.organizations
  for each row execute function private.pool_settings_changed();

-- Applying a shop's history page by page (the backfill-shop function calls these as the service
-- role). Orders go through private.ingest_order, the webhook path, so a backfilled order gets the
-- same customer, identities, dedupe and engine update as a webhook order. Customers (the shop's
-- customer list, which includes people who never ordered) are matched and created the same way.

-- A shop customer in the provider-neutral shape of an order's "customer" object:
--   {"external_id": "123" | null, "email": …, "phone": …, "name": …, "country": "US"}
create function private.backfill_customer(p_org uuid, p_provider public.shop_provider, p_customer jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_order jsonb := jsonb_build_object('external_id', null, 'customer', p_customer);
  v_found record;
begin
  if not exists (select from private.ingest_identifiers(p_org, p_provider::text, v_order)) then
    return jsonb_build_object('status', 'skipped', 'reason', 'the customer has no id, email or phone');
  end if;
  -- The same locks and the same matching as a webhook's order (private.ingest_order).
  perform private.lock_order_identities(p_org, p_provider::text, v_order);
  select * into v_found from private.ingest_customer(p_org, p_provider, v_order, null);
  return jsonb_build_object('status', 'applied', 'customer_id', v_found.customer_id, 'customer_created', v_found.created);
end;
$$;

comment on function private.backfill_customer(uuid, public.shop_provider, jsonb) is
  'Finds (by shop customer id, email, phone) or creates the customer a shop''s customer record describes and records its identifiers, as private.ingest_order does for an order''s customer.';


-- Starts (or resumes) work on a backfill: returns what the function needs to call the shop, or
-- {"status": "done"} / {"status": "not_ready", "reason"}.
create function private.backfill_begin(p_backfill uuid)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_backfill public.shop_backfills;
  v_connection public.shop_connections;
  v_reason text;
begin
  select * into v_backfill from public.shop_backfills b where b.id = p_backfill for update;
  if v_backfill.id is null then
    raise exception using errcode = '22023', message = format('backfill_id: no backfill %s', p_backfill);
  end if;
  if v_backfill.state = 'done' then
    return jsonb_build_object('status', 'done', 'backfill', to_jsonb(v_backfill));
  end if;
  select * into v_connection from public.shop_connections c where c.id = v_backfill.shop_connection_id;
  v_reason := case
    when not v_connection.is_active then 'the shop connection is inactive'
    when v_connection.api_key is null then 'the shop connection has no API credentials (api_key)'
    when v_connection.provider = 'woocommerce' and v_connection.api_secret is null then 'the WooCommerce connection has no consumer secret (api_secret)'
  end;
  if v_reason is not null then
    update public.shop_backfills b set state = 'failed', last_error = v_reason where b.id = p_backfill
    returning * into v_backfill;
    return jsonb_build_object('status', 'not_ready', 'reason', v_reason, 'backfill', to_jsonb(v_backfill));
  end if;
  update public.shop_backfills b
     set state = 'running', attempts = b.attempts + 1, started_at = coalesce(b.started_at, now()), resume_after = null
   where b.id = p_backfill
  returning * into v_backfill;
  return jsonb_build_object(
    'status', 'ready',
    'backfill', to_jsonb(v_backfill),
    'connection', jsonb_build_object(
      'id', v_connection.id,
      'provider', v_connection.provider,
      'shop_domain', v_connection.shop_domain,
      'api_base_url', coalesce(v_connection.api_base_url, 'https://' || v_connection.shop_domain),
      'api_key', v_connection.api_key,
      'api_secret', v_connection.api_secret));
end;
$$;

comment on function private.backfill_begin(uuid) is
  'Marks a backfill running (one more attempt) and returns it with its connection''s API location and credentials; a done backfill or a connection without credentials is reported instead.';


-- One page of the shop's history, applied with the move of the cursor past it, in one transaction.
-- p_cursor is where the page started (as the caller read it from the backfill): when the backfill
-- has moved on meanwhile (another call applied the page), nothing is applied.
create function private.backfill_apply_page(
  p_backfill uuid,
  p_phase text,
  p_cursor text,
  p_items jsonb,
  p_next_cursor text,
  p_phase_done boolean,
  p_skipped integer default 0
)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_backfill public.shop_backfills;
  v_connection public.shop_connections;
  v_item jsonb;
  v_result jsonb;
  v_applied integer := 0;
  v_skipped integer := coalesce(p_skipped, 0);
  v_created integer := 0;
  v_key text;
  v_touched uuid[] := '{}';
  v_defer text := current_setting('portrait.defer_classification', true);
  v_history_from date;
  v_today date := (now() at time zone 'UTC')::date;
begin
  if p_phase is null or p_phase not in ('customers', 'orders') then
    raise exception using errcode = '22023', message = 'p_phase must be customers or orders';
  end if;
  if jsonb_typeof(p_items) is distinct from 'array' then
    raise exception using errcode = '22023', message = 'p_items must be a JSON array';
  end if;
  select * into v_backfill from public.shop_backfills b where b.id = p_backfill for update;
  if v_backfill.id is null then
    raise exception using errcode = '22023', message = format('p_backfill: no backfill %s', p_backfill);
  end if;
  if v_backfill.state = 'done' or v_backfill.phase <> p_phase or v_backfill.cursor is distinct from p_cursor then
    return jsonb_build_object('status', 'moved_on', 'backfill', to_jsonb(v_backfill));
  end if;
  select * into v_connection from public.shop_connections c where c.id = v_backfill.shop_connection_id;

  -- The engine classifies each touched customer once, after the page, instead of after each of
  -- its orders (the bulk-load switch the engine offers; statistics are still kept per order).
  perform set_config('portrait.defer_classification', 'on', true);

  for v_item in select * from jsonb_array_elements(p_items) loop
    if p_phase = 'customers' then
      v_result := private.backfill_customer(v_backfill.org_id, v_connection.provider, v_item);
      if v_result ->> 'status' = 'applied' then
        v_applied := v_applied + 1;
        v_touched := v_touched || (v_result ->> 'customer_id')::uuid;
        v_created := v_created + (v_result ->> 'customer_created')::boolean::integer;
      else
        v_skipped := v_skipped + 1;
      end if;
    else
      -- The webhook path's key for "this order in this version", so that a restarted backfill
      -- recognises orders it already applied.
      v_key := left(format('backfill:%s:order:%s:%s', v_connection.shop_domain, v_item ->> 'external_id',
                           coalesce(v_item ->> 'source_updated_at', 'unknown')), 300);
      begin
        v_result := private.ingest_order(v_backfill.org_id, v_connection.provider::text, v_key, v_item, 'backfill', v_connection.id);
        v_applied := v_applied + 1;
        v_created := v_created + coalesce((v_result ->> 'customer_created')::boolean, false)::integer;
        if v_result ->> 'customer_id' is not null then
          v_touched := v_touched || (v_result ->> 'customer_id')::uuid;
        end if;
      exception when sqlstate '22023' or sqlstate '22P02' or sqlstate '22007' or sqlstate '22008' or sqlstate '22003'
                  or sqlstate '23514' or sqlstate '23502' then
        -- The order itself is refused: recorded like a refused webhook delivery, the page goes on.
        perform private.record_inbound_failure(v_backfill.org_id, v_connection.id, v_connection.provider::text, v_key, 'backfill',
                                               format('%s: %s', sqlstate, sqlerrm));
        v_skipped := v_skipped + 1;
      end;
    end if;
  end loop;

  perform set_config('portrait.defer_classification', coalesce(v_defer, ''), true);
  if cardinality(v_touched) > 0 then
    -- Only what their classification changes is written (the statistics are already kept; the
    -- reasons are derived when a portrait is read, private.profile_reasons).
    perform private.refresh_customers(v_backfill.org_id, array(select distinct unnest(v_touched)), false);
    delete from private.dirty_customers d
     where d.org_id = v_backfill.org_id and d.customer_id = any (v_touched);
  end if;

  update public.shop_backfills b
     set customers_done = b.customers_done + case when p_phase = 'customers' then v_applied else 0 end,
         orders_done = b.orders_done + case when p_phase = 'orders' then v_applied else 0 end,
         skipped = b.skipped + v_skipped,
         pages_done = b.pages_done + 1,
         phase = case when p_phase_done and p_phase = 'customers' then 'orders' else b.phase end,
         cursor = case when p_phase_done then null else p_next_cursor end,
         state = case when p_phase_done and p_phase = 'orders' then 'done' else 'running' end,
         finished_at = case when p_phase_done and p_phase = 'orders' then now() else b.finished_at end,
         last_error = null
   where b.id = p_backfill
  returning * into v_backfill;

  -- The last page: the stage history (stage_snapshots, what the Overview shows) is rebuilt from the
  -- first order of the shop's kind to today, so the backfilled past shows at once. Days before it
  -- are unchanged by these orders; rows the engine took itself are kept.
  if v_backfill.state = 'done' then
    select (min(o.ordered_at) at time zone 'UTC')::date into v_history_from
      from public.orders o
     where o.org_id = v_backfill.org_id and o.source = v_connection.provider::text::public.order_source;
    if v_history_from is not null then
      perform private.backfill_stage_snapshots(v_backfill.org_id, greatest(least(v_history_from, v_today), v_today - 36600), v_today);
    end if;
  end if;

  return jsonb_build_object(
    'status', 'applied', 'applied', v_applied, 'skipped', v_skipped, 'customers_created', v_created,
    'backfill', to_jsonb(v_backfill));
end;
$$;

comment on function private.backfill_apply_page(uuid, text, text, jsonb, text, boolean, integer) is
  'Applies one page of a shop''s customers (private.backfill_customer) or orders (private.ingest_order, the webhook path) and moves the backfill''s cursor past it, in one transaction; the last page also rebuilds the stage snapshots from the first order to today. Returns {"status": "applied" | "moved_on", "applied", "skipped", "backfill"}.';


-- An attempt that stops before the end: paused (time budget, or the shop asked to wait) or failed.
create function private.backfill_stop(p_backfill uuid, p_state text, p_error text, p_resume_after timestamptz default null)
returns public.shop_backfills
language plpgsql
set search_path = ''
as $$
declare
  v_backfill public.shop_backfills;
begin
  if p_state is null or p_state not in ('paused', 'failed') then
    raise exception using errcode = '22023', message = 'p_state must be paused or failed';
  end if;
  update public.shop_backfills b
     set state = p_state,
         last_error = left(p_error, 2000),
         resume_after = p_resume_after
   where b.id = p_backfill and b.state <> 'done'
  returning * into v_backfill;
  return v_backfill;
end;
$$;

comment on function private.backfill_stop(uuid, text, text, timestamptz) is
  'Records that an attempt on a backfill stopped early: paused (to resume, after p_resume_after if given) or failed, with the reason.';

-- The backfills a scheduled call should work on: not done, not asked to wait, with credentials.
create function private.backfills_due(p_limit integer default 10)
returns setof uuid
language sql
stable
set search_path = ''
as $$
  select b.id
    from public.shop_backfills b
    join public.shop_connections c on c.id = b.shop_connection_id
   where b.state <> 'done'
     and c.is_active and c.api_key is not null
     and (b.resume_after is null or b.resume_after <= now())
   order by b.updated_at
   limit greatest(1, least(coalesce(p_limit, 10), 100))
$$;

comment on function private.backfills_due(integer) is
  'Backfills that are not done, not waiting (resume_after) and whose connection is active with credentials, least recently touched first.';

revoke all on function private.backfill_customer(uuid, public.shop_provider, jsonb) from public, anon, authenticated;
revoke all on function private.backfill_begin(uuid) from public, anon, authenticated;
revoke all on function private.backfill_apply_page(uuid, text, text, jsonb, text, boolean, integer) from public, anon, authenticated;
revoke all on function private.backfill_stop(uuid, text, text, timestamptz) from public, anon, authenticated;
revoke all on function private.backfills_due(integer) from public, anon, authenticated;
grant execute on function private.backfill_customer(uuid, public.shop_provider, jsonb) to service_role;
grant execute on function private.backfill_begin(uuid) to service_role;
grant execute on function private.backfill_apply_page(uuid, text, text, jsonb, text, boolean, integer) to service_role;
grant execute on function private.backfill_stop(uuid, text, text, timestamptz) to service_role;
grant execute on function private.backfills_due(integer) to service_role;

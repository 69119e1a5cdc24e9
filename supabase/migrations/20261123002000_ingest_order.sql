-- Order ingest: what the ingest-orders function does with a verified shop webhook, in one SQL
-- call so that one transaction records the delivery, finds or creates the customer, records its
-- identifiers and upserts the order. The engine's triggers on orders bring the customer's
-- statistics, profile and segments up to date in that same transaction, so the portrait is
-- current when the function answers, and a crash leaves nothing half applied.
--
-- The function receives the order in a provider-neutral shape (built from the Shopify or
-- WooCommerce payload by supabase/functions/_shared/webhooks.ts):
--
--   {
--     "action": "upsert" | "refund" | "delete",
--         upsert  the full state of the order (create, update, paid, cancelled)
--         refund  refunds of an order, without the rest of its state (Shopify refunds/create)
--         delete  the shop deleted the order (WooCommerce order.deleted): it stops counting
--     "external_id": "4711",                    the order's id in the shop (digits)
--     "ordered_at": "2026-01-31T10:00:00Z",
--     "total": "49.90",                         decimal string, never a float
--     "currency": "USD",
--     "status": "paid" | "pending" | "cancelled" | "refunded",
--     "refunds": [{"id": "77", "amount": "5.00"}],   refunds the delivery knows of
--     "source_updated_at": "…",                 when the shop last changed the order
--     "customer": {"external_id": "123" | null, "email": …, "phone": …, "name": …, "country": "US"}
--   }
--
-- Refunds are kept per refund id (private.shop_order_sync.refunds), so that a refund reported both
-- by refunds/create and inside a later orders/updated counts once, whichever arrives first; the
-- order's refunded_amount is their sum (capped at the total). Deliveries can arrive out of order:
-- one older than the order state already applied (source_updated_at) changes nothing but refunds.

create table private.shop_order_sync (
  org_id uuid not null,
  source public.order_source not null,
  external_id text not null,
  source_updated_at timestamptz,
  refunds jsonb not null default '{}',
  updated_at timestamptz not null default now(),
  constraint shop_order_sync_pkey primary key (org_id, source, external_id),
  constraint shop_order_sync_org_id_fkey foreign key (org_id) references public.organizations (id) on delete cascade,
  constraint shop_order_sync_refunds_is_object check (jsonb_typeof(refunds) = 'object')
);

comment on table private.shop_order_sync is
  'Per shop order: the shop''s last-modified time of the state applied to public.orders, and every refund seen (refund id → amount), so that webhook deliveries apply in any order and each refund counts once.';
comment on column private.shop_order_sync.org_id is 'The organization.';
comment on column private.shop_order_sync.source is 'shopify or woocommerce.';
comment on column private.shop_order_sync.external_id is 'The order''s id in the shop (orders.external_id).';
comment on column private.shop_order_sync.source_updated_at is 'When the shop last changed the order, as of the newest delivery applied.';
comment on column private.shop_order_sync.refunds is 'Refunds seen for the order: an object of refund id → refunded amount (decimal string).';
comment on column private.shop_order_sync.updated_at is 'When a delivery last touched this row.';

revoke all on table private.shop_order_sync from public, anon, authenticated;
grant all on table private.shop_order_sync to service_role;


-- The identifier values of an incoming order, normalised as customer_identities stores them.
-- Invalid values (a phone number that is no number) are left out rather than failing the order.
-- At most four rows, and the planner is told so: a function with its own search_path is not
-- inlined, so the planner cannot count its rows, and by its default guess (1,000) the customer's
-- lookup (private.ingest_customer) hashed every identifier of the organization instead of
-- probing the key four times: 7.6 ms an order at 20,000 identifiers, growing with them.
-- PL/pgSQL rather than SQL: its statement's plan is kept for the session, where a SQL function
-- that is not inlined plans its body again in every statement that calls it (54 -> 23 µs a call,
-- and a delivery calls it twice).
create function private.ingest_identifiers(p_org uuid, p_provider text, p_order jsonb)
returns table (kind public.identity_kind, value text)
language plpgsql
stable
rows 4
set search_path = ''
as $$
begin
  return query
  select x.kind, x.value
    from (values
      ('shop_order'::public.identity_kind,
       private.normalize_shop_id(p_provider, p_order ->> 'external_id')),
      ('shop_customer'::public.identity_kind,
       private.normalize_shop_id(p_provider, nullif(p_order #>> '{customer,external_id}', '0'))),
      ('email'::public.identity_kind,
       private.normalize_email(p_order #>> '{customer,email}')),
      ('phone'::public.identity_kind,
       case when p_order #>> '{customer,phone}' is not null then
         private.normalize_phone(p_order #>> '{customer,phone}', private.org_default_phone_region(p_org)) end)
    ) as x (kind, value)
   where x.value is not null;
end;
$$;

comment on function private.ingest_identifiers(uuid, text, jsonb) is
  'The normalised identifiers (shop order, shop customer, email, phone) of an order given to private.ingest_order; invalid values are left out.';


-- Locks every identifier of an order (or of a shop's customer record), so that deliveries and
-- backfill pages that concern the same order or the same person run one after the other: two
-- concurrent first orders of a new customer create one customer, not two. The locks are taken in a
-- fixed order, so they cannot deadlock among themselves.
create function private.lock_order_identities(p_org uuid, p_provider text, p_order jsonb)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform pg_advisory_xact_lock(k.key)
     from (select distinct hashtextextended(p_org::text || '|' || i.kind::text || '|' || i.value, 0) as key
             from private.ingest_identifiers(p_org, p_provider, p_order) i) as k
    order by k.key;
end;
$$;

comment on function private.lock_order_identities(uuid, text, jsonb) is
  'Transaction locks on each identifier of an order (private.ingest_identifiers), taken in a fixed order: deliveries and backfill pages about the same person run one after the other.';


-- The customer an order (or a shop's customer record, as an order's "customer" object) describes:
-- p_customer_id when the order already belongs to one, else the first found by shop order, shop
-- customer id, email, then phone, else a new one acquired from the provider. What the customer's
-- record lacks is filled in, never what people typed overwritten; an email or phone number another
-- customer holds is not made this one's primary. Its identifiers are added; one that belongs to
-- another customer stays there (moving it would merge two customers, which a person decides) and is
-- listed in `conflicts`. The caller holds private.lock_order_identities.
create function private.ingest_customer(
  p_org uuid,
  p_provider public.shop_provider,
  p_order jsonb,
  p_customer_id uuid,
  out customer_id uuid,
  out created boolean,
  out conflicts jsonb
)
language plpgsql
set search_path = ''
as $$
declare
  v_customer jsonb := coalesce(p_order -> 'customer', '{}'::jsonb);
  v_customer_id uuid := p_customer_id;
  v_email text;
  v_phone text;
  v_country text := upper(nullif(btrim(v_customer ->> 'country'), ''));
  v_name text := left(nullif(btrim(regexp_replace(coalesce(v_customer ->> 'name', ''), '\s+', ' ', 'g')), ''), 200);
  -- The order's identifiers, normalised once for the lookup, the record's contacts and the inserts below.
  v_kinds public.identity_kind[];
  v_values text[];
  v_ident record;
  v_holder uuid;
begin
  created := false;
  conflicts := '[]'::jsonb;
  if v_country !~ '^[A-Z]{2}$' then
    v_country := null;
  end if;
  select coalesce(array_agg(x.kind), '{}'), coalesce(array_agg(x.value), '{}') into v_kinds, v_values
    from private.ingest_identifiers(p_org, p_provider::text, p_order) x;
  -- Its email and phone number as normalised there (null when absent or not a valid value).
  v_email := v_values[array_position(v_kinds, 'email')];
  v_phone := v_values[array_position(v_kinds, 'phone')];
  if v_customer_id is null then
    -- Each identifier by the key: a probe each (the limit keeps the subquery lateral), never a
    -- scan of the organization's identifiers, whatever the plan guesses of the list's length.
    select i.customer_id into v_customer_id
      from unnest(v_kinds, v_values) as x (kind, value)
      cross join lateral (
        select ci.customer_id from public.customer_identities ci
         where ci.org_id = p_org and ci.kind = x.kind and ci.value = x.value
         limit 1
      ) i
     order by array_position(array['shop_order', 'shop_customer', 'email', 'phone']::public.identity_kind[], x.kind)
     limit 1;
  end if;

  if exists (select from public.customer_identities i
              where i.org_id = p_org and i.kind = 'email' and i.value = v_email
                and i.customer_id is distinct from v_customer_id) then
    v_email := null;
  end if;
  if exists (select from public.customer_identities i
              where i.org_id = p_org and i.kind = 'phone' and i.value = v_phone
                and i.customer_id is distinct from v_customer_id) then
    v_phone := null;
  end if;

  if v_customer_id is null then
    insert into public.customers (org_id, display_name, primary_email, primary_phone, country, acquisition_source)
    values (p_org, coalesce(v_name, v_email, v_phone), v_email, v_phone, v_country, p_provider::text)
    returning id into v_customer_id;
    created := true;
  else
    update public.customers c
       set display_name = coalesce(c.display_name, v_name),
           primary_email = coalesce(c.primary_email, v_email),
           primary_phone = coalesce(c.primary_phone, v_phone),
           country = coalesce(c.country, v_country)
     where c.org_id = p_org and c.id = v_customer_id
       and ((c.display_name is null and v_name is not null)
            or (c.primary_email is null and v_email is not null)
            or (c.primary_phone is null and v_phone is not null)
            or (c.country is null and v_country is not null));
  end if;

  for v_ident in select x.kind, x.value from unnest(v_kinds, v_values) as x (kind, value) loop
    insert into public.customer_identities (org_id, kind, value, customer_id)
    values (p_org, v_ident.kind, v_ident.value, v_customer_id)
    on conflict (org_id, kind, value) do nothing;
    if not found then
      select i.customer_id into v_holder
        from public.customer_identities i
       where i.org_id = p_org and i.kind = v_ident.kind and i.value = v_ident.value;
      if v_holder <> v_customer_id then
        conflicts := conflicts || jsonb_build_object('kind', v_ident.kind, 'value', v_ident.value, 'customer_id', v_holder);
      end if;
    end if;
  end loop;
  customer_id := v_customer_id;
end;
$$;

comment on function private.ingest_customer(uuid, public.shop_provider, jsonb, uuid) is
  'Finds (by shop order, shop customer id, email, phone) or creates the customer an order describes, fills in what its record lacks and adds its identifiers; identifiers held by another customer are returned as conflicts. Used by private.ingest_order and the shop backfill.';


create function private.ingest_order(
  p_org uuid,
  p_provider text,
  p_event_key text,
  p_order jsonb,
  p_topic text default null,
  p_connection uuid default null
)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_provider public.shop_provider;
  v_source public.order_source;
  v_connection uuid := p_connection;
  v_inbound bigint;
  v_action text := coalesce(p_order ->> 'action', 'upsert');
  v_external_id text := p_order ->> 'external_id';
  v_updated_at timestamptz;
  v_sync private.shop_order_sync;
  v_new_refunds jsonb;
  v_refunded numeric;
  v_total numeric;
  v_status public.order_status;
  v_existing public.orders;
  v_order public.orders;
  v_customer_id uuid;
  v_created boolean := false;
  v_stale boolean := false;
  v_conflicts jsonb := '[]'::jsonb;
begin
  -- Arguments. Errors here are the caller's (22023): the delivery is not applied.
  begin
    v_provider := p_provider::public.shop_provider;
  exception when invalid_text_representation then
    raise exception using errcode = '22023', message = format('unknown shop provider %s', quote_literal(p_provider));
  end;
  v_source := v_provider::text::public.order_source;
  if p_org is null or not exists (select from public.organizations o where o.id = p_org) then
    raise exception using errcode = '22023', message = 'unknown organization';
  end if;
  if p_event_key is null or char_length(p_event_key) not between 1 and 300 then
    raise exception using errcode = '22023', message = 'an event key of 1 to 300 characters is required';
  end if;
  if v_action not in ('upsert', 'refund', 'delete') then
    raise exception using errcode = '22023', message = format('unknown order action %s', quote_literal(v_action));
  end if;
  if v_external_id is null or v_external_id !~ '^[0-9]{1,20}$' then
    raise exception using errcode = '22023', message = 'the order needs a numeric external_id';
  end if;
  v_updated_at := (p_order ->> 'source_updated_at')::timestamptz;

  if v_connection is null then
    select c.id into v_connection
      from public.shop_connections c
     where c.org_id = p_org and c.provider = v_provider
     order by c.created_at
     limit 1;
    if v_connection is null then
      raise exception using errcode = '22023', message = format('the organization has no %s shop connection', v_provider);
    end if;
  end if;

  -- Dedupe: claim the delivery's key. A concurrent transaction holding the same key makes this
  -- wait for it; a delivery already applied (processed_at set) is not applied again. A row left by
  -- a failed attempt (processed_at null, error set) is claimed again by the retry.
  insert into public.inbound_events as e (org_id, shop_connection_id, provider, event_key, topic)
  values (p_org, v_connection, v_provider, p_event_key, left(coalesce(p_topic, v_action), 100))
  on conflict (shop_connection_id, event_key) do update
     set error = null, topic = excluded.topic
   where e.processed_at is null
  returning e.id into v_inbound;
  if v_inbound is null then
    return jsonb_build_object('status', 'duplicate', 'event_key', p_event_key);
  end if;

  -- Serialise deliveries that concern the same order or the same person (by any identifier).
  perform private.lock_order_identities(p_org, v_provider::text, p_order);

  -- The order's sync row: refunds seen so far and the newest state applied.
  insert into private.shop_order_sync (org_id, source, external_id)
  values (p_org, v_source, v_external_id)
  on conflict on constraint shop_order_sync_pkey do nothing;
  select * into v_sync
    from private.shop_order_sync s
   where s.org_id = p_org and s.source = v_source and s.external_id = v_external_id
     for update;

  select coalesce(jsonb_object_agg(r ->> 'id', (r ->> 'amount')::numeric), '{}'::jsonb) into v_new_refunds
    from jsonb_array_elements(coalesce(p_order -> 'refunds', '[]'::jsonb)) as r
   where r ->> 'id' is not null and (r ->> 'amount')::numeric > 0;

  v_stale := v_action = 'upsert'
    and v_updated_at is not null
    and v_sync.source_updated_at is not null
    and v_updated_at < v_sync.source_updated_at;

  update private.shop_order_sync s
     set refunds = s.refunds || v_new_refunds,
         source_updated_at = case
           when v_action = 'upsert' and not v_stale then coalesce(v_updated_at, s.source_updated_at)
           else s.source_updated_at
         end,
         updated_at = now()
   where s.org_id = p_org and s.source = v_source and s.external_id = v_external_id
  returning * into v_sync;

  select coalesce(sum(r.value::numeric), 0) into v_refunded from jsonb_each_text(v_sync.refunds) as r;

  select * into v_existing
    from public.orders o
   where o.org_id = p_org and o.source = v_source and o.external_id = v_external_id
     for update;

  if v_action in ('refund', 'delete') or v_stale then
    -- Only what the delivery says for sure: refunds, or that the order is gone.
    if v_existing.id is null then
      update public.inbound_events e set processed_at = now() where e.id = v_inbound;
      return jsonb_build_object(
        'status', case when v_stale then 'stale' else 'pending_order' end,
        'event_key', p_event_key, 'inbound_event_id', v_inbound);
    end if;
    v_status := case
      when v_action = 'delete' then 'cancelled'::public.order_status
      when v_existing.status = 'paid' and v_existing.total > 0 and v_refunded >= v_existing.total then 'refunded'::public.order_status
      else v_existing.status
    end;
    update public.orders o
       set refunded_amount = least(o.total, v_refunded),
           status = v_status
     where o.id = v_existing.id
       and (o.refunded_amount is distinct from least(o.total, v_refunded) or o.status is distinct from v_status)
    returning * into v_order;
    update public.inbound_events e set processed_at = now() where e.id = v_inbound;
    return jsonb_build_object(
      'status', case when v_stale then 'stale' else 'applied' end,
      'event_key', p_event_key,
      'inbound_event_id', v_inbound,
      'order_id', v_existing.id,
      'customer_id', v_existing.customer_id,
      'customer_created', false,
      'changed', v_order.id is not null);
  end if;

  -- Upsert: the full state of the order.
  v_total := (p_order ->> 'total')::numeric;
  if v_total is null or v_total < 0 then
    raise exception using errcode = '22023', message = 'the order needs a total of zero or more';
  end if;
  v_status := (p_order ->> 'status')::public.order_status;
  if v_status = 'paid' and v_total > 0 and v_refunded >= v_total then
    v_status := 'refunded';
  end if;

  -- The customer: the one the order already belongs to, else found by its identifiers, else new.
  select f.customer_id, f.created, f.conflicts into v_customer_id, v_created, v_conflicts
    from private.ingest_customer(p_org, v_provider, p_order, v_existing.customer_id) f;

  if v_existing.id is null then
    insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, refunded_amount, currency, status)
    values (
      p_org, v_customer_id, v_source, v_external_id,
      (p_order ->> 'ordered_at')::timestamptz,
      v_total,
      least(v_total, v_refunded),
      p_order ->> 'currency',
      v_status
    )
    returning * into v_order;
  else
    update public.orders o
       set ordered_at = (p_order ->> 'ordered_at')::timestamptz,
           total = v_total,
           refunded_amount = least(v_total, v_refunded),
           currency = p_order ->> 'currency',
           status = v_status
     where o.id = v_existing.id
       and (o.ordered_at, o.total, o.refunded_amount, o.currency, o.status)
           is distinct from ((p_order ->> 'ordered_at')::timestamptz, v_total, least(v_total, v_refunded),
                             p_order ->> 'currency', v_status)
    returning * into v_order;
  end if;

  update public.inbound_events e set processed_at = now() where e.id = v_inbound;

  return jsonb_build_object(
    'status', 'applied',
    'event_key', p_event_key,
    'inbound_event_id', v_inbound,
    'order_id', coalesce(v_order.id, v_existing.id),
    'customer_id', v_customer_id,
    'customer_created', v_created,
    'changed', v_order.id is not null,
    'identity_conflicts', v_conflicts);
end;
$$;

comment on function private.ingest_order(uuid, text, text, jsonb, text, uuid) is
  'Applies one verified shop webhook delivery in one transaction: records it in inbound_events (a key already applied returns {"status":"duplicate"}), finds or creates the customer, records its identifiers and upserts the order. Returns {"status", "order_id", "customer_id", "customer_created", "changed", "identity_conflicts"}. Called by the ingest-orders function; not executable by clients.';

-- Records a delivery that could not be applied (an authentic payload the function cannot read), so
-- that it can be found and, once fixed, applied by the shop's retry.
create function private.record_inbound_failure(
  p_org uuid,
  p_connection uuid,
  p_provider text,
  p_event_key text,
  p_topic text,
  p_error text
)
returns void
language sql
set search_path = ''
as $$
  insert into public.inbound_events (org_id, shop_connection_id, provider, event_key, topic, error)
  values (p_org, p_connection, p_provider::public.shop_provider, p_event_key, left(p_topic, 100), left(p_error, 2000))
  on conflict (shop_connection_id, event_key) do update
     set error = excluded.error
   where public.inbound_events.processed_at is null
$$;

comment on function private.record_inbound_failure(uuid, uuid, text, text, text, text) is
  'Records a webhook delivery that could not be applied, with the reason, in inbound_events (processed_at stays null so a retry can apply it).';

revoke all on function private.ingest_identifiers(uuid, text, jsonb) from public, anon, authenticated;
revoke all on function private.lock_order_identities(uuid, text, jsonb) from public, anon, authenticated;
revoke all on function private.ingest_customer(uuid, public.shop_provider, jsonb, uuid) from public, anon, authenticated;
revoke all on function private.ingest_order(uuid, text, text, jsonb, text, uuid) from public, anon, authenticated;
revoke all on function private.record_inbound_failure(uuid, uuid, text, text, text, text) from public, anon, authenticated;
grant execute on function private.ingest_identifiers(uuid, text, jsonb) to service_role;
grant execute on function private.lock_order_identities(uuid, text, jsonb) to service_role;
grant execute on function private.ingest_customer(uuid, public.shop_provider, jsonb, uuid) to service_role;
grant execute on function private.ingest_order(uuid, text, text, jsonb, text, uuid) to service_role;
grant execute on function private.record_inbound_failure(uuid, uuid, text, text, text, text) to service_role;

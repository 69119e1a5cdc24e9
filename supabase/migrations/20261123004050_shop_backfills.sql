-- Shop history backfill: when a shop is connected, the backfill-shop function pulls the shop's
-- past customers and orders through its API (Shopify Admin GraphQL, WooCommerce REST) and applies
-- every order through the same path as a webhook delivery (private.ingest_order), so a backfilled
-- order is written exactly like a webhook order.
--
-- The work is done in pages. Each page is applied by one call of private.backfill_apply_page, in
-- one transaction that also moves the backfill's cursor past the page: a failure (the shop's
-- server, the network, the function's time limit) leaves the cursor before the page, and the next
-- call resumes there. Nothing of a page is applied twice or half.

-- The credentials the shop's API is called with. shop_connections stays service-role only.
alter table public.shop_connections
  add column api_base_url text,
  add column api_key text,
  add column api_secret text,
  add constraint shop_connections_api_base_url_is_url check (
    char_length(api_base_url) <= 2000
    and (api_base_url ~ '^https://[^\s/?#@]+(/[^\s?#]*)?$'
         or api_base_url ~ '^http://(127\.0\.0\.1|localhost)(:[0-9]{1,5})?(/[^\s?#]*)?$')
  ),
  add constraint shop_connections_api_key_length check (char_length(api_key) between 1 and 500),
  add constraint shop_connections_api_secret_length check (char_length(api_secret) between 1 and 500);

comment on column public.shop_connections.api_base_url is
  'Where the shop''s API is reached (https://example.myshopify.com, https://shop.example.com); null means https://<shop_domain>. Plain http only for a shop on this machine (tests).';
comment on column public.shop_connections.api_key is
  'Shopify: the Admin API access token (X-Shopify-Access-Token). WooCommerce: the REST API consumer key. Null: no history backfill. Never exposed to clients.';
comment on column public.shop_connections.api_secret is
  'WooCommerce: the REST API consumer secret (HTTP basic auth with the consumer key). Unused for Shopify. Never exposed to clients.';


create table public.shop_backfills (
  id uuid not null default gen_random_uuid(),
  org_id uuid not null,
  shop_connection_id uuid not null,
  state text not null default 'pending',
  phase text not null default 'customers',
  cursor text,
  customers_done integer not null default 0,
  orders_done integer not null default 0,
  pages_done integer not null default 0,
  skipped integer not null default 0,
  attempts integer not null default 0,
  last_error text,
  resume_after timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint shop_backfills_pkey primary key (id),
  constraint shop_backfills_shop_connection_id_key unique (shop_connection_id),
  constraint shop_backfills_org_id_fkey foreign key (org_id)
    references public.organizations (id) on delete cascade,
  constraint shop_backfills_shop_connection_id_fkey foreign key (org_id, shop_connection_id)
    references public.shop_connections (org_id, id) on delete cascade,
  constraint shop_backfills_state_is_known check (state in ('pending', 'running', 'paused', 'failed', 'done')),
  constraint shop_backfills_phase_is_known check (phase in ('customers', 'orders')),
  constraint shop_backfills_cursor_length check (char_length(cursor) between 1 and 2000),
  constraint shop_backfills_counts_not_negative check (customers_done >= 0 and orders_done >= 0 and pages_done >= 0 and skipped >= 0 and attempts >= 0),
  constraint shop_backfills_last_error_length check (char_length(last_error) <= 2000)
);

comment on table public.shop_backfills is
  'Shop history backfills (店铺历史导入): per connected shop, how far the import of its past customers and orders has come. Written by the backfill-shop function; admins read it.';
comment on column public.shop_backfills.id is 'Identifier of the backfill.';
comment on column public.shop_backfills.org_id is 'The organization the shop belongs to.';
comment on column public.shop_backfills.shop_connection_id is 'The shop connection whose history is imported (one backfill per connection).';
comment on column public.shop_backfills.state is 'pending (not started), running, paused (time budget or rate limit; resumes by itself), failed (see last_error; the next call resumes), done.';
comment on column public.shop_backfills.phase is 'What is being imported: customers first, then orders.';
comment on column public.shop_backfills.cursor is 'Where the next page starts in the current phase: Shopify''s endCursor, WooCommerce''s page number. Null: the phase''s first page.';
comment on column public.shop_backfills.customers_done is 'Shop customers applied so far.';
comment on column public.shop_backfills.orders_done is 'Shop orders applied so far (each through the same path as a webhook).';
comment on column public.shop_backfills.pages_done is 'Pages of the shop''s API applied so far.';
comment on column public.shop_backfills.skipped is 'Shop records that could not be applied (an order the database refuses, a payload that cannot be read); refused orders are listed with the reason in inbound_events.';
comment on column public.shop_backfills.attempts is 'How many times the function has worked on this backfill.';
comment on column public.shop_backfills.last_error is 'Why the last attempt stopped early (the shop''s answer or the database''s error); null after a page succeeds.';
comment on column public.shop_backfills.resume_after is 'Not before: set when the shop asked to wait (429 Retry-After) longer than the function could.';
comment on column public.shop_backfills.started_at is 'When the first attempt began.';
comment on column public.shop_backfills.finished_at is 'When the last page was applied.';
comment on column public.shop_backfills.created_at is 'When the backfill was asked for (the shop was connected).';
comment on column public.shop_backfills.updated_at is 'When the backfill last changed.';

create index shop_backfills_org_id_idx on public.shop_backfills (org_id);

create trigger shop_backfills_set_updated_at
  before update on public.shop_backfills
  for each row execute function private.set_updated_at();

alter table public.shop_backfills enable row level security;

revoke all on table public.shop_backfills from anon, authenticated, service_role;
grant select on table public.shop_backfills to authenticated;
grant all on table public.shop_backfills to service_role;

create policy "Admins can read their organization's shop backfills"
  on public.shop_backfills for select to authenticated
  using (org_id in (select private.admin_org_ids()));


-- Asking for a backfill: a new connection gets one (trigger below); p_restart starts an existing
-- one over from the first page (already applied orders are recognised and not counted twice).
create function private.request_backfill(p_connection uuid, p_restart boolean default false)
returns public.shop_backfills
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_connection public.shop_connections;
  v_backfill public.shop_backfills;
begin
  select * into v_connection from public.shop_connections c where c.id = p_connection;
  if v_connection.id is null then
    raise exception using errcode = '22023', message = format('p_connection: no shop connection %s', p_connection);
  end if;
  insert into public.shop_backfills (org_id, shop_connection_id)
  values (v_connection.org_id, v_connection.id)
  on conflict (shop_connection_id) do update
     set state = 'pending', phase = 'customers', cursor = null, last_error = null, resume_after = null,
         finished_at = null, customers_done = 0, orders_done = 0, pages_done = 0, skipped = 0
   where p_restart
  returning * into v_backfill;
  if v_backfill.id is null then
    select * into v_backfill from public.shop_backfills b where b.shop_connection_id = p_connection;
  end if;
  return v_backfill;
end;
$$;

comment on function private.request_backfill(uuid, boolean) is
  'Creates the shop connection''s backfill (pending), or with p_restart sets it back to its first page. Returns the backfill.';

-- Wakes the backfill-shop function through pg_net when the project has it (as the recompute
-- schedule does, reading the project URL and service role key from Vault); elsewhere the pending
-- backfill waits for the next call (README: "Shop history backfill").
create function private.invoke_backfill(p_backfill uuid)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  base_url text;
  service_key text;
  request_id bigint;
begin
  if not exists (select from pg_catalog.pg_extension where extname = 'pg_net')
     or to_regclass('vault.decrypted_secrets') is null then
    return null;
  end if;
  execute $sql$select max(decrypted_secret) filter (where name = 'project_url'),
                      max(decrypted_secret) filter (where name = 'service_role_key')
                 from vault.decrypted_secrets
                where name in ('project_url', 'service_role_key')$sql$
    into base_url, service_key;
  if base_url is null or service_key is null then
    return null;
  end if;
  execute $sql$select net.http_post(url := $1, body := $2, headers := $3, timeout_milliseconds := 60000)$sql$
    into request_id
    using rtrim(base_url, '/') || '/functions/v1/backfill-shop',
          jsonb_build_object('backfill_id', p_backfill),
          jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || service_key);
  return request_id;
end;
$$;

comment on function private.invoke_backfill(uuid) is
  'Calls the backfill-shop function for one backfill through pg_net when pg_net and the Vault secrets project_url and service_role_key exist; returns the pg_net request id, or null when the call is left to the scheduler or an admin.';

create function private.shop_connection_added()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_backfill public.shop_backfills;
begin
  v_backfill := private.request_backfill(new.id);
  if new.api_key is not null then
    begin
      perform private.invoke_backfill(v_backfill.id);
    exception when others then
      -- Connecting the shop must not fail because the wake-up call could not be queued.
      update public.shop_backfills b set last_error = left('could not start: ' || sqlerrm, 2000) where b.id = v_backfill.id;
    end;
  end if;
  return null;
end;
$$;

comment on function private.shop_connection_added() is
  'Trigger: a new shop connection gets a pending history backfill, started at once when pg_net can call the backfill-shop function.';

create trigger shop_connections_request_backfill
  after insert on public.shop_connections
  for each row execute function private.shop_connection_added();

-- Existing connections get theirs too.
insert into public.shop_backfills (org_id, shop_connection_id)
select c.org_id, c.id from public.shop_connections c
on conflict (shop_connection_id) do nothing;

revoke all on function private.request_backfill(uuid, boolean) from public, anon, authenticated;
revoke all on function private.invoke_backfill(uuid) from public, anon, authenticated;
revoke all on function private.shop_connection_added() from public, anon, authenticated;
grant execute on function private.request_backfill(uuid, boolean) to service_role;
grant execute on function private.invoke_backfill(uuid) to service_role;

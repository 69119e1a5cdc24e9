-- Orders from shops (webhooks), imports or typed in by hand. The engine derives every customer
-- figure from them: a counted order is `paid`; net spend sums total minus refunded amount.
-- (source, external_id) is unique per organization so that a webhook delivered twice, or an
-- import run twice, updates the same row instead of adding a second one.

create table public.orders (
  id uuid not null default gen_random_uuid(),
  org_id uuid not null,
  customer_id uuid not null,
  source public.order_source not null,
  external_id text not null,
  ordered_at timestamptz not null,
  total numeric(14, 2) not null,
  refunded_amount numeric(14, 2) not null default 0,
  currency text not null,
  status public.order_status not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint orders_pkey primary key (id),
  constraint orders_org_id_source_external_id_key unique (org_id, source, external_id),
  constraint orders_customer_id_fkey foreign key (org_id, customer_id)
    references public.customers (org_id, id) on delete cascade,
  constraint orders_external_id_length check (char_length(external_id) between 1 and 200),
  constraint orders_total_not_negative check (total >= 0),
  constraint orders_refund_within_total check (refunded_amount >= 0 and refunded_amount <= total),
  constraint orders_currency_is_iso_code check (currency ~ '^[A-Z]{3}$')
)
-- Autovacuum for a table of millions of rows that grows and is updated (supabase/README.md
-- "Autovacuum"): vacuum at 5 % dead rows and after 5 % new ones, analyze at 2 % changed.
with (autovacuum_vacuum_scale_factor = 0.05, autovacuum_vacuum_insert_scale_factor = 0.05,
      autovacuum_analyze_scale_factor = 0.02);

comment on table public.orders is
  'Orders (订单) from shops, imports or typed in by hand; the engine computes spend, frequency and stages from them.';
comment on column public.orders.id is 'Identifier of the order.';
comment on column public.orders.org_id is 'The organization.';
comment on column public.orders.customer_id is 'The customer who placed the order.';
comment on column public.orders.source is 'Where the order came from: shopify, woocommerce, manual or import.';
comment on column public.orders.external_id is 'The order''s id in its source; unique per organization and source, which makes ingest idempotent.';
comment on column public.orders.ordered_at is 'When the customer placed the order.';
comment on column public.orders.total is 'Order total in the order''s currency.';
comment on column public.orders.refunded_amount is 'Amount refunded so far (0 to total). Net spend counts total minus this for paid orders.';
comment on column public.orders.currency is 'ISO 4217 code of total and refunded_amount.';
comment on column public.orders.status is 'paid, refunded (in full), cancelled or pending; only paid orders count.';
comment on column public.orders.created_at is 'When the order was first recorded.';
comment on column public.orders.updated_at is 'When the order was last changed (a refund, a status change).';

-- A customer's orders newest first: the engine's per-customer statistics and the portrait.
create index orders_customer_id_idx on public.orders (org_id, customer_id, ordered_at desc);
-- A customer's pending (open) orders, newest first: the portrait lists and counts them.
create index orders_pending_idx on public.orders (org_id, customer_id, ordered_at desc)
  where status = 'pending';

create trigger orders_set_updated_at
  before update on public.orders
  for each row execute function private.set_updated_at();

alter table public.orders enable row level security;

create policy "Members can read their organization's orders"
  on public.orders for select to authenticated
  using (org_id in (select private.member_org_ids()));

create policy "Admins can add orders"
  on public.orders for insert to authenticated
  with check (org_id in (select private.admin_org_ids()));

create policy "Admins can change orders"
  on public.orders for update to authenticated
  using (org_id in (select private.admin_org_ids()))
  with check (org_id in (select private.admin_org_ids()));

create policy "Admins can delete orders"
  on public.orders for delete to authenticated
  using (org_id in (select private.admin_org_ids()));

revoke all on table public.orders from anon, authenticated, service_role;
grant select, insert, delete on table public.orders to authenticated;
grant update (customer_id, source, external_id, ordered_at, total, refunded_amount, currency, status)
  on table public.orders to authenticated;
grant all on table public.orders to service_role;

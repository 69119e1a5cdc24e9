-- Inbound events: each webhook delivery the service accepted, keyed by (shop connection, event
-- key), so that a delivery repeated by the shop (they retry until they see a 2xx) is recognised and
-- applied once. The key is unique per shop only: two shops (of one organization or of two) may
-- send the same webhook id, and each delivery is still applied. Service role only.

create table public.inbound_events (
  id bigint generated always as identity,
  org_id uuid not null,
  shop_connection_id uuid not null,
  provider public.shop_provider not null,
  event_key text not null,
  topic text not null,
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  error text,
  constraint inbound_events_pkey primary key (id),
  constraint inbound_events_shop_connection_id_event_key_key unique (shop_connection_id, event_key),
  constraint inbound_events_shop_connection_id_fkey foreign key (org_id, shop_connection_id)
    references public.shop_connections (org_id, id) on delete cascade,
  constraint inbound_events_event_key_length check (char_length(event_key) between 1 and 300),
  constraint inbound_events_topic_length check (char_length(topic) between 1 and 100),
  constraint inbound_events_processed_after_received check (processed_at >= received_at)
);

comment on table public.inbound_events is
  'Webhook deliveries accepted (入站事件), unique per shop connection and event key so that each is applied once. Service role only.';
comment on column public.inbound_events.id is 'Identifier of the delivery.';
comment on column public.inbound_events.org_id is 'The organization the shop belongs to.';
comment on column public.inbound_events.shop_connection_id is 'The shop connection that sent it.';
comment on column public.inbound_events.provider is 'shopify or woocommerce.';
comment on column public.inbound_events.event_key is
  'The delivery''s key, unique per shop connection: for Shopify webhook:<X-Shopify-Webhook-Id> (repeated by every retry); for WooCommerce, whose delivery ids change with every attempt, the shop domain, topic, order id and the order''s modification time (see functions/_shared/webhooks.ts eventKey).';
comment on column public.inbound_events.topic is 'The webhook topic (orders/create, order.updated…).';
comment on column public.inbound_events.received_at is 'When the delivery arrived.';
comment on column public.inbound_events.processed_at is 'When its order was applied; null if applying it failed.';
comment on column public.inbound_events.error is 'Why applying it failed, if it did.';

create index inbound_events_shop_connection_id_idx on public.inbound_events (org_id, shop_connection_id, received_at desc);

-- No policies: row-level security is on and no client role has any privilege.
alter table public.inbound_events enable row level security;

revoke all on table public.inbound_events from anon, authenticated, service_role;
grant all on table public.inbound_events to service_role;

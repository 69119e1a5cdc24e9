-- Shop connections: which shop sends webhooks to which organization, with the secret their
-- signatures are checked with. Only the service role (the ingest-orders function, Studio) reads
-- or writes them: the secret must never reach a browser, so clients get no access at all.

create table public.shop_connections (
  id uuid not null default gen_random_uuid(),
  org_id uuid not null,
  provider public.shop_provider not null,
  shop_domain text not null,
  webhook_secret text not null,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint shop_connections_pkey primary key (id),
  constraint shop_connections_org_id_id_key unique (org_id, id),
  constraint shop_connections_provider_shop_domain_key unique (provider, shop_domain),
  constraint shop_connections_org_id_fkey foreign key (org_id) references public.organizations (id) on delete cascade,
  constraint shop_connections_shop_domain_is_host check (
    char_length(shop_domain) <= 253
    and shop_domain ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$'
  ),
  constraint shop_connections_webhook_secret_length check (char_length(webhook_secret) between 16 and 512)
);

comment on table public.shop_connections is
  'Shops connected to an organization (店铺连接): where order webhooks come from and the secret that signs them. Service role only.';
comment on column public.shop_connections.id is 'Identifier of the connection.';
comment on column public.shop_connections.org_id is 'The organization the shop''s orders belong to.';
comment on column public.shop_connections.provider is 'shopify or woocommerce.';
comment on column public.shop_connections.shop_domain is 'The shop''s host name as it signs webhooks (example.myshopify.com, shop.example.com), lowercase.';
comment on column public.shop_connections.webhook_secret is 'The shared secret webhook signatures (HMAC-SHA256) are verified with. Never exposed to clients.';
comment on column public.shop_connections.is_active is 'Webhooks from inactive connections are refused.';
comment on column public.shop_connections.created_at is 'When the shop was connected.';
comment on column public.shop_connections.updated_at is 'When the connection last changed (a rotated secret, deactivation).';

create trigger shop_connections_set_updated_at
  before update on public.shop_connections
  for each row execute function private.set_updated_at();

-- No policies: row-level security is on and no client role has any privilege.
alter table public.shop_connections enable row level security;

revoke all on table public.shop_connections from anon, authenticated, service_role;
grant all on table public.shop_connections to service_role;

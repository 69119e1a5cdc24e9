-- Engagement events: mail in and out, visits, carts, reviews, referrals, a member capturing a
-- lead from a page. The lifecycle rules read them (a lead is someone with no orders and a recent
-- event); the portrait does not list them.

create table public.events (
  id bigint generated always as identity,
  org_id uuid not null,
  customer_id uuid not null,
  kind public.event_kind not null,
  occurred_at timestamptz not null default now(),
  details jsonb not null default '{}',
  recorded_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  constraint events_pkey primary key (id),
  constraint events_customer_id_fkey foreign key (org_id, customer_id)
    references public.customers (org_id, id) on delete cascade,
  constraint events_recorded_by_fkey foreign key (recorded_by)
    references auth.users (id) on delete set null,
  constraint events_details_is_object check (jsonb_typeof(details) = 'object'),
  constraint events_details_size check (octet_length(details::text) <= 8192)
)
-- The engine reads a customer's latest event from the (org_id, customer_id, occurred_at) index
-- alone while the pages are marked all-visible: vacuum after 5 % new rows rather than 20 %
-- (supabase/README.md "Autovacuum").
with (autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02);

comment on table public.events is
  'Engagement events (互动事件) of a customer: mail, visits, carts, reviews, referrals, a member capturing them as a lead.';
comment on column public.events.id is 'Identifier of the event.';
comment on column public.events.org_id is 'The organization.';
comment on column public.events.customer_id is 'The customer the event is about.';
comment on column public.events.kind is 'What happened: email_in, email_out, visit, cart, checkout, review, referral, support, call, meeting, captured, other.';
comment on column public.events.occurred_at is 'When it happened.';
comment on column public.events.details is 'Facts about the event as a JSON object (page URL, subject, order reference…), at most 8 KB.';
comment on column public.events.recorded_by is 'The member who recorded it (null for webhooks and imports).';
comment on column public.events.created_at is 'When the event was recorded.';

-- A customer's events newest first: "an event in the last 90 days".
create index events_customer_id_idx on public.events (org_id, customer_id, occurred_at desc);
create index events_recorded_by_idx on public.events (recorded_by) where recorded_by is not null;

alter table public.events enable row level security;

create policy "Members can read their organization's events"
  on public.events for select to authenticated
  using (org_id in (select private.member_org_ids()));

create policy "Members can record events in their own name"
  on public.events for insert to authenticated
  with check (
    org_id in (select private.member_org_ids())
    and recorded_by = (select auth.uid())
  );

create policy "Admins can change events"
  on public.events for update to authenticated
  using (org_id in (select private.admin_org_ids()))
  with check (org_id in (select private.admin_org_ids()));

create policy "Admins can delete events"
  on public.events for delete to authenticated
  using (org_id in (select private.admin_org_ids()));

revoke all on table public.events from anon, authenticated, service_role;
grant select, insert, delete on table public.events to authenticated;
grant update (kind, occurred_at, details) on table public.events to authenticated;
grant all on table public.events to service_role;

-- Customer profiles: everything computed about a customer, one row per customer, written only by
-- the engine (and by set_lifecycle_stage for the manual override, through a checked helper).
-- Clients read it; no client role may write it. Why each computed field has its value (so the overlay
-- can say why a customer is, say, at risk) is derived from the row when a portrait is read
-- (private.customer_reasons), so that the row every engine pass reads and writes stays narrow.

create table public.customer_profiles (
  org_id uuid not null,
  customer_id uuid not null,
  order_count integer not null default 0,
  net_spend numeric(14, 2) not null default 0,
  aov numeric(14, 2),
  first_order_at timestamptz,
  last_order_at timestamptz,
  r_score smallint,
  f_score smallint,
  m_score smallint,
  rfm_segment public.rfm_segment,
  lifecycle_stage public.lifecycle_stage not null default 'prospect',
  stage_override public.lifecycle_stage,
  override_by uuid,
  override_at timestamptz,
  override_reason text,
  effective_stage public.lifecycle_stage generated always as (coalesce(stage_override, lifecycle_stage)) stored,
  value_tier public.value_tier not null default 'normal',
  ticket_band public.ticket_band,
  referral_count integer not null default 0,
  segments_digest bigint,
  computed_at timestamptz not null default now(),
  constraint customer_profiles_pkey primary key (org_id, customer_id),
  constraint customer_profiles_customer_id_fkey foreign key (org_id, customer_id)
    references public.customers (org_id, id) on delete cascade,
  constraint customer_profiles_override_by_fkey foreign key (override_by)
    references auth.users (id) on delete set null,
  constraint customer_profiles_order_count_not_negative check (order_count >= 0),
  constraint customer_profiles_referral_count_not_negative check (referral_count >= 0),
  constraint customer_profiles_scores_in_range check (
    r_score between 1 and 5 and f_score between 1 and 5 and m_score between 1 and 5
  ),
  -- RFM scores, RFM segment, AOV and ticket band describe buyers; first and last order need one.
  constraint customer_profiles_buyer_fields_only_for_buyers check (
    order_count > 0
    or (r_score is null and f_score is null and m_score is null and rfm_segment is null
        and ticket_band is null and aov is null and first_order_at is null and last_order_at is null)
  ),
  constraint customer_profiles_order_dates_in_order check (first_order_at <= last_order_at),
  constraint customer_profiles_override_is_recorded check (stage_override is null or override_at is not null),
  constraint customer_profiles_override_fields_only_with_override check (
    stage_override is not null or (override_by is null and override_at is null and override_reason is null)
  ),
  constraint customer_profiles_override_reason_length check (char_length(override_reason) between 1 and 500)
)
-- Every engine pass reads these rows and rewrites some: room on each page for the new version of a
-- row, so that an update whose indexed columns are unchanged stays on its page (a HOT update, no
-- index entries written); autovacuum early, so that the dead versions are pruned before the
-- passes have to read past them (the table is rewritten a little at a time, not in bulk).
with (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.05);

comment on table public.customer_profiles is
  'Computed portrait figures (客户画像), one row per customer, written by the engine; read-only for every client role.';
comment on column public.customer_profiles.org_id is 'The organization.';
comment on column public.customer_profiles.customer_id is 'The customer.';
comment on column public.customer_profiles.order_count is 'Number of counted (paid) orders.';
comment on column public.customer_profiles.net_spend is 'Net spend (消费金额): Σ (total − refunded amount) over paid orders.';
comment on column public.customer_profiles.aov is 'Average order value (客单价): net spend / order count; null for non-buyers.';
comment on column public.customer_profiles.first_order_at is 'When the first counted order was placed.';
comment on column public.customer_profiles.last_order_at is 'When the latest counted order was placed.';
comment on column public.customer_profiles.r_score is 'Recency score 1–5 (最近一次消费; 5 = most recent fifth of buyers).';
comment on column public.customer_profiles.f_score is 'Frequency score 1–5 (消费频率): 1, 2, 3, 4–5, 6+ orders.';
comment on column public.customer_profiles.m_score is 'Monetary score 1–5 (消费金额; 5 = top fifth of buyers by net spend).';
comment on column public.customer_profiles.rfm_segment is 'RFM segment from the R and F scores; null for non-buyers.';
comment on column public.customer_profiles.lifecycle_stage is 'The computed lifecycle stage (生命周期阶段).';
comment on column public.customer_profiles.stage_override is 'A stage set by hand; wins over the computed stage and is shown beside it. Null when there is none.';
comment on column public.customer_profiles.override_by is 'Who set the override.';
comment on column public.customer_profiles.override_at is 'When the override was set.';
comment on column public.customer_profiles.override_reason is 'Why the override was set, in the words of whoever set it.';
comment on column public.customer_profiles.effective_stage is 'The stage to show and to segment by: the override when there is one, else the computed stage.';
comment on column public.customer_profiles.value_tier is 'Value tier (客户价值等级): super (top 1 % of buyers by net spend), vip (top 10 %) or normal.';
comment on column public.customer_profiles.ticket_band is 'Ticket band (高低客单): high when AOV is at or above the organization''s median AOV, else low; null for non-buyers.';
comment on column public.customer_profiles.referral_count is 'How many customers name this one as their referrer (推荐数量).';
comment on column public.customer_profiles.segments_digest is
  'A digest of the segments the customer is in (the XOR of their hashes, private.segment_hash_sql; null for none), so that an engine pass tells a changed membership without reading public.segment_memberships.';
comment on column public.customer_profiles.computed_at is 'When the computed fields were last brought up to date.';

create index customer_profiles_override_by_idx on public.customer_profiles (override_by) where override_by is not null;
-- Customers per stage (overview, segments by stage).
create index customer_profiles_effective_stage_idx on public.customer_profiles (org_id, effective_stage);

alter table public.customer_profiles enable row level security;

create policy "Members can read their organization's customer profiles"
  on public.customer_profiles for select to authenticated
  using (org_id in (select private.member_org_ids()));

revoke all on table public.customer_profiles from anon, authenticated, service_role;
grant select on table public.customer_profiles to authenticated;
grant all on table public.customer_profiles to service_role;


-- Segment membership (分群成员): one narrow row per customer in a segment, written by the engine
-- when a customer's segments change. Studio lists a segment's members by the primary key; a
-- portrait reads a customer's segments by the customer index. No foreign key to segments: the
-- engine takes a deleted segment's members off it in the next dirty run (the pass over edited
-- segments), together with the digest of their segments in their profiles; until then readers,
-- who join segments, do not see them. A member is a customer with a profile (whose segments digest
-- sums its memberships): the key refers to the profile, which goes with its customer. The engine
-- writes a customer's memberships with its profile, so that the key's check finds a row the same
-- statement or transaction has just written (not the wide customer row, locked and its page
-- dirtied for each membership added).
create table public.segment_memberships (
  org_id uuid not null,
  segment_id uuid not null,
  customer_id uuid not null,
  constraint segment_memberships_pkey primary key (segment_id, customer_id),
  constraint segment_memberships_customer_id_fkey foreign key (org_id, customer_id)
    references public.customer_profiles (org_id, customer_id) on delete cascade
)
-- Vacuumed early (supabase/README.md "Autovacuum"): a current visibility map keeps the read of a
-- segment's members (the pass over an edited segment, Studio's list) an index-only scan of the
-- primary key, where each page a moved member left not all-visible costs a heap read.
with (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02,
      autovacuum_analyze_scale_factor = 0.05);

comment on table public.segment_memberships is
  'Which customers are in which segment (分群成员), as the engine last evaluated the segments'' rules; read-only for every client role.';
comment on column public.segment_memberships.org_id is 'The organization.';
comment on column public.segment_memberships.segment_id is 'The segment (segments.id).';
comment on column public.segment_memberships.customer_id is 'A customer in the segment.';

create index segment_memberships_customer_id_idx on public.segment_memberships (org_id, customer_id);

alter table public.segment_memberships enable row level security;

create policy "Members can read their organization's segment memberships"
  on public.segment_memberships for select to authenticated
  using (org_id in (select private.member_org_ids()));

revoke all on table public.segment_memberships from anon, authenticated, service_role;
grant select on table public.segment_memberships to authenticated;
grant all on table public.segment_memberships to service_role;


-- Every customer has a profile from the moment it exists, so that readers never have to handle
-- a missing one. A new customer has no orders and no events yet: a prospect. Security definer
-- because clients may add customers but may not write profiles.
create function private.create_customer_profile()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.customer_profiles (org_id, customer_id, lifecycle_stage)
  values (new.org_id, new.id, 'prospect');
  return null;
end;
$$;

comment on function private.create_customer_profile() is
  'Trigger: gives every new customer its profile row, starting as a prospect.';
revoke all on function private.create_customer_profile() from public;

-- Not while `portrait.bulk` is on for the transaction: a bulk writer (the import, README
-- "Importing your data") adds the profiles of the customers it creates itself, in one statement.
create trigger customers_create_profile
  after insert on public.customers
  for each row
  when (coalesce(current_setting('portrait.bulk', true), '') <> 'on')
  execute function private.create_customer_profile();

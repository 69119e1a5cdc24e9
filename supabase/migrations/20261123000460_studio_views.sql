-- Views for browsing in Studio (and for reports). Both are security invoker: whoever queries them
-- sees exactly the rows the underlying tables' policies let them see.

create view public.customer_overview
with (security_invoker = on)
as
select
  c.id,
  c.org_id,
  c.display_name,
  c.kind,
  c.primary_email,
  c.primary_phone,
  c.country,
  c.city,
  c.owner_id,
  m.display_name as owner_name,
  p.effective_stage,
  p.lifecycle_stage as computed_stage,
  p.stage_override,
  p.value_tier,
  p.rfm_segment,
  p.ticket_band,
  p.order_count,
  p.net_spend,
  p.aov,
  p.last_order_at,
  p.referral_count,
  coalesce(
    (select array_agg(t.name order by lower(t.name))
       from public.customer_tags ct
       join public.tags t on t.org_id = ct.org_id and t.id = ct.tag_id
      where ct.org_id = c.org_id and ct.customer_id = c.id),
    '{}'
  ) as tags,
  c.is_partner,
  c.is_valid,
  c.created_at,
  c.updated_at,
  p.computed_at
from public.customers c
left join public.customer_profiles p on p.org_id = c.org_id and p.customer_id = c.id
left join public.members m on m.org_id = c.org_id and m.user_id = c.owner_id;

comment on view public.customer_overview is
  'One row per customer for browsing (客户总览): profile figures, stage, tags and owner side by side. Security invoker.';
comment on column public.customer_overview.id is 'The customer (customers.id).';
comment on column public.customer_overview.org_id is 'The organization.';
comment on column public.customer_overview.display_name is 'Name of the customer.';
comment on column public.customer_overview.kind is 'person or company.';
comment on column public.customer_overview.primary_email is 'Main email address.';
comment on column public.customer_overview.primary_phone is 'Main phone number (E.164).';
comment on column public.customer_overview.country is 'Country (ISO 3166-1 alpha-2).';
comment on column public.customer_overview.city is 'City.';
comment on column public.customer_overview.owner_id is 'The member responsible (负责人).';
comment on column public.customer_overview.owner_name is 'The owner''s display name.';
comment on column public.customer_overview.effective_stage is 'The stage shown: the override when set, else the computed stage.';
comment on column public.customer_overview.computed_stage is 'The stage the engine computed.';
comment on column public.customer_overview.stage_override is 'The stage set by hand, if any.';
comment on column public.customer_overview.value_tier is 'normal, vip or super.';
comment on column public.customer_overview.rfm_segment is 'RFM segment (buyers only).';
comment on column public.customer_overview.ticket_band is 'high or low average order value (buyers only).';
comment on column public.customer_overview.order_count is 'Number of paid orders.';
comment on column public.customer_overview.net_spend is 'Net spend over paid orders.';
comment on column public.customer_overview.aov is 'Average order value.';
comment on column public.customer_overview.last_order_at is 'When the latest paid order was placed.';
comment on column public.customer_overview.referral_count is 'Customers referred by this one.';
comment on column public.customer_overview.tags is 'Names of the customer''s tags, alphabetically.';
comment on column public.customer_overview.is_partner is 'Partner flag.';
comment on column public.customer_overview.is_valid is 'False for invalid (unreachable or junk) customers.';
comment on column public.customer_overview.created_at is 'When the customer was created.';
comment on column public.customer_overview.updated_at is 'When the editable profile last changed.';
comment on column public.customer_overview.computed_at is 'When the computed figures were last brought up to date.';


create view public.segment_members
with (security_invoker = on)
as
select
  s.org_id,
  s.id as segment_id,
  s.name as segment_name,
  p.customer_id,
  c.display_name,
  c.primary_email,
  p.effective_stage,
  p.value_tier,
  p.net_spend,
  p.computed_at
from public.segments s
join public.segment_memberships m on m.segment_id = s.id
join public.customer_profiles p on p.org_id = m.org_id and p.customer_id = m.customer_id
join public.customers c on c.org_id = p.org_id and c.id = p.customer_id;

comment on view public.segment_members is
  'The members of each segment (分群成员), from segment_memberships. Filter by segment_id. Security invoker.';
comment on column public.segment_members.org_id is 'The organization.';
comment on column public.segment_members.segment_id is 'The segment (segments.id).';
comment on column public.segment_members.segment_name is 'Name of the segment.';
comment on column public.segment_members.customer_id is 'A customer in the segment.';
comment on column public.segment_members.display_name is 'Name of the customer.';
comment on column public.segment_members.primary_email is 'Main email address of the customer.';
comment on column public.segment_members.effective_stage is 'The customer''s lifecycle stage as shown.';
comment on column public.segment_members.value_tier is 'The customer''s value tier.';
comment on column public.segment_members.net_spend is 'The customer''s net spend.';
comment on column public.segment_members.computed_at is 'When the customer''s membership was last computed.';

revoke all on table public.customer_overview from anon, authenticated, service_role;
revoke all on table public.segment_members from anon, authenticated, service_role;
grant select on table public.customer_overview to authenticated, service_role;
grant select on table public.segment_members to authenticated, service_role;

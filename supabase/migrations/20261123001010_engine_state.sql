-- The engine's per-organization state: the cut points of the last full run (public, so that the
-- portrait can explain a score), the compiled segment rules, and the queue of customers waiting
-- to be reclassified.

create table public.cut_points (
  org_id uuid not null,
  computed_at timestamptz not null,
  run_id bigint,
  buyers integer not null default 0,
  recency_days integer[] not null default '{}',
  monetary_spend numeric(14, 2)[] not null default '{}',
  vip_min_spend numeric(14, 2),
  super_min_spend numeric(14, 2),
  median_aov numeric(14, 2),
  settings jsonb not null,
  constraint cut_points_pkey primary key (org_id),
  constraint cut_points_org_id_fkey foreign key (org_id) references public.organizations (id) on delete cascade,
  constraint cut_points_run_id_fkey foreign key (run_id) references public.recompute_runs (id) on delete set null,
  constraint cut_points_buyers_not_negative check (buyers >= 0),
  constraint cut_points_four_recency_cuts check (cardinality(recency_days) in (0, 4)),
  constraint cut_points_four_monetary_cuts check (cardinality(monetary_spend) in (0, 4)),
  constraint cut_points_settings_is_object check (jsonb_typeof(settings) = 'object')
);

comment on table public.cut_points is
  'Per organization, the thresholds the engine scores against (分位切点): RFM quintile cut points, value tier and ticket band thresholds over buyers, from the last full run. Read-only for clients.';
comment on column public.cut_points.org_id is 'The organization.';
comment on column public.cut_points.computed_at is 'The moment the cut points were computed as of (the full run''s "now").';
comment on column public.cut_points.run_id is 'The run that computed them (null when computed before any run, for the first buyers).';
comment on column public.cut_points.buyers is 'How many buyers (customers with at least one paid order) the cut points were taken over.';
comment on column public.cut_points.recency_days is
  'percentile_disc 0.2, 0.4, 0.6, 0.8 of days since the last order over buyers; R = 1 + the number of these above a customer''s days. Empty without buyers.';
comment on column public.cut_points.monetary_spend is
  'percentile_disc 0.2, 0.4, 0.6, 0.8 of net spend over buyers; M = 1 + the number of these below a customer''s net spend. Empty without buyers.';
comment on column public.cut_points.vip_min_spend is 'Net spend at the vip percentile (tiers.vip_percentile) over buyers: vip from here up.';
comment on column public.cut_points.super_min_spend is 'Net spend at the super percentile (tiers.super_percentile) over buyers: super from here up.';
comment on column public.cut_points.median_aov is 'percentile_disc 0.5 of average order value over buyers: ticket band high from here up.';
comment on column public.cut_points.settings is 'The organization settings (with defaults) in force when the cut points were computed.';

create index cut_points_run_id_idx on public.cut_points (run_id) where run_id is not null;

alter table public.cut_points enable row level security;

create policy "Members can read their organization's cut points"
  on public.cut_points for select to authenticated
  using (org_id in (select private.member_org_ids()));

revoke all on table public.cut_points from anon, authenticated, service_role;
grant select on table public.cut_points to authenticated;
grant all on table public.cut_points to service_role;


create table private.engine_state (
  org_id uuid not null,
  membership_sql text not null default '''{}''::uuid[]',
  membership_values jsonb not null default '[]',
  uses_tags boolean not null default false,
  uses_satisfaction boolean not null default false,
  last_order_bounds integer[] not null default '{}',
  first_order_bounds integer[] not null default '{}',
  last_event_bounds integer[] not null default '{}',
  created_bounds integer[] not null default '{}',
  satisfaction_bounds integer[] not null default '{}',
  -- Contact and ownership anchors (supabase/README.md, the pool).
  last_contact_bounds integer[] not null default '{}',
  recycle_bounds integer[] not null default '{}',
  segments_version bigint not null default 0,
  segments_done_version bigint not null default 0,
  compiled_at timestamptz not null default now(),
  function_name text,
  segment_list uuid[] not null default '{}',
  edited_segments uuid[] not null default '{}',
  edited_upto bigint not null default 0,
  edited_bounds_changed boolean not null default false,
  constraint engine_state_pkey primary key (org_id),
  constraint engine_state_org_id_fkey foreign key (org_id) references public.organizations (id) on delete cascade,
  constraint engine_state_values_is_array check (jsonb_typeof(membership_values) = 'array')
);

comment on table private.engine_state is
  'Per organization, the active segment rules compiled into one SQL expression (built only from the engine''s own fragments; every value from a rule is bound as a parameter), and what is pending.';
comment on column private.engine_state.org_id is 'The organization.';
comment on column private.engine_state.membership_sql is
  'SQL expression over the classified row r giving one slot per active segment (in segment_list order): the segment''s id when the row is a member, else null. Refers to rule values only as $6 (membership_values).';
comment on column private.engine_state.membership_values is 'The values of the rules (numbers, strings, segment ids), bound as parameter $6.';
comment on column private.engine_state.uses_tags is 'True when some active rule looks at tags (the classification then reads customer_tags).';
comment on column private.engine_state.uses_satisfaction is 'True when some active rule looks at satisfaction figures (the classification then reads customer_satisfaction).';
comment on column private.engine_state.last_order_bounds is 'Sorted day counts since the last order at which some active rule changes its answer.';
comment on column private.engine_state.first_order_bounds is 'Sorted day counts since the first order at which some active rule changes its answer.';
comment on column private.engine_state.last_event_bounds is 'Sorted day counts since the latest event at which some active rule changes its answer.';
comment on column private.engine_state.created_bounds is 'Sorted day counts since the customer was created at which some active rule changes its answer.';
comment on column private.engine_state.satisfaction_bounds is 'Sorted day counts since the latest satisfaction answer at which some active rule changes its answer.';
comment on column private.engine_state.last_contact_bounds is 'Sorted day counts since the last contact (days_since_last_contact) at which some active rule changes its answer.';
comment on column private.engine_state.recycle_bounds is 'Sorted day counts until the customer returns to the pool (days_until_recycle) at which some active rule changes its answer.';
comment on column private.engine_state.segments_version is 'Incremented whenever the organization''s segments change.';
comment on column private.engine_state.segments_done_version is 'The segments_version whose memberships a complete run has evaluated for every customer.';
comment on column private.engine_state.compiled_at is 'When the rules were last compiled.';
comment on column private.engine_state.segment_list is 'The active segments, in the order of the slots of membership_sql.';
comment on column private.engine_state.function_name is
  'The generated function (in schema private) that classifies a list of the organization''s customers with this state: static SQL, so each session plans it once; rule values still arrive as a parameter. Null until generated.';

comment on column private.engine_state.edited_segments is
  'Segments edited (rule, activity or tag) since their memberships were last evaluated for everyone, with the segments that include them: what a dirty run re-evaluates when edited_upto = segments_version.';
comment on column private.engine_state.edited_upto is
  'The segments_version up to which edited_segments accounts for every change since segments_done_version.';
comment on column private.engine_state.edited_bounds_changed is
  'True when an edit since the last evaluation changed the rules'' day bounds (the next dirty run then classifies everyone).';

alter table private.engine_state enable row level security;
revoke all on table private.engine_state from public, anon, authenticated;
grant all on table private.engine_state to service_role;


create table private.dirty_customers (
  org_id uuid not null,
  customer_id uuid not null,
  queued_at timestamptz not null default clock_timestamp(),
  constraint dirty_customers_pkey primary key (org_id, customer_id),
  constraint dirty_customers_customer_id_fkey foreign key (org_id, customer_id)
    references public.customers (org_id, id) on delete cascade
)
-- A queue: every row is deleted soon after it is added. Vacuumed every 1,000 dead rows whatever
-- its size (supabase/README.md "Autovacuum").
with (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);

comment on table private.dirty_customers is
  'Customers waiting to be reclassified by a dirty run: queued when classification is deferred (portrait.defer_classification = on, for bulk loads) or when a change reaches many customers at once (a tag renamed).';
comment on column private.dirty_customers.org_id is 'The organization.';
comment on column private.dirty_customers.customer_id is 'The customer to reclassify.';
comment on column private.dirty_customers.queued_at is 'When the customer was (last) queued; a run removes only entries queued before it read them.';

alter table private.dirty_customers enable row level security;
revoke all on table private.dirty_customers from public, anon, authenticated;
grant all on table private.dirty_customers to service_role;


-- A bulk writer (an import) changes many customers of an organization in one transaction: rather
-- than queueing each of them (one row and one key check per customer, every statement again), it
-- notes once that the organization owes a pass over every customer. The next dirty run then
-- classifies everyone (scope all), as a full run does, and a run over everyone that saw the
-- writer's transaction committed takes the note away (private.recompute).
create table private.passes_owed (
  org_id uuid not null,
  owed_by xid8 not null,
  noted_at timestamptz not null default clock_timestamp(),
  constraint passes_owed_pkey primary key (org_id, owed_by),
  constraint passes_owed_org_id_fkey foreign key (org_id) references public.organizations (id) on delete cascade
);

comment on table private.passes_owed is
  'Organizations owing a pass over every customer: noted by a bulk writer (portrait.bulk on, an import) instead of queueing each customer it changed in private.dirty_customers; the next dirty run classifies everyone, and a run over everyone whose read saw the writer''s transaction removes the note.';
comment on column private.passes_owed.org_id is 'The organization.';
comment on column private.passes_owed.owed_by is 'The transaction that wrote the customers (pg_current_xact_id()): a run removes the note once its read of every customer saw that transaction committed.';
comment on column private.passes_owed.noted_at is 'When the note was made.';

alter table private.passes_owed enable row level security;
revoke all on table private.passes_owed from public, anon, authenticated;
grant all on table private.passes_owed to service_role;

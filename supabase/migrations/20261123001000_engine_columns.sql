-- Columns the segment engine needs on tables of the data model.
--
-- customer_profiles keeps the engine's per-customer statistics next to what is computed from
-- them, so that a recompute reads one row per customer and compares old and new values in the
-- same scan. Besides order_count, net_spend, aov, first_order_at and last_order_at it needs the
-- second-latest counted order (the reactivation rule looks at the gap between the last two), the
-- latest engagement event (prospect or lead), and the moment the customer's classification next
-- changes with the passing of time alone (the drift pass reads only customers whose moment came).
--
-- recompute_runs gets the moment a run classifies as of (every chunk of a run uses the same one)
-- and the engine's own facts about the run. segments get the tag their members carry.

alter table public.customer_profiles
  add column previous_order_at timestamptz,
  add column last_event_at timestamptz,
  add column next_transition_at timestamptz,
  add column reasons_version smallint,
  add constraint customer_profiles_previous_order_needs_two check (
    previous_order_at is null or (order_count >= 2 and previous_order_at <= last_order_at)
  );

comment on column public.customer_profiles.previous_order_at is
  'When the second-latest counted (paid) order was placed; null with fewer than two. The reactivated stage looks at the gap between it and last_order_at.';
comment on column public.customer_profiles.last_event_at is
  'When the latest engagement event (events.occurred_at) happened; decides prospect or lead for customers without orders.';
comment on column public.customer_profiles.next_transition_at is
  'The moment the computed classification changes with no new order or event (a lifecycle window or a segment rule''s day count passes); null when nothing changes with time. The drift pass reclassifies customers whose moment has come.';

comment on column public.customer_profiles.reasons_version is
  'The version of the engine''s classification that last wrote the computed fields (their reasons are derived from them, private.customer_reasons); null when the row was written otherwise (the profile''s creation, a lead promotion, statistics recounted for a bulk load), so that the next classification rewrites it.';

-- The F score as of the latest full run (private.recompute sets it, before classifying, to the F
-- each customer then has): the rule field f_score_change = f_score − prev_f_score, negative when
-- the frequency score fell since (refunds and cancellations lower the order count).
alter table public.customer_profiles
  add column prev_f_score smallint,
  add constraint customer_profiles_prev_f_score_in_range check (prev_f_score between 1 and 5);

comment on column public.customer_profiles.prev_f_score is
  'The F score (1–5) the customer had at the latest full run; null when they were not a buyer then. The rule field f_score_change is f_score − prev_f_score.';

-- The drift pass: customers of an organization whose moment has come. The customer id is in the
-- index, so that the pass lists the due customers from the index alone (an index-only scan: only
-- profile pages changed since the last vacuum are visited) and reads each one's profile page when
-- it classifies them, not also before to learn its id (at a million customers, 27,700 due, after a
-- vacuum: 200 pages read instead of 20,200, 18 ms instead of 256 ms). The id never changes, so the
-- index keeps no more updates from being HOT than the moment alone does.
create index customer_profiles_next_transition_at_idx on public.customer_profiles (org_id, next_transition_at)
  include (customer_id)
  where next_transition_at is not null;


alter table public.recompute_runs
  add column as_of timestamptz,
  add column details jsonb not null default '{}',
  add constraint recompute_runs_details_is_object check (jsonb_typeof(details) = 'object');

comment on column public.recompute_runs.as_of is
  'The moment the run classified customers as of ("now" for days since the last order); the same for every chunk of the run.';
comment on column public.recompute_runs.details is
  'Engine facts about the run: scope (all customers, the dirty queue, due customers), chunks, profiles written, stage changes, rule tags added and removed, whether cut points were refreshed, the last customer processed.';


alter table public.segments
  add column tag_id uuid,
  add constraint segments_tag_id_fkey foreign key (org_id, tag_id)
    references public.tags (org_id, id) on delete set null (tag_id);

comment on column public.segments.tag_id is
  'A tag the engine puts on every member (customer_tags.source = rule) and takes off when they leave the segment; null for none.';

create index segments_tag_id_idx on public.segments (org_id, tag_id) where tag_id is not null;

-- The tags the engine put on customers (source rule), apart from the many people and imports put:
-- private.sync_rule_tags asks whether any of a set of customers wears one before touching their
-- tags, and in an organization without rule tags that is one probe into an empty range rather
-- than a look at every tag of every customer in the set (a drift pass of 2,000 customers read
-- 3,000 imported tags to find none).
create index customer_tags_rule_idx on public.customer_tags (org_id, customer_id) where source = 'rule';

-- Admins choose the tag (row-level security on segments already limits updates to admins).
grant update (tag_id) on table public.segments to authenticated;

-- Classification (supabase/README.md §3): from each customer's statistics (customer_profiles), the
-- organization's settings and cut points and its compiled segment rules, compute the RFM scores
-- and segment, lifecycle stage, value tier, ticket band, referral count, segment membership, the
-- next moment time alone changes any of these, and the reason for each computed field.
--
-- One generated statement does it for a set of customers (an id range or a list of ids), set-based:
--
--   base  customers ⋈ profiles (+ statistics recounted from orders and events, when asked),
--         referral counts, tag names (only when a rule looks at tags)
--   d     days since the last and first order, the latest event and creation; the gap between the
--         last two orders; AOV
--   k     lifecycle stage (first match), F, R, M, value tier, ticket band
--   x     RFM segment (first match on R × F), the stage shown (override first)
--   r     the row as segment rules see it (private.rule_fields)
--   ys    one slot per active segment (private.engine_state.membership_sql), next transition time
--   y     the segments the customer is in
--
-- Exact definitions (so that any two implementations agree to the customer):
--   days since X      floor((now − X) / 24 h)
--   counted order     status paid; net spend Σ (total − refunded_amount); AOV = round(net / count, 2)
--   lifecycle         prospect: no orders and no event within lead_event_days (days ≤ window);
--                     lead: no orders, an event within it; reactivated: ≥ 2 orders, latest ≤
--                     reactivated_recent_days ago, more than reactivated_gap_days between the last
--                     two (floor((last − previous) / 24 h) > the setting); new: exactly one order
--                     ≤ new_order_days ago; churned: last order >
--                     churned_days ago; at_risk: > at_risk_days ago; loyal: ≥ loyal_min_orders
--                     orders; active: the rest
--   F                 1, 2, 3 for 1, 2, 3 orders; 4 for 4–5; 5 for 6 or more
--   R                 1 + #{recency cut c : days since last order < c}
--   M                 1 + #{monetary cut c : net spend > c}
--   value tier        super when net spend ≥ super_min_spend, vip when ≥ vip_min_spend, else
--                     normal (non-buyers too)
--   ticket band       high when AOV ≥ median_aov, else low; none for non-buyers
--   RFM segment       champions R5 F4–5; loyal R3–4 F4–5; potential_loyalist R4–5 F2–3;
--                     new_customer R5 F1; promising R4 F1; need_attention R3 F3; about_to_sleep
--                     R3 F1–2; cant_lose R1–2 F5; at_risk R1–2 F3–4; lost R1 F1; hibernating the
--                     rest; none for non-buyers
--
-- Scores use the cut points stored in public.cut_points (refreshed by every full run; an
-- organization's first buyers get them at once, so that they are scored before any full run). The
-- reasons hold the numbers that do not move by themselves (the dates behind a day count, the
-- settings' windows, the customer's own figures), so that a recompute with nothing new writes
-- nothing; the current cut points are in public.cut_points.
--
-- Time-dependent answers: next_transition_at is the earliest moment a lifecycle window or a day
-- count used by an active rule is crossed. R moves against the cut points only when the customer
-- is reclassified (by an order, a drift wake-up or the next full run).

-- PL/pgSQL rather than SQL: a SQL function with its own search_path is not inlined, and its body
-- would be parsed and planned again in every transaction that calls it (every order ingested).
create function private.engine_now()
returns timestamptz
language plpgsql
stable
set search_path = ''
as $$
begin
  return coalesce(nullif(current_setting('portrait.engine_now', true), '')::timestamptz, now());
end;
$$;

comment on function private.engine_now() is
  'The engine''s "now": the transaction time, or the moment set with set local portrait.engine_now (to classify an import, or a test, as of a fixed time).';


create function private.engine_state_of(p_org uuid)
returns private.engine_state
language plpgsql
stable
set search_path = ''
as $$
declare
  state private.engine_state;
begin
  select * into state from private.engine_state es where es.org_id = p_org;
  if not found then
    state.org_id := p_org;
    state.membership_sql := '''{}''::uuid[]';
    state.membership_values := '[]';
    state.uses_tags := false;
    state.uses_satisfaction := false;
    state.satisfaction_bounds := '{}';
    state.last_order_bounds := '{}';
    state.first_order_bounds := '{}';
    state.last_event_bounds := '{}';
    state.created_bounds := '{}';
    state.last_contact_bounds := '{}';
    state.recycle_bounds := '{}';
    state.segments_version := 0;
    state.segments_done_version := 0;
    state.compiled_at := now();
    state.segment_list := '{}';
    state.edited_segments := '{}';
    state.edited_upto := 0;
    state.edited_bounds_changed := false;
  end if;
  return state;
end;
$$;

comment on function private.engine_state_of(uuid) is
  'The compiled segment state of an organization, or the state of an organization without segments.';


-- The three sorts of the cut points over an organization's buyers (profiles with an order), one
-- per call, so that each can be a part of its own (private.compute_cut_points runs them as the
-- children of one Parallel Append, as the passes over every customer are run, supabase/README.md
-- "A run over everyone, in parts"). p_measure:
--   'recency'  buyers by last_order_at, newest first (which orders them exactly as days since the
--              last order do): each cut is the day count as of p_now of the buyer at that position;
--   'spend'    buyers by net spend, in whole cents;
--   'aov'      buyers by AOV, in whole cents.
-- Net spend and AOV (numeric(14, 2)) are sorted as whole cents (bigint): the same order and the
-- same values, exactly, and a sort of 64-bit integers instead of numerics (at a million customers,
-- 769,000 buyers: 0.74 s of backend CPU for the three sorts with numerics, 0.61 s with cents).
-- Returns the number of buyers and the values at p_fractions (percentile_disc).
create function private.cut_points_part(p_org uuid, p_now timestamptz, p_measure text, p_fractions double precision[])
returns table (measure text, buyers integer, cuts bigint[])
language plpgsql
stable
parallel safe
cost 100000000
rows 1
set search_path = ''
as $$
begin
  if p_measure = 'recency' then
    return query
    select p_measure, count(*)::integer,
           array(select floor(date_part('epoch', p_now - t) / 86400)::bigint
                   from unnest(percentile_disc(p_fractions) within group (order by p.last_order_at desc)) with ordinality as u (t, n)
                  order by u.n)
      from public.customer_profiles p
     where p.org_id = p_org and p.order_count > 0;
  elsif p_measure = 'spend' then
    return query
    select p_measure, count(*)::integer, percentile_disc(p_fractions) within group (order by (p.net_spend * 100)::bigint)
      from public.customer_profiles p
     where p.org_id = p_org and p.order_count > 0;
  elsif p_measure = 'aov' then
    return query
    select p_measure, count(*)::integer, percentile_disc(p_fractions) within group (order by (p.aov * 100)::bigint)
      from public.customer_profiles p
     where p.org_id = p_org and p.order_count > 0;
  else
    raise exception using errcode = '22023', message = format('unknown measure %s', p_measure);
  end if;
end;
$$;

comment on function private.cut_points_part(uuid, timestamptz, text, double precision[]) is
  'One sort of the cut points (recency as day counts, net spend or AOV in cents) over an organization''s buyers: their number and the values at the given fractions; parallel safe.';
revoke all on function private.cut_points_part(uuid, timestamptz, text, double precision[]) from public;


-- The three sorts of the cut points (private.cut_points_part). When the organization's passes run
-- in parts (private.scan_parts(p_org) > 1), as the children of one UNION ALL run through RETURN
-- QUERY, so that the planner gives each a process of its own (a Gather over a Parallel Append; the
-- leader runs those no worker took); otherwise one after the other. p_spend_fractions: those of
-- the net spend sort.
create function private.cut_points_sorts(p_org uuid, p_now timestamptz, p_spend_fractions double precision[])
returns table (measure text, buyers integer, cuts bigint[])
language plpgsql
stable
set search_path = ''
as $$
declare
  sorts constant text[] := array[
    'private.cut_points_part($1, $2, ''recency'', array[0.2, 0.4, 0.6, 0.8])',
    'private.cut_points_part($1, $2, ''spend'', $3)',
    'private.cut_points_part($1, $2, ''aov'', array[0.5])'];
  sort text;
begin
  if private.scan_parts(p_org) > 1 then
    return query execute 'select * from (select * from ' || array_to_string(sorts, ' union all select * from ') || ') s'
      using p_org, p_now, p_spend_fractions;
  else
    foreach sort in array sorts loop
      return query execute 'select * from ' || sort using p_org, p_now, p_spend_fractions;
    end loop;
  end if;
end;
$$;

comment on function private.cut_points_sorts(uuid, timestamptz, double precision[]) is
  'The three sorts of the cut points over an organization''s buyers: in parallel when its passes run in parts, one after the other otherwise.';
revoke all on function private.cut_points_sorts(uuid, timestamptz, double precision[]) from public;


-- Cut points over the organization's buyers as of p_now, as public.cut_points stores them: the
-- recency quintile bounds in days, the net spend quintile bounds and the value tiers' minimum
-- spend (one sort), the median AOV (private.cut_points_part).
create function private.compute_cut_points(p_org uuid, p_now timestamptz)
returns jsonb
language sql
stable
set search_path = ''
as $$
  with settings as (
    select private.org_settings_with_defaults(o.settings) as s from public.organizations o where o.id = p_org
  ), sorts as (
    select * from private.cut_points_sorts(p_org, p_now, array[
      0.2, 0.4, 0.6, 0.8,
      ((select s from settings) #>> '{tiers,vip_percentile}')::double precision,
      ((select s from settings) #>> '{tiers,super_percentile}')::double precision])
  ), cuts as (
    select (select r.buyers from sorts r where r.measure = 'spend') as buyers,
           (select r.cuts from sorts r where r.measure = 'recency') as recency_days,
           (select r.cuts[1:4] from sorts r where r.measure = 'spend') as monetary_cents,
           (select r.cuts[5] from sorts r where r.measure = 'spend') as vip_min_cents,
           (select r.cuts[6] from sorts r where r.measure = 'spend') as super_min_cents,
           (select r.cuts[1] from sorts r where r.measure = 'aov') as median_aov_cents
  )
  select jsonb_build_object(
    'computed_at', p_now,
    'buyers', c.buyers,
    'recency_days', coalesce(
      (select jsonb_agg(d::integer order by n)
         from unnest(c.recency_days) with ordinality as u (d, n)), '[]'::jsonb),
    'monetary_spend', coalesce(
      (select jsonb_agg((m / 100.0)::numeric(14, 2) order by n)
         from unnest(c.monetary_cents) with ordinality as u (m, n)), '[]'::jsonb),
    'vip_min_spend', (c.vip_min_cents / 100.0)::numeric(14, 2),
    'super_min_spend', (c.super_min_cents / 100.0)::numeric(14, 2),
    'median_aov', (c.median_aov_cents / 100.0)::numeric(14, 2),
    'settings', (select s from settings)
  )
  from cuts c
$$;

comment on function private.compute_cut_points(uuid, timestamptz) is
  'The cut points over an organization''s buyers as of a moment, as a JSON object shaped like public.cut_points; reads only, writes nothing.';


create function private.store_cut_points(p_org uuid, p_now timestamptz, p_run_id bigint)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  cuts jsonb := private.compute_cut_points(p_org, p_now);
begin
  insert into public.cut_points as cp (
    org_id, computed_at, run_id, buyers, recency_days, monetary_spend,
    vip_min_spend, super_min_spend, median_aov, settings
  ) values (
    p_org, p_now, p_run_id, (cuts ->> 'buyers')::integer,
    array(select jsonb_array_elements_text(cuts -> 'recency_days')::integer),
    array(select jsonb_array_elements_text(cuts -> 'monetary_spend')::numeric),
    (cuts ->> 'vip_min_spend')::numeric, (cuts ->> 'super_min_spend')::numeric, (cuts ->> 'median_aov')::numeric,
    cuts -> 'settings'
  )
  on conflict (org_id) do update set
    computed_at = excluded.computed_at,
    run_id = excluded.run_id,
    buyers = excluded.buyers,
    recency_days = excluded.recency_days,
    monetary_spend = excluded.monetary_spend,
    vip_min_spend = excluded.vip_min_spend,
    super_min_spend = excluded.super_min_spend,
    median_aov = excluded.median_aov,
    settings = excluded.settings;
  return cuts;
end;
$$;

comment on function private.store_cut_points(uuid, timestamptz, bigint) is
  'Computes an organization''s cut points as of a moment and stores them in public.cut_points.';


-- The constants of one classification, bound as parameter $7: settings, cut points (the stored
-- ones, or p_cuts as compute_cut_points returns them) and the rules' time bounds.
create function private.engine_config(p_org uuid, p_state private.engine_state, p_cuts jsonb default null)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
-- PL/pgSQL rather than SQL: the statement's plan is kept for the session instead of being made on
-- every call (it runs for every order ingested).
declare
  config jsonb;
  stored jsonb;
  merged jsonb;
  cached jsonb;
  configs jsonb;
  config_key text;
  key text;
begin
  -- The constants, kept for the session under what they are built from: the versions of the
  -- organization's row (its settings) and of its cut points row (xmin and ctid: a row written
  -- again, even twice in one transaction, gets a new pair) and the rules' day bounds. An order's
  -- classification needs them every time, and building them costs several times that lookup.
  -- Given cut points (a full run, once per run) are not kept.
  select o.settings,
         case when p_cuts is null then
           concat_ws('|', p_org, o.xmin, o.ctid,
                     (select cp.xmin::text || cp.ctid::text from public.cut_points cp where cp.org_id = p_org),
                     p_state.last_order_bounds, p_state.first_order_bounds, p_state.last_event_bounds,
                     p_state.created_bounds, p_state.satisfaction_bounds, p_state.last_contact_bounds,
                     p_state.recycle_bounds)
         end
    into stored, config_key
    from public.organizations o
   where o.id = p_org;
  if not found then
    return null;
  end if;
  if config_key is not null then
    configs := nullif(current_setting('portrait.engine_configs', true), '')::jsonb;
    config := configs -> config_key;
    if config is not null then
      return config;
    end if;
  end if;
  -- The settings merged with the defaults, kept for the session under the digest of the stored
  -- settings: the merge (two SQL functions, planned anew each time they are called) would cost an
  -- order more than the rest of its classification. Only the groups the engine reads are kept.
  key := md5(stored::text);
  cached := nullif(current_setting('portrait.engine_settings', true), '')::jsonb;
  if cached ->> 'key' = key then
    merged := cached -> 'settings';
  else
    merged := private.org_settings_with_defaults(stored);
    merged := jsonb_build_object('lifecycle', merged -> 'lifecycle', 'tiers', merged -> 'tiers', 'pool', merged -> 'pool');
    perform set_config('portrait.engine_settings', jsonb_build_object('key', key, 'settings', merged)::text, false);
  end if;
  -- Materialized: inlined, each reference below would read the cut points again, some twenty times.
  with s as materialized (
    select merged as s
  ), c as materialized (
    select coalesce(p_cuts, (
      select jsonb_build_object(
               'buyers', cp.buyers,
               'recency_days', to_jsonb(cp.recency_days),
               'monetary_spend', to_jsonb(cp.monetary_spend),
               'vip_min_spend', cp.vip_min_spend,
               'super_min_spend', cp.super_min_spend,
               'median_aov', cp.median_aov,
               'settings', cp.settings)
        from public.cut_points cp where cp.org_id = p_org), '{}'::jsonb) as c
  )
  select jsonb_build_object(
    'lead_event_days', s.s #> '{lifecycle,lead_event_days}',
    'new_order_days', s.s #> '{lifecycle,new_order_days}',
    'at_risk_days', s.s #> '{lifecycle,at_risk_days}',
    'churned_days', s.s #> '{lifecycle,churned_days}',
    'reactivated_gap_days', s.s #> '{lifecycle,reactivated_gap_days}',
    'reactivated_recent_days', s.s #> '{lifecycle,reactivated_recent_days}',
    'loyal_min_orders', s.s #> '{lifecycle,loyal_min_orders}',
    'vip_percentile', coalesce(c.c #> '{settings,tiers,vip_percentile}', s.s #> '{tiers,vip_percentile}'),
    'super_percentile', coalesce(c.c #> '{settings,tiers,super_percentile}', s.s #> '{tiers,super_percentile}'),
    'r1', c.c #> '{recency_days,0}', 'r2', c.c #> '{recency_days,1}',
    'r3', c.c #> '{recency_days,2}', 'r4', c.c #> '{recency_days,3}',
    'm1', c.c #> '{monetary_spend,0}', 'm2', c.c #> '{monetary_spend,1}',
    'm3', c.c #> '{monetary_spend,2}', 'm4', c.c #> '{monetary_spend,3}',
    'vip', c.c -> 'vip_min_spend',
    'super', c.c -> 'super_min_spend',
    'median_aov', c.c -> 'median_aov',
    'last_order_bounds', p_state.last_order_bounds::text,
    'first_order_bounds', p_state.first_order_bounds::text,
    'last_event_bounds', p_state.last_event_bounds::text,
    'created_bounds', p_state.created_bounds::text,
    'satisfaction_bounds', p_state.satisfaction_bounds::text,
    -- Contact and the pool: the rules' day bounds, and the recycle days (organization settings
    -- pool.recycle_days; a stage's entry wins over a tier's).
    'last_contact_bounds', p_state.last_contact_bounds::text,
    'recycle_bounds', p_state.recycle_bounds::text,
    'recycle_by_tier', coalesce(s.s #> '{pool,recycle_days,by_tier}', '{}'::jsonb),
    'recycle_by_stage', coalesce(s.s #> '{pool,recycle_days,by_stage}', '{}'::jsonb)
  )
  into config
  from s, c;
  -- A few sets of constants at a time (an order's and a portrait's reasons, which take no rule
  -- bounds, alternate in one session); past four the cache starts again.
  if config_key is not null then
    configs := case when (select count(*) from jsonb_object_keys(coalesce(configs, '{}'::jsonb))) >= 4 then '{}'::jsonb
                    else coalesce(configs, '{}'::jsonb) end
               || jsonb_build_object(config_key, config);
    perform set_config('portrait.engine_configs', configs::text, false);
  end if;
  return config;
end;
$$;

comment on function private.engine_config(uuid, private.engine_state, jsonb) is
  'The constants a classification is bound to ($7): lifecycle windows, tier percentiles, cut points (stored, or given) and the rules'' day bounds.';


-- Replaces the {SCOPE:column} placeholders of the engine's SQL by the condition that selects the
-- customers of a statement: ids in ($3, $4] ('range'; a null bound is no bound), listed in $5
-- ('ids'), or the one customer $5[1] ('one': an order's customer, every table read by one index
-- probe). A list is an array condition (= any: index probes, or a hashed list when a chunk of
-- customers is filtered from a scan), not a semi-join with its unnest: the planner counts such a
-- semi-join as 200 rows whatever the list holds, and over an organization an import has just
-- filled it then joined the whole list again for each customer (a chunk of 20,000 compared 200M
-- times).
create function private.engine_scope(p_sql text, p_scope text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  result text := p_sql;
  placeholder text;
begin
  if p_scope not in ('range', 'ids', 'one') then
    raise exception using errcode = '22023', message = format('unknown scope %s', p_scope);
  end if;
  for placeholder in select distinct m[1] from regexp_matches(p_sql, '\{SCOPE:([a-z0-9_.]+)\}', 'g') as m loop
    result := replace(result, '{SCOPE:' || placeholder || '}', case p_scope
      when 'ids' then format('%s = any ($5::uuid[])', placeholder)
      when 'one' then format('%s = ($5::uuid[])[1]', placeholder)
      else format('($3::uuid is null or %1$s > $3::uuid) and ($4::uuid is null or %1$s <= $4::uuid)', placeholder)
    end);
  end loop;
  return result;
end;
$$;

comment on function private.engine_scope(text, text) is
  'Replaces the {SCOPE:column} placeholders of the engine''s SQL by the condition selecting a range of customer ids, a list of them or one customer.';


-- The row as segment rules see it (private.rule_fields names its columns r.…): the select list of
-- the classification's CTE r over the classified row x (the CTEs' names: n, s, new_aov, d_last,
-- new_effective_stage…) and its time of return to the pool rc.new_recycle_at (carried along), with
-- $2 the engine's now. The rule fields that are columns of the customer under their own names (referral_count,
-- country, industry, company_size, source, tag_names, is_valid, is_partner) come with x itself.
-- public.pool_customers builds the same x from the stored profiles and reads this too, so that a
-- rule field is defined once for segments and for the pool's filter.
create function private.rule_row_sql()
returns text
language sql
immutable
set search_path = ''
as $$
  select $sql$x.n as order_count, x.s as net_spend, x.new_aov as aov, x.d_last as days_since_last_order,
    x.new_r_score as r_score, x.new_f_score as f_score, x.new_m_score as m_score,
    x.new_effective_stage::text as lifecycle_stage, x.new_value_tier::text as value_tier,
    x.new_rfm_segment::text as rfm_segment, x.new_ticket_band::text as ticket_band,
    x.d_last as last_order_at_days, x.d_first as first_order_at_days,
    x.d_event as last_event_at_days, x.d_created as created_at_days,
    x.sat_last as satisfaction_last, x.sat_avg as satisfaction_avg, x.d_sat as days_since_satisfaction,
    x.new_f_score - x.prev_f_score as f_score_change,
    -- Contact and the pool (supabase/README.md): an owned customer returns to the pool N days
    -- after max(last contact, owned since), N from the stage shown, else the value tier.
    x.open_fu as open_follow_ups, x.d_contact as days_since_last_contact,
    -- Segments never name "me" (refused when written), so a classified row is unowned or owned.
    case when x.owner_id is null then array['unowned'] else array['owned'] end as owner_keys,
    rc.new_recycle_at,
    -- Missing when there is no time of return (unowned, or no recycle rule applies).
    case when rc.new_recycle_at is not null then
      greatest(0, ceil(date_part('epoch', rc.new_recycle_at - $2::timestamptz) / 86400))::integer end as days_until_recycle$sql$
$$;

comment on function private.rule_row_sql() is
  'The select list of the row as segment rules see it (the columns private.rule_fields names) over the classified row x and rc.new_recycle_at: shared by the classification''s CTE r and public.pool_customers.';


-- The customers' tags that segment rules name, as rows (customer_id, name): tag rules only ask
-- whether a customer's tags include or meet the names they list, so only the organization's tags
-- whose lower-cased name is a string among the rule values ($6) are read (other strings there name
-- no tag, or a tag no rule asks about, and change no answer), then their customers in one pass by
-- the (org_id, tag_id) index, which carries customer and source (never every tag of every customer
-- through the primary key). Rule tags (source rule) are segment membership, not a customer's tags.
-- $1 the organization; {SCOPE:…} as private.engine_scope. Shared by the classification and the
-- edited-segments pass over stored profiles.
create function private.rule_named_tags_sql()
returns text
language sql
immutable
set search_path = ''
as $$
  select $sql$select ct.customer_id, rt.name
          from (
            select t.id, lower(t.name) as name
              from public.tags t
             where t.org_id = $1
               and lower(t.name) in (select jsonb_path_query($6, 'strict $.** ? (@.type() == "string")') #>> '{}')
          ) rt
          join public.customer_tags ct on ct.org_id = $1 and ct.tag_id = rt.id
         where ct.source <> 'rule' and {SCOPE:ct.customer_id}$sql$
$$;

comment on function private.rule_named_tags_sql() is
  'SQL text: the customers'' tags that segment rules name, as rows (customer_id, name) — for the classification and the edited-segments pass.';


-- The classification CTEs (without the leading WITH), for the statements below. Parameters:
--   $1 org uuid, $2 now timestamptz, $3 ids above (uuid, exclusive), $4 ids up to (uuid,
--   inclusive), $5 ids uuid[], $6 rule values jsonb, $7 constants jsonb
-- p_stats: 'stored' reads the statistics from the profiles, 'orders' recounts them from orders
-- and events, 'given' takes the order statistics from $7 -> 'given' ({n, s, f_at, l_at, pv_at}: an
-- order's customer, its figures updated from the order; with referral_count, the referral count
-- too, else it is counted) and the latest event from the profile. p_scope: 'range' selects ids in ($3, $4] (a null bound is no bound), 'ids' the ids
-- listed in $5, 'one' the customer $5[1]. p_members_of: an expression (uuid[]) naming segments whose stored members the
-- rows carry as old_segment_ids (the edited-segments pass); otherwise old_segment_ids is null and
-- old_segments_digest stands for the stored membership. p_f_as_of_run: the rules see the stored F
-- as the F of the latest full run (prev_f_score), as a full run's pass does (it stores prev_f_score
-- afterwards for the customers whose F moved, stored_prev_f_score telling them).
-- Every piece of text here is the engine's own; rule values appear only as $6.
create function private.classification_ctes(p_stats text, p_state private.engine_state, p_scope text default 'range',
                                            p_members_of text default null, p_f_as_of_run boolean default false)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  ctes text;
  -- The one replacement table: placeholder name ({STATS} in the text: STATS) → the SQL it stands
  -- for, chosen below and filled in at once.
  pieces jsonb := jsonb_build_object('RULE_ROW', private.rule_row_sql());
  piece record;
  bound_terms text := '';
  referrals text;
begin
  if p_stats not in ('stored', 'orders', 'given') then
    raise exception using errcode = '22023', message = format('unknown statistics source %s', p_stats);
  end if;
  if p_scope not in ('range', 'ids', 'one') then
    raise exception using errcode = '22023', message = format('unknown scope %s', p_scope);
  end if;

  ctes := $sql$
base as (
  select
    c.id as customer_id,
    c.is_valid, c.invalid_reason, c.is_partner, c.country, c.industry,
    c.company_size::text as company_size, c.acquisition_source as source, c.created_at,
    p.customer_id is not null as has_profile,
    -- Where the profile was read: the write updates it there, without reading it again by its key.
    p.ctid as profile_row,
    p.order_count as old_order_count, p.net_spend as old_net_spend, p.aov as old_aov,
    p.first_order_at as old_first_order_at, p.last_order_at as old_last_order_at,
    p.previous_order_at as old_previous_order_at, p.last_event_at as old_last_event_at,
    p.r_score as old_r_score, p.f_score as old_f_score, p.m_score as old_m_score,
    p.rfm_segment as old_rfm_segment, p.lifecycle_stage as old_lifecycle_stage,
    p.stage_override, p.effective_stage as old_effective_stage,
    p.value_tier as old_value_tier, p.ticket_band as old_ticket_band,
    p.referral_count as old_referral_count, p.segments_digest as old_segments_digest,
    {OLD_MEMBERS} as old_segment_ids,
    p.next_transition_at as old_next_transition_at,
    p.reasons_version as old_reasons_version,
    {PREV_F_SCORE} as prev_f_score, p.prev_f_score as stored_prev_f_score,
    {SATISFACTION}
    -- Contact and ownership: kept current by their own triggers (20261123005090_contact_stats.sql).
    p.last_contact_at as ct_at, coalesce(p.open_follow_ups, 0) as open_fu,
    c.owner_id, c.owned_since, p.recycle_at as old_recycle_at,
    {STATS}
    {REFERRAL_COUNT} as referral_count,
    {TAGS} as tag_names
  from public.customers c
  -- The scope again on the profiles: the planner does not carry a range from c.id over to them.
  -- Joined on the customer id alone (both sides are the organization's), one key to hash.
  left join public.customer_profiles p on p.org_id = $1 and p.customer_id = c.id and {SCOPE:p.customer_id}
  {STATS_JOIN}
  {REFERRALS_JOIN}
  {SATISFACTION_JOIN}
  {OLD_MEMBERS_JOIN}
  where c.org_id = $1 and {SCOPE:c.id}
),
d as (
  select b.*,
    floor(date_part('epoch', $2::timestamptz - b.l_at) / 86400)::integer as d_last,
    floor(date_part('epoch', $2::timestamptz - b.f_at) / 86400)::integer as d_first,
    floor(date_part('epoch', $2::timestamptz - b.e_at) / 86400)::integer as d_event,
    floor(date_part('epoch', $2::timestamptz - b.created_at) / 86400)::integer as d_created,
    floor(date_part('epoch', $2::timestamptz - b.sat_at) / 86400)::integer as d_sat,
    floor(date_part('epoch', b.l_at - b.pv_at) / 86400)::integer as gap_days,
    floor(date_part('epoch', $2::timestamptz - b.ct_at) / 86400)::integer as d_contact,
    case when b.n > 0 then round(b.s / b.n, 2) end as new_aov,
    case when not b.is_valid
      then jsonb_strip_nulls(jsonb_build_object('code', 'marked_invalid', 'reason', b.invalid_reason)) end as new_validity
  from base b
  offset 0
),
-- The answers are the enums' own constants (the first branch's type is every branch's), not text
-- cast per row.
k as (
  select d.*,
    case
      when d.n = 0 and (d.e_at is null or d.d_event > {lead_event_days}) then 'prospect'::public.lifecycle_stage
      when d.n = 0 then 'lead'
      when d.n >= 2 and d.d_last <= {reactivated_recent_days} and d.gap_days > {reactivated_gap_days} then 'reactivated'
      when d.n = 1 and d.d_last <= {new_order_days} then 'new'
      when d.d_last > {churned_days} then 'churned'
      when d.d_last > {at_risk_days} then 'at_risk'
      when d.n >= {loyal_min_orders} then 'loyal'
      else 'active'
    end as new_lifecycle_stage,
    (case when d.n >= 6 then 5 when d.n >= 4 then 4 when d.n >= 1 then d.n end)::smallint as new_f_score,
    (case when d.n > 0 and {r1} is not null then
       1 + (d.d_last < {r1})::integer + (d.d_last < {r2})::integer + (d.d_last < {r3})::integer + (d.d_last < {r4})::integer
     end)::smallint as new_r_score,
    (case when d.n > 0 and {m1} is not null then
       1 + (d.s > {m1})::integer + (d.s > {m2})::integer + (d.s > {m3})::integer + (d.s > {m4})::integer
     end)::smallint as new_m_score,
    case
      when d.n > 0 and d.s >= {super} then 'super'::public.value_tier
      when d.n > 0 and d.s >= {vip} then 'vip'
      else 'normal'
    end as new_value_tier,
    case when d.n > 0 and {median_aov} is not null then
      case when d.new_aov >= {median_aov} then 'high'::public.ticket_band else 'low' end
    end as new_ticket_band
  from d
  offset 0
),
x as (
  select k.*,
    case
      when k.new_r_score is null or k.new_f_score is null then null
      when k.new_r_score = 5 and k.new_f_score >= 4 then 'champions'::public.rfm_segment
      when k.new_r_score between 3 and 4 and k.new_f_score >= 4 then 'loyal'
      when k.new_r_score >= 4 and k.new_f_score between 2 and 3 then 'potential_loyalist'
      when k.new_r_score = 5 and k.new_f_score = 1 then 'new_customer'
      when k.new_r_score = 4 and k.new_f_score = 1 then 'promising'
      when k.new_r_score = 3 and k.new_f_score = 3 then 'need_attention'
      when k.new_r_score = 3 and k.new_f_score <= 2 then 'about_to_sleep'
      when k.new_r_score <= 2 and k.new_f_score = 5 then 'cant_lose'
      when k.new_r_score <= 2 and k.new_f_score between 3 and 4 then 'at_risk'
      when k.new_r_score = 1 and k.new_f_score = 1 then 'lost'
      else 'hibernating'
    end as new_rfm_segment,
    coalesce(k.stage_override, k.new_lifecycle_stage) as new_effective_stage
  from k
  offset 0
),
r as (
  select x.*,
    {RULE_ROW}
  from x
  cross join lateral (
    select case when x.owner_id is not null then
             greatest(x.ct_at, x.owned_since)
             + coalesce(($7 -> 'recycle_by_stage' ->> x.new_effective_stage::text)::integer,
                        ($7 -> 'recycle_by_tier' ->> x.new_value_tier::text)::integer) * interval '24 hours'
           end as new_recycle_at
  ) rc
  offset 0
),
ys as (
  select r.*,
    {MEMBERSHIP} as seg_slots,
    least(
      case when r.n = 0 and r.e_at is not null and r.d_event <= {lead_event_days}
        then r.e_at + ({lead_event_days} + 1) * interval '24 hours' end,
      case when r.n > 0 then r.l_at + least(
        case when r.n = 1 and r.d_last <= {new_order_days} then {new_order_days} + 1 end,
        case when r.n >= 2 and r.gap_days > {reactivated_gap_days} and r.d_last <= {reactivated_recent_days} then {reactivated_recent_days} + 1 end,
        case when r.d_last <= {at_risk_days} then {at_risk_days} + 1 end,
        case when r.d_last <= {churned_days} then {churned_days} + 1 end
      ) * interval '24 hours' end
      {BOUNDS}
    ) as new_next_transition_at
  from r
  offset 0
),
y1 as (
  select ys.*, array_remove(ys.seg_slots, null) as new_segment_ids
  from ys
),
y as (
  select y1.*, {SEGMENTS_DIGEST} as new_segments_digest
  from y1
)
$sql$;

  if p_stats = 'stored' then
    pieces := pieces || jsonb_build_object('STATS',
      'coalesce(p.order_count, 0) as n, coalesce(p.net_spend, 0) as s, p.first_order_at as f_at, '
      'p.last_order_at as l_at, p.previous_order_at as pv_at, p.last_event_at as e_at,');
    pieces := pieces || jsonb_build_object('STATS_JOIN', '');
  elsif p_stats = 'given' then
    pieces := pieces || jsonb_build_object('STATS',
      '($7 #>> ''{given,n}'')::integer as n, ($7 #>> ''{given,s}'')::numeric as s, '
      '($7 #>> ''{given,f_at}'')::timestamptz as f_at, ($7 #>> ''{given,l_at}'')::timestamptz as l_at, '
      '($7 #>> ''{given,pv_at}'')::timestamptz as pv_at, p.last_event_at as e_at,');
    pieces := pieces || jsonb_build_object('STATS_JOIN', '');
    -- An order leaves the customer's referrals as they were: its caller brings the stored count
    -- (given referral_count), and the customers it referred are not counted again (a page read per
    -- order at a million customers).
    pieces := pieces || jsonb_build_object('REFERRAL_COUNT', 'coalesce(($7 #>> ''{given,referral_count}'')::integer, rc.n, 0)');
  else
    pieces := pieces || jsonb_build_object('STATS',
      'coalesce(os.n, 0) as n, coalesce(os.s, 0) as s, os.f_at, os.l_at, os.pv_at, es.e_at,');
    -- Orders grouped over the chosen customers (one pass, whatever the planner knows about the
    -- tables); the latest event looked up per customer.
    pieces := pieces || jsonb_build_object('STATS_JOIN', $sql$
  left join (
    select o.customer_id,
           count(*)::integer as n,
           sum(o.total - o.refunded_amount) as s,
           min(o.ordered_at) as f_at,
           max(o.ordered_at) as l_at,
           (array_agg(o.ordered_at order by o.ordered_at desc))[2] as pv_at
      from public.orders o
     where o.org_id = $1 and o.status = 'paid' and {SCOPE:o.customer_id}
     group by o.customer_id
  ) os on os.customer_id = c.id
  -- The latest event: one probe of the (org_id, customer_id, occurred_at desc) index per customer.
  left join lateral (
    select e.occurred_at as e_at
      from public.events e
     where e.org_id = $1 and e.customer_id = c.id
     order by e.occurred_at desc
     limit 1
  ) es on true$sql$);
  end if;

  -- Over many customers only the tags some rule names are read (private.rule_named_tags_sql).
  -- One customer: its own few tags, every name (a name no rule lists changes no answer either).
  -- Referral counts (rc.n) and, over many customers, those tag names (rc.names) come from one table
  -- of the customers that have either, so that every customer is looked up in one hash table.
  referrals := $sql$
    select c2.referred_by as customer_id, count(*)::integer as n
      from public.customers c2
     where c2.org_id = $1 and c2.referred_by is not null and {SCOPE:c2.referred_by}$sql$
    || case when p_stats = 'given' then $sql$ and ($7 #> '{given,referral_count}') is null$sql$ else '' end || $sql$
     group by c2.referred_by$sql$;
  if not pieces ? 'REFERRAL_COUNT' then
    pieces := pieces || jsonb_build_object('REFERRAL_COUNT', 'coalesce(rc.n, 0)');
  end if;
  if p_state.uses_tags and p_scope = 'one' then
    pieces := pieces || jsonb_build_object('TAGS', 'coalesce(tg.names, ''{}''::text[])');
    pieces := pieces || jsonb_build_object('REFERRALS_JOIN', format($sql$
  left join (%s
  ) rc on rc.customer_id = c.id
  left join lateral (
    select array_agg((select lower(t.name) from public.tags t where t.id = ct.tag_id)) as names
      from public.customer_tags ct
     where ct.org_id = $1 and ct.customer_id = c.id and ct.source <> 'rule'
  ) tg on true$sql$, referrals));
  elsif p_state.uses_tags then
    -- One list of the referrals (n 1) and the rule tags (n 0) of the customers that have either,
    -- grouped by customer: a full join of the two would leave the planner no estimate of its rows.
    pieces := pieces || jsonb_build_object('TAGS', 'coalesce(rc.names, ''{}''::text[])');
    pieces := pieces || jsonb_build_object('REFERRALS_JOIN', format($sql$
  left join (
    select u.customer_id, sum(u.n)::integer as n, array_agg(u.name) filter (where u.name is not null) as names
      from (
        select c2.referred_by as customer_id, 1 as n, null::text as name
          from public.customers c2
         where c2.org_id = $1 and c2.referred_by is not null and {SCOPE:c2.referred_by}
        union all
        select nt.customer_id, 0, nt.name
          from (%s) nt
      ) u
     group by u.customer_id
  ) rc on rc.customer_id = c.id$sql$, private.rule_named_tags_sql()));
  else
    pieces := pieces || jsonb_build_object('TAGS', '''{}''::text[]');
    pieces := pieces || jsonb_build_object('REFERRALS_JOIN', format($sql$
  left join (%s
  ) rc on rc.customer_id = c.id$sql$, referrals));
  end if;

  -- Day bounds of the rules, only for anchors some rule uses. Each list is read from $7 in a scalar
  -- subquery, computed once per statement: the cast of text to integer[] is stable, not immutable, so
  -- the planner does not fold it and would parse the list again for every row.
  if cardinality(p_state.last_order_bounds) > 0 then
    bound_terms := bound_terms || $sql$,
      r.l_at + (select ($7 ->> 'last_order_bounds')::integer[])[width_bucket(r.d_last, (select ($7 ->> 'last_order_bounds')::integer[])) + 1] * interval '24 hours'$sql$;
  end if;
  if cardinality(p_state.first_order_bounds) > 0 then
    bound_terms := bound_terms || $sql$,
      r.f_at + (select ($7 ->> 'first_order_bounds')::integer[])[width_bucket(r.d_first, (select ($7 ->> 'first_order_bounds')::integer[])) + 1] * interval '24 hours'$sql$;
  end if;
  if cardinality(p_state.last_event_bounds) > 0 then
    bound_terms := bound_terms || $sql$,
      r.e_at + (select ($7 ->> 'last_event_bounds')::integer[])[width_bucket(r.d_event, (select ($7 ->> 'last_event_bounds')::integer[])) + 1] * interval '24 hours'$sql$;
  end if;
  if cardinality(p_state.created_bounds) > 0 then
    bound_terms := bound_terms || $sql$,
      r.created_at + (select ($7 ->> 'created_bounds')::integer[])[width_bucket(r.d_created, (select ($7 ->> 'created_bounds')::integer[])) + 1] * interval '24 hours'$sql$;
  end if;
  -- Satisfaction figures (20261123005200_satisfaction_stats.sql), only when some rule uses them.
  if p_state.uses_satisfaction then
    pieces := pieces || jsonb_build_object('SATISFACTION', 'sat.last_score_100 as sat_last, sat.avg_score_100 as sat_avg, sat.last_at as sat_at,');
    pieces := pieces || jsonb_build_object('SATISFACTION_JOIN', $sql$
  left join public.customer_satisfaction sat on sat.org_id = $1 and sat.customer_id = c.id and {SCOPE:sat.customer_id}$sql$);
  else
    pieces := pieces || jsonb_build_object('SATISFACTION', 'null::smallint as sat_last, null::numeric as sat_avg, null::timestamptz as sat_at,');
    pieces := pieces || jsonb_build_object('SATISFACTION_JOIN', '');
  end if;
  if cardinality(p_state.satisfaction_bounds) > 0 then
    bound_terms := bound_terms || $sql$,
      r.sat_at + (select ($7 ->> 'satisfaction_bounds')::integer[])[width_bucket(r.d_sat, (select ($7 ->> 'satisfaction_bounds')::integer[])) + 1] * interval '24 hours'$sql$;
  end if;
  -- Contact and the pool: days since the last contact rise; days until recycling (rounded up) fall,
  -- so a rule's answer on them changes at recycle_at − (bound − 1) days.
  if cardinality(p_state.last_contact_bounds) > 0 then
    bound_terms := bound_terms || $sql$,
      r.ct_at + (select ($7 ->> 'last_contact_bounds')::integer[])[width_bucket(r.d_contact, (select ($7 ->> 'last_contact_bounds')::integer[])) + 1] * interval '24 hours'$sql$;
  end if;
  if cardinality(p_state.recycle_bounds) > 0 then
    bound_terms := bound_terms || $sql$,
      (select min(r.new_recycle_at - (b - 1) * interval '24 hours')
         from unnest((select ($7 ->> 'recycle_bounds')::integer[])) as b
        where b >= 1 and r.new_recycle_at - (b - 1) * interval '24 hours' > $2::timestamptz)$sql$;
  end if;
  pieces := pieces || jsonb_build_object('BOUNDS', bound_terms);
  -- The digest of the row's segments (private.segment_hash_sql): the XOR over its slots. Slot n
  -- holds segment_list[n] or nothing, so its hash is a constant the planner folds (no uuid turned
  -- into text and hashed for every member of every row); any other value is hashed as it is.
  pieces := pieces || jsonb_build_object('SEGMENTS_DIGEST', coalesce(
    'nullif(' || (select string_agg(format('case when %1$s is null then 0 when %1$s = %2$L::uuid then %3$s else %4$s end',
                                           format('y1.seg_slots[%s]', l.n), l.id,
                                           private.segment_hash_sql(format('%L::uuid', l.id)),
                                           private.segment_hash_sql(format('y1.seg_slots[%s]', l.n))), ' # ' order by l.n)
                    from unnest(p_state.segment_list) with ordinality as l (id, n)) || ', 0)',
    'null::bigint'));

  pieces := pieces || jsonb_build_object('PREV_F_SCORE', case when p_f_as_of_run then 'p.f_score' else 'p.prev_f_score' end);
  if p_members_of is null then
    pieces := pieces || jsonb_build_object('OLD_MEMBERS', 'null::uuid[]');
    pieces := pieces || jsonb_build_object('OLD_MEMBERS_JOIN', '');
  else
    pieces := pieces || jsonb_build_object('OLD_MEMBERS', 'om.ids');
    pieces := pieces || jsonb_build_object('OLD_MEMBERS_JOIN', format($sql$
  left join (
    select m.customer_id, array_agg(m.segment_id order by m.segment_id) as ids
      from public.segment_memberships m
     where m.segment_id = any (%s) and {SCOPE:m.customer_id}
     group by m.customer_id
  ) om on om.customer_id = c.id$sql$, p_members_of));
  end if;

  -- No piece holds another's placeholder, so the order of filling does not matter; every one but
  -- {MEMBERSHIP} (the compiled rules, filled after the scope) must be filled.
  for piece in select * from jsonb_each_text(pieces) loop
    ctes := replace(ctes, '{' || piece.key || '}', piece.value);
  end loop;
  if ctes ~ '\{(?!MEMBERSHIP\})[A-Z_]+\}' then
    raise exception 'placeholder % of the classification is not filled', substring(ctes from '\{(?!MEMBERSHIP\})[A-Z_]+\}');
  end if;
  ctes := private.engine_scope(ctes, p_scope);

  ctes := replace(ctes, '{MEMBERSHIP}', p_state.membership_sql);
  return private.engine_constants(ctes);
end;
$$;

comment on function private.classification_ctes(text, private.engine_state, text, text, boolean) is
  'The text of the classification CTEs (base, d, k, x, r, y) over parameters $1–$7, built from the engine''s own fragments and the compiled membership expression.';


-- Replaces the named placeholders of the engine's SQL ({at_risk_days}, {r1}, {median_aov}…: the
-- keys of engine_config) by references to the constants bound as $7.
create function private.engine_constants(p_sql text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  result text := p_sql;
  constant record;
begin
  -- Each constant's key in $7 (engine_config) and its type; vip_percentile stays jsonb.
  for constant in
    select c.key, c.type
      from (values ('lead_event_days', 'integer'), ('new_order_days', 'integer'), ('at_risk_days', 'integer'),
                   ('churned_days', 'integer'), ('reactivated_gap_days', 'integer'),
                   ('reactivated_recent_days', 'integer'), ('loyal_min_orders', 'integer'),
                   ('r1', 'integer'), ('r2', 'integer'), ('r3', 'integer'), ('r4', 'integer'),
                   ('m1', 'numeric'), ('m2', 'numeric'), ('m3', 'numeric'), ('m4', 'numeric'),
                   ('vip', 'numeric'), ('super', 'numeric'), ('median_aov', 'numeric'),
                   ('vip_percentile', null)) as c (key, type)
  loop
    result := replace(result, '{' || constant.key || '}',
                      case when constant.type is null then format('($7 -> %L)', constant.key)
                           else format('($7 ->> %L)::%s', constant.key, constant.type) end);
  end loop;
  return result;
end;
$$;

comment on function private.engine_constants(text) is
  'Replaces the engine''s named placeholders ({at_risk_days}, {r1}…, the keys of engine_config) by references to the constants parameter $7.';


-- The reason of the lifecycle stage of one classified row `z` (a y row), nulls not yet stripped:
-- the stage change's reason when the engine moves a customer (alone: an order's statement builds
-- only this one), and the lifecycle_stage entry of reasons_sql.
create function private.stage_reason_sql()
returns text
language sql
immutable
set search_path = ''
as $$
  select private.engine_constants($sql$case z.new_lifecycle_stage
      when 'prospect' then jsonb_build_object('code', 'no_orders_no_recent_event', 'last_event_at', z.e_at, 'window_days', {lead_event_days})
      when 'lead' then jsonb_build_object('code', 'no_orders_recent_event', 'last_event_at', z.e_at, 'window_days', {lead_event_days})
      when 'reactivated' then jsonb_build_object('code', 'returned_after_gap', 'order_count', z.n, 'last_order_at', z.l_at,
        'previous_order_at', z.pv_at, 'gap_days', z.gap_days, 'gap_threshold_days', {reactivated_gap_days}, 'window_days', {reactivated_recent_days})
      when 'new' then jsonb_build_object('code', 'first_order_recent', 'last_order_at', z.l_at, 'window_days', {new_order_days})
      when 'churned' then jsonb_build_object('code', 'no_order_beyond_churned_days', 'last_order_at', z.l_at, 'threshold_days', {churned_days})
      when 'at_risk' then jsonb_build_object('code', 'no_order_beyond_at_risk_days', 'last_order_at', z.l_at, 'threshold_days', {at_risk_days})
      when 'loyal' then jsonb_build_object('code', 'many_recent_orders', 'order_count', z.n, 'min_orders', {loyal_min_orders},
        'last_order_at', z.l_at, 'at_risk_days', {at_risk_days})
      else jsonb_build_object('code', 'recent_buyer', 'order_count', z.n, 'last_order_at', z.l_at, 'at_risk_days', {at_risk_days})
    end$sql$)
$$;

comment on function private.stage_reason_sql() is
  'SQL text building the reason of the lifecycle stage of a classified row z (a code and the numbers behind it), nulls not stripped.';


-- The reasons of one classified row `z` (a y row): a portrait's reasons (private.customer_reasons,
-- from the stored profile) and, through its lifecycle_stage entry, a stage change's reason.
create function private.reasons_sql()
returns text
language sql
immutable
set search_path = ''
as $$
  select private.engine_constants($sql$jsonb_strip_nulls(jsonb_build_object(
    'lifecycle_stage', $sql$ || private.stage_reason_sql() || $sql$,
    'r_score', case
      when z.n = 0 then jsonb_build_object('code', 'no_orders')
      when z.new_r_score is null then jsonb_build_object('code', 'no_cut_points')
      else jsonb_build_object('code', 'recency_quintile', 'score', z.new_r_score, 'last_order_at', z.l_at)
    end,
    'f_score', case
      when z.n = 0 then jsonb_build_object('code', 'no_orders')
      else jsonb_build_object('code', 'order_count_bucket', 'score', z.new_f_score, 'order_count', z.n)
    end,
    'm_score', case
      when z.n = 0 then jsonb_build_object('code', 'no_orders')
      when z.new_m_score is null then jsonb_build_object('code', 'no_cut_points')
      else jsonb_build_object('code', 'monetary_quintile', 'score', z.new_m_score, 'net_spend', z.s)
    end,
    'rfm_segment', case
      when z.n = 0 then jsonb_build_object('code', 'no_orders')
      when z.new_rfm_segment is null then jsonb_build_object('code', 'no_cut_points')
      else jsonb_build_object('code', 'recency_frequency_grid', 'segment', z.new_rfm_segment, 'r', z.new_r_score, 'f', z.new_f_score)
    end,
    'value_tier', case
      when z.n = 0 then jsonb_build_object('code', 'no_orders')
      when z.new_value_tier = 'super' then jsonb_build_object('code', 'top_spender', 'net_spend', z.s,
        'percentile', ($7 -> 'super_percentile'))
      when z.new_value_tier = 'vip' then jsonb_build_object('code', 'high_spender', 'net_spend', z.s,
        'percentile', ($7 -> 'vip_percentile'))
      else jsonb_build_object('code', 'below_vip_percentile', 'net_spend', z.s, 'percentile', ($7 -> 'vip_percentile'))
    end,
    'ticket_band', case
      when z.n = 0 then jsonb_build_object('code', 'no_orders')
      when z.new_ticket_band is null then jsonb_build_object('code', 'no_cut_points')
      when z.new_ticket_band = 'high' then jsonb_build_object('code', 'aov_at_or_above_median', 'aov', z.new_aov)
      else jsonb_build_object('code', 'aov_below_median', 'aov', z.new_aov)
    end,
    'referral_count', jsonb_build_object('code', 'customers_referred', 'count', z.referral_count),
    'validity', z.new_validity
  ))$sql$)
$$;

comment on function private.reasons_sql() is
  'SQL text building the reasons of a classified row z: a code and the numbers behind each computed field.';


-- Why each computed field of a customer's profile has its value, derived from the stored profile
-- when a portrait is read rather than stored in it: every engine pass reads and writes the profile
-- rows, and the reasons would make them several times wider. The numbers are those the
-- classification used (the profile's figures, the settings and cut points in force, p_cfg from
-- engine_config). Its body is reasons_sql() over the stored row, written out as one static
-- expression (no statement started per call); it reads no table, so a portrait of several
-- customers derives their reasons from rows it has already read, with the constants looked up once.
do $do$
begin
  execute format($ddl$
create function private.profile_reasons(p public.customer_profiles, p_is_valid boolean, p_invalid_reason text, p_cfg jsonb)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $body$
<<z>>
declare
  -- The names reasons_sql() reads (z.n, z.l_at, ...): variables of the block z rather than the
  -- columns of a subquery, so that the reasons are one expression, evaluated without starting a
  -- statement for each customer.
  new_lifecycle_stage public.customer_profiles.lifecycle_stage%%type := p.lifecycle_stage;
  n public.customer_profiles.order_count%%type := p.order_count;
  s public.customer_profiles.net_spend%%type := p.net_spend;
  new_aov public.customer_profiles.aov%%type := p.aov;
  l_at public.customer_profiles.last_order_at%%type := p.last_order_at;
  pv_at public.customer_profiles.previous_order_at%%type := p.previous_order_at;
  e_at public.customer_profiles.last_event_at%%type := p.last_event_at;
  gap_days integer := floor(date_part('epoch', p.last_order_at - p.previous_order_at) / 86400)::integer;
  new_r_score public.customer_profiles.r_score%%type := p.r_score;
  new_f_score public.customer_profiles.f_score%%type := p.f_score;
  new_m_score public.customer_profiles.m_score%%type := p.m_score;
  new_rfm_segment public.customer_profiles.rfm_segment%%type := p.rfm_segment;
  new_value_tier public.customer_profiles.value_tier%%type := p.value_tier;
  new_ticket_band public.customer_profiles.ticket_band%%type := p.ticket_band;
  referral_count public.customer_profiles.referral_count%%type := p.referral_count;
  new_validity jsonb := case when not p_is_valid
    then jsonb_strip_nulls(jsonb_build_object('code', 'marked_invalid', 'reason', p_invalid_reason)) end;
begin
  return %s;
end z;
$body$
$ddl$, replace(private.reasons_sql(), '$7', 'p_cfg'));
end
$do$;

comment on function private.profile_reasons(public.customer_profiles, boolean, text, jsonb) is
  'The reasons of a stored profile row (see customer_reasons), given its customer''s validity and the constants of engine_config; reads no table.';

create function private.customer_reasons(p_org uuid, p_customer uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if ((select auth.role()) in ('anon', 'authenticated') or current_setting('role', true) in ('anon', 'authenticated'))
     and private.member_role(p_org) is null then
    raise exception using errcode = '42501', message = 'p_org: only a member of the organization can read why its customers are classified as they are';
  end if;
  -- The reasons use the settings and cut points only, not the rules' day bounds.
  return (
    select private.profile_reasons(p, c.is_valid, c.invalid_reason, private.engine_config(p_org, null))
      from public.customer_profiles p
      join public.customers c on c.org_id = p.org_id and c.id = p.customer_id
     where p.org_id = p_org and p.customer_id = p_customer
  );
end;
$$;

comment on function private.customer_reasons(uuid, uuid) is
  'Why each computed field of a customer''s profile has its value (an object keyed by field name: lifecycle_stage, value_tier, rfm_segment…, each {"code": "...", plus the numbers used}), derived from the stored profile; for members of the organization.';


-- Whether a segment of the organization carries a tag (segments.tag_id), i.e. whether the engine
-- puts rule tags on anyone there: the one test of it, for private.sync_rule_tags and the
-- generated function.
create function private.segments_carry_tags(p_org uuid)
returns boolean
language sql
stable
set search_path = ''
as $$
  select exists (select 1 from public.segments s where s.org_id = p_org and s.tag_id is not null)
$$;

comment on function private.segments_carry_tags(uuid) is
  'Whether any segment of the organization carries a tag (segments.tag_id), so that the engine puts rule tags on its members.';


-- Rule tags: members of a segment with a tag carry it (source rule); leavers lose it. Tags a person
-- or an import added are never touched. p_ids limits the work to some customers (null: all). When
-- no segment carries a tag and none of these customers has a rule tag to take off, the customers'
-- tags are not touched at all.
create function private.sync_rule_tags(p_org uuid, p_ids uuid[] default null, out added integer, out removed integer)
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  -- Nothing to put and nothing to take off (the common case of an order, and of an organization
  -- without tagged segments): no statement over the customers' tags at all.
  if not private.segments_carry_tags(p_org)
     and not exists (select 1 from public.customer_tags ct
                      where ct.org_id = p_org and ct.source = 'rule'
                        and (p_ids is null or ct.customer_id = any (p_ids))) then
    added := 0;
    removed := 0;
    return;
  end if;
  if p_ids is null then
    with desired as (
      select distinct m.customer_id, s.tag_id
        from public.segments s
        join public.segment_memberships m on m.segment_id = s.id
       where s.org_id = p_org and s.tag_id is not null and s.is_active
    ), gone as (
      delete from public.customer_tags ct
       where ct.org_id = p_org and ct.source = 'rule'
         and not exists (select 1 from desired d where d.customer_id = ct.customer_id and d.tag_id = ct.tag_id)
      returning 1
    ), put as (
      insert into public.customer_tags (org_id, customer_id, tag_id, source, added_by, added_at)
      select p_org, d.customer_id, d.tag_id, 'rule', null, now() from desired d
      on conflict (org_id, customer_id, tag_id) do nothing
      returning 1
    )
    select (select count(*) from put)::integer, (select count(*) from gone)::integer into added, removed;
  else
    -- Some customers: every lookup by customer id.
    with listed as (
      select distinct i as customer_id from unnest(p_ids) as i
    ), desired as (
      select distinct m.customer_id, s.tag_id
        from listed l
        join public.segment_memberships m on m.org_id = p_org and m.customer_id = l.customer_id
        join public.segments s on s.id = m.segment_id
       where s.tag_id is not null and s.is_active
    ), gone as (
      delete from public.customer_tags ct
       using listed l
       where ct.org_id = p_org and ct.customer_id = l.customer_id and ct.source = 'rule'
         and not exists (select 1 from desired d where d.customer_id = ct.customer_id and d.tag_id = ct.tag_id)
      returning 1
    ), put as (
      insert into public.customer_tags (org_id, customer_id, tag_id, source, added_by, added_at)
      select p_org, d.customer_id, d.tag_id, 'rule', null, now() from desired d
      on conflict (org_id, customer_id, tag_id) do nothing
      returning 1
    )
    select (select count(*) from put)::integer, (select count(*) from gone)::integer into added, removed;
  end if;
end;
$$;

comment on function private.sync_rule_tags(uuid, uuid[]) is
  'Puts the tag of each segment (segments.tag_id) on its members and takes it off leavers (customer_tags.source = rule), for some customers or all.';


-- Whether a classified row y differs from its stored profile ($8: rewrite every row). p_stats as in
-- classification_ctes: with 'stored' the order statistics and the latest event are the profile's own
-- (its counts are not null), so only the values computed from them are compared.
create function private.changed_sql(p_stats text)
returns text
language sql
immutable
set search_path = ''
as $sql$
  select format($cond$(not y.has_profile
      or $8
      or y.old_reasons_version is distinct from 1
      or (%s y.old_aov, y.old_r_score, y.old_f_score, y.old_m_score,
          y.old_rfm_segment, y.old_lifecycle_stage, y.old_value_tier, y.old_ticket_band,
          y.old_referral_count, y.old_segments_digest, y.old_next_transition_at, y.old_recycle_at)
         is distinct from
         (%s y.new_aov, y.new_r_score, y.new_f_score, y.new_m_score,
          y.new_rfm_segment, y.new_lifecycle_stage, y.new_value_tier, y.new_ticket_band,
          y.referral_count, y.new_segments_digest, y.new_next_transition_at, y.new_recycle_at))$cond$,
    case when p_stats <> 'stored' then
      'y.old_order_count, y.old_net_spend, y.old_first_order_at, y.old_last_order_at, y.old_previous_order_at, y.old_last_event_at,' end,
    case when p_stats <> 'stored' then 'y.n, y.s, y.f_at, y.l_at, y.pv_at, y.e_at,' end)
$sql$;

comment on function private.changed_sql(text) is
  'SQL condition: the classified row y differs from its stored profile (or $8 asks to rewrite every row).';


-- The profile columns a classification writes, each with what it takes from the classified row
-- (p_row: its alias) or the run's moment (p_now): the one list behind the update and the insert
-- of classification_write_sql and the one-customer branch of the generated function.
create function private.profile_written_columns(p_row text, p_now text)
returns table (column_name text, value_sql text)
language sql
immutable
set search_path = ''
as $$
  select v.column_name, replace(replace(v.value_sql, 'z.', p_row || '.'), '{now}', p_now)
    from (values
      (1, 'order_count', 'z.n'), (2, 'net_spend', 'z.s'), (3, 'aov', 'z.new_aov'),
      (4, 'first_order_at', 'z.f_at'), (5, 'last_order_at', 'z.l_at'), (6, 'previous_order_at', 'z.pv_at'),
      (7, 'last_event_at', 'z.e_at'), (8, 'r_score', 'z.new_r_score'), (9, 'f_score', 'z.new_f_score'),
      (10, 'm_score', 'z.new_m_score'), (11, 'rfm_segment', 'z.new_rfm_segment'),
      (12, 'lifecycle_stage', 'z.new_lifecycle_stage'), (13, 'value_tier', 'z.new_value_tier'),
      (14, 'ticket_band', 'z.new_ticket_band'), (15, 'referral_count', 'z.referral_count'),
      (16, 'segments_digest', 'z.new_segments_digest'), (17, 'next_transition_at', 'z.new_next_transition_at'),
      (18, 'recycle_at', 'z.new_recycle_at'), (19, 'reasons_version', '1'), (20, 'computed_at', '{now}')
    ) as v (position, column_name, value_sql)
   order by v.position
$$;

comment on function private.profile_written_columns(text, text) is
  'The profile columns a classification writes and the SQL of each value over the classified row p_row (and the moment p_now), in one order.';

-- The SET list of an update of the profile from the classified row p_row (profile_written_columns).
create function private.profile_set_sql(p_row text, p_now text)
returns text
language sql
immutable
set search_path = ''
as $$
  select string_agg(format('%I = %s', w.column_name, w.value_sql), E',\n    ')
    from private.profile_written_columns(p_row, p_now) as w
$$;

comment on function private.profile_set_sql(text, text) is
  'SQL: the SET list writing a classified row p_row into its profile (the columns of profile_written_columns).';


-- The statement that classifies customers and writes what changed: the profile (statistics,
-- computed fields, reasons), the stage changes; it returns the customers whose segments changed
-- (for their rule tags). Rows whose values are all unchanged are not written. The update re-checks
-- that the statistics and the override it read are still those of the row, so that a concurrent
-- order is never overwritten with older figures. Parameters as classification_ctes, and
-- $8 rewrite every row (force), $9 create missing profiles.
create function private.classification_write_sql(p_stats text, p_state private.engine_state, p_scope text)
returns text
language sql
immutable
set search_path = ''
as $fn$
  select private.engine_scope(replace(replace(replace(replace(replace(replace('with ' || private.classification_ctes(p_stats, p_state, p_scope) || $sql$,
-- Every classified row with whether it changed: the writes take the changed ones, and its rows
-- are the customers scanned (no second read of the customers to count them).
cl as (
  select y.*, {CHANGED} as is_changed from y
),
-- The profile is found where base read it (a row a concurrent write moved is followed there, and
-- the figures compared again).
upd as (
  update public.customer_profiles p set
    {PROFILE_SET}
  from cl z
  where p.ctid = z.profile_row and p.org_id = $1 and p.customer_id = z.customer_id and z.has_profile and z.is_changed
    and (p.order_count, p.net_spend, p.first_order_at, p.last_order_at, p.previous_order_at, p.last_event_at, p.stage_override)
        is not distinct from
        (z.old_order_count, z.old_net_spend, z.old_first_order_at, z.old_last_order_at, z.old_previous_order_at,
         z.old_last_event_at, z.stage_override)
  returning p.customer_id, z.old_effective_stage, p.effective_stage, z.old_segments_digest, p.segments_digest,
            z.new_segment_ids,
            -- The reason only for a stage change (sc below), not for every row rewritten.
            case when z.old_effective_stage is distinct from p.effective_stage
              then jsonb_strip_nulls({STAGE_REASON}) end as stage_reason, z.d_last
),
ins as (
  insert into public.customer_profiles (org_id, customer_id, {PROFILE_COLUMNS})
  select $1, z.customer_id, {PROFILE_VALUES}
    from cl z
   where not z.has_profile and z.is_changed and $9
  on conflict (org_id, customer_id) do nothing
  returning customer_id
),
-- The memberships of the customers whose segments changed: those they left go, those they joined
-- come (every statement of the WITH sees the memberships as they were before it). The segments
-- digest is the XOR of the segments' hashes, so when the old and new digests differ by one
-- segment's hash (flipped_segment), that one membership moved and is written by its key; the
-- digest already takes the hashes of an organization's segments to be distinct. In a drift pass
-- that is most customers (a day crosses one rule's bound).
moved as (
  select w.customer_id, w.new_segment_ids, sh.segment_id as flipped_segment
    from (
      select u.customer_id, u.new_segment_ids, coalesce(u.old_segments_digest, 0) # coalesce(u.segments_digest, 0) as flipped
        from upd u where u.old_segments_digest is distinct from u.segments_digest
      union all
      select z.customer_id, z.new_segment_ids, coalesce(z.new_segments_digest, 0)
        from ins i join cl z on z.customer_id = i.customer_id
       where cardinality(z.new_segment_ids) > 0
    ) w
    left join (select s.id as segment_id, {SEGMENT_HASH} as hash from public.segments s where s.org_id = $1) sh
      on sh.hash = w.flipped
),
-- What the others hold now, read once, only the memberships that really move are then written: the
-- segments kept are neither deleted nor offered to the insert again (a drift pass over 20,000
-- customers offered 68,000 memberships, 66,000 of them held already, each an index probe). They are
-- found by the (org_id, customer_id) index with the list of the moved customers' ids: joined with
-- moved alone, whose rows the planner cannot tell, the read took all the organization's memberships
-- (3.6 M at a million customers, 3.5 s for 4,771 customers).
held as (
  select m.ctid as row_id, m.segment_id, m.customer_id, v.new_segment_ids
    from moved v
    join public.segment_memberships m
      on m.org_id = $1
     and m.customer_id = any (array(select v2.customer_id from moved v2 where v2.flipped_segment is null))
     and m.customer_id = v.customer_id
   where v.flipped_segment is null
),
left_segments as (
  delete from public.segment_memberships m
   using held h
   where m.ctid = h.row_id and m.org_id = $1 and m.segment_id = h.segment_id and m.customer_id = h.customer_id
     and not h.segment_id = any (h.new_segment_ids)
  returning 1
),
left_flipped as (
  delete from public.segment_memberships m
   using moved v
   where m.segment_id = v.flipped_segment and m.customer_id = v.customer_id and m.org_id = $1
     and not v.flipped_segment = any (v.new_segment_ids)
  returning 1
),
joined_segments as (
  insert into public.segment_memberships (org_id, segment_id, customer_id)
  select $1, s.segment_id, v.customer_id
    from moved v cross join lateral unnest(v.new_segment_ids) as s (segment_id)
   where v.flipped_segment is null
     and not exists (select 1 from held h where h.customer_id = v.customer_id and h.segment_id = s.segment_id)
  union all
  select $1, v.flipped_segment, v.customer_id
    from moved v
   where v.flipped_segment = any (v.new_segment_ids)
  on conflict (segment_id, customer_id) do nothing
  returning 1
),
sc as (
  insert into public.stage_changes (org_id, customer_id, from_stage, to_stage, changed_at, source, reason)
  select $1, u.customer_id, u.old_effective_stage, u.effective_stage, $2, 'computed',
         coalesce(u.stage_reason, '{}'::jsonb) || jsonb_strip_nulls(jsonb_build_object('days_since_last_order', u.d_last))
    from upd u
   where u.old_effective_stage is distinct from u.effective_stage and u.old_effective_stage is not null
  returning 1
)
select t.scanned, t.written, t.stage_changes, t.memberships_written, t.tag_ids
  from (
    -- The profiles are written first (the figures are taken in this order): the update then
    -- takes the classified rows as they come, each profile's page still in memory from its read,
    -- where counting the rows first would have classified every customer before the first write
    -- and read the pages again (at a million customers, 15,000 of a chunk's 20,000).
    select ((select count(*) from upd) + (select count(*) from ins))::integer as written,
           (select count(*) from cl)::integer as scanned,
           (select count(*) from sc)::integer as stage_changes,
           ((select count(*) from left_segments) + (select count(*) from left_flipped)
            + (select count(*) from joined_segments))::integer as memberships_written,
           array(select v.customer_id from moved v) as tag_ids
    offset 0
  ) t
$sql$, '{STAGE_REASON}', private.stage_reason_sql()), '{CHANGED}', private.changed_sql(p_stats)),
    '{SEGMENT_HASH}', private.segment_hash_sql('s.id')),
    '{PROFILE_SET}', private.profile_set_sql('z', '$2')),
    '{PROFILE_COLUMNS}', (select string_agg(quote_ident(w.column_name), ', ') from private.profile_written_columns('z', '$2') as w)),
    '{PROFILE_VALUES}', (select string_agg(w.value_sql, ', ') from private.profile_written_columns('z', '$2') as w)),
    p_scope)
$fn$;

-- One pass over a range of customers for a run over everyone: the customers whose profile would
-- change (written afterwards by apply_classification, so that unchanged rows cost no write and no
-- copy), and what today's snapshot needs of every customer of the range: customers and net spend
-- per stage shown (in the order of the lifecycle_stage enum) and members per active segment (in
-- engine_state.segment_list order). Parameters as classification_write_sql. p_f_as_of_run (a full
-- run): the rules see the stored F as the F of this run (classification_ctes), and the pass lists
-- the customers whose stored prev_f_score differs from it (f_moved_ids), for the run to store: the
-- one read of every profile serves both, where a separate update would scan them all again.
create function private.classification_scan_sql(p_state private.engine_state, p_scope text default 'range',
                                                p_f_as_of_run boolean default false)
returns text
language sql
immutable
set search_path = ''
as $fn$
  select private.engine_scope(replace(
    'with ' || private.classification_ctes('stored', p_state, p_scope, null, p_f_as_of_run)
    || $sql$,
-- Counted by the stage shown first (a handful of groups), so that no row is tested against every
-- stage, then the groups gathered in the enum's order.
per_stage as (
  select y.new_effective_stage as stage, count(*) as customers, coalesce(sum(y.s), 0) as revenue,
         array_agg(y.customer_id) filter (where {CHANGED}) as changed_ids$sql$
    || case when p_f_as_of_run then $sql$,
         array_agg(y.customer_id) filter (where y.stored_prev_f_score is distinct from y.old_f_score) as f_moved_ids$sql$
       else '' end
    || coalesce((select string_agg(format(',
         count(y.seg_slots[%1$s]) as members_%1$s', n), '' order by n)
                   from generate_series(1, cardinality(p_state.segment_list)) as n), '') || $sql$
    from y
   group by y.new_effective_stage
)
select coalesce(sum(g.customers), 0)::integer as scanned,
       array(select i from per_stage g2 cross join lateral unnest(g2.changed_ids) as i order by i) as changed_ids,
       array[$sql$ || (select string_agg(format('coalesce(sum(g.customers) filter (where g.stage = %L), 0)', s), ', ' order by s)
                         from unnest(enum_range(null::public.lifecycle_stage)) as s) || $sql$]::bigint[] as stage_counts,
       array[$sql$ || (select string_agg(format('coalesce(sum(g.revenue) filter (where g.stage = %L), 0)', s), ', ' order by s)
                         from unnest(enum_range(null::public.lifecycle_stage)) as s) || $sql$]::numeric[] as stage_revenue,
       $sql$ || coalesce('array[' || (select string_agg(format('coalesce(sum(g.members_%s), 0)', n), ', ' order by n)
                                       from generate_series(1, cardinality(p_state.segment_list)) as n) || ']::bigint[]',
                         '''{}''::bigint[]') || $sql$ as segment_counts,
       $sql$ || case when p_f_as_of_run then 'array(select i from per_stage g2 cross join lateral unnest(g2.f_moved_ids) as i order by i)'
                     else '''{}''::uuid[]' end || $sql$ as f_moved_ids
  from per_stage g$sql$, '{CHANGED}', private.changed_sql('stored')), p_scope)
$fn$;

comment on function private.classification_scan_sql(private.engine_state, text, boolean) is
  'The text of the one-pass statement of a run over everyone: ids of customers whose profile would change, customers and net spend per stage, members per segment, and for a full run the customers whose prev_f_score is to be set to their F.';


-- Passes over every customer in parts. Postgres runs the read-only statement of a run over
-- everyone serially (its levels are kept apart by offset 0, and array_agg cannot be combined
-- across workers in Postgres 15), so such a pass is split by customer id into
-- private.scan_parts(p_org) parts: each part is a call of a parallel-safe function running the same statement over the
-- customers whose ids lie in its range ($3 < id <= $4, every table filtered so), and the calls are
-- the children of one UNION ALL, which the planner runs as a Parallel Append under a Gather: each
-- process (the leader and every worker) runs whole parts, and the leader runs every part no worker
-- took (all of them when no worker can start: the same result, serially). The parts' rows are
-- then combined exactly (private.scan_parts_sql).

-- How many parts a pass over every customer of an organization is split into: as many as the
-- server's (or the session's) max_parallel_workers_per_gather, between 1 and 8, but no more than
-- one per portrait.customers_per_part customers (25,000 unless set): starting a worker and
-- planning a part's statement cost a few tens of milliseconds, which only a part of that size
-- repays (at 10,000 customers, on two busy cores, two parts took 0.69 s against 0.54 s for one
-- statement; at 100,000, 2.0 s against 3.3 s). 1 runs the pass as one statement. The customers are
-- counted by the organization's index, up to the number that allows the most parts.
create function private.scan_parts(p_org uuid)
returns integer
language plpgsql
stable
set search_path = ''
as $$
declare
  most integer := greatest(1, least(8, current_setting('max_parallel_workers_per_gather')::integer));
  per_part integer := greatest(1, coalesce(nullif(current_setting('portrait.customers_per_part', true), '')::integer, 25000));
  customers bigint;
begin
  if most = 1 then
    return 1;
  end if;
  select count(*) into customers
    from (select 1 from public.customers c where c.org_id = p_org limit most::bigint * per_part) c;
  return greatest(1, least(most, customers / per_part));
end;
$$;

comment on function private.scan_parts(uuid) is
  'How many parts a read-only pass over every customer of an organization is split into (max_parallel_workers_per_gather between 1 and 8, at most one per portrait.customers_per_part customers, 25,000 unless set; 1 = one statement).';
revoke all on function private.scan_parts(uuid) from public;


-- The parts of a pass as one UNION ALL of calls (the planner's Parallel Append). p_call is the
-- call of a part function (a row source) with %1$s and %2$s where the part's bounds go (uuid
-- literals, null for no bound). Customer ids are random UUIDs, so parts of equal width in the
-- id space hold about as many customers each: part k of n takes the ids above the k-1th bound and
-- up to the kth, the kth bound being the UUID whose first 32 bits are floor(k × 2^32 / n).
create function private.scan_parts_union_sql(p_call text, p_parts integer)
returns text
language sql
immutable
set search_path = ''
as $fn$
  select string_agg('select * from ' || format(p_call, b.above, b.upto), E'\n    union all\n    ' order by b.k)
    from (
      select k,
             case when k > 1 then format('%L::uuid', lpad(to_hex(((k - 1)::bigint << 32) / p_parts), 8, '0') || '-0000-0000-0000-000000000000')
               else 'null::uuid' end as above,
             case when k < p_parts then format('%L::uuid', lpad(to_hex((k::bigint << 32) / p_parts), 8, '0') || '-0000-0000-0000-000000000000')
               else 'null::uuid' end as upto
        from generate_series(1, p_parts) as k
    ) b
$fn$;

comment on function private.scan_parts_union_sql(text, integer) is
  'The calls of a part function over p_parts ranges of customer ids, as one UNION ALL (run as a Parallel Append).';
revoke all on function private.scan_parts_union_sql(text, integer) from public;


-- The statement running a pass in p_parts parts (private.scan_parts_union_sql) and combining their
-- rows into one. p_columns are the part function's columns and p_types their types, which say how
-- they combine: integer summed, uuid[] (customer ids, each part's in id order) concatenated in id
-- order, bigint[] and numeric[] (a count or amount per stage or segment) summed element by element.
create function private.scan_parts_sql(p_call text, p_parts integer, p_columns text[], p_types text[])
returns text
language sql
immutable
set search_path = ''
as $fn$
  select format($sql$with parts as materialized (
  select * from (
    %s
  ) s
)
select %s$sql$,
    private.scan_parts_union_sql(p_call, p_parts),
    (select string_agg(case c.type
              when 'integer' then format('(select coalesce(sum(p.%1$I), 0) from parts p)::integer as %1$I', c.name)
              when 'uuid[]' then format('array(select i from parts p cross join lateral unnest(p.%1$I) as i order by i) as %1$I', c.name)
              when 'bigint[]' then format('array(select sum(u.v) from parts p cross join lateral unnest(p.%1$I) with ordinality as u (v, n) group by u.n order by u.n)::bigint[] as %1$I', c.name)
              when 'numeric[]' then format('array(select sum(u.v) from parts p cross join lateral unnest(p.%1$I) with ordinality as u (v, n) group by u.n order by u.n)::numeric[] as %1$I', c.name)
            end, E',\n       ' order by c.n)
       from unnest(p_columns, p_types) with ordinality as c (name, type, n)))
$fn$;

comment on function private.scan_parts_sql(text, integer, text[], text[]) is
  'The statement running a read-only pass over every customer in parts (calls of a parallel-safe part function over customer id ranges, under one Parallel Append) and combining the parts'' rows exactly.';
revoke all on function private.scan_parts_sql(text, integer, text[], text[]) from public;


-- One part of the read-only pass of a run over everyone: classification_scan_sql over the
-- customers with ids in (p_after, p_upto] (a null bound is no bound). Parallel safe, so that a
-- worker may run it; its cost tells the planner that it is worth a process of its own.
create function private.classification_scan_part(
  p_sql text, p_org uuid, p_now timestamptz, p_values jsonb, p_cfg jsonb, p_force boolean, p_after uuid, p_upto uuid)
returns table (scanned integer, changed_ids uuid[], stage_counts bigint[], stage_revenue numeric[], segment_counts bigint[],
               f_moved_ids uuid[])
language plpgsql
stable
parallel safe
cost 100000000
rows 1
set search_path = ''
as $$
begin
  return query execute p_sql using p_org, p_now, p_after, p_upto, null::uuid[], p_values, p_cfg, p_force;
end;
$$;

comment on function private.classification_scan_part(text, uuid, timestamptz, jsonb, jsonb, boolean, uuid, uuid) is
  'One part (a range of customer ids) of the read-only pass of a run over everyone (private.classification_scan_sql); parallel safe.';
revoke all on function private.classification_scan_part(text, uuid, timestamptz, jsonb, jsonb, boolean, uuid, uuid) from public;


-- Runs the one-pass statement of a run over everyone (classification_scan_sql, with its
-- parameters) in private.scan_parts(p_org) parts, or as one statement when that is 1. Through RETURN
-- QUERY, which lets the planner use a parallel plan: PL/pgSQL's EXECUTE … INTO asks for at most
-- two rows, and a statement run with a row limit never runs in parallel. Its statements are
-- compiled by JIT without LLVM's optimising and inlining passes (supabase/README.md "JIT"); the
-- parallel workers take the leader's settings.
create function private.run_classification_scan(
  p_sql text, p_org uuid, p_now timestamptz, p_values jsonb, p_cfg jsonb, p_force boolean)
returns table (scanned integer, changed_ids uuid[], stage_counts bigint[], stage_revenue numeric[], segment_counts bigint[],
               f_moved_ids uuid[])
language plpgsql
stable
set search_path = ''
set jit = on
set jit_above_cost = 100000
set jit_optimize_above_cost = -1
set jit_inline_above_cost = -1
as $$
declare
  parts integer := private.scan_parts(p_org);
begin
  if parts = 1 then
    return query execute p_sql using p_org, p_now, null::uuid, null::uuid, null::uuid[], p_values, p_cfg, p_force;
  else
    return query execute private.scan_parts_sql(
        'private.classification_scan_part($1, $2, $3, $4, $5, $6, %s, %s)', parts,
        '{scanned, changed_ids, stage_counts, stage_revenue, segment_counts, f_moved_ids}',
        '{integer, uuid[], bigint[], numeric[], bigint[], uuid[]}')
      using p_sql, p_org, p_now, p_values, p_cfg, p_force;
  end if;
end;
$$;

comment on function private.run_classification_scan(text, uuid, timestamptz, jsonb, jsonb, boolean) is
  'Runs the one-pass statement of a run over everyone (private.classification_scan_sql) in private.scan_parts(p_org) parallel parts (or as one statement); returns its one row.';

comment on function private.classification_write_sql(text, private.engine_state, text) is
  'The text of the statement that classifies customers and writes only what changed (profiles, stage changes), returning {scanned, written, stage_changes, memberships_written, tag_ids}.';


-- One customer whose order statistics the caller brings (statistics 'given', scope 'one'): its
-- classified row, the stored values beside the new ones, whether anything differs (changed_sql)
-- and, when the stage shown moves, the reason. It reads only; the generated function runs the same
-- classification as PL/pgSQL (classification_one_plpgsql, which takes its columns' types from
-- this statement), writes what differs, one narrow statement per kind of row, and skips the rest.
create function private.classification_one_sql(p_state private.engine_state)
returns text
language sql
immutable
set search_path = ''
as $fn$
  select replace(replace('with ' || private.classification_ctes('given', p_state, 'one') || $sql$
select z.*,
       case when z.old_effective_stage is distinct from z.new_effective_stage
         then jsonb_strip_nulls({STAGE_REASON}) end as stage_reason
  from (select y.*, {CHANGED} as is_changed from y) z$sql$, '{STAGE_REASON}', private.stage_reason_sql()), '{CHANGED}', private.changed_sql('given'))
$fn$;

comment on function private.classification_one_sql(private.engine_state) is
  'The text of the read-only statement classifying one customer ($5[1]) with order statistics given in $7 -> ''given'': the classified row, is_changed and stage_reason.';


-- The one-customer classification of classification_one_sql as PL/pgSQL, for the generated
-- function's order path: the customer's row is read by one statement (the CTE base), and every
-- later level's columns (d, k, x, r with its rc, ys, y1, y), whether the row changed (changed_sql)
-- and the stage change's reason are assignments of the same expressions to variables of a block
-- labelled z, each level's names (b.…, d.…, r.…, y.…) read as z.…. Each expression without a
-- subquery is evaluated without starting a statement, where the six-level statement started a
-- subquery scan per level and projected every column through each. The rules' day bounds, read in
-- the statement by scalar subqueries evaluated once per statement, are plain expressions here (one
-- row). The variables' types are those of the statement's columns, taken from a temporary table
-- created from it without rows. Returns the block's declarations and its statements (parameters
-- $1–$8 as classification_ctes); the statements leave the block when the customer is not found
-- (o_scanned stays 0) and set z.is_changed; z.stage_reason is set only when the stage shown moves.
create function private.classification_one_plpgsql(p_state private.engine_state, out o_declare text, out o_body text)
language plpgsql
volatile
set search_path = ''
as $fn$
declare
  ctes text := regexp_replace(private.classification_ctes('given', p_state, 'one'), '--[^\n]*', '', 'g');
  chunk text;
  level text;
  body text;
  list text;
  lateral_list text;
  base_body text;
  assignments text := '';
  computed text[] := '{}';
  base_names text[] := '{}';
  item text;
  alias text;
  expr text;
  chars text[];
  ch text;
  depth integer;
  quoted boolean;
  current_item text;
  items text[];
  col record;
  typed text;
begin
  foreach chunk in array regexp_split_to_array(ctes, '\n\),?[ \t]*(\n|$)') loop
    level := substring(chunk from '^\s*([a-z0-9_]+) as \(');
    continue when level is null;
    body := substring(chunk from '^\s*[a-z0-9_]+ as \(\s*(.*)$');
    if level = 'base' then
      base_body := body;
      continue;
    end if;
    -- select <level before>.*, <list> from <level before> [cross join lateral (select <list>) rc] offset 0
    list := substring(body from '^select [a-z0-9_]+\.\*,(.*)$');
    list := left(list, position(E'\n  from ' in list) - 1);
    lateral_list := null;
    if position('cross join lateral (' in body) > 0 then
      lateral_list := substring(substring(body from position('cross join lateral (' in body) + 20)
                                from '^\s*select\s+(.*)\n\s*\)\s*[a-z0-9_]+\s*(offset 0)?\s*$');
    end if;
    -- The items of the lists, split at the commas outside parentheses, brackets and quotes.
    items := '{}';
    foreach list in array array_remove(array[lateral_list, list], null) loop
      chars := string_to_array(list, null);
      depth := 0;
      quoted := false;
      current_item := '';
      foreach ch in array chars loop
        if quoted then
          quoted := ch <> '''';
        elsif ch = '''' then
          quoted := true;
        elsif ch in ('(', '[') then
          depth := depth + 1;
        elsif ch in (')', ']') then
          depth := depth - 1;
        elsif ch = ',' and depth = 0 then
          items := items || btrim(current_item, E' \n\t');
          current_item := '';
          continue;
        end if;
        current_item := current_item || ch;
      end loop;
      items := items || btrim(current_item, E' \n\t');
    end loop;
    foreach item in array items loop
      continue when item = '';
      alias := substring(item from '\sas\s+([a-z0-9_]+)$');
      if alias is null then
        alias := substring(item from '\.([a-z0-9_]+)$');
        expr := item;
      else
        expr := substring(item from '^(.*)\sas\s+[a-z0-9_]+$');
      end if;
      expr := regexp_replace(expr, '\m(b|d|k|x|r|rc|ys|y1|y)\.', 'z.', 'g');
      -- A list of day bounds read once per statement is, for one row, the expression itself.
      expr := regexp_replace(expr, '\(select (\(\$7 ->> ''[a-z_]+''\)::integer\[\])\)', '(\1)', 'g');
      -- A tag rule compares the customer's tag names with its list of names (a non-empty JSON array
      -- of strings, private.validate_rule) made an array by a subquery; here the same test on the
      -- JSON list, so that the rules' slots are one expression without a statement of their own:
      -- all of them (@>): the names as a JSON array contain the list; any (&&): the list holds one
      -- of the names (?|).
      expr := regexp_replace(expr, 'z\.tag_names @> array\(select jsonb_array_elements_text\((\$6 -> [0-9]+)\)\)',
                             'to_jsonb(z.tag_names) @> (\1)', 'g');
      expr := regexp_replace(expr, 'z\.tag_names && array\(select jsonb_array_elements_text\((\$6 -> [0-9]+)\)\)',
                             '(\1) ?| z.tag_names', 'g');
      continue when btrim(expr) = 'z.' || alias;
      assignments := assignments || format(E'\n  z.%I := %s;', alias, expr);
      computed := computed || alias;
    end loop;
  end loop;
  if base_body is null or cardinality(computed) = 0 then
    raise exception 'the classification''s levels were not found';
  end if;

  -- The types of the statement's columns.
  execute 'create temporary table engine_one_columns on commit drop as '
    || replace(replace(replace(replace(replace(replace(replace(replace(private.classification_one_sql(p_state),
         '$1', 'null::uuid'), '$2', 'null::timestamptz'), '$3', 'null::uuid'), '$4', 'null::uuid'),
         '$5', 'null::uuid[]'), '$6', 'null::jsonb'), '$7', 'null::jsonb'), '$8', 'false')
    || ' with no data';
  o_declare := '';
  for col in
    select a.attname::text as name, pg_catalog.format_type(a.atttypid, null) as type
      from pg_catalog.pg_attribute a
     where a.attrelid = 'pg_temp.engine_one_columns'::regclass and a.attnum > 0 and not a.attisdropped
     order by a.attnum
  loop
    o_declare := o_declare || format(E'\n  %I %s;', col.name, col.type);
    if not col.name = any (computed || array['is_changed', 'stage_reason']) then
      base_names := base_names || col.name;
    end if;
  end loop;
  drop table pg_temp.engine_one_columns;

  o_body := format(E'select base.* into %s\n  from (%s) base;\n  if not found then\n    return;\n  end if;\n  o_scanned := 1;%s\n  z.is_changed := %s;\n  if z.old_effective_stage is distinct from z.new_effective_stage then\n    z.stage_reason := jsonb_strip_nulls(%s);\n  end if;',
    (select string_agg('z.' || quote_ident(n), ', ' order by o) from unnest(base_names) with ordinality as u (n, o)),
    base_body, assignments,
    regexp_replace(private.changed_sql('given'), '\my\.', 'z.', 'g'),
    private.stage_reason_sql());
end;
$fn$;

comment on function private.classification_one_plpgsql(private.engine_state) is
  'The one-customer classification (classification_one_sql) as the declarations and statements of a PL/pgSQL block labelled z: one statement reads the row, the levels are assignments of the same expressions.';


-- Which segments a customer joined and left, told from the two segments digests alone (the XOR of
-- its segments' hashes before and after, private.segment_hash_sql), so that an order's customer
-- whose segments move is written without first reading its memberships (at a million customers
-- their rows are scattered pages, two or three reads per order). old # new is the XOR of the
-- hashes of the segments that moved; when the organization's segment hashes are linearly
-- independent bit vectors (over GF(2): always so in practice, 64-bit hashes of a few dozen
-- segments), that set is the only one with this XOR, and segment i is in it exactly when
-- (old # new) & mask[i] has an odd number of bits. This returns mask[], in the order of p_hashes,
-- or null when the hashes are dependent or more than 64 (the caller then reads the memberships).
-- The masks come from Gauss-Jordan elimination: a basis in which each pivot bit is set in its own
-- vector only, each vector with the set of segments it combines.
create function private.segments_digest_masks(p_hashes bigint[])
returns bigint[]
language plpgsql
immutable
set search_path = ''
as $$
declare
  k integer := coalesce(cardinality(p_hashes), 0);
  -- By pivot bit (0..63): the reduced vector, and the segments (bit i: p_hashes[i + 1]) it combines.
  basis bigint[] := array_fill(null::bigint, array[64], array[0]);
  combo bigint[] := array_fill(null::bigint, array[64], array[0]);
  masks bigint[] := array_fill(0::bigint, array[greatest(k, 1)]);
  v bigint;
  c bigint;
  pivot integer;
  i integer;
  q integer;
begin
  if k = 0 or k > 64 then
    return null;
  end if;
  for i in 1 .. k loop
    v := p_hashes[i];
    c := 1::bigint << (i - 1);
    for q in 0 .. 63 loop
      if basis[q] is not null and (v >> q) & 1 = 1 then
        v := v # basis[q];
        c := c # combo[q];
      end if;
    end loop;
    if v = 0 then
      return null;
    end if;
    pivot := 0;
    while (v >> pivot) & 1 = 0 loop
      pivot := pivot + 1;
    end loop;
    for q in 0 .. 63 loop
      if basis[q] is not null and (basis[q] >> pivot) & 1 = 1 then
        basis[q] := basis[q] # v;
        combo[q] := combo[q] # c;
      end if;
    end loop;
    basis[pivot] := v;
    combo[pivot] := c;
  end loop;
  -- A digest difference d in the span is the XOR of the basis vectors whose pivot bit d has, so the
  -- segments in it are the XOR of their combinations: segment i counts the pivots q whose
  -- combination holds it, and is in when d has an odd number of those bits.
  for q in 0 .. 63 loop
    if basis[q] is not null then
      for i in 1 .. k loop
        if (combo[q] >> (i - 1)) & 1 = 1 then
          masks[i] := masks[i] | (1::bigint << q);
        end if;
      end loop;
    end if;
  end loop;
  return masks;
end;
$$;

comment on function private.segments_digest_masks(bigint[]) is
  'For segment hashes (a segments digest is the XOR of some of them): masks such that segment i is among those whose hashes XOR to d exactly when d & mask[i] has an odd bit count; null when the hashes are linearly dependent or more than 64.';


-- For the steady stream of single-customer updates (an order, an event, a tag), planning the
-- generated statement every time would cost more than running it. Each organization therefore
-- gets a generated PL/pgSQL function holding the same statements as static SQL (one per source
-- of statistics), which each session plans once. Its text is the engine's own plus the compiled
-- membership expression; rule values and constants still arrive as parameters. It is regenerated
-- whenever the organization's rules are compiled. The statements for one customer (an order, the
-- commonest case) select it by equality, so that each table is one index probe and the plan has
-- no list to unnest and de-duplicate. Its plans are generic from the first call (a
-- custom plan would cost planning each time, since a generic plan for a list of unknown length
-- looks dearer to the planner than it is for the few customers a trigger passes). Statements over
-- many customers are planned for each call instead, with the constants folded in: a cached
-- generic plan would evaluate them for every row.
-- An order's customer (p_cfg -> 'given': its statistics updated from the order, see
-- private.refresh_order_customer) goes through the leanest path: the classification of that one
-- row in PL/pgSQL (classification_one_plpgsql: its row read by one statement, the levels assigned
-- to the variables of the block z), then only the writes something changed asks for: the
-- profile row, the memberships when the segments moved, the stage change when the stage did. The
-- block's variables bear the classification's column names, so its statements name every column
-- by its table (an ON CONFLICT names its constraint).
create function private.generate_engine_function(p_org uuid)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  state private.engine_state := private.engine_state_of(p_org);
  name text := 'engine_' || replace(p_org::text, '-', '');
  bodies text[] := '{}';
  one record := private.classification_one_plpgsql(state);
  one_declare text := one.o_declare;
  one_body text := one.o_body;
  stats text;
  scope text;
  body text;
  param record;
  -- The organization's segments, their hashes and the masks that tell a customer's moved segments
  -- from its digests (private.segments_digest_masks), written into the function as constants.
  segment_ids uuid[];
  segment_hashes bigint[];
begin
  execute format('select array_agg(s.id order by s.id), array_agg(%s order by s.id) from public.segments s where s.org_id = $1',
                 private.segment_hash_sql('s.id'))
     into segment_ids, segment_hashes
    using p_org;
  -- bodies: ids/stored, ids/orders, one/stored, one/orders.
  foreach scope in array array['ids', 'one'] loop
    foreach stats in array array['stored', 'orders'] loop
      body := private.classification_write_sql(stats, state, scope);
      for param in
        select v.placeholder, v.name
          from (values ('$1', 'p_org'), ('$2', 'p_now'), ('$5', 'p_ids'), ('$6', 'p_values'), ('$7', 'p_cfg'),
                       ('$8', 'false'), ('$9', 'false')) as v (placeholder, name)
      loop
        body := replace(body, param.placeholder, param.name);
      end loop;
      bodies := bodies || (body || E'\n  into o_scanned, o_written, o_stage_changes, o_memberships_written, o_tag_ids;');
    end loop;
  end loop;
  for param in
    select v.placeholder, v.name
      from (values ('$1', 'p_org'), ('$2', 'p_now'), ('$5', 'p_ids'), ('$6', 'p_values'), ('$7', 'p_cfg'),
                   ('$8', 'false')) as v (placeholder, name)
  loop
    one_body := replace(one_body, param.placeholder, param.name);
  end loop;
  execute format($ddl$
create or replace function private.%1$I(
  p_org uuid, p_now timestamptz, p_ids uuid[], p_values jsonb, p_cfg jsonb, p_recount boolean,
  out o_scanned integer, out o_written integer, out o_stage_changes integer, out o_memberships_written integer,
  out o_tag_ids uuid[])
language plpgsql
volatile
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $body$
declare
  moved_digest bigint;
  decoded boolean;
  joined_ids uuid[];
  left_ids uuid[];
  written integer;
begin
  if p_cfg ? 'given' then
    o_scanned := 0;
    o_written := 0;
    o_stage_changes := 0;
    o_memberships_written := 0;
    o_tag_ids := '{}';
    <<z>>
    declare%12$s
    begin
    %6$s
    if not z.has_profile or not z.is_changed then
      return;
    end if;
    -- The caller holds the profile's row lock: the figures read are still the row's.
    update public.customer_profiles p set
    %7$s
     where p.org_id = p_org and p.customer_id = z.customer_id;
    o_written := 1;
    if z.old_segments_digest is distinct from z.new_segments_digest then
      -- The segments that moved, from the two digests (private.segments_digest_masks): those of
      -- the new segments were joined, the others left. Their XOR checks the answer; a digest
      -- the constants cannot tell (a segment added since this function was generated) falls back
      -- to reading the customer's memberships.
      moved_digest := coalesce(z.old_segments_digest, 0) # coalesce(z.new_segments_digest, 0);
      select coalesce(bit_xor(sg.hash), 0) = moved_digest,
             coalesce(array_agg(sg.id) filter (where sg.id = any (z.new_segment_ids)), '{}'),
             coalesce(array_agg(sg.id) filter (where not sg.id = any (z.new_segment_ids)), '{}')
        into decoded, joined_ids, left_ids
        from unnest(%9$L::uuid[], %10$L::bigint[], %11$L::bigint[]) as sg (id, hash, mask)
       where bit_count(int8send(moved_digest & sg.mask)) %% 2 = 1;
      if decoded then
        o_memberships_written := 0;
        if cardinality(left_ids) > 0 then
          delete from public.segment_memberships m
           where m.segment_id = any (left_ids) and m.customer_id = z.customer_id and m.org_id = p_org;
          get diagnostics written = row_count;
          o_memberships_written := written;
        end if;
        if cardinality(joined_ids) > 0 then
          insert into public.segment_memberships (org_id, segment_id, customer_id)
          select p_org, j.segment_id, z.customer_id
            from unnest(joined_ids) as j (segment_id)
          on conflict on constraint segment_memberships_pkey do nothing;
          get diagnostics written = row_count;
          o_memberships_written := o_memberships_written + written;
        end if;
      else
        -- The segments left go and those joined come, in one statement; the segments kept are
        -- neither deleted nor offered to the insert again (each would cost an index probe).
        with held as (
          select m.segment_id from public.segment_memberships m
           where m.org_id = p_org and m.customer_id = z.customer_id
        ), left_segments as (
          delete from public.segment_memberships m
           where m.org_id = p_org and m.customer_id = z.customer_id and not m.segment_id = any (z.new_segment_ids)
          returning 1
        ), joined_segments as (
          insert into public.segment_memberships (org_id, segment_id, customer_id)
          select p_org, sg.segment_id, z.customer_id
            from unnest(z.new_segment_ids) as sg (segment_id)
           where sg.segment_id <> all (array(select h.segment_id from held h))
          on conflict on constraint segment_memberships_pkey do nothing
          returning 1
        )
        select (select count(*) from left_segments)::integer + (select count(*) from joined_segments)::integer
          into o_memberships_written;
      end if;
      -- Rule tags to bring up to date only when one of the organization's segments carries a tag
      -- (known when this function is generated: it is generated again whenever a segment's tag
      -- changes) or the customer still wears a rule tag; otherwise private.sync_rule_tags would
      -- find nothing to do.
      if %8$s or exists (select 1 from public.customer_tags ct
                          where ct.org_id = p_org and ct.customer_id = z.customer_id and ct.source = 'rule') then
        o_tag_ids := array[z.customer_id];
      end if;
    end if;
    if z.old_effective_stage is not null and z.old_effective_stage is distinct from z.new_effective_stage then
      insert into public.stage_changes (org_id, customer_id, from_stage, to_stage, changed_at, source, reason)
      values (p_org, z.customer_id, z.old_effective_stage, z.new_effective_stage, p_now, 'computed',
              coalesce(z.stage_reason, '{}'::jsonb)
              || jsonb_strip_nulls(jsonb_build_object('days_since_last_order', z.d_last)));
      o_stage_changes := 1;
    end if;
    return;
    end z;
  end if;
  if cardinality(p_ids) = 1 then
    if p_recount then
      %5$s
    else
      %4$s
    end if;
  elsif p_recount then
    %3$s
  else
    %2$s
  end if;
end;
$body$
$ddl$, name, bodies[1], bodies[2], bodies[3], bodies[4], one_body, private.profile_set_sql('z', 'p_now'),
    case when private.segments_carry_tags(p_org) then 'true' else 'false' end,
    coalesce(segment_ids, '{}'), coalesce(segment_hashes, '{}'),
    coalesce(private.segments_digest_masks(segment_hashes), array_fill(0::bigint, array[coalesce(cardinality(segment_ids), 0)])),
    one_declare);
  execute format('comment on function private.%I(uuid, timestamptz, uuid[], jsonb, jsonb, boolean) is %L', name,
    'Generated by private.generate_engine_function for organization ' || p_org
    || ': classifies a list of its customers with its compiled segment rules (see private.apply_classification).');
  execute format('revoke all on function private.%I(uuid, timestamptz, uuid[], jsonb, jsonb, boolean) from public', name);

  insert into private.engine_state as es (org_id, function_name) values (p_org, name)
  on conflict (org_id) do update set function_name = excluded.function_name;
  return name;
end;
$$;

comment on function private.generate_engine_function(uuid) is
  'Generates (or regenerates) the organization''s classification function for lists of customers from its compiled state; returns its name.';


-- Classifies a set of customers and writes what changed (see classification_write_sql), then
-- brings the rule tags of customers whose segments changed up to date. Short lists of customers go
-- through the organization's generated function; long lists, ranges and the special cases through
-- a statement planned for the call.
create function private.apply_classification(
  p_org uuid,
  p_now timestamptz,
  p_after uuid,
  p_upto uuid,
  p_ids uuid[],
  p_stats text default 'stored',
  p_force boolean default false,
  p_insert_missing boolean default false,
  p_cuts jsonb default null,
  p_given jsonb default null
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  state private.engine_state := private.engine_state_of(p_org);
  result record;
  tags_added integer := 0;
  tags_removed integer := 0;
  saved_page_cost text;
begin
  if p_stats = 'given' and (cardinality(p_ids) <> 1 or p_given is null or p_force or p_insert_missing or p_cuts is not null) then
    raise exception using errcode = '22023', message = 'p_given: given statistics classify one customer, through the cached plans';
  end if;
  -- Short lists (the triggers' customers) through the cached plans; long ones get a plan of their own.
  if p_ids is not null and cardinality(p_ids) <= 500 and not p_force and not p_insert_missing and p_cuts is null
     and p_stats in ('stored', 'orders', 'given') then
    if state.function_name is null then
      perform private.lock_org_segments(p_org);
      state := private.engine_state_of(p_org);
      if state.function_name is null then
        state.function_name := private.generate_engine_function(p_org);
      end if;
    end if;
    execute format('select o_scanned as scanned, o_written as written, o_stage_changes as stage_changes,
                           o_memberships_written as memberships_written, o_tag_ids as tag_ids
                      from private.%I($1, $2, $3, $4, $5, $6)', state.function_name)
      into result
      using p_org, p_now, p_ids, state.membership_values,
            case when p_stats = 'given' then private.engine_config(p_org, state) || jsonb_build_object('given', p_given)
                 else private.engine_config(p_org, state) end,
            p_stats = 'orders';
  elsif p_ids is not null and cardinality(p_ids) <= 100000 then
    -- A long list (a run's chunk, a queue) is a few percent of the organization, spread over its
    -- tables: read and written by index probes, not by sequential scans that the default random
    -- page cost makes the planner prefer past ~10,000 ids. At a million customers, a chunk of
    -- 20,000 changed customers took the memberships they left (13,258) by a hash join over all
    -- 3.6 M memberships: 1.05 s of the chunk's 2.56 s; by their key, 0.1 s. For this statement
    -- only (set back below; on an error, with the caller's subtransaction). Longer lists (a
    -- rebuild of every customer's statistics) are left to the planner's own costs.
    saved_page_cost := current_setting('random_page_cost');
    perform set_config('random_page_cost', '1.1', true);
    execute private.classification_write_sql(p_stats, state, 'ids') into result
      using p_org, p_now, p_after, p_upto, p_ids, state.membership_values,
            private.engine_config(p_org, state, p_cuts), p_force, p_insert_missing;
    perform set_config('random_page_cost', saved_page_cost, true);
  else
    execute private.classification_write_sql(p_stats, state, case when p_ids is null then 'range' else 'ids' end) into result
      using p_org, p_now, p_after, p_upto, p_ids, state.membership_values,
            private.engine_config(p_org, state, p_cuts), p_force, p_insert_missing;
  end if;

  if cardinality(result.tag_ids) > 0 then
    select t.added, t.removed into tags_added, tags_removed from private.sync_rule_tags(p_org, result.tag_ids) as t;
  end if;

  return jsonb_build_object(
    'scanned', result.scanned,
    'changed', result.written,
    'profiles_written', result.written,
    'stage_changes', result.stage_changes,
    'memberships_written', result.memberships_written,
    'tags_added', tags_added,
    'tags_removed', tags_removed,
    'rows_written', result.written + result.stage_changes + result.memberships_written + tags_added + tags_removed
  );
end;
$$;

comment on function private.apply_classification(uuid, timestamptz, uuid, uuid, uuid[], text, boolean, boolean, jsonb, jsonb) is
  'Classifies the customers of an organization with ids in (p_after, p_upto] or in p_ids, as of p_now, and writes only what changed (profiles, stage changes, rule tags). p_stats ''orders'' recounts statistics from orders and events, ''given'' takes one customer''s order statistics from p_given ({n, s, f_at, l_at, pv_at} and optionally referral_count); p_force rewrites every row (after a settings change); p_insert_missing creates absent profiles. Returns {scanned, changed, rows_written, …}.';


-- Statistics only, for deferred classification (bulk loads): brings the figures up to date and
-- clears what depends on being a buyer when a customer no longer is one. The reasons are marked
-- stale (reasons_version null) so that the next classification rewrites the row.
create function private.refresh_stats(p_org uuid, p_ids uuid[])
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  written integer;
begin
  -- The ids as an array condition (index probes, or a hashed list), not a semi-join with their
  -- unnest: over an organization just filled (an import) the statistics still expect a handful
  -- of rows, and the planner would then scan the whole list again for each customer.
  with fresh as (
    select c.id, coalesce(os.n, 0) as n, coalesce(os.s, 0) as s, os.f_at, os.l_at, os.pv_at, es.e_at
      from public.customers c
      left join (
        select o.customer_id, count(*)::integer as n, sum(o.total - o.refunded_amount) as s, min(o.ordered_at) as f_at,
               max(o.ordered_at) as l_at, (array_agg(o.ordered_at order by o.ordered_at desc))[2] as pv_at
          from public.orders o
         where o.org_id = p_org and o.customer_id = any (p_ids) and o.status = 'paid'
         group by o.customer_id
      ) os on os.customer_id = c.id
      left join (
        select e.customer_id, max(e.occurred_at) as e_at
          from public.events e
         where e.org_id = p_org and e.customer_id = any (p_ids)
         group by e.customer_id
      ) es on es.customer_id = c.id
     where c.org_id = p_org and c.id = any (p_ids)
  ), upd as (
    update public.customer_profiles p set
      order_count = f.n, net_spend = f.s, aov = case when f.n > 0 then round(f.s / f.n, 2) end,
      first_order_at = f.f_at, last_order_at = f.l_at, previous_order_at = f.pv_at, last_event_at = f.e_at,
      r_score = case when f.n > 0 then p.r_score end,
      f_score = case when f.n > 0 then p.f_score end,
      m_score = case when f.n > 0 then p.m_score end,
      rfm_segment = case when f.n > 0 then p.rfm_segment end,
      ticket_band = case when f.n > 0 then p.ticket_band end,
      reasons_version = null
    from fresh f
    where p.org_id = p_org and p.customer_id = f.id
      and (p.order_count, p.net_spend, p.first_order_at, p.last_order_at, p.previous_order_at, p.last_event_at)
          is distinct from (f.n, f.s, f.f_at, f.l_at, f.pv_at, f.e_at)
    returning 1
  )
  select count(*)::integer into written from upd;
  return written;
end;
$$;

comment on function private.refresh_stats(uuid, uuid[]) is
  'Recounts the statistics of some customers from orders and events without classifying them (deferred classification); returns the rows written.';


-- What the triggers call: keeps the given customers current in the writing transaction.
-- p_recount: their orders or events changed, so the statistics are recounted first.
-- With `set local portrait.defer_classification = on` (bulk loads) only the statistics are kept
-- and the customers are queued for the next dirty run (with portrait.bulk on as well, an import:
-- the organization is noted as owing that run a pass over everyone, private.passes_owed).
create function private.refresh_customers(p_org uuid, p_ids uuid[], p_recount boolean, p_force boolean default false)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  ids uuid[];
  now_ timestamptz := private.engine_now();
  recount boolean := p_recount;
  stats record;
begin
  -- Only customers that still exist (a cascade from a deleted customer or organization has none).
  -- The ids as an array condition, as in refresh_stats.
  ids := array(select c.id from public.customers c where c.org_id = p_org and c.id = any (p_ids) order by c.id);
  if cardinality(ids) = 0 then
    return;
  end if;

  if coalesce(current_setting('portrait.defer_classification', true), '') in ('on', 'true', '1') then
    if recount then
      perform private.refresh_stats(p_org, ids);
    end if;
    -- A bulk writer (an import) notes once that the organization owes a pass over everyone, rather
    -- than queueing every customer it writes (private.passes_owed).
    if coalesce(current_setting('portrait.bulk', true), '') = 'on' then
      insert into private.passes_owed (org_id, owed_by) values (p_org, pg_current_xact_id())
      on conflict on constraint passes_owed_pkey do nothing;
      return;
    end if;
    insert into private.dirty_customers (org_id, customer_id)
    select p_org, i from unnest(ids) as i
    on conflict (org_id, customer_id) do update set queued_at = excluded.queued_at;
    return;
  end if;

  -- Lock the profiles first (in id order, so concurrent writers cannot deadlock): the recount
  -- below then sees every order committed before it.
  perform 1 from public.customer_profiles p
   where p.org_id = p_org and p.customer_id = any (ids)
   order by p.customer_id
     for update;

  -- The first buyers of an organization get cut points at once rather than at the next full run.
  if not exists (select 1 from public.cut_points cp where cp.org_id = p_org and cp.buyers > 0) then
    if recount then
      perform private.refresh_stats(p_org, ids);
      recount := false;
    end if;
    if exists (select 1 from public.customer_profiles p
                where p.org_id = p_org and p.customer_id = any (ids) and p.order_count > 0) then
      perform private.store_cut_points(p_org, now_, null);
    end if;
  end if;

  -- One customer whose order statistics stand (a new customer, a tag, an override): the
  -- one-customer path, with its stored figures.
  if cardinality(ids) = 1 and not recount and not p_force then
    select p.order_count, p.net_spend, p.first_order_at, p.last_order_at, p.previous_order_at into stats
      from public.customer_profiles p
     where p.org_id = p_org and p.customer_id = ids[1];
    if found then
      perform private.apply_classification(p_org, now_, null, null, ids, 'given', p_given => jsonb_build_object(
        'n', stats.order_count, 's', stats.net_spend, 'f_at', stats.first_order_at, 'l_at', stats.last_order_at,
        'pv_at', stats.previous_order_at));
      return;
    end if;
  end if;

  perform private.apply_classification(p_org, now_, null, null, ids, case when recount then 'orders' else 'stored' end, p_force);
end;
$$;

comment on function private.refresh_customers(uuid, uuid[], boolean, boolean) is
  'Keeps some customers of an organization current in the writing transaction: recounts their statistics when asked (p_recount), then classifies them against the stored cut points and writes what changed (every row when p_force: a merge rewrites the kept customer''s portrait). Defers to the dirty queue when portrait.defer_classification is on (with portrait.bulk on too, notes a pass over everyone owed instead, private.passes_owed).';


-- The per-order path: one paid order of a customer stopped counting (p_removed_*: its time and net
-- amount, total − refunded_amount) and/or one started counting (p_added_*), e.g. an order
-- inserted, refunded, cancelled or deleted. The customer's statistics are updated from the order
-- rather than recounted from all its orders, then the customer is classified with them through the
-- organization's cached one-customer plan (apply_classification, statistics 'given'). The figures
-- are exactly those of a recount (count, Σ net, first, last and previous order time, the previous
-- being the second latest, ties included); where the order alone cannot tell them (an order that
-- stops counting at the first, last or previous time, an order moved in time) and in the cases
-- refresh_customers treats apart (deferred classification, a bulk writer, an organization without
-- cut points yet), the customer is recounted instead.
create function private.refresh_order_customer(
  p_org uuid,
  p_customer uuid,
  p_removed_at timestamptz,
  p_removed_net numeric,
  p_added_at timestamptz,
  p_added_net numeric
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  stats record;
  n integer;
  s numeric;
  f_at timestamptz;
  l_at timestamptz;
  pv_at timestamptz;
begin
  if p_removed_at is null and p_added_at is null then
    return;
  end if;
  -- The row lock first, as refresh_customers takes it: the figures read stay the row's. Whether the
  -- organization has cut points yet comes with it (one statement).
  select p.order_count, p.net_spend, p.first_order_at, p.last_order_at, p.previous_order_at, p.referral_count,
         exists (select 1 from public.cut_points cp where cp.org_id = p_org and cp.buyers > 0) as has_cuts
    into stats
    from public.customer_profiles p
   where p.org_id = p_org and p.customer_id = p_customer
     for update of p;
  if not found
     or coalesce(current_setting('portrait.defer_classification', true), '') in ('on', 'true', '1')
     or coalesce(current_setting('portrait.bulk', true), '') = 'on'
     or (p_removed_at is not null and p_added_at is not null and p_removed_at <> p_added_at)
     or (p_removed_at is not null and p_added_at is null
         and (stats.order_count <= 1 or p_removed_at = stats.first_order_at or p_removed_at = stats.last_order_at
              or p_removed_at = stats.previous_order_at))
     or not stats.has_cuts then
    perform private.refresh_customers(p_org, array[p_customer], true);
    return;
  end if;

  n := stats.order_count;
  s := stats.net_spend;
  f_at := stats.first_order_at;
  l_at := stats.last_order_at;
  pv_at := stats.previous_order_at;
  if p_removed_at is not null and p_added_at is not null then
    -- The same order, at the same time, still counting: only its net amount moved.
    s := s - p_removed_net + p_added_net;
  elsif p_removed_at is not null then
    -- Neither the first, the last nor the previous order: the times stay.
    n := n - 1;
    s := s - p_removed_net;
  else
    n := n + 1;
    s := s + p_added_net;
    f_at := least(f_at, p_added_at);
    if l_at is null or p_added_at >= l_at then
      pv_at := l_at;
      l_at := p_added_at;
    elsif pv_at is null or p_added_at > pv_at then
      pv_at := p_added_at;
    end if;
  end if;
  if (n, s, f_at, l_at, pv_at) is not distinct from
     (stats.order_count, stats.net_spend, stats.first_order_at, stats.last_order_at, stats.previous_order_at) then
    return;
  end if;

  -- An order changes no referral: the stored count stands (a referral added or moved brings it up
  -- to date in its own transaction, or queues the customer when classification is deferred).
  perform private.apply_classification(p_org, private.engine_now(), null, null, array[p_customer], 'given',
    p_given => jsonb_build_object('n', n, 's', s, 'f_at', f_at, 'l_at', l_at, 'pv_at', pv_at,
                                  'referral_count', stats.referral_count));
end;
$$;

comment on function private.refresh_order_customer(uuid, uuid, timestamptz, numeric, timestamptz, numeric) is
  'The per-order path: updates one customer''s statistics from one paid order that stopped and/or started counting (its time and net amount) and classifies the customer with them; recounts where the order alone cannot tell the figures.';


-- The read-only classification, for comparison and benchmarks: what a full run would compute for
-- every customer as of p_now, without writing anything. With p_fresh_cuts the cut points are
-- computed as a full run would compute them; otherwise the stored ones are used.
create function private.classify(p_org uuid, p_now timestamptz default null, p_fresh_cuts boolean default false)
returns table (
  customer_id uuid,
  order_count integer,
  net_spend numeric,
  aov numeric,
  first_order_at timestamptz,
  last_order_at timestamptz,
  previous_order_at timestamptz,
  last_event_at timestamptz,
  r_score smallint,
  f_score smallint,
  m_score smallint,
  rfm_segment public.rfm_segment,
  lifecycle_stage public.lifecycle_stage,
  effective_stage public.lifecycle_stage,
  value_tier public.value_tier,
  ticket_band public.ticket_band,
  referral_count integer,
  segment_ids uuid[],
  next_transition_at timestamptz,
  recycle_at timestamptz
)
language plpgsql
stable
set search_path = ''
set work_mem = '64MB'
-- The same JIT settings as the pass of a run over everyone (private.run_classification_scan;
-- supabase/README.md "JIT"): the read-only classification is measured against the full run under
-- the same settings.
set jit = on
set jit_above_cost = 100000
set jit_optimize_above_cost = -1
set jit_inline_above_cost = -1
as $$
declare
  state private.engine_state := private.engine_state_of(p_org);
  now_ timestamptz := coalesce(p_now, private.engine_now());
begin
  return query execute 'with ' || private.classification_ctes('stored', state) || $sql$
select y.customer_id, y.n, y.s, y.new_aov, y.f_at, y.l_at, y.pv_at, y.e_at, y.new_r_score, y.new_f_score,
       y.new_m_score, y.new_rfm_segment, y.new_lifecycle_stage, y.new_effective_stage, y.new_value_tier,
       y.new_ticket_band, y.referral_count, y.new_segment_ids, y.new_next_transition_at, y.new_recycle_at
  from y$sql$
    using p_org, now_, null::uuid, null::uuid, null::uuid[], state.membership_values,
          private.engine_config(p_org, state, case when p_fresh_cuts then private.compute_cut_points(p_org, now_) end);
end;
$$;

comment on function private.classify(uuid, timestamptz, boolean) is
  'Read-only classification of every customer of an organization as of p_now (default now), as a full run computes it; writes nothing. p_fresh_cuts computes the cut points afresh instead of using the stored ones.';


-- The customers a rule matches right now (a preview, and the tests' view of the compiler).
create function private.evaluate_rule(p_org uuid, p_rule jsonb, p_now timestamptz default null)
returns setof uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  compiled record;
  state private.engine_state := private.engine_state_of(p_org);
  now_ timestamptz := coalesce(p_now, private.engine_now());
begin
  select * into compiled from private.compile_rule(p_rule, p_org);
  state.membership_sql := '''{}''::uuid[]';
  state.uses_tags := position('r.tag_names' in compiled.predicate) > 0;
  state.uses_satisfaction := position('satisfaction' in compiled.predicate) > 0;
  state.satisfaction_bounds := '{}';
  state.last_order_bounds := '{}';
  state.first_order_bounds := '{}';
  state.last_event_bounds := '{}';
  state.created_bounds := '{}';
  state.last_contact_bounds := '{}';
  state.recycle_bounds := '{}';
  return query execute 'with ' || private.classification_ctes('stored', state)
                       || ' select r.customer_id from y as r where ' || compiled.predicate
    using p_org, now_, null::uuid, null::uuid, null::uuid[], compiled.rule_values,
          private.engine_config(p_org, state);
end;
$$;

comment on function private.evaluate_rule(uuid, jsonb, timestamptz) is
  'The customers of an organization a segment rule matches as of p_now, classified as the engine classifies them; a preview for rule editors.';


-- Recounts every customer's statistics from orders and events and repairs any that differ from
-- the incrementally maintained ones (reclassifying those customers). Returns how many differed:
-- 0 when incremental maintenance kept up exactly.
create function private.rebuild_stats(p_org uuid)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  ids uuid[];
begin
  with o as (
    select o.customer_id, count(*)::integer as n, sum(o.total - o.refunded_amount) as s,
           min(o.ordered_at) as f_at, max(o.ordered_at) as l_at,
           (array_agg(o.ordered_at order by o.ordered_at desc))[2] as pv_at
      from public.orders o
     where o.org_id = p_org and o.status = 'paid'
     group by o.customer_id
  ), e as (
    select e.customer_id, max(e.occurred_at) as e_at
      from public.events e
     where e.org_id = p_org
     group by e.customer_id
  )
  select array_agg(c.id order by c.id) into ids
    from public.customers c
    left join public.customer_profiles p on p.org_id = c.org_id and p.customer_id = c.id
    left join o on o.customer_id = c.id
    left join e on e.customer_id = c.id
   where c.org_id = p_org
     and (p.order_count, p.net_spend, p.aov, p.first_order_at, p.last_order_at, p.previous_order_at, p.last_event_at)
         is distinct from
         (coalesce(o.n, 0), coalesce(o.s, 0), case when o.n > 0 then round(o.s / o.n, 2) end,
          o.f_at, o.l_at, o.pv_at, e.e_at);

  if cardinality(ids) > 0 then
    perform 1 from public.customer_profiles p
     where p.org_id = p_org and p.customer_id = any (ids) order by p.customer_id for update;
    perform private.apply_classification(p_org, private.engine_now(), null, null, ids, 'orders', false, true);
  end if;
  return coalesce(cardinality(ids), 0);
end;
$$;

comment on function private.rebuild_stats(uuid) is
  'Recounts every customer''s statistics from orders and events, repairs (and reclassifies) those that differ from the maintained ones, and returns how many differed.';


revoke all on function private.engine_now() from public;
revoke all on function private.engine_state_of(uuid) from public;
revoke all on function private.compute_cut_points(uuid, timestamptz) from public;
revoke all on function private.store_cut_points(uuid, timestamptz, bigint) from public;
revoke all on function private.engine_config(uuid, private.engine_state, jsonb) from public;
revoke all on function private.rule_row_sql() from public;
revoke all on function private.rule_named_tags_sql() from public;
revoke all on function private.classification_ctes(text, private.engine_state, text, text, boolean) from public;
revoke all on function private.engine_constants(text) from public;
revoke all on function private.engine_scope(text, text) from public;
revoke all on function private.stage_reason_sql() from public;
revoke all on function private.reasons_sql() from public;
revoke all on function private.profile_reasons(public.customer_profiles, boolean, text, jsonb) from public;
revoke all on function private.customer_reasons(uuid, uuid) from public;
revoke all on function private.changed_sql(text) from public;
revoke all on function private.profile_written_columns(text, text) from public;
revoke all on function private.profile_set_sql(text, text) from public;
revoke all on function private.classification_scan_sql(private.engine_state, text, boolean) from public;
revoke all on function private.run_classification_scan(text, uuid, timestamptz, jsonb, jsonb, boolean) from public;
revoke all on function private.classification_write_sql(text, private.engine_state, text) from public;
revoke all on function private.classification_one_sql(private.engine_state) from public;
revoke all on function private.classification_one_plpgsql(private.engine_state) from public;
revoke all on function private.segments_digest_masks(bigint[]) from public;
revoke all on function private.generate_engine_function(uuid) from public;
revoke all on function private.segments_carry_tags(uuid) from public;
revoke all on function private.sync_rule_tags(uuid, uuid[]) from public;
revoke all on function private.apply_classification(uuid, timestamptz, uuid, uuid, uuid[], text, boolean, boolean, jsonb, jsonb) from public;
revoke all on function private.refresh_stats(uuid, uuid[]) from public;
revoke all on function private.refresh_customers(uuid, uuid[], boolean, boolean) from public;
revoke all on function private.refresh_order_customer(uuid, uuid, timestamptz, numeric, timestamptz, numeric) from public;
revoke all on function private.classify(uuid, timestamptz, boolean) from public;
revoke all on function private.evaluate_rule(uuid, jsonb, timestamptz) from public;
revoke all on function private.rebuild_stats(uuid) from public;
grant execute on function private.engine_now() to authenticated, service_role;
grant execute on function private.rule_row_sql() to authenticated, service_role;
grant execute on function private.customer_reasons(uuid, uuid) to authenticated, service_role;
grant execute on function private.compute_cut_points(uuid, timestamptz) to service_role;
grant execute on function private.classify(uuid, timestamptz, boolean) to service_role;
grant execute on function private.evaluate_rule(uuid, jsonb, timestamptz) to service_role;
grant execute on function private.rebuild_stats(uuid) to service_role;

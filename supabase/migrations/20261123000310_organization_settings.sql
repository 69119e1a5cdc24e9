-- Organization settings: the thresholds the engine uses and the preferences the extension reads.
--
-- Stored as jsonb in organizations.settings. The documented shape (mirrored by the zod schema in
-- shared/settings.ts; a database test keeps the two in step):
--
--   {
--     "currency": "USD",                   ISO 4217 code money is shown in
--     "default_phone_region": "US",        ISO 3166-1 alpha-2 region for numbers written without +country
--     "internal_email_domains": [],        lowercase mail domains of the team; the extension hides them
--     "lifecycle": {                       windows of the lifecycle rules (days / orders)
--       "lead_event_days": 90,             lead = no orders and an event within this many days
--       "new_order_days": 30,              new = exactly one order, at most this many days ago
--       "at_risk_days": 90,                at_risk = last order more than this many days ago
--       "churned_days": 180,               churned = last order more than this many days ago
--       "reactivated_gap_days": 180,       reactivated = a gap longer than this between the last two orders
--       "reactivated_recent_days": 90,       ... and the latest order at most this many days ago
--       "loyal_min_orders": 4              loyal = at least this many orders
--     },
--     "tiers": {                           value tiers by net spend among buyers (percentile_disc)
--       "super_percentile": 0.99,
--       "vip_percentile": 0.90
--     },
--     "pool": {                            the shared pool (公海); everything off by default
--       "recycle_days": {                  an owned customer nobody followed up returns to the pool
--         "by_tier": {},                     N days after max(last contact, owned since): N per
--         "by_stage": {}                     value tier ({"super": 60, "vip": 45, "normal": 30}) and
--       },                                   per lifecycle stage shown ({"churned": 15}); a stage's
--                                            entry wins over the tier's; neither: never recycled
--       "max_owned_per_rep": null,         a rep may not claim past this many owned customers
--       "max_claims_per_day": null         a rep may claim at most this many in 24 hours
--     }
--   }
--
-- Every key is optional; a missing key takes the default above. Unknown keys are rejected so that
-- a typo does not silently fall back to a default.

create function private.default_org_settings()
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select '{
    "currency": "USD",
    "default_phone_region": "US",
    "internal_email_domains": [],
    "lifecycle": {
      "lead_event_days": 90,
      "new_order_days": 30,
      "at_risk_days": 90,
      "churned_days": 180,
      "reactivated_gap_days": 180,
      "reactivated_recent_days": 90,
      "loyal_min_orders": 4
    },
    "tiers": {
      "super_percentile": 0.99,
      "vip_percentile": 0.90
    },
    "pool": {
      "recycle_days": {"by_tier": {}, "by_stage": {}},
      "max_owned_per_rep": null,
      "max_claims_per_day": null
    }
  }'::jsonb
$$;

comment on function private.default_org_settings() is
  'The default organization settings; shared/settings.ts holds the same defaults.';

-- Merges stored settings over the defaults, one level deep for the nested groups.
create function private.org_settings_with_defaults(p_settings jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select d || coalesce(s, '{}'::jsonb)
         || jsonb_build_object(
              'lifecycle', (d -> 'lifecycle') || coalesce(s -> 'lifecycle', '{}'::jsonb),
              'tiers', (d -> 'tiers') || coalesce(s -> 'tiers', '{}'::jsonb),
              'pool', (d -> 'pool') || coalesce(s -> 'pool', '{}'::jsonb)
                      || jsonb_build_object('recycle_days', (d #> '{pool,recycle_days}')
                                                            || coalesce(s #> '{pool,recycle_days}', '{}'::jsonb))
            )
    from (select private.default_org_settings() as d,
                 case when jsonb_typeof(p_settings) = 'object' then p_settings end as s) as x
$$;

comment on function private.org_settings_with_defaults(jsonb) is
  'Stored organization settings completed with the defaults for every missing key.';

-- Lists what is wrong with a settings document (empty when it is valid). Used by the check
-- constraint on organizations.settings and, for a readable error, by its trigger.
create function private.org_settings_problems(p_settings jsonb)
returns text[]
language plpgsql
immutable
set search_path = ''
as $$
declare
  defaults constant jsonb := private.default_org_settings();
  problems text[] := '{}';
  merged jsonb;
  group_name text;
  key text;
  item jsonb;
  number_value numeric;
begin
  if p_settings is null or jsonb_typeof(p_settings) <> 'object' then
    return array['settings must be a JSON object'];
  end if;

  for key in select jsonb_object_keys(p_settings) loop
    if not defaults ? key then
      problems := problems || format('unknown setting "%s"', key);
    end if;
  end loop;

  if p_settings ? 'currency'
     and not (jsonb_typeof(p_settings -> 'currency') = 'string' and p_settings ->> 'currency' ~ '^[A-Z]{3}$') then
    problems := problems || 'currency must be an ISO 4217 code of three capital letters, such as "USD"'::text;
  end if;

  if p_settings ? 'default_phone_region'
     and not (jsonb_typeof(p_settings -> 'default_phone_region') = 'string'
              and p_settings ->> 'default_phone_region' ~ '^[A-Z]{2}$') then
    problems := problems || 'default_phone_region must be an ISO 3166-1 alpha-2 code of two capital letters, such as "US"'::text;
  end if;

  if p_settings ? 'internal_email_domains' then
    if jsonb_typeof(p_settings -> 'internal_email_domains') <> 'array' then
      problems := problems || 'internal_email_domains must be an array of domains'::text;
    elsif jsonb_array_length(p_settings -> 'internal_email_domains') > 100 then
      problems := problems || 'internal_email_domains may list at most 100 domains'::text;
    else
      for item in select jsonb_array_elements(p_settings -> 'internal_email_domains') loop
        if not (jsonb_typeof(item) = 'string'
                and char_length(item #>> '{}') <= 253
                and (item #>> '{}') ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$') then
          problems := problems || format('internal_email_domains: %s is not a lowercase domain such as "example.com"', item);
        end if;
      end loop;
    end if;
  end if;

  foreach group_name in array array['lifecycle', 'tiers'] loop
    if p_settings ? group_name then
      if jsonb_typeof(p_settings -> group_name) <> 'object' then
        problems := problems || format('%s must be an object', group_name);
      else
        for key in select jsonb_object_keys(p_settings -> group_name) loop
          if not (defaults -> group_name) ? key then
            problems := problems || format('unknown setting "%s.%s"', group_name, key);
          elsif jsonb_typeof(p_settings -> group_name -> key) <> 'number' then
            problems := problems || format('%s.%s must be a number', group_name, key);
          else
            number_value := (p_settings -> group_name ->> key)::numeric;
            if group_name = 'lifecycle' and key = 'loyal_min_orders'
               and not (number_value = trunc(number_value) and number_value between 2 and 1000) then
              problems := problems || 'lifecycle.loyal_min_orders must be a whole number from 2 to 1000'::text;
            elsif group_name = 'lifecycle' and key <> 'loyal_min_orders'
               and not (number_value = trunc(number_value) and number_value between 1 and 3650) then
              problems := problems || format('lifecycle.%s must be a whole number of days from 1 to 3650', key);
            elsif group_name = 'tiers' and not (number_value > 0 and number_value < 1) then
              problems := problems || format('tiers.%s must be a fraction between 0 and 1 (exclusive)', key);
            end if;
          end if;
        end loop;
      end if;
    end if;
  end loop;

  -- The pool (公海): recycle days per value tier and per lifecycle stage, and the claim limits.
  if p_settings ? 'pool' then
    if jsonb_typeof(p_settings -> 'pool') <> 'object' then
      problems := problems || 'pool must be an object'::text;
    else
      for key in select jsonb_object_keys(p_settings -> 'pool') loop
        if not (defaults -> 'pool') ? key then
          problems := problems || format('unknown setting "pool.%s"', key);
        end if;
      end loop;
      foreach key in array array['max_owned_per_rep', 'max_claims_per_day'] loop
        if jsonb_typeof(p_settings -> 'pool' -> key) not in ('null', 'number')
           or (jsonb_typeof(p_settings -> 'pool' -> key) = 'number'
               and not ((p_settings -> 'pool' ->> key)::numeric = trunc((p_settings -> 'pool' ->> key)::numeric)
                        and (p_settings -> 'pool' ->> key)::numeric between 1 and 1000000)) then
          problems := problems || format('pool.%s must be null (no limit) or a whole number from 1 to 1000000', key);
        end if;
      end loop;
      if p_settings -> 'pool' ? 'recycle_days' then
        if jsonb_typeof(p_settings #> '{pool,recycle_days}') <> 'object' then
          problems := problems || 'pool.recycle_days must be an object'::text;
        else
          for key in select jsonb_object_keys(p_settings #> '{pool,recycle_days}') loop
            if key not in ('by_tier', 'by_stage') then
              problems := problems || format('unknown setting "pool.recycle_days.%s"', key);
            end if;
          end loop;
          foreach group_name in array array['by_tier', 'by_stage'] loop
            if p_settings #> '{pool,recycle_days}' ? group_name then
              if jsonb_typeof(p_settings #> array['pool', 'recycle_days', group_name]) <> 'object' then
                problems := problems || format('pool.recycle_days.%s must be an object', group_name);
              else
                for key in select jsonb_object_keys(p_settings #> array['pool', 'recycle_days', group_name]) loop
                  if group_name = 'by_tier' and not key = any (enum_range(null::public.value_tier)::text[]) then
                    problems := problems || format('pool.recycle_days.by_tier: "%s" is not a value tier (one of %s)',
                                                   key, array_to_string(enum_range(null::public.value_tier)::text[], ', '));
                  elsif group_name = 'by_stage' and not key = any (enum_range(null::public.lifecycle_stage)::text[]) then
                    problems := problems || format('pool.recycle_days.by_stage: "%s" is not a lifecycle stage (one of %s)',
                                                   key, array_to_string(enum_range(null::public.lifecycle_stage)::text[], ', '));
                  elsif jsonb_typeof(p_settings #> array['pool', 'recycle_days', group_name, key]) <> 'number'
                     or not ((p_settings #>> array['pool', 'recycle_days', group_name, key])::numeric
                               = trunc((p_settings #>> array['pool', 'recycle_days', group_name, key])::numeric)
                             and (p_settings #>> array['pool', 'recycle_days', group_name, key])::numeric between 1 and 3650) then
                    problems := problems || format('pool.recycle_days.%s.%s must be a whole number of days from 1 to 3650', group_name, key);
                  end if;
                end loop;
              end if;
            end if;
          end loop;
        end if;
      end if;
    end if;
  end if;

  -- Relations between values, checked only when every value involved is well formed.
  if cardinality(problems) = 0 then
    merged := private.org_settings_with_defaults(p_settings);
    if (merged #>> '{lifecycle,at_risk_days}')::numeric >= (merged #>> '{lifecycle,churned_days}')::numeric then
      problems := problems || 'lifecycle.at_risk_days must be less than lifecycle.churned_days'::text;
    end if;
    if (merged #>> '{tiers,vip_percentile}')::numeric >= (merged #>> '{tiers,super_percentile}')::numeric then
      problems := problems || 'tiers.vip_percentile must be less than tiers.super_percentile'::text;
    end if;
  end if;

  return problems;
end;
$$;

comment on function private.org_settings_problems(jsonb) is
  'What is wrong with an organization settings document, one message per problem; empty when valid.';

revoke all on function private.default_org_settings() from public;
revoke all on function private.org_settings_with_defaults(jsonb) from public;
revoke all on function private.org_settings_problems(jsonb) from public;
grant execute on function private.default_org_settings() to authenticated, service_role;
grant execute on function private.org_settings_with_defaults(jsonb) to authenticated, service_role;
grant execute on function private.org_settings_problems(jsonb) to authenticated, service_role;

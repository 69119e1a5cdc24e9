-- The recompute schedule: pg_cron calls the recompute-segments edge function through pg_net with
-- the service role key, as the local stack's scheduler (supabase/local/scheduler.ts) does locally:
--
--   portrait-recompute-dirty   every 10 seconds   drain the queue of customers to reclassify
--   portrait-recompute-drift   every minute       stages that change with the passing of time
--   portrait-recompute-full    03:00 UTC daily    new cut points, everything recomputed
--
-- Everything that needs pg_cron or pg_net is guarded: where they are missing (the local stack, a
-- plain Postgres) this migration only creates the functions below and schedules nothing.
--
-- Enabling it on a Supabase project (once; the key stays in Vault, never in a migration):
--
--   1. Dashboard → Database → Extensions: enable pg_cron and pg_net
--      (or: create extension if not exists pg_cron; create extension if not exists pg_net;)
--   2. Store the project's URL and service role key in Vault:
--        select vault.create_secret('https://<project-ref>.supabase.co', 'project_url');
--        select vault.create_secret('<service role key>', 'service_role_key');
--   3. select private.schedule_recompute();
--      (other timings: select private.schedule_recompute('30 seconds', '*/5 * * * *', '30 2 * * *');
--       to stop: select private.unschedule_recompute();)
--
-- When the extensions and both secrets already exist as this migration runs (`supabase db push`
-- to a configured project), it schedules the jobs itself. Runs show in cron.job_run_details and
-- net._http_response; each organization's work in public.recompute_runs.

-- One call of the function, as a cron job makes it. Returns pg_net's request id.
create function private.invoke_recompute(p_mode text, p_budget_ms integer default 20000)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  base_url text;
  service_key text;
  request_id bigint;
begin
  if p_mode not in ('full', 'dirty', 'drift') then
    raise exception using errcode = '22023', message = format('unknown recompute mode %s', quote_literal(p_mode)),
      hint = 'The mode is full, dirty or drift.';
  end if;
  if not exists (select from pg_catalog.pg_extension where extname = 'pg_net') then
    raise exception using errcode = '55000', message = 'pg_net is not installed',
      hint = 'Enable the pg_net extension (Dashboard → Database → Extensions).';
  end if;
  if to_regclass('vault.decrypted_secrets') is null then
    raise exception using errcode = '55000', message = 'Supabase Vault is not available',
      hint = 'The schedule reads the project URL and service role key from Vault.';
  end if;
  execute $sql$select max(decrypted_secret) filter (where name = 'project_url'),
                      max(decrypted_secret) filter (where name = 'service_role_key')
                 from vault.decrypted_secrets
                where name in ('project_url', 'service_role_key')$sql$
    into base_url, service_key;
  if base_url is null or service_key is null then
    raise exception using errcode = '55000', message = 'the Vault secrets project_url and service_role_key are not both set',
      hint = 'select vault.create_secret(''https://<project-ref>.supabase.co'', ''project_url''); select vault.create_secret(''<service role key>'', ''service_role_key'');';
  end if;
  -- pg_net is called dynamically so that this function can exist where pg_net does not.
  execute $sql$select net.http_post(
                 url := $1,
                 body := $2,
                 headers := $3,
                 timeout_milliseconds := $4)$sql$
    into request_id
    using rtrim(base_url, '/') || '/functions/v1/recompute-segments',
          jsonb_build_object('mode', p_mode, 'budget_ms', p_budget_ms),
          jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || service_key),
          p_budget_ms + 10000;
  return request_id;
end;
$$;

comment on function private.invoke_recompute(text, integer) is
  'Calls the recompute-segments edge function (mode full, dirty or drift) through pg_net with the project URL and service role key stored in Vault (project_url, service_role_key). Used by the pg_cron jobs; returns the pg_net request id.';

-- Creates (or re-times) the three cron jobs. Returns false, with a notice saying what is missing,
-- where pg_cron or pg_net is not installed.
create function private.schedule_recompute(
  p_dirty text default '10 seconds',
  p_drift text default '* * * * *',
  p_full text default '0 3 * * *'
)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  if not exists (select from pg_catalog.pg_extension where extname = 'pg_cron')
     or not exists (select from pg_catalog.pg_extension where extname = 'pg_net') then
    raise notice 'pg_cron and pg_net are needed to schedule recompute-segments; nothing scheduled (the local stack has its own scheduler)';
    return false;
  end if;
  -- cron.schedule replaces a job of the same name, so this also changes the timings.
  execute 'select cron.schedule($1, $2, $3)' using 'portrait-recompute-dirty', p_dirty, 'select private.invoke_recompute(''dirty'')';
  execute 'select cron.schedule($1, $2, $3)' using 'portrait-recompute-drift', p_drift, 'select private.invoke_recompute(''drift'')';
  execute 'select cron.schedule($1, $2, $3)' using 'portrait-recompute-full', p_full, 'select private.invoke_recompute(''full'', 120000)';
  return true;
end;
$$;

comment on function private.schedule_recompute(text, text, text) is
  'Schedules recompute-segments with pg_cron: dirty (default every 10 seconds), drift (every minute), full (03:00 UTC). Returns false where pg_cron or pg_net is missing.';

create function private.unschedule_recompute()
returns integer
language plpgsql
set search_path = ''
as $$
declare
  removed integer := 0;
  job text;
begin
  if not exists (select from pg_catalog.pg_extension where extname = 'pg_cron') then
    return 0;
  end if;
  foreach job in array array['portrait-recompute-dirty', 'portrait-recompute-drift', 'portrait-recompute-full'] loop
    begin
      execute 'select cron.unschedule($1)' using job;
      removed := removed + 1;
    exception when others then
      null; -- that job was not scheduled
    end;
  end loop;
  return removed;
end;
$$;

comment on function private.unschedule_recompute() is
  'Removes the recompute-segments cron jobs; returns how many were removed.';

revoke all on function private.invoke_recompute(text, integer) from public, anon, authenticated;
revoke all on function private.schedule_recompute(text, text, text) from public, anon, authenticated;
revoke all on function private.unschedule_recompute() from public, anon, authenticated;

-- Schedule now when the project is already set up for it.
do $$
begin
  if exists (select from pg_catalog.pg_extension where extname = 'pg_cron')
     and exists (select from pg_catalog.pg_extension where extname = 'pg_net')
     and to_regclass('vault.decrypted_secrets') is not null then
    if (select count(*) from vault.decrypted_secrets where name in ('project_url', 'service_role_key')) = 2 then
      perform private.schedule_recompute();
    else
      raise notice 'recompute-segments not scheduled yet: store project_url and service_role_key in Vault, then select private.schedule_recompute();';
    end if;
  end if;
end;
$$;

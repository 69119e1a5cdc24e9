-- The recompute schedule: pg_cron calls the recompute-segments edge function through pg_net with
-- the service role key, as the local stack's scheduler (supabase/local/scheduler.ts) does locally:
--
--   portrait-recompute-dirty   every 10 seconds   drain the queue of customers to reclassify
--   portrait-recompute-drift   every minute       stages that change with the passing of time
--   portrait-recompute-full    03:00 UTC daily    new cut points, everything recomputed
--   portrait-purge-job-runs    hourly             drop these jobs' cron.job_run_details rows older
--                                                 than 3 days (the dirty job alone adds 8,640 a day)
--
-- Everything that needs pg_cron or pg_net is guarded: where they are missing (the local stack, a
-- plain Postgres) this migration only creates the functions below and schedules nothing, and
-- private.schedule_recompute() refuses with a message that says what is missing.
--
-- Enabling it on a Supabase project (once; the key stays in Vault, never in a migration):
--
--   1. Dashboard → Database → Extensions: enable pg_cron and pg_net
--      (or: create extension if not exists pg_cron; create extension if not exists pg_net;)
--   2. Store the project's URL and service role key in Vault:
--        select vault.create_secret('https://<project-ref>.supabase.co', 'project_url');
--        select vault.create_secret('<service role key>', 'service_role_key');
--   3. select private.schedule_recompute();   (the README's "Deploying to a Supabase project")
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

-- The cron jobs: name, schedule and command. One home for them, used by schedule_recompute and
-- unschedule_recompute (and read by the tests). Schedules in cron syntax except the dirty job's
-- default: Supabase runs pg_cron 1.6, which also takes '10 seconds'.
create function private.recompute_jobs(
  p_dirty text default '10 seconds',
  p_drift text default '* * * * *',
  p_full text default '0 3 * * *'
)
returns table (jobname text, schedule text, command text)
language sql
immutable
set search_path = ''
as $$
  values
    ('portrait-recompute-dirty', p_dirty, 'select private.invoke_recompute(''dirty'')'),
    ('portrait-recompute-drift', p_drift, 'select private.invoke_recompute(''drift'')'),
    ('portrait-recompute-full', p_full, 'select private.invoke_recompute(''full'', 120000)'),
    ('portrait-purge-job-runs', '41 * * * *',
     'delete from cron.job_run_details d using cron.job j where j.jobid = d.jobid and j.jobname like ''portrait-%'' and d.end_time < now() - interval ''3 days''')
$$;

comment on function private.recompute_jobs(text, text, text) is
  'The pg_cron jobs of the recompute schedule (name, schedule, command), including the hourly purge of their cron.job_run_details rows older than 3 days.';

-- What the schedule still needs on this database; empty when it can run.
create function private.recompute_schedule_problems()
returns text[]
language plpgsql
stable
set search_path = ''
as $$
declare
  problems text[] := '{}';
  secrets text[];
begin
  if not exists (select from pg_catalog.pg_extension where extname = 'pg_cron') then
    problems := problems || 'the pg_cron extension is not enabled'::text;
  end if;
  if not exists (select from pg_catalog.pg_extension where extname = 'pg_net') then
    problems := problems || 'the pg_net extension is not enabled'::text;
  end if;
  if to_regclass('vault.decrypted_secrets') is null then
    problems := problems || 'Supabase Vault is not available (the Vault secrets project_url and service_role_key are needed)'::text;
  else
    execute $sql$select coalesce(array_agg(name::text), '{}') from vault.decrypted_secrets
                 where name in ('project_url', 'service_role_key') and coalesce(decrypted_secret, '') <> ''$sql$
      into secrets;
    if not 'project_url' = any (secrets) then
      problems := problems || 'the Vault secret project_url is missing'::text;
    end if;
    if not 'service_role_key' = any (secrets) then
      problems := problems || 'the Vault secret service_role_key is missing'::text;
    end if;
  end if;
  return problems;
end;
$$;

comment on function private.recompute_schedule_problems() is
  'What the recompute schedule still needs here (pg_cron, pg_net, the Vault secrets project_url and service_role_key); empty when it can run.';

-- Creates (or re-times) the cron jobs. Refuses (55000) with everything that is missing while the
-- extensions or the Vault secrets are not there: a schedule that could only fail is not created.
create function private.schedule_recompute(
  p_dirty text default '10 seconds',
  p_drift text default '* * * * *',
  p_full text default '0 3 * * *'
)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  problems text[] := private.recompute_schedule_problems();
  job record;
begin
  if cardinality(problems) > 0 then
    raise exception using
      errcode = '55000',
      message = 'recompute-segments cannot be scheduled: ' || array_to_string(problems, '; '),
      hint = 'Enable pg_cron and pg_net (Dashboard → Database → Extensions), then: select vault.create_secret(''https://<project-ref>.supabase.co'', ''project_url''); select vault.create_secret(''<service role key>'', ''service_role_key''); select private.schedule_recompute(); (README: Deploying to a Supabase project).';
  end if;
  -- cron.schedule replaces a job of the same name, so this also changes the timings.
  for job in select * from private.recompute_jobs(p_dirty, p_drift, p_full) loop
    execute 'select cron.schedule($1, $2, $3)' using job.jobname, job.schedule, job.command;
  end loop;
  return true;
end;
$$;

comment on function private.schedule_recompute(text, text, text) is
  'Schedules recompute-segments with pg_cron: dirty (default every 10 seconds), drift (every minute), full (03:00 UTC), and the hourly purge of the jobs'' old cron.job_run_details rows. Raises 55000 naming what is missing (pg_cron, pg_net, the Vault secrets).';

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
  foreach job in array array(select j.jobname from private.recompute_jobs() as j) loop
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
revoke all on function private.recompute_jobs(text, text, text) from public, anon, authenticated;
revoke all on function private.recompute_schedule_problems() from public, anon, authenticated;
revoke all on function private.schedule_recompute(text, text, text) from public, anon, authenticated;
revoke all on function private.unschedule_recompute() from public, anon, authenticated;

-- Schedule now when the project is already set up for it.
do $$
begin
  if cardinality(private.recompute_schedule_problems()) = 0 then
    perform private.schedule_recompute();
  elsif exists (select from pg_catalog.pg_extension where extname = 'pg_cron') then
    raise notice 'recompute-segments not scheduled yet: %; then select private.schedule_recompute();',
      array_to_string(private.recompute_schedule_problems(), '; ');
  end if;
end;
$$;

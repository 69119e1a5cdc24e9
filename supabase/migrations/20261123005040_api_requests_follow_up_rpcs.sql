-- The write RPCs of follow-ups, ownership and satisfaction visits are idempotent by request id
-- like the others (see 20261123000450_api_requests.sql): api_requests accepts their names.
--
-- The list of known RPCs is a check constraint; other migrations add their own write RPCs to
-- it, so this one adds its names to whatever the list holds when it runs rather than restating
-- the whole list.

do $$
declare
  known text[];
begin
  select coalesce(array_agg(distinct m[1] order by m[1]), '{}') into known
    from pg_constraint c
    cross join lateral regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') as m
   where c.conrelid = 'public.api_requests'::regclass
     and c.conname = 'api_requests_rpc_is_known';
  known := array(
    select distinct name
      from unnest(known || array['add_follow_up', 'complete_follow_up', 'claim_customer', 'release_customer',
                                 'assign_customer', 'record_satisfaction']) as name
     order by name
  );
  alter table public.api_requests drop constraint if exists api_requests_rpc_is_known;
  execute format('alter table public.api_requests add constraint api_requests_rpc_is_known check (rpc = any (%L::text[]))', known);
end
$$;

comment on column public.api_requests.rpc is
  'The write function called (tag_customer, add_note, add_follow_up, claim_customer, record_satisfaction…; the check constraint api_requests_rpc_is_known lists them all).';

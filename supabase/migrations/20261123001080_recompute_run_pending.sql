-- Customers a run over everyone still has to write (see private.recompute in
-- 20261123001090_recompute_passes.sql): its read-only pass finds them, its chunks write them.

create table private.run_pending (
  run_id bigint not null,
  customer_id uuid not null,
  constraint run_pending_pkey primary key (run_id, customer_id),
  constraint run_pending_run_id_fkey foreign key (run_id) references public.recompute_runs (id) on delete cascade
);

comment on table private.run_pending is
  'Customers a run over everyone found changed in its read-only pass and has not written yet (removed as each chunk writes them).';
comment on column private.run_pending.run_id is 'The run (public.recompute_runs).';
comment on column private.run_pending.customer_id is 'A customer whose profile the run still has to write.';

alter table private.run_pending enable row level security;
revoke all on table private.run_pending from public, anon, authenticated;
grant all on table private.run_pending to service_role;

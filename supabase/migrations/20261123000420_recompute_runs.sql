-- Recompute runs: one row per engine run (full, dirty-queue drain or time drift) per
-- organization, so that anyone can see how fresh the portraits are and what a run did.
-- Written by the engine (service role); read-only for clients.

create table public.recompute_runs (
  id bigint generated always as identity,
  org_id uuid not null,
  kind public.recompute_kind not null,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  customers_scanned integer not null default 0,
  customers_changed integer not null default 0,
  rows_written integer not null default 0,
  error text,
  constraint recompute_runs_pkey primary key (id),
  constraint recompute_runs_org_id_fkey foreign key (org_id) references public.organizations (id) on delete cascade,
  constraint recompute_runs_finished_after_start check (finished_at >= started_at),
  constraint recompute_runs_counts_not_negative check (
    customers_scanned >= 0 and customers_changed >= 0 and rows_written >= 0
  ),
  constraint recompute_runs_changed_within_scanned check (customers_changed <= customers_scanned)
);

comment on table public.recompute_runs is
  'Engine runs (重新计算记录) per organization: kind, timing, work done and any error; read-only for clients.';
comment on column public.recompute_runs.id is 'Identifier of the run.';
comment on column public.recompute_runs.org_id is 'The organization recomputed.';
comment on column public.recompute_runs.kind is 'full, dirty (queued customers) or drift (time-dependent stages).';
comment on column public.recompute_runs.started_at is 'When the run started.';
comment on column public.recompute_runs.finished_at is 'When the run finished; null while it runs (or if it died).';
comment on column public.recompute_runs.customers_scanned is 'Customers the run looked at.';
comment on column public.recompute_runs.customers_changed is 'Customers whose profile changed.';
comment on column public.recompute_runs.rows_written is 'Rows the run inserted, updated or deleted.';
comment on column public.recompute_runs.error is 'The error that stopped the run, if one did.';

-- The latest runs of an organization ("data as of …").
create index recompute_runs_org_id_idx on public.recompute_runs (org_id, started_at desc);

alter table public.recompute_runs enable row level security;

create policy "Members can read their organization's recompute runs"
  on public.recompute_runs for select to authenticated
  using (org_id in (select private.member_org_ids()));

revoke all on table public.recompute_runs from anon, authenticated, service_role;
grant select on table public.recompute_runs to authenticated;
grant all on table public.recompute_runs to service_role;

-- Stage changes: every move of a customer between lifecycle stages, computed or manual. The
-- overlay draws them as a timeline (纵向关注客户); the overview counts this month's moves.
-- Written by the engine and by set_lifecycle_stage; read-only for clients.

create table public.stage_changes (
  id bigint generated always as identity,
  org_id uuid not null,
  customer_id uuid not null,
  from_stage public.lifecycle_stage,
  to_stage public.lifecycle_stage not null,
  changed_at timestamptz not null default now(),
  source public.stage_change_source not null,
  changed_by uuid,
  reason jsonb not null default '{}',
  constraint stage_changes_pkey primary key (id),
  constraint stage_changes_customer_id_fkey foreign key (org_id, customer_id)
    references public.customers (org_id, id) on delete cascade,
  constraint stage_changes_changed_by_fkey foreign key (changed_by)
    references auth.users (id) on delete set null,
  constraint stage_changes_is_a_change check (from_stage is distinct from to_stage),
  constraint stage_changes_reason_is_object check (jsonb_typeof(reason) = 'object')
);

comment on table public.stage_changes is
  'Moves of customers between lifecycle stages (阶段变化), computed or manual: the timeline on the portrait.';
comment on column public.stage_changes.id is 'Identifier of the change (increasing in the order changes were recorded).';
comment on column public.stage_changes.org_id is 'The organization.';
comment on column public.stage_changes.customer_id is 'The customer who moved.';
comment on column public.stage_changes.from_stage is 'The stage shown before the change (null when the customer had none yet).';
comment on column public.stage_changes.to_stage is 'The stage shown after the change.';
comment on column public.stage_changes.changed_at is 'When the change happened.';
comment on column public.stage_changes.source is 'computed (the engine) or manual (a member set or cleared an override).';
comment on column public.stage_changes.changed_by is 'The member who made a manual change.';
comment on column public.stage_changes.reason is 'Why: {"code": "...", plus the numbers used}; for manual changes the member''s note.';

-- A customer's timeline, newest first.
create index stage_changes_customer_id_idx on public.stage_changes (org_id, customer_id, changed_at desc);
-- Moves in a period, per organization (the overview).
create index stage_changes_changed_at_idx on public.stage_changes (org_id, changed_at);
create index stage_changes_changed_by_idx on public.stage_changes (changed_by) where changed_by is not null;

alter table public.stage_changes enable row level security;

create policy "Members can read their organization's stage changes"
  on public.stage_changes for select to authenticated
  using (org_id in (select private.member_org_ids()));

revoke all on table public.stage_changes from anon, authenticated, service_role;
grant select on table public.stage_changes to authenticated;
grant all on table public.stage_changes to service_role;


-- Between engine runs, an engagement event is enough to turn a prospect without orders into a
-- lead (lead = no orders and an event within lifecycle.lead_event_days). Doing it as the event
-- is written means a member who captures someone from a page sees a lead at once. Security
-- definer: members may record events but may not write profiles or stage changes.
create function private.promote_prospect_on_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  window_days integer;
  promoted record;
begin
  select (private.org_settings_with_defaults(o.settings) #>> '{lifecycle,lead_event_days}')::integer
    into window_days
    from public.organizations o
   where o.id = new.org_id;

  if new.occurred_at < now() - make_interval(days => window_days) then
    return null;
  end if;

  update public.customer_profiles p
     set lifecycle_stage = 'lead',
         computed_at = now()
   where p.org_id = new.org_id
     and p.customer_id = new.customer_id
     and p.lifecycle_stage = 'prospect'
     and p.order_count = 0
  returning p.stage_override into promoted;

  -- The timeline follows the stage people see; an override hides the computed move.
  if found and promoted.stage_override is null then
    insert into public.stage_changes (org_id, customer_id, from_stage, to_stage, source, reason)
    values (
      new.org_id, new.customer_id, 'prospect', 'lead', 'computed',
      jsonb_build_object('code', 'no_orders_recent_event', 'event_kind', new.kind, 'window_days', window_days)
    );
  end if;
  return null;
end;
$$;

comment on function private.promote_prospect_on_event() is
  'Trigger: a recent engagement event turns a prospect without orders into a lead, and records the move.';
revoke all on function private.promote_prospect_on_event() from public;

create trigger events_promote_prospect
  after insert on public.events
  for each row execute function private.promote_prospect_on_event();

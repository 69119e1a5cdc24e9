-- Ownership (负责人) and its history. A customer's owner is customers.owner_id; the shared pool
-- (公海) is the set of valid customers without one. Every change of owner — a rep claiming a pool
-- customer, an owner releasing one, an admin assigning one, the engine recycling one nobody
-- followed up — is recorded here by trigger, whoever makes it (the API, Studio, an import), so
-- the customer's timeline can show it.
--
-- The API functions (claim_customer, release_customer, assign_customer) say why through
-- private.change_owner; a change made directly to customers.owner_id (Studio, an import) is
-- recorded as claimed when the writer took the customer themselves, released when it was left
-- without an owner, and assigned otherwise.

create type public.ownership_change_reason as enum ('claimed', 'released', 'assigned', 'recycled');
comment on type public.ownership_change_reason is
  'Why a customer changed owner: claimed 领取 (a member took a pool customer), released 释放 (back to the pool), assigned 分配 (an admin handed it to a member), recycled 回收 (returned to the pool because nobody followed up).';

create table public.ownership_changes (
  id bigint generated always as identity,
  org_id uuid not null,
  customer_id uuid not null,
  from_owner_id uuid,
  to_owner_id uuid,
  reason public.ownership_change_reason not null,
  note text,
  changed_by uuid,
  changed_at timestamptz not null default now(),
  constraint ownership_changes_pkey primary key (id),
  constraint ownership_changes_customer_id_fkey foreign key (org_id, customer_id)
    references public.customers (org_id, id) on delete cascade,
  -- Users rather than members: the history keeps naming an owner who has since left.
  constraint ownership_changes_from_owner_id_fkey foreign key (from_owner_id)
    references auth.users (id) on delete set null,
  constraint ownership_changes_to_owner_id_fkey foreign key (to_owner_id)
    references auth.users (id) on delete set null,
  constraint ownership_changes_changed_by_fkey foreign key (changed_by)
    references auth.users (id) on delete set null,
  constraint ownership_changes_note_length check (char_length(btrim(note)) between 1 and 500)
);

comment on table public.ownership_changes is
  'History of customer ownership (负责人变更): who owned the customer before and after, why, who made the change and when.';
comment on column public.ownership_changes.id is 'Identifier of the change (increasing in the order changes were recorded).';
comment on column public.ownership_changes.org_id is 'The organization.';
comment on column public.ownership_changes.customer_id is 'The customer whose owner changed.';
comment on column public.ownership_changes.from_owner_id is 'The owner before (null: the customer was in the pool).';
comment on column public.ownership_changes.to_owner_id is 'The owner after (null: the customer went back to the pool).';
comment on column public.ownership_changes.reason is 'claimed, released, assigned or recycled.';
comment on column public.ownership_changes.note is 'Why, in the member''s words (release_customer''s p_reason), as plain text of at most 500 characters.';
comment on column public.ownership_changes.changed_by is 'The member who made the change (null for the engine and the service).';
comment on column public.ownership_changes.changed_at is 'When the owner changed (for a customer created with an owner: when it was created).';

-- The customer's timeline, newest first.
create index ownership_changes_customer_id_idx on public.ownership_changes (org_id, customer_id, changed_at desc);
-- What a member took on, by day (limits on claims per day).
create index ownership_changes_to_owner_id_idx on public.ownership_changes (to_owner_id, changed_at) where to_owner_id is not null;
create index ownership_changes_from_owner_id_idx on public.ownership_changes (from_owner_id) where from_owner_id is not null;
create index ownership_changes_changed_by_idx on public.ownership_changes (changed_by) where changed_by is not null;

alter table public.ownership_changes enable row level security;

create policy "Members can read their organization's ownership history"
  on public.ownership_changes for select to authenticated
  using (org_id in (select private.member_org_ids()));

-- Written only by the trigger below.
revoke all on table public.ownership_changes from anon, authenticated, service_role;
grant select on table public.ownership_changes to authenticated;
grant all on table public.ownership_changes to service_role;


-- Security definer: members change owners (as the customers policies allow) but never write the
-- history themselves. The reason and note come from private.change_owner through two
-- transaction-local settings, which it clears again after its update.
--
-- Statement-level with transition tables (one trigger per event, as transition tables require):
-- an UPDATE that hands 10,000 customers to another rep (Studio, an import) writes their history in
-- one INSERT … SELECT rather than 10,000 trigger calls. Row by row it records exactly what a
-- row-level trigger would.
create function private.record_ownership_changes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  given_reason text := nullif(current_setting('portrait.ownership_reason', true), '');
  given_note text := nullif(current_setting('portrait.ownership_note', true), '');
begin
  if tg_op = 'INSERT' then
    insert into public.ownership_changes (org_id, customer_id, from_owner_id, to_owner_id, reason, note, changed_by, changed_at)
    select n.org_id, n.id, null, n.owner_id,
           coalesce(given_reason, case when n.owner_id = caller then 'claimed' else 'assigned' end)::public.ownership_change_reason,
           given_note, caller, n.created_at
      from new_rows n
     where n.owner_id is not null
     order by n.id;
  elsif exists (select from new_rows) then
    -- A dynamic statement, planned for each call with the row counts of its transition tables: a
    -- plan cached for an earlier single-row update would join the two tables row by row. Not for
    -- an UPDATE that changed no row (a webhook filling in what a known customer lacks, when it
    -- lacks nothing): there is nothing to record.
    execute $sql$
    insert into public.ownership_changes (org_id, customer_id, from_owner_id, to_owner_id, reason, note, changed_by, changed_at)
    select n.org_id, n.id,
           -- Their user is being deleted altogether: the history cannot name them any more.
           case when u.id is not null then o.owner_id end,
           n.owner_id,
           coalesce($1, case
             when n.owner_id is null then 'released'
             when n.owner_id = $3 then 'claimed'
             else 'assigned'
           end)::public.ownership_change_reason,
           -- The owner left the organization (the foreign key cleared owner_id): the customer is
           -- back in the pool, and the history says so.
           case when n.owner_id is null and $1 is null
                 and not exists (select 1 from public.members m where m.org_id = o.org_id and m.user_id = o.owner_id)
             then 'The owner is no longer a member of the organization.'
             else $2 end,
           $3, now()
      from new_rows n
      join old_rows o on o.id = n.id
      left join auth.users u on u.id = o.owner_id
     where o.owner_id is distinct from n.owner_id
     order by n.id$sql$
    using given_reason, given_note, caller;
  end if;
  return null;
end;
$$;

comment on function private.record_ownership_changes() is
  'Trigger (per statement): records every change of customers.owner_id (and every customer created with an owner) in ownership_changes, one set-based insert per statement.';
revoke all on function private.record_ownership_changes() from public;

create trigger customers_record_new_owner
  after insert on public.customers
  referencing new table as new_rows
  for each statement execute function private.record_ownership_changes();

create trigger customers_record_owner_change
  after update on public.customers
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.record_ownership_changes();

-- Owners already set when this history began.
insert into public.ownership_changes (org_id, customer_id, from_owner_id, to_owner_id, reason, changed_at)
select c.org_id, c.id, null, c.owner_id, 'assigned', c.created_at
  from public.customers c
 where c.owner_id is not null;

-- Follow-ups (跟进 / 下次联系时间): the next time someone should contact a customer. Any member
-- schedules one, for themselves or for a colleague; the assignee, whoever created it and admins
-- complete or edit it; its creator and admins delete it. Open follow-ups of a member, due by a
-- date, are what the popup lists (my_follow_ups); the customer's timeline shows each follow-up
-- when it was created and when it was completed.

create table public.follow_ups (
  id uuid not null default gen_random_uuid(),
  org_id uuid not null,
  customer_id uuid not null,
  assignee_id uuid default auth.uid(),
  due_at timestamptz not null,
  note text,
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  done_at timestamptz,
  done_by uuid,
  constraint follow_ups_pkey primary key (id),
  constraint follow_ups_customer_id_fkey foreign key (org_id, customer_id)
    references public.customers (org_id, id) on delete cascade,
  -- The assignee is a member of the organization; when they leave, the follow-up stays, unassigned.
  constraint follow_ups_assignee_id_fkey foreign key (org_id, assignee_id)
    references public.members (org_id, user_id) on delete set null (assignee_id),
  constraint follow_ups_created_by_fkey foreign key (created_by)
    references auth.users (id) on delete set null,
  constraint follow_ups_done_by_fkey foreign key (done_by)
    references auth.users (id) on delete set null,
  constraint follow_ups_note_length check (char_length(btrim(note)) between 1 and 2000),
  constraint follow_ups_done_by_only_when_done check (done_at is not null or done_by is null)
);

comment on table public.follow_ups is
  'Follow-ups (跟进 / 下次联系时间): when a member should next contact a customer, and whether they did.';
comment on column public.follow_ups.id is 'Identifier of the follow-up.';
comment on column public.follow_ups.org_id is 'The organization.';
comment on column public.follow_ups.customer_id is 'The customer to contact.';
comment on column public.follow_ups.assignee_id is 'The member who should make the contact (null once they left the organization).';
comment on column public.follow_ups.due_at is 'When the contact is due; open follow-ups past this time are overdue.';
comment on column public.follow_ups.note is 'What to follow up about, as plain text (1–2,000 characters); always rendered as text.';
comment on column public.follow_ups.created_by is 'The member who scheduled it.';
comment on column public.follow_ups.created_at is 'When it was scheduled.';
comment on column public.follow_ups.updated_at is 'When it was last changed.';
comment on column public.follow_ups.done_at is 'When it was completed; null while it is open.';
comment on column public.follow_ups.done_by is 'The member who completed it (set from the signed-in user when done_at is set).';

-- The customer's timeline: follow-ups by creation and by completion, newest first.
create index follow_ups_customer_id_idx on public.follow_ups (org_id, customer_id, created_at desc);
create index follow_ups_customer_done_idx on public.follow_ups (org_id, customer_id, done_at desc) where done_at is not null;
-- A customer's open follow-ups, earliest due first (the card).
create index follow_ups_customer_open_idx on public.follow_ups (org_id, customer_id, due_at) where done_at is null;
-- A member's open follow-ups by due time (my_follow_ups, the popup's lists and badge); also
-- serves the assignee foreign key.
create index follow_ups_assignee_open_idx on public.follow_ups (org_id, assignee_id, due_at) where done_at is null;
create index follow_ups_assignee_id_idx on public.follow_ups (org_id, assignee_id);
create index follow_ups_created_by_idx on public.follow_ups (created_by) where created_by is not null;
create index follow_ups_done_by_idx on public.follow_ups (done_by) where done_by is not null;

create trigger follow_ups_set_updated_at
  before update on public.follow_ups
  for each row execute function private.set_updated_at();


-- Who completed a follow-up is whoever marked it done, however they did it (the API or Studio);
-- reopening it forgets them.
create function private.stamp_follow_up_done()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.done_at is null then
    new.done_by := null;
  elsif tg_op = 'INSERT' or old.done_at is null then
    new.done_by := coalesce((select auth.uid()), new.done_by);
  end if;
  return new;
end;
$$;

comment on function private.stamp_follow_up_done() is
  'Trigger: sets follow_ups.done_by to the signed-in user when a follow-up is completed, and clears it when it is reopened.';
revoke all on function private.stamp_follow_up_done() from public;

create trigger follow_ups_stamp_done
  before insert or update of done_at on public.follow_ups
  for each row execute function private.stamp_follow_up_done();


alter table public.follow_ups enable row level security;

create policy "Members can read their organization's follow-ups"
  on public.follow_ups for select to authenticated
  using (org_id in (select private.member_org_ids()));

create policy "Members can schedule follow-ups in their own name"
  on public.follow_ups for insert to authenticated
  with check (
    org_id in (select private.member_org_ids())
    and created_by = (select auth.uid())
  );

create policy "Assignees, creators and admins can edit follow-ups"
  on public.follow_ups for update to authenticated
  using (
    org_id in (select private.admin_org_ids())
    or (org_id in (select private.member_org_ids())
        and (assignee_id = (select auth.uid()) or created_by = (select auth.uid())))
  )
  -- Handing a follow-up to a colleague is editing it: the new assignee (a member, by the
  -- foreign key) need not be the editor.
  with check (org_id in (select private.member_org_ids()));

create policy "Creators and admins can delete follow-ups"
  on public.follow_ups for delete to authenticated
  using (
    org_id in (select private.admin_org_ids())
    or (org_id in (select private.member_org_ids()) and created_by = (select auth.uid()))
  );

revoke all on table public.follow_ups from anon, authenticated, service_role;
grant select, insert, delete on table public.follow_ups to authenticated;
grant update (assignee_id, due_at, note, done_at) on table public.follow_ups to authenticated;
grant all on table public.follow_ups to service_role;

-- Notes (备注) members write about a customer. Everyone in the organization reads them; authors
-- edit and delete their own, admins any.

create table public.notes (
  id uuid not null default gen_random_uuid(),
  org_id uuid not null,
  customer_id uuid not null,
  author_id uuid default auth.uid(),
  body text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint notes_pkey primary key (id),
  constraint notes_customer_id_fkey foreign key (org_id, customer_id)
    references public.customers (org_id, id) on delete cascade,
  constraint notes_author_id_fkey foreign key (author_id)
    references auth.users (id) on delete set null,
  constraint notes_body_length check (char_length(btrim(body)) between 1 and 10000)
);

comment on table public.notes is 'Notes (备注) members wrote about a customer.';
comment on column public.notes.id is 'Identifier of the note.';
comment on column public.notes.org_id is 'The organization.';
comment on column public.notes.customer_id is 'The customer the note is about.';
comment on column public.notes.author_id is 'The member who wrote it (null once their user is deleted).';
comment on column public.notes.body is 'The note as plain text (1–10,000 characters); always rendered as text, never as markup.';
comment on column public.notes.created_at is 'When the note was written.';
comment on column public.notes.updated_at is 'When the note was last edited.';

-- A customer's latest notes (the portrait shows the newest few).
create index notes_customer_id_idx on public.notes (org_id, customer_id, created_at desc);
create index notes_author_id_idx on public.notes (author_id) where author_id is not null;

create trigger notes_set_updated_at
  before update on public.notes
  for each row execute function private.set_updated_at();

alter table public.notes enable row level security;

create policy "Members can read their organization's notes"
  on public.notes for select to authenticated
  using (org_id in (select private.member_org_ids()));

create policy "Members can write notes in their own name"
  on public.notes for insert to authenticated
  with check (
    org_id in (select private.member_org_ids())
    and author_id = (select auth.uid())
  );

create policy "Authors can edit their notes and admins any note"
  on public.notes for update to authenticated
  using (
    org_id in (select private.admin_org_ids())
    or (org_id in (select private.member_org_ids()) and author_id = (select auth.uid()))
  )
  with check (
    org_id in (select private.admin_org_ids())
    or (org_id in (select private.member_org_ids()) and author_id = (select auth.uid()))
  );

create policy "Authors can delete their notes and admins any note"
  on public.notes for delete to authenticated
  using (
    org_id in (select private.admin_org_ids())
    or (org_id in (select private.member_org_ids()) and author_id = (select auth.uid()))
  );

revoke all on table public.notes from anon, authenticated, service_role;
grant select, insert, delete on table public.notes to authenticated;
grant update (body) on table public.notes to authenticated;
grant all on table public.notes to service_role;

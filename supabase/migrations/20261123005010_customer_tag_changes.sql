-- The history of tags put on and taken off customers by people and imports, for the customer's
-- timeline. customer_tags holds only the tags a customer has now (with who added each, when and
-- from which page); a removed tag leaves no trace there, so every addition and removal is also
-- recorded here, by trigger, whoever makes it (the API, Studio, an import).
--
-- Tags a segment rule adds and removes (source rule) are not recorded: the engine moves them in
-- bulk as segment membership changes, and segment membership is its own history.

create type public.tag_change_action as enum ('added', 'removed');
comment on type public.tag_change_action is
  'What happened to a tag on a customer: added 添加 or removed 移除.';

create table public.customer_tag_changes (
  id bigint generated always as identity,
  org_id uuid not null,
  customer_id uuid not null,
  tag_id uuid,
  tag_name text not null,
  action public.tag_change_action not null,
  source public.tag_source not null,
  changed_by uuid,
  changed_at timestamptz not null default now(),
  page_url text,
  page_title text,
  constraint customer_tag_changes_pkey primary key (id),
  constraint customer_tag_changes_customer_id_fkey foreign key (org_id, customer_id)
    references public.customers (org_id, id) on delete cascade,
  constraint customer_tag_changes_tag_id_fkey foreign key (org_id, tag_id)
    references public.tags (org_id, id) on delete set null (tag_id),
  constraint customer_tag_changes_changed_by_fkey foreign key (changed_by)
    references auth.users (id) on delete set null
);

comment on table public.customer_tag_changes is
  'History of tags added to and removed from customers by people and imports (rule tags excluded): the tag entries of the customer''s timeline.';
comment on column public.customer_tag_changes.id is 'Identifier of the change (increasing in the order changes were recorded).';
comment on column public.customer_tag_changes.org_id is 'The organization.';
comment on column public.customer_tag_changes.customer_id is 'The customer whose tags changed.';
comment on column public.customer_tag_changes.tag_id is 'The tag (null once the tag itself was deleted).';
comment on column public.customer_tag_changes.tag_name is 'The tag''s name when the change was made (kept when the tag is renamed or deleted).';
comment on column public.customer_tag_changes.action is 'added or removed.';
comment on column public.customer_tag_changes.source is 'How the tag was put on the customer: manual (a person) or import.';
comment on column public.customer_tag_changes.changed_by is 'The member who added or removed it (null for imports and the service).';
comment on column public.customer_tag_changes.changed_at is 'When the tag was added or removed.';
comment on column public.customer_tag_changes.page_url is 'For an addition, the page the member was on (customer_tags.page_url).';
comment on column public.customer_tag_changes.page_title is 'For an addition, the title of that page.';

-- The customer's timeline, newest first.
create index customer_tag_changes_customer_id_idx on public.customer_tag_changes (org_id, customer_id, changed_at desc);
create index customer_tag_changes_tag_id_idx on public.customer_tag_changes (org_id, tag_id) where tag_id is not null;
create index customer_tag_changes_changed_by_idx on public.customer_tag_changes (changed_by) where changed_by is not null;

alter table public.customer_tag_changes enable row level security;

create policy "Members can read their organization's tag history"
  on public.customer_tag_changes for select to authenticated
  using (org_id in (select private.member_org_ids()));

-- Written only by the trigger below: the history is what happened, not what someone says did.
revoke all on table public.customer_tag_changes from anon, authenticated, service_role;
grant select on table public.customer_tag_changes to authenticated;
grant all on table public.customer_tag_changes to service_role;


-- Security definer: members may tag and untag but may not write the history themselves.
create function private.record_customer_tag_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  tag_row public.customer_tags;
  name_now text;
begin
  if tg_op = 'INSERT' then
    tag_row := new;
  else
    tag_row := old;
  end if;
  -- A tag removed because its customer or the tag itself is being deleted is not a change of the
  -- customer's tags: the customer's history goes with them, and a deleted tag left every customer.
  if not exists (select 1 from public.customers c where c.org_id = tag_row.org_id and c.id = tag_row.customer_id) then
    return null;
  end if;
  select t.name into name_now from public.tags t where t.org_id = tag_row.org_id and t.id = tag_row.tag_id;
  if name_now is null then
    return null;
  end if;

  insert into public.customer_tag_changes (org_id, customer_id, tag_id, tag_name, action, source, changed_by, changed_at, page_url, page_title)
  values (
    tag_row.org_id, tag_row.customer_id, tag_row.tag_id, name_now,
    case tg_op when 'INSERT' then 'added' else 'removed' end::public.tag_change_action,
    tag_row.source,
    case tg_op when 'INSERT' then tag_row.added_by else (select auth.uid()) end,
    case tg_op when 'INSERT' then tag_row.added_at else now() end,
    case tg_op when 'INSERT' then tag_row.page_url end,
    case tg_op when 'INSERT' then tag_row.page_title end
  );
  return null;
end;
$$;

comment on function private.record_customer_tag_change() is
  'Trigger: records a manual or imported tag added to or removed from a customer in customer_tag_changes.';
revoke all on function private.record_customer_tag_change() from public;

-- Not while `portrait.bulk` is on for the transaction: a bulk writer (the import, README
-- "Importing your data") records the tags it adds itself, in one statement.
create trigger customer_tags_record_addition
  after insert on public.customer_tags
  for each row when (new.source <> 'rule' and coalesce(current_setting('portrait.bulk', true), '') <> 'on')
  execute function private.record_customer_tag_change();

create trigger customer_tags_record_removal
  after delete on public.customer_tags
  for each row when (old.source <> 'rule')
  execute function private.record_customer_tag_change();

-- Tags already on customers when this history began.
insert into public.customer_tag_changes (org_id, customer_id, tag_id, tag_name, action, source, changed_by, changed_at, page_url, page_title)
select ct.org_id, ct.customer_id, ct.tag_id, t.name, 'added', ct.source, ct.added_by, ct.added_at, ct.page_url, ct.page_title
  from public.customer_tags ct
  join public.tags t on t.org_id = ct.org_id and t.id = ct.tag_id
 where ct.source <> 'rule';

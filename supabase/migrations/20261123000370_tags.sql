-- Tags (标签) and the tags on each customer. A tag name is unique per organization regardless of
-- case ("VIP" and "vip" are one tag). A customer's tag keeps its provenance: who added it, when,
-- from which page, by which request, and whether a person, a segment rule or an import added it.

create table public.tags (
  id uuid not null default gen_random_uuid(),
  org_id uuid not null,
  name text not null,
  colour text not null default '#64748b',
  category public.tag_category not null default 'custom',
  description text,
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint tags_pkey primary key (id),
  constraint tags_org_id_id_key unique (org_id, id),
  constraint tags_org_id_fkey foreign key (org_id) references public.organizations (id) on delete cascade,
  constraint tags_created_by_fkey foreign key (created_by) references auth.users (id) on delete set null,
  -- Names are stored the way tag_customer cleans them: trimmed, inner whitespace single spaces.
  constraint tags_name_is_tidy check (
    char_length(name) between 1 and 64 and name = btrim(regexp_replace(name, '\s+', ' ', 'g'))
  ),
  constraint tags_colour_is_hex check (colour ~ '^#[0-9a-f]{6}$'),
  constraint tags_description_length check (char_length(description) between 1 and 500)
);

comment on table public.tags is 'Tags (标签) an organization uses; names are unique regardless of case.';
comment on column public.tags.id is 'Identifier of the tag.';
comment on column public.tags.org_id is 'The organization.';
comment on column public.tags.name is 'The tag as shown (1–64 characters, trimmed, single spaces); unique per organization ignoring case.';
comment on column public.tags.colour is 'Colour of the tag chip as #rrggbb (lowercase).';
comment on column public.tags.category is 'demographic 人口属性, preference 偏好, behaviour 行为, value 价值 or custom 自定义.';
comment on column public.tags.description is 'What the tag means, for the people applying it.';
comment on column public.tags.created_by is 'The user who created the tag.';
comment on column public.tags.created_at is 'When the tag was created.';
comment on column public.tags.updated_at is 'When the tag was last renamed, recoloured or recategorised.';

create unique index tags_org_id_name_key on public.tags (org_id, lower(name));
create index tags_created_by_idx on public.tags (created_by) where created_by is not null;

create trigger tags_set_updated_at
  before update on public.tags
  for each row execute function private.set_updated_at();


create table public.customer_tags (
  org_id uuid not null,
  customer_id uuid not null,
  tag_id uuid not null,
  source public.tag_source not null default 'manual',
  added_by uuid default auth.uid(),
  added_at timestamptz not null default now(),
  page_url text,
  page_title text,
  request_id uuid,
  constraint customer_tags_pkey primary key (org_id, customer_id, tag_id),
  constraint customer_tags_customer_id_fkey foreign key (org_id, customer_id)
    references public.customers (org_id, id) on delete cascade,
  constraint customer_tags_tag_id_fkey foreign key (org_id, tag_id)
    references public.tags (org_id, id) on delete cascade,
  constraint customer_tags_added_by_fkey foreign key (added_by)
    references auth.users (id) on delete set null,
  constraint customer_tags_page_url_is_web_url check (page_url ~* '^https?://' and char_length(page_url) <= 2048),
  constraint customer_tags_page_title_length check (char_length(page_title) <= 512)
)
-- The engine reads a tag's customers from customer_tags_tag_id_idx alone while the pages are marked
-- all-visible, and rule tags come and go with memberships: vacuum after 5 % new or dead rows rather
-- than 20 % (supabase/README.md "Autovacuum").
with (autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_vacuum_scale_factor = 0.05);

comment on table public.customer_tags is
  'Tags on customers, with provenance: who added each, when, from which page, and how (manual, rule, import).';
comment on column public.customer_tags.org_id is 'The organization.';
comment on column public.customer_tags.customer_id is 'The tagged customer.';
comment on column public.customer_tags.tag_id is 'The tag.';
comment on column public.customer_tags.source is 'manual 手动 (a person), rule 规则 (a segment rule; the engine adds and removes these) or import 导入.';
comment on column public.customer_tags.added_by is 'The member who added the tag (null for rules and imports).';
comment on column public.customer_tags.added_at is 'When the tag was added.';
comment on column public.customer_tags.page_url is 'The page the member was on when they added the tag (http or https URL).';
comment on column public.customer_tags.page_title is 'The title of that page.';
comment on column public.customer_tags.request_id is 'The API request (tag_customer) that added the tag; see api_requests.';

-- The primary key serves a customer's tags; this index serves a tag's customers. It carries the
-- customer and the source, so that the engine's read of the customers of the tags its rules name
-- (private.classification_ctes) is an index-only scan: fetching every row from the heap read one
-- page per row (at a million customers, 150,000 rows of five tags: 75,000 pages, 1.2 s; 0.06 s
-- from the index alone).
create index customer_tags_tag_id_idx on public.customer_tags (org_id, tag_id) include (customer_id, source);
create index customer_tags_added_by_idx on public.customer_tags (added_by) where added_by is not null;


alter table public.tags enable row level security;
alter table public.customer_tags enable row level security;

create policy "Members can read their organization's tags"
  on public.tags for select to authenticated
  using (org_id in (select private.member_org_ids()));

create policy "Members can create tags"
  on public.tags for insert to authenticated
  with check (
    org_id in (select private.member_org_ids())
    and created_by = (select auth.uid())
  );

create policy "Admins can edit tags"
  on public.tags for update to authenticated
  using (org_id in (select private.admin_org_ids()))
  with check (org_id in (select private.admin_org_ids()));

create policy "Admins can delete tags"
  on public.tags for delete to authenticated
  using (org_id in (select private.admin_org_ids()));

create policy "Members can read their organization's customer tags"
  on public.customer_tags for select to authenticated
  using (org_id in (select private.member_org_ids()));

-- People add manual tags in their own name; rule and import tags come from the service.
create policy "Members can tag customers by hand"
  on public.customer_tags for insert to authenticated
  with check (
    org_id in (select private.member_org_ids())
    and source = 'manual'
    and added_by = (select auth.uid())
  );

create policy "Members can remove manual tags and admins any tag"
  on public.customer_tags for delete to authenticated
  using (
    org_id in (select private.admin_org_ids())
    or (org_id in (select private.member_org_ids()) and source = 'manual')
  );

revoke all on table public.tags from anon, authenticated, service_role;
grant select, insert, delete on table public.tags to authenticated;
grant update (name, colour, category, description) on table public.tags to authenticated;
grant all on table public.tags to service_role;

-- A tag on a customer is added or removed, never edited: provenance stays as recorded.
revoke all on table public.customer_tags from anon, authenticated, service_role;
grant select, insert, delete on table public.customer_tags to authenticated;
grant all on table public.customer_tags to service_role;

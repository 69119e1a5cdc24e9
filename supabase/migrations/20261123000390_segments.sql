-- Segments (客户细分): a rule over portrait fields, in the JSON rule language of shared/, that the
-- engine evaluates; public.segment_memberships holds which customers are in which segment, and the
-- segment_members view lists a segment's members for Studio.

create table public.segments (
  id uuid not null default gen_random_uuid(),
  org_id uuid not null,
  name text not null,
  description text,
  rule jsonb not null default '{"all": []}',
  is_active boolean not null default true,
  member_count integer not null default 0,
  computed_at timestamptz,
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint segments_pkey primary key (id),
  constraint segments_org_id_id_key unique (org_id, id),
  constraint segments_org_id_fkey foreign key (org_id) references public.organizations (id) on delete cascade,
  constraint segments_created_by_fkey foreign key (created_by) references auth.users (id) on delete set null,
  constraint segments_name_is_tidy check (
    char_length(name) between 1 and 100 and name = btrim(regexp_replace(name, '\s+', ' ', 'g'))
  ),
  constraint segments_description_length check (char_length(description) between 1 and 1000),
  constraint segments_rule_is_object check (jsonb_typeof(rule) = 'object'),
  constraint segments_member_count_not_negative check (member_count >= 0)
);

comment on table public.segments is
  'Segments (客户细分 / 分群): a rule over portrait fields that the engine keeps evaluated. Members are listed in segment_members.';
comment on column public.segments.id is 'Identifier of the segment.';
comment on column public.segments.org_id is 'The organization.';
comment on column public.segments.name is 'Name of the segment (1–100 characters, trimmed); unique per organization ignoring case.';
comment on column public.segments.description is 'What the segment is for.';
comment on column public.segments.rule is
  'The rule in the segment rule language ({"all": [...]}, {"any": [...]}, {"not": ...} over whitelisted portrait fields); see shared/ for its schema.';
comment on column public.segments.is_active is 'Inactive segments are kept but not evaluated.';
comment on column public.segments.member_count is 'How many customers were in the segment at computed_at (maintained by the engine).';
comment on column public.segments.computed_at is 'When the engine last evaluated the segment.';
comment on column public.segments.created_by is 'The admin who created the segment.';
comment on column public.segments.created_at is 'When the segment was created.';
comment on column public.segments.updated_at is 'When the segment''s definition last changed.';

create unique index segments_org_id_name_key on public.segments (org_id, lower(name));
create index segments_created_by_idx on public.segments (created_by) where created_by is not null;

create trigger segments_set_updated_at
  before update on public.segments
  for each row execute function private.set_updated_at();

alter table public.segments enable row level security;

create policy "Members can read their organization's segments"
  on public.segments for select to authenticated
  using (org_id in (select private.member_org_ids()));

create policy "Admins can create segments"
  on public.segments for insert to authenticated
  with check (org_id in (select private.admin_org_ids()));

create policy "Admins can edit segments"
  on public.segments for update to authenticated
  using (org_id in (select private.admin_org_ids()))
  with check (org_id in (select private.admin_org_ids()));

create policy "Admins can delete segments"
  on public.segments for delete to authenticated
  using (org_id in (select private.admin_org_ids()));

revoke all on table public.segments from anon, authenticated, service_role;
grant select, insert, delete on table public.segments to authenticated;
grant update (name, description, rule, is_active) on table public.segments to authenticated;
grant all on table public.segments to service_role;

-- Satisfaction visits (回访, 满意度调查): a member asks a customer how satisfied they are and
-- records the answer. Everyone in the organization reads them; any member records one in their
-- own name; whoever recorded an answer and admins correct or delete it (like notes).

create type public.satisfaction_scale as enum ('csat5', 'nps10');
comment on type public.satisfaction_scale is
  'The scale of a satisfaction score: csat5 满意度 1–5 (5 = very satisfied) or nps10 净推荐值 0–10 (how likely to recommend).';

create type public.satisfaction_channel as enum ('phone', 'mail', 'wechat', 'visit');
comment on type public.satisfaction_channel is
  'How the customer was asked: phone 电话, mail 邮件, wechat 微信 or visit 上门拜访.';

create table public.satisfaction_responses (
  id uuid not null default gen_random_uuid(),
  org_id uuid not null,
  customer_id uuid not null,
  score smallint not null,
  scale public.satisfaction_scale not null,
  comment text,
  channel public.satisfaction_channel not null,
  recorded_by uuid default auth.uid(),
  responded_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint satisfaction_responses_pkey primary key (id),
  constraint satisfaction_responses_customer_id_fkey foreign key (org_id, customer_id)
    references public.customers (org_id, id) on delete cascade,
  constraint satisfaction_responses_recorded_by_fkey foreign key (recorded_by)
    references auth.users (id) on delete set null,
  constraint satisfaction_responses_score_in_scale check (
    (scale = 'csat5' and score between 1 and 5) or (scale = 'nps10' and score between 0 and 10)
  ),
  constraint satisfaction_responses_comment_length check (char_length(btrim(comment)) between 1 and 2000)
);

comment on table public.satisfaction_responses is
  'Satisfaction visits (回访): a customer''s answer to "how satisfied are you", with the scale, the channel and who asked.';
comment on column public.satisfaction_responses.id is 'Identifier of the answer.';
comment on column public.satisfaction_responses.org_id is 'The organization.';
comment on column public.satisfaction_responses.customer_id is 'The customer who answered.';
comment on column public.satisfaction_responses.score is 'The score: 1–5 on csat5, 0–10 on nps10.';
comment on column public.satisfaction_responses.scale is 'csat5 (1–5) or nps10 (0–10).';
comment on column public.satisfaction_responses.comment is 'What the customer said, as plain text (1–2,000 characters); always rendered as text.';
comment on column public.satisfaction_responses.channel is 'How they were asked: phone, mail, wechat or visit.';
comment on column public.satisfaction_responses.recorded_by is 'The member who recorded the answer.';
comment on column public.satisfaction_responses.responded_at is 'When the customer answered (when it was recorded).';
comment on column public.satisfaction_responses.updated_at is 'When the answer was last corrected.';

-- The customer's timeline (and latest answer), newest first.
create index satisfaction_responses_customer_id_idx on public.satisfaction_responses (org_id, customer_id, responded_at desc);
create index satisfaction_responses_recorded_by_idx on public.satisfaction_responses (recorded_by) where recorded_by is not null;

create trigger satisfaction_responses_set_updated_at
  before update on public.satisfaction_responses
  for each row execute function private.set_updated_at();

alter table public.satisfaction_responses enable row level security;

create policy "Members can read their organization's satisfaction answers"
  on public.satisfaction_responses for select to authenticated
  using (org_id in (select private.member_org_ids()));

create policy "Members can record satisfaction answers in their own name"
  on public.satisfaction_responses for insert to authenticated
  with check (
    org_id in (select private.member_org_ids())
    and recorded_by = (select auth.uid())
  );

create policy "Recorders can correct their answers and admins any answer"
  on public.satisfaction_responses for update to authenticated
  using (
    org_id in (select private.admin_org_ids())
    or (org_id in (select private.member_org_ids()) and recorded_by = (select auth.uid()))
  )
  with check (
    org_id in (select private.admin_org_ids())
    or (org_id in (select private.member_org_ids()) and recorded_by = (select auth.uid()))
  );

create policy "Recorders can delete their answers and admins any answer"
  on public.satisfaction_responses for delete to authenticated
  using (
    org_id in (select private.admin_org_ids())
    or (org_id in (select private.member_org_ids()) and recorded_by = (select auth.uid()))
  );

revoke all on table public.satisfaction_responses from anon, authenticated, service_role;
grant select, insert, delete on table public.satisfaction_responses to authenticated;
grant update (score, scale, comment, channel) on table public.satisfaction_responses to authenticated;
grant all on table public.satisfaction_responses to service_role;

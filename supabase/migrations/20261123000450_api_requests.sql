-- API requests: the idempotency record of the extension's write calls. The extension queues
-- every write (tag, untag, note, stage) with a request id and retries it until it gets an answer;
-- the first call records its result here, and any retry with the same id gets that result back
-- without writing anything again.

create table public.api_requests (
  request_id uuid not null,
  org_id uuid not null,
  user_id uuid not null default auth.uid(),
  rpc text not null,
  arguments jsonb not null,
  result jsonb,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  constraint api_requests_pkey primary key (request_id),
  constraint api_requests_org_id_fkey foreign key (org_id) references public.organizations (id) on delete cascade,
  constraint api_requests_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade,
  constraint api_requests_rpc_is_known check (rpc in ('tag_customer', 'untag_customer', 'add_note', 'set_lifecycle_stage')),
  constraint api_requests_arguments_is_object check (jsonb_typeof(arguments) = 'object'),
  constraint api_requests_completed_with_result check ((completed_at is null) = (result is null))
);

comment on table public.api_requests is
  'Idempotency record of the write RPCs (请求记录): a retried request id returns the stored result and writes nothing new.';
comment on column public.api_requests.request_id is 'The request id the client chose (a UUID per queued write).';
comment on column public.api_requests.org_id is 'The organization the request wrote to.';
comment on column public.api_requests.user_id is 'The user who made the request; only they can see it, while they are a member.';
comment on column public.api_requests.rpc is 'The function called: tag_customer, untag_customer, add_note or set_lifecycle_stage.';
comment on column public.api_requests.arguments is 'The call''s arguments as checked; a retry must send the same ones.';
comment on column public.api_requests.result is 'What the call returned; retries get this back.';
comment on column public.api_requests.created_at is 'When the request was first received.';
comment on column public.api_requests.completed_at is 'When it completed (in the same transaction as its writes).';

create index api_requests_org_id_idx on public.api_requests (org_id, created_at);
create index api_requests_user_id_idx on public.api_requests (user_id);

alter table public.api_requests enable row level security;

-- Results hold customer data: a user who has left the organization no longer sees them.
create policy "Members can read their own requests"
  on public.api_requests for select to authenticated
  using (
    user_id = (select auth.uid())
    and org_id in (select private.member_org_ids())
  );

create policy "Members can record their own requests"
  on public.api_requests for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and org_id in (select private.member_org_ids())
  );

create policy "Members can complete their own requests"
  on public.api_requests for update to authenticated
  using (
    user_id = (select auth.uid())
    and org_id in (select private.member_org_ids())
  )
  with check (
    user_id = (select auth.uid())
    and org_id in (select private.member_org_ids())
  );

revoke all on table public.api_requests from anon, authenticated, service_role;
grant select, insert on table public.api_requests to authenticated;
grant update (result, completed_at) on table public.api_requests to authenticated;
grant all on table public.api_requests to service_role;

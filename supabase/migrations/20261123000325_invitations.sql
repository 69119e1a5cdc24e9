-- Invitations: people join an organization by consent. An admin invites an email address with a
-- role (a row in `invitations`, from Studio); when the person with that address signs in, the
-- extension's popup lists the invitation (my_invitations) and they accept or decline it
-- (accept_invitation, decline_invitation). Accepting creates the membership: API clients cannot
-- insert `members` rows themselves (see 20261123000320_organizations_and_members.sql), so nobody is
-- put into an organization without having said yes. Invitations expire (14 days by default) and an
-- admin can revoke them.
--
-- The first admin of a new organization is made in Studio's SQL editor, which runs as `postgres`
-- (README, "Deploying to a Supabase project").

create table public.invitations (
  id uuid not null default gen_random_uuid(),
  org_id uuid not null,
  email text not null,
  role public.member_role not null default 'staff',
  invited_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '14 days',
  accepted_at timestamptz,
  declined_at timestamptz,
  revoked_at timestamptz,
  constraint invitations_pkey primary key (id),
  constraint invitations_org_id_fkey foreign key (org_id) references public.organizations (id) on delete cascade,
  constraint invitations_invited_by_fkey foreign key (invited_by) references auth.users (id) on delete set null,
  constraint invitations_expires_after_created check (expires_at > created_at),
  constraint invitations_one_outcome check (num_nonnulls(accepted_at, declined_at, revoked_at) <= 1)
);

comment on table public.invitations is
  'Invitations to join an organization (邀请), by email address and role. The invitee accepts (which makes them a member) or declines from the extension; admins create and revoke them.';
comment on column public.invitations.id is 'Identifier of the invitation (the argument of accept_invitation and decline_invitation).';
comment on column public.invitations.org_id is 'The organization the person is invited to.';
comment on column public.invitations.email is
  'The invitee''s email address, stored as identities store emails (trimmed, lowercased); the signed-in user whose auth email it is may accept.';
comment on column public.invitations.role is 'The role the invitee gets on accepting: admin, rep or staff.';
comment on column public.invitations.invited_by is 'The admin who invited (null when made in Studio''s SQL editor).';
comment on column public.invitations.created_at is 'When the invitation was made.';
comment on column public.invitations.expires_at is 'After this moment the invitation can no longer be accepted (default: 14 days after it was made).';
comment on column public.invitations.accepted_at is 'When the invitee accepted (and became a member).';
comment on column public.invitations.declined_at is 'When the invitee declined.';
comment on column public.invitations.revoked_at is 'When an admin withdrew the invitation.';

create index invitations_org_id_idx on public.invitations (org_id, created_at desc);
create index invitations_email_idx on public.invitations (email) where accepted_at is null and declined_at is null and revoked_at is null;

-- The address is stored in the normalised form of an email identity, so that "Bob@Example.COM "
-- typed in Studio matches the signed-in user bob@example.com.
create function private.prepare_invitation_email()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  normalized text := private.normalize_email(new.email);
begin
  if normalized is null then
    raise exception using
      errcode = '23514',
      message = format('invitations.email: %s is not an email address', quote_literal(left(new.email, 100)));
  end if;
  new.email := normalized;
  return new;
end;
$$;

comment on function private.prepare_invitation_email() is
  'Trigger: stores an invitation''s email normalised like email identities; refuses a value that is not an email address.';
revoke all on function private.prepare_invitation_email() from public;

create trigger invitations_prepare_email
  before insert or update of email on public.invitations
  for each row execute function private.prepare_invitation_email();


-- The signed-in user's own email address, normalised, from auth.users (never from anything the
-- client sends). Security definer: clients cannot read auth.users. It answers about the caller only.
create function private.my_email()
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (select private.normalize_email(u.email) from auth.users u where u.id = (select auth.uid()));
end;
$$;

comment on function private.my_email() is
  'The signed-in user''s auth email address, normalised like email identities; null for no user.';
revoke all on function private.my_email() from public, anon;
grant execute on function private.my_email() to authenticated, service_role;


alter table public.invitations enable row level security;

create policy "Admins and the invitee can read an invitation"
  on public.invitations for select to authenticated
  using (org_id in (select private.admin_org_ids()) or email = (select private.my_email()));

create policy "Admins can invite people to their organizations"
  on public.invitations for insert to authenticated
  with check (org_id in (select private.admin_org_ids()));

create policy "Admins can revoke their organization's invitations"
  on public.invitations for update to authenticated
  using (org_id in (select private.admin_org_ids()))
  with check (org_id in (select private.admin_org_ids()));

create policy "Admins can delete their organization's invitations"
  on public.invitations for delete to authenticated
  using (org_id in (select private.admin_org_ids()));

-- invited_by comes from the default (the caller); accepting and declining go through the RPCs.
revoke all on table public.invitations from anon, authenticated, service_role;
grant select, delete on table public.invitations to authenticated;
grant insert (org_id, email, role, expires_at) on table public.invitations to authenticated;
grant update (revoked_at) on table public.invitations to authenticated;
grant all on table public.invitations to service_role;


-- The RPCs. Each runs as the caller and hands the work that needs more than the caller's rights
-- (reading the organization's name before being a member, creating the membership) to one
-- security definer helper that checks the invitation is addressed to the caller.

-- Pending invitations addressed to the caller: not accepted, declined, revoked or expired.
create function private.pending_invitations()
returns table (
  invitation_id uuid,
  org_id uuid,
  org_name text,
  role public.member_role,
  invited_by_name text,
  created_at timestamptz,
  expires_at timestamptz
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller_email text := private.my_email();
begin
  if caller_email is null then
    return;
  end if;
  return query
    select i.id, i.org_id, o.name, i.role, inviter.display_name, i.created_at, i.expires_at
      from public.invitations i
      join public.organizations o on o.id = i.org_id
      left join public.members inviter on inviter.org_id = i.org_id and inviter.user_id = i.invited_by
     where i.email = caller_email
       and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
       and i.expires_at > now()
     order by i.created_at desc, i.id;
end;
$$;

comment on function private.pending_invitations() is
  'The pending, unexpired invitations addressed to the signed-in user''s auth email, with the organization''s name and the inviter''s display name. Answers about the caller only.';
revoke all on function private.pending_invitations() from public, anon;
grant execute on function private.pending_invitations() to authenticated;

-- Accepts (p_accept) or declines an invitation addressed to the caller. Accepting creates the
-- membership with the invited role (an existing membership is kept as it is). Repeating the same
-- answer returns the same result; an expired, revoked or already otherwise answered invitation,
-- or one addressed to someone else (which is reported exactly like one that does not exist), is
-- refused with 22023 naming p_invitation.
create function private.answer_invitation(p_invitation uuid, p_accept boolean)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  caller_email text := private.my_email();
  invitation public.invitations;
  org_name text;
begin
  if caller is null or caller_email is null then
    raise exception using errcode = '42501', message = 'only a signed-in user can answer an invitation';
  end if;
  if p_invitation is null then
    raise exception using errcode = '22023', message = 'p_invitation is required: the id of an invitation from my_invitations()';
  end if;

  select * into invitation
    from public.invitations i
   where i.id = p_invitation and i.email = caller_email
     for update;
  if not found then
    raise exception using
      errcode = '22023',
      message = format('p_invitation: there is no invitation %s addressed to you', p_invitation),
      hint = 'my_invitations() lists the invitations addressed to your email address.';
  end if;
  select o.name into org_name from public.organizations o where o.id = invitation.org_id;

  if invitation.revoked_at is not null then
    raise exception using errcode = '22023', message = 'p_invitation: this invitation was withdrawn by an admin';
  end if;
  if p_accept and invitation.declined_at is not null then
    raise exception using errcode = '22023', message = 'p_invitation: this invitation was declined; ask an admin for a new one';
  end if;
  if not p_accept and invitation.accepted_at is not null then
    raise exception using errcode = '22023', message = 'p_invitation: this invitation was already accepted';
  end if;

  if (p_accept and invitation.accepted_at is null) or (not p_accept and invitation.declined_at is null) then
    if invitation.expires_at <= now() then
      raise exception using errcode = '22023', message = format('p_invitation: this invitation expired on %s', invitation.expires_at);
    end if;
    if p_accept then
      insert into public.members (org_id, user_id, role)
      values (invitation.org_id, caller, invitation.role)
      on conflict (org_id, user_id) do nothing;
      update public.invitations i set accepted_at = now() where i.id = invitation.id returning * into invitation;
    else
      update public.invitations i set declined_at = now() where i.id = invitation.id returning * into invitation;
    end if;
  end if;

  return jsonb_build_object(
    'invitation_id', invitation.id,
    'org_id', invitation.org_id,
    'org_name', org_name,
    'role', invitation.role,
    'status', case when p_accept then 'accepted' else 'declined' end,
    'answered_at', coalesce(invitation.accepted_at, invitation.declined_at)
  );
end;
$$;

comment on function private.answer_invitation(uuid, boolean) is
  'Accepts (creating the membership) or declines an invitation addressed to the signed-in user; idempotent; refuses expired, revoked, otherwise answered or someone else''s invitations with 22023.';
revoke all on function private.answer_invitation(uuid, boolean) from public, anon;
grant execute on function private.answer_invitation(uuid, boolean) to authenticated;


create function public.my_invitations()
returns table (
  invitation_id uuid,
  org_id uuid,
  org_name text,
  role public.member_role,
  invited_by_name text,
  created_at timestamptz,
  expires_at timestamptz
)
language sql
stable
security invoker
set search_path = ''
as $$
  select * from private.pending_invitations()
$$;

comment on function public.my_invitations() is
  'The pending invitations addressed to the signed-in user''s email: {invitation_id, org_id, org_name, role, invited_by_name, created_at, expires_at}, newest first. Shape: shared/api.ts myInvitationsResultSchema.';

create function public.accept_invitation(p_invitation uuid)
returns jsonb
language sql
volatile
security invoker
set search_path = ''
as $$
  select private.answer_invitation(p_invitation, true)
$$;

comment on function public.accept_invitation(uuid) is
  'Accepts an invitation addressed to the signed-in user and makes them a member with its role. Idempotent. Returns {invitation_id, org_id, org_name, role, status: "accepted", answered_at}; an expired, revoked, declined or someone else''s invitation is refused with 22023.';

create function public.decline_invitation(p_invitation uuid)
returns jsonb
language sql
volatile
security invoker
set search_path = ''
as $$
  select private.answer_invitation(p_invitation, false)
$$;

comment on function public.decline_invitation(uuid) is
  'Declines an invitation addressed to the signed-in user. Idempotent. Returns {invitation_id, org_id, org_name, role, status: "declined", answered_at}; an expired, revoked, accepted or someone else''s invitation is refused with 22023.';

revoke all on function public.my_invitations() from public, anon, service_role;
revoke all on function public.accept_invitation(uuid) from public, anon, service_role;
revoke all on function public.decline_invitation(uuid) from public, anon, service_role;
grant execute on function public.my_invitations() to authenticated;
grant execute on function public.accept_invitation(uuid) to authenticated;
grant execute on function public.decline_invitation(uuid) to authenticated;

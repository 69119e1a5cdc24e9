-- Follow-ups through the API: add_follow_up schedules the next contact with the customer an
-- identifier belongs to (adding them as a lead when unknown), complete_follow_up marks one done,
-- and my_follow_ups lists the caller's open follow-ups due by a time (the popup's "Due today" and
-- "Overdue"). The writes are idempotent by request id (see api_requests). Editing and deleting
-- go through the follow_ups table itself, as its policies allow.

-- A follow-up as the API shows it. Reads as the caller.
create function private.follow_up_document(p_org uuid, p_follow_up uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
           'id', f.id,
           'customer_id', f.customer_id,
           'assignee_id', f.assignee_id,
           'assignee_name', assignee.display_name,
           'due_at', f.due_at,
           'note', f.note,
           'created_by', f.created_by,
           'created_by_name', creator.display_name,
           'created_at', f.created_at,
           'done_at', f.done_at,
           'done_by', f.done_by,
           'done_by_name', finisher.display_name)
    from public.follow_ups f
    left join public.members assignee on assignee.org_id = f.org_id and assignee.user_id = f.assignee_id
    left join public.members creator on creator.org_id = f.org_id and creator.user_id = f.created_by
    left join public.members finisher on finisher.org_id = f.org_id and finisher.user_id = f.done_by
   where f.org_id = p_org and f.id = p_follow_up
$$;

comment on function private.follow_up_document(uuid, uuid) is
  'A follow-up as JSON {id, customer_id, assignee_id, assignee_name, due_at, note, created_by, created_by_name, created_at, done_at, done_by, done_by_name}; null when the caller cannot see it. Shape: shared/api.ts followUpSchema.';
revoke all on function private.follow_up_document(uuid, uuid) from public;
grant execute on function private.follow_up_document(uuid, uuid) to authenticated, service_role;


create function public.add_follow_up(
  p_org uuid,
  p_identifier jsonb,
  p_due_at timestamptz,
  p_note text,
  p_assignee uuid default null,
  p_request_id uuid default null
)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  caller_role public.member_role;
  ident record;
  identity_value text;
  note_text text := nullif(btrim(p_note, E' \t\r\n'), '');
  assignee uuid;
  earlier jsonb;
  lead record;
  new_id uuid;
begin
  caller_role := private.require_member(p_org);
  ident := private.parse_identifier(p_identifier, 'p_identifier');
  perform private.required_argument(p_due_at, 'p_due_at', 'when the follow-up is due');
  if p_due_at < now() - interval '1 year' or p_due_at > now() + interval '5 years' then
    raise exception using errcode = '22023', message = 'p_due_at must be within a year before and five years after now';
  end if;
  if char_length(note_text) > 2000 then
    raise exception using errcode = '22023', message = 'p_note must be at most 2000 characters long';
  end if;
  assignee := coalesce(p_assignee, (select auth.uid()));
  if not exists (select 1 from public.members m where m.org_id = p_org and m.user_id = assignee) then
    raise exception using
      errcode = '22023',
      message = format('p_assignee: %s is not a member of organization %s', assignee, p_org);
  end if;
  identity_value := private.normalized_argument(ident.kind, ident.value, private.org_default_phone_region(p_org), 'p_identifier');

  earlier := private.claim_request(p_request_id, p_org, 'add_follow_up', jsonb_build_object(
    'identifier', jsonb_build_object('kind', ident.kind, 'value', identity_value),
    'due_at', to_char(p_due_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'note', note_text,
    'assignee', assignee
  ));
  if earlier is not null then
    return earlier;
  end if;

  lead := private.find_or_add_lead(p_org, ident.kind, identity_value, caller_role, 'add_follow_up', p_request_id);

  insert into public.follow_ups (org_id, customer_id, assignee_id, due_at, note)
  values (p_org, lead.customer_id, assignee, p_due_at, note_text)
  returning id into new_id;

  return private.complete_request(p_request_id, jsonb_build_object(
    'customer_id', lead.customer_id,
    'created', lead.created,
    'follow_up', private.follow_up_document(p_org, new_id)
  ));
end;
$$;

comment on function public.add_follow_up(uuid, jsonb, timestamptz, text, uuid, uuid) is
  'Schedules a follow-up (due within a year before and five years after now, optional note of up to 2,000 characters) with the customer an identifier {"kind", "value"} belongs to, creating the customer as a lead when unknown; assigned to p_assignee (a member) or the caller. Returns {customer_id, created, follow_up}. Idempotent by p_request_id (required).';


create function public.complete_follow_up(
  p_org uuid,
  p_follow_up uuid,
  p_request_id uuid default null
)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  caller_role public.member_role;
  caller uuid := (select auth.uid());
  earlier jsonb;
  target record;
begin
  caller_role := private.require_member(p_org);
  perform private.required_argument(p_follow_up, 'p_follow_up');

  earlier := private.claim_request(p_request_id, p_org, 'complete_follow_up', jsonb_build_object('follow_up', p_follow_up));
  if earlier is not null then
    return earlier;
  end if;

  select f.assignee_id, f.created_by, f.done_at into target
    from public.follow_ups f
   where f.org_id = p_org and f.id = p_follow_up;
  if not found then
    raise exception using
      errcode = '22023',
      message = format('p_follow_up: organization %s has no follow-up %s', p_org, p_follow_up);
  end if;
  if caller_role <> 'admin' and target.assignee_id is distinct from caller and target.created_by is distinct from caller then
    raise exception using
      errcode = '42501',
      message = 'p_follow_up: only its assignee, whoever created it or an admin can complete a follow-up';
  end if;

  if target.done_at is null then
    update public.follow_ups f
       set done_at = now()
     where f.org_id = p_org and f.id = p_follow_up;
  end if;

  return private.complete_request(p_request_id, jsonb_build_object(
    'changed', target.done_at is null,
    'follow_up', private.follow_up_document(p_org, p_follow_up)
  ));
end;
$$;

comment on function public.complete_follow_up(uuid, uuid, uuid) is
  'Marks a follow-up done (its assignee, its creator or an admin). Returns {changed, follow_up}; changed is false when it was already done. Idempotent by p_request_id (required).';


create function public.my_follow_ups(p_org uuid, p_until timestamptz)
returns table (
  follow_up_id uuid,
  customer_id uuid,
  display_name text,
  effective_stage public.lifecycle_stage,
  primary_email text,
  primary_phone text,
  due_at timestamptz,
  overdue boolean,
  note text,
  created_by uuid,
  created_by_name text,
  created_at timestamptz
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
begin
  perform private.require_member(p_org);
  perform private.required_argument(p_until, 'p_until', 'the latest due time to list');

  return query
    select f.id, f.customer_id, c.display_name, p.effective_stage, c.primary_email, c.primary_phone,
           f.due_at, f.due_at < now(), f.note, f.created_by, creator.display_name, f.created_at
      from public.follow_ups f
      join public.customers c on c.org_id = f.org_id and c.id = f.customer_id
      left join public.customer_profiles p on p.org_id = f.org_id and p.customer_id = f.customer_id
      left join public.members creator on creator.org_id = f.org_id and creator.user_id = f.created_by
     where f.org_id = p_org
       and f.assignee_id = caller
       and f.done_at is null
       and f.due_at <= p_until
     order by f.due_at, f.id;
end;
$$;

comment on function public.my_follow_ups(uuid, timestamptz) is
  'The caller''s open follow-ups due at or before p_until, earliest first, with the customer''s name, stage and primary email and phone: {follow_up_id, customer_id, display_name, effective_stage, primary_email, primary_phone, due_at, overdue, note, created_by, created_by_name, created_at}.';

revoke all on function public.add_follow_up(uuid, jsonb, timestamptz, text, uuid, uuid) from public, anon, service_role;
revoke all on function public.complete_follow_up(uuid, uuid, uuid) from public, anon, service_role;
revoke all on function public.my_follow_ups(uuid, timestamptz) from public, anon, service_role;
grant execute on function public.add_follow_up(uuid, jsonb, timestamptz, text, uuid, uuid) to authenticated;
grant execute on function public.complete_follow_up(uuid, uuid, uuid) to authenticated;
grant execute on function public.my_follow_ups(uuid, timestamptz) to authenticated;

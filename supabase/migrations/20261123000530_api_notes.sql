-- add_note: a member writes a note about a customer. Editing and deleting notes go through the
-- notes table itself (authors their own, admins any). Idempotent by request id.

create function public.add_note(
  p_org uuid,
  p_customer_id uuid,
  p_body text,
  p_request_id uuid default null
)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  note_body text := btrim(p_body, E' \t\r\n');
  earlier jsonb;
  note jsonb;
begin
  perform private.require_member(p_org);
  if p_customer_id is null then
    raise exception using errcode = '22023', message = 'p_customer_id is required';
  end if;
  if note_body is null or note_body = '' then
    raise exception using errcode = '22023', message = 'p_body must not be empty';
  end if;
  if char_length(note_body) > 10000 then
    raise exception using errcode = '22023', message = 'p_body must be at most 10000 characters long';
  end if;

  earlier := private.claim_request(p_request_id, p_org, 'add_note', jsonb_build_object(
    'customer_id', p_customer_id,
    'body', note_body
  ));
  if earlier is not null then
    return earlier;
  end if;

  if not exists (select 1 from public.customers c where c.org_id = p_org and c.id = p_customer_id) then
    raise exception using
      errcode = '22023',
      message = format('p_customer_id: organization %s has no customer %s', p_org, p_customer_id);
  end if;

  with inserted as (
    insert into public.notes (org_id, customer_id, body)
    values (p_org, p_customer_id, note_body)
    returning notes.id, notes.author_id, notes.body, notes.created_at, notes.updated_at
  )
  select jsonb_build_object(
           'id', i.id, 'author_id', i.author_id, 'author_name', m.display_name,
           'body', i.body, 'created_at', i.created_at, 'updated_at', i.updated_at)
    into note
    from inserted i
    left join public.members m on m.org_id = p_org and m.user_id = i.author_id;

  return private.complete_request(p_request_id, jsonb_build_object(
    'note', note,
    'portrait', private.portrait(p_org, p_customer_id)
  ));
end;
$$;

comment on function public.add_note(uuid, uuid, text, uuid) is
  'Adds a note (1–10,000 characters, stored as plain text) to a customer in the caller''s name. Returns {note, portrait}. Idempotent by p_request_id (required).';

revoke all on function public.add_note(uuid, uuid, text, uuid) from public, anon, service_role;
grant execute on function public.add_note(uuid, uuid, text, uuid) to authenticated;

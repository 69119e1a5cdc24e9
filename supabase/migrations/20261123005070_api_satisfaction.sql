-- record_satisfaction: a member logs a satisfaction visit (回访) with the customer an identifier
-- belongs to, adding them as a lead when unknown (as tag_customer does). Idempotent by request
-- id (see api_requests). Corrections and deletions go through the satisfaction_responses table.

create function public.record_satisfaction(
  p_org uuid,
  p_identifier jsonb,
  p_score smallint,
  p_scale text,
  p_comment text default null,
  p_channel text default null,
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
  comment_text text := nullif(btrim(p_comment, E' \t\r\n'), '');
  earlier jsonb;
  lead record;
  answer jsonb;
begin
  caller_role := private.require_member(p_org);
  ident := private.parse_identifier(p_identifier, 'p_identifier');
  if p_scale is null or not p_scale = any (enum_range(null::public.satisfaction_scale)::text[]) then
    raise exception using
      errcode = '22023',
      message = format('p_scale must be one of %s', array_to_string(enum_range(null::public.satisfaction_scale)::text[], ', '));
  end if;
  if p_score is null
     or (p_scale = 'csat5' and p_score not between 1 and 5)
     or (p_scale = 'nps10' and p_score not between 0 and 10) then
    raise exception using
      errcode = '22023',
      message = format('p_score must be %s on the %s scale', case p_scale when 'csat5' then '1 to 5' else '0 to 10' end, p_scale);
  end if;
  if p_channel is null or not p_channel = any (enum_range(null::public.satisfaction_channel)::text[]) then
    raise exception using
      errcode = '22023',
      message = format('p_channel must be one of %s', array_to_string(enum_range(null::public.satisfaction_channel)::text[], ', '));
  end if;
  if char_length(comment_text) > 2000 then
    raise exception using errcode = '22023', message = 'p_comment must be at most 2000 characters long';
  end if;
  identity_value := private.normalized_argument(ident.kind, ident.value, private.org_default_phone_region(p_org), 'p_identifier');

  earlier := private.claim_request(p_request_id, p_org, 'record_satisfaction', jsonb_build_object(
    'identifier', jsonb_build_object('kind', ident.kind, 'value', identity_value),
    'score', p_score,
    'scale', p_scale,
    'comment', comment_text,
    'channel', p_channel
  ));
  if earlier is not null then
    return earlier;
  end if;

  lead := private.find_or_add_lead(p_org, ident.kind, identity_value, caller_role, 'record_satisfaction', p_request_id);

  with inserted as (
    insert into public.satisfaction_responses (org_id, customer_id, score, scale, comment, channel)
    values (p_org, lead.customer_id, p_score, p_scale::public.satisfaction_scale, comment_text, p_channel::public.satisfaction_channel)
    returning *
  )
  select jsonb_build_object(
           'id', i.id, 'customer_id', i.customer_id, 'score', i.score, 'scale', i.scale, 'comment', i.comment,
           'channel', i.channel, 'recorded_by', i.recorded_by, 'recorded_by_name', m.display_name,
           'responded_at', i.responded_at)
    into answer
    from inserted i
    left join public.members m on m.org_id = i.org_id and m.user_id = i.recorded_by;

  return private.complete_request(p_request_id, jsonb_build_object(
    'customer_id', lead.customer_id,
    'created', lead.created,
    'response', answer
  ));
end;
$$;

comment on function public.record_satisfaction(uuid, jsonb, smallint, text, text, text, uuid) is
  'Records a satisfaction answer (p_scale csat5: p_score 1–5, nps10: 0–10; p_channel phone, mail, wechat or visit; optional comment of up to 2,000 characters) for the customer an identifier belongs to, creating the customer as a lead when unknown. Returns {customer_id, created, response}. Idempotent by p_request_id (required).';

revoke all on function public.record_satisfaction(uuid, jsonb, smallint, text, text, text, uuid) from public, anon, service_role;
grant execute on function public.record_satisfaction(uuid, jsonb, smallint, text, text, text, uuid) to authenticated;

-- set_lifecycle_stage: overrides a customer's lifecycle stage by hand, or clears the override
-- (p_stage null). Only an admin, or the rep who owns the customer, may do it.
--
-- The override lives in customer_profiles, which no client role may write. The public function
-- runs as the caller and checks the arguments; the write goes through one security definer
-- helper that checks the caller's right itself (so it is safe however it is reached) and records
-- the move in stage_changes.

create function private.apply_stage_override(p_org uuid, p_customer uuid, p_stage public.lifecycle_stage, p_reason text)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  before_change record;
  shown_after public.lifecycle_stage;
begin
  if not private.can_edit_customer(p_org, p_customer) then
    raise exception using
      errcode = '42501',
      message = 'only an admin, or the rep who owns this customer, can change its lifecycle stage';
  end if;

  select p.effective_stage, p.stage_override, p.override_reason into before_change
    from public.customer_profiles p
   where p.org_id = p_org and p.customer_id = p_customer
     for update;
  if not found then
    raise exception using errcode = 'P0002', message = format('customer %s has no profile', p_customer);
  end if;

  if p_stage is null and before_change.stage_override is null then
    return false;
  end if;
  if p_stage is not distinct from before_change.stage_override
     and p_reason is not distinct from before_change.override_reason then
    return false;
  end if;

  update public.customer_profiles p
     set stage_override = p_stage,
         override_by = case when p_stage is not null then (select auth.uid()) end,
         override_at = case when p_stage is not null then now() end,
         override_reason = case when p_stage is not null then p_reason end
   where p.org_id = p_org and p.customer_id = p_customer
  returning p.effective_stage into shown_after;

  if shown_after is distinct from before_change.effective_stage then
    insert into public.stage_changes (org_id, customer_id, from_stage, to_stage, source, changed_by, reason)
    values (
      p_org, p_customer, before_change.effective_stage, shown_after, 'manual', (select auth.uid()),
      jsonb_strip_nulls(jsonb_build_object(
        'code', case when p_stage is null then 'override_cleared' else 'override_set' end,
        'note', p_reason))
    );
  end if;
  return true;
end;
$$;

comment on function private.apply_stage_override(uuid, uuid, public.lifecycle_stage, text) is
  'Sets or clears a customer''s stage override after checking that the caller is an admin or the owning rep; records the move in stage_changes. Returns whether anything changed.';
revoke all on function private.apply_stage_override(uuid, uuid, public.lifecycle_stage, text) from public;
grant execute on function private.apply_stage_override(uuid, uuid, public.lifecycle_stage, text) to authenticated;


create function public.set_lifecycle_stage(
  p_org uuid,
  p_customer_id uuid,
  p_stage text,
  p_reason text default null,
  p_request_id uuid default null
)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  stage public.lifecycle_stage;
  reason text := nullif(btrim(regexp_replace(p_reason, '\s+', ' ', 'g')), '');
  earlier jsonb;
  changed boolean;
begin
  perform private.require_member(p_org);
  if p_customer_id is null then
    raise exception using errcode = '22023', message = 'p_customer_id is required';
  end if;
  if p_stage is not null and not p_stage = any (enum_range(null::public.lifecycle_stage)::text[]) then
    raise exception using
      errcode = '22023',
      message = format('p_stage must be one of %s, or null to clear the override',
                       array_to_string(enum_range(null::public.lifecycle_stage)::text[], ', '));
  end if;
  stage := p_stage::public.lifecycle_stage;
  if char_length(reason) > 500 then
    raise exception using errcode = '22023', message = 'p_reason must be at most 500 characters long';
  end if;

  earlier := private.claim_request(p_request_id, p_org, 'set_lifecycle_stage', jsonb_build_object(
    'customer_id', p_customer_id,
    'stage', stage,
    'reason', reason
  ));
  if earlier is not null then
    return earlier;
  end if;

  if not exists (select 1 from public.customers c where c.org_id = p_org and c.id = p_customer_id) then
    raise exception using
      errcode = '22023',
      message = format('p_customer_id: organization %s has no customer %s', p_org, p_customer_id);
  end if;

  changed := private.apply_stage_override(p_org, p_customer_id, stage, reason);

  return private.complete_request(p_request_id, jsonb_build_object(
    'customer_id', p_customer_id,
    'changed', changed,
    'portrait', private.portrait(p_org, p_customer_id)
  ));
end;
$$;

comment on function public.set_lifecycle_stage(uuid, uuid, text, text, uuid) is
  'Overrides a customer''s lifecycle stage (p_stage one of the lifecycle_stage values) or clears the override (p_stage null); admins, or the rep who owns the customer. Returns {customer_id, changed, portrait}. Idempotent by p_request_id (required).';

revoke all on function public.set_lifecycle_stage(uuid, uuid, text, text, uuid) from public, anon, service_role;
grant execute on function public.set_lifecycle_stage(uuid, uuid, text, text, uuid) to authenticated;

-- Ownership through the API (supabase/README.md §2): a rep or an admin claims a customer from the pool
-- (公海), the owner (or an admin) releases one back to it, an admin assigns one to any member.
-- Each change is recorded in ownership_changes with its reason (20261123005020_ownership_changes.sql).
-- The writes are idempotent by request id (see api_requests).

-- The one place owners change through the API. Security definer: the customers policies let a
-- rep edit only customers they already own, so neither taking a pool customer nor giving one
-- back passes them; this function makes exactly those changes, after checking the caller's
-- membership and role itself. Raises 22023 naming the argument for an unknown customer or
-- member, 42501 when the caller may not make the change. Returns whether the owner changed.
create function private.change_owner(
  p_org uuid,
  p_customer uuid,
  p_to uuid,
  p_reason public.ownership_change_reason,
  p_note text default null
)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  caller_role public.member_role := private.member_role(p_org);
  current_owner uuid;
begin
  if caller_role is null then
    raise exception using errcode = '42501', message = format('p_org: you are not a member of organization %s', p_org);
  end if;
  select c.owner_id into current_owner
    from public.customers c
   where c.org_id = p_org and c.id = p_customer
     for update;
  if not found then
    raise exception using errcode = '22023', message = format('p_customer: organization %s has no customer %s', p_org, p_customer);
  end if;

  case p_reason
    when 'claimed' then
      if caller_role = 'staff' then
        raise exception using errcode = '42501', message = 'p_customer: only reps and admins can claim customers';
      end if;
      if current_owner is not null and current_owner <> caller then
        raise exception using
          errcode = '42501',
          message = 'p_customer: the customer has an owner; only they can release it and only an admin can assign it to someone else';
      end if;
      p_to := caller;
      -- The pool's limits (organization settings pool.max_owned_per_rep, pool.max_claims_per_day)
      -- bind reps taking a customer; admins, who may also assign, are not limited. One claim at a
      -- time per member, so that two concurrent claims cannot both pass the counts.
      if current_owner is null and caller_role = 'rep' then
        perform private.check_claim_limits(p_org, caller);
      end if;
    when 'released' then
      -- A customer already in the pool stays there, whoever asks.
      if caller_role <> 'admin' and current_owner is not null and current_owner <> caller then
        raise exception using errcode = '42501', message = 'p_customer: only the owner or an admin can release a customer';
      end if;
      p_to := null;
    when 'assigned' then
      if caller_role <> 'admin' then
        raise exception using errcode = '42501', message = 'p_member: only admins can assign customers';
      end if;
      if p_to is null or not exists (select 1 from public.members m where m.org_id = p_org and m.user_id = p_to) then
        raise exception using errcode = '22023', message = format('p_member: %s is not a member of organization %s', p_to, p_org);
      end if;
    else
      raise exception using errcode = '42501', message = format('%s is not a change members make', p_reason);
  end case;

  if current_owner is not distinct from p_to then
    return false;
  end if;
  perform set_config('portrait.ownership_reason', p_reason::text, true),
          set_config('portrait.ownership_note', coalesce(p_note, ''), true);
  update public.customers c set owner_id = p_to where c.org_id = p_org and c.id = p_customer;
  perform set_config('portrait.ownership_reason', '', true), set_config('portrait.ownership_note', '', true);
  return true;
end;
$$;

comment on function private.change_owner(uuid, uuid, uuid, public.ownership_change_reason, text) is
  'Claims (rep or admin, pool customers), releases (owner or admin) or assigns (admin, to a member) a customer, recording the reason in ownership_changes; checks the caller''s membership and role itself. Returns whether the owner changed.';
revoke all on function private.change_owner(uuid, uuid, uuid, public.ownership_change_reason, text) from public;
grant execute on function private.change_owner(uuid, uuid, uuid, public.ownership_change_reason, text) to authenticated;


-- The answer of the three ownership calls. Reads as the caller.
create function private.ownership_answer(p_org uuid, p_customer uuid, p_changed boolean)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
           'customer_id', c.id,
           'changed', p_changed,
           'owner', (select jsonb_build_object('user_id', m.user_id, 'display_name', m.display_name)
                       from public.members m
                      where m.org_id = c.org_id and m.user_id = c.owner_id),
           'portrait', private.portrait(p_org, c.id))
    from public.customers c
   where c.org_id = p_org and c.id = p_customer
$$;

comment on function private.ownership_answer(uuid, uuid, boolean) is
  'The result of claim_customer, release_customer and assign_customer: {customer_id, changed, owner {user_id, display_name} or null, portrait}.';
revoke all on function private.ownership_answer(uuid, uuid, boolean) from public;
grant execute on function private.ownership_answer(uuid, uuid, boolean) to authenticated;


create function public.claim_customer(p_org uuid, p_customer uuid, p_request_id uuid default null)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  earlier jsonb;
  changed boolean;
begin
  perform private.require_member(p_org);
  perform private.required_argument(p_customer, 'p_customer');
  earlier := private.claim_request(p_request_id, p_org, 'claim_customer', jsonb_build_object('customer', p_customer));
  if earlier is not null then
    return earlier;
  end if;
  changed := private.change_owner(p_org, p_customer, null, 'claimed');
  return private.complete_request(p_request_id, private.ownership_answer(p_org, p_customer, changed));
end;
$$;

comment on function public.claim_customer(uuid, uuid, uuid) is
  'Takes a customer without an owner from the pool (公海) for the caller (reps and admins). Returns {customer_id, changed, owner, portrait}; changed is false when the caller already owned it. Idempotent by p_request_id (required).';


create function public.release_customer(p_org uuid, p_customer uuid, p_reason text default null, p_request_id uuid default null)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  reason_text text := nullif(btrim(regexp_replace(p_reason, '\s+', ' ', 'g')), '');
  earlier jsonb;
  changed boolean;
begin
  perform private.require_member(p_org);
  perform private.required_argument(p_customer, 'p_customer');
  if char_length(reason_text) > 500 then
    raise exception using errcode = '22023', message = 'p_reason must be at most 500 characters long';
  end if;
  earlier := private.claim_request(p_request_id, p_org, 'release_customer',
    jsonb_build_object('customer', p_customer, 'reason', reason_text));
  if earlier is not null then
    return earlier;
  end if;
  changed := private.change_owner(p_org, p_customer, null, 'released', reason_text);
  return private.complete_request(p_request_id, private.ownership_answer(p_org, p_customer, changed));
end;
$$;

comment on function public.release_customer(uuid, uuid, text, uuid) is
  'Returns a customer to the pool (its owner or an admin), with an optional reason of up to 500 characters. Returns {customer_id, changed, owner, portrait}; changed is false when it had no owner. Idempotent by p_request_id (required).';


create function public.assign_customer(p_org uuid, p_customer uuid, p_member uuid, p_request_id uuid default null)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  earlier jsonb;
  changed boolean;
begin
  perform private.require_member(p_org);
  perform private.required_argument(p_customer, 'p_customer');
  perform private.required_argument(p_member, 'p_member', 'the member to own the customer');
  earlier := private.claim_request(p_request_id, p_org, 'assign_customer',
    jsonb_build_object('customer', p_customer, 'member', p_member));
  if earlier is not null then
    return earlier;
  end if;
  changed := private.change_owner(p_org, p_customer, p_member, 'assigned');
  return private.complete_request(p_request_id, private.ownership_answer(p_org, p_customer, changed));
end;
$$;

comment on function public.assign_customer(uuid, uuid, uuid, uuid) is
  'Makes a member of the organization the owner of a customer (admins only). Returns {customer_id, changed, owner, portrait}; changed is false when they already owned it. Idempotent by p_request_id (required).';

revoke all on function public.claim_customer(uuid, uuid, uuid) from public, anon, service_role;
revoke all on function public.release_customer(uuid, uuid, text, uuid) from public, anon, service_role;
revoke all on function public.assign_customer(uuid, uuid, uuid, uuid) from public, anon, service_role;
grant execute on function public.claim_customer(uuid, uuid, uuid) to authenticated;
grant execute on function public.release_customer(uuid, uuid, text, uuid) to authenticated;
grant execute on function public.assign_customer(uuid, uuid, uuid, uuid) to authenticated;

-- merge_customers: an admin folds one customer (p_merge) into another (p_keep). Everything the
-- merged customer owned moves to the kept one (identities, orders, events, tags, notes, stage
-- history, and rows of any other table that references a customer), the kept one takes the
-- profile fields it lacks (and a stage set by hand, when it has none), the merged one is deleted, the kept one's portrait is recomputed, and
-- customer_merges records who merged what.

create table public.customer_merges (
  id bigint generated always as identity,
  org_id uuid not null,
  kept_customer_id uuid,
  merged_customer_id uuid not null,
  merged_customer jsonb not null,
  moved jsonb not null default '{}',
  merged_by uuid,
  merged_at timestamptz not null default now(),
  request_id uuid,
  constraint customer_merges_pkey primary key (id),
  constraint customer_merges_org_id_merged_customer_id_key unique (org_id, merged_customer_id),
  constraint customer_merges_request_id_key unique (request_id),
  constraint customer_merges_org_id_fkey foreign key (org_id)
    references public.organizations (id) on delete cascade,
  constraint customer_merges_kept_customer_id_fkey foreign key (org_id, kept_customer_id)
    references public.customers (org_id, id) on delete set null (kept_customer_id),
  constraint customer_merges_merged_by_fkey foreign key (merged_by)
    references auth.users (id) on delete set null,
  constraint customer_merges_merged_customer_is_object check (jsonb_typeof(merged_customer) = 'object'),
  constraint customer_merges_moved_is_object check (jsonb_typeof(moved) = 'object')
);

comment on table public.customer_merges is
  'Merged customers (客户合并记录): who merged which customer into which, what moved, and the merged customer''s record as it was. Written by merge_customers; admins read it.';
comment on column public.customer_merges.id is 'Identifier of the merge.';
comment on column public.customer_merges.org_id is 'The organization.';
comment on column public.customer_merges.kept_customer_id is 'The customer that was kept (null once it is deleted itself).';
comment on column public.customer_merges.merged_customer_id is 'The customer that was merged in and deleted.';
comment on column public.customer_merges.merged_customer is 'The merged customer''s record (public.customers row) as it was before the merge.';
comment on column public.customer_merges.moved is 'How many rows moved to the kept customer, per table (e.g. {"orders": 3, "customer_identities": 2}).';
comment on column public.customer_merges.merged_by is 'The admin who merged.';
comment on column public.customer_merges.merged_at is 'When.';
comment on column public.customer_merges.request_id is 'The request id the merge was made with: a retry with the same id answers this merge again.';

create index customer_merges_org_id_kept_customer_id_idx on public.customer_merges (org_id, kept_customer_id);

alter table public.customer_merges enable row level security;
revoke all on table public.customer_merges from anon, authenticated, service_role;
grant select on table public.customer_merges to authenticated;
grant all on table public.customer_merges to service_role;

create policy "Admins can read their organization's customer merges"
  on public.customer_merges for select to authenticated
  using (org_id in (select private.admin_org_ids()));


-- The write: security definer because stage history, profiles and the merge record are not
-- writable by clients. Checks itself that the caller is an admin of the organization.
create function private.apply_customer_merge(p_org uuid, p_keep uuid, p_merge uuid, p_request_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_keep public.customers;
  v_merge public.customers;
  v_earlier public.customer_merges;
  v_moved jsonb := '{}'::jsonb;
  v_count integer;
  v_fk record;
begin
  if (select auth.role()) is distinct from 'service_role'
     and private.member_role(p_org) is distinct from 'admin'::public.member_role then
    raise exception using errcode = '42501', message = 'only an admin of the organization can merge customers';
  end if;

  -- Both rows locked, in id order, so two merges of the same pair cannot interleave.
  perform 1 from public.customers c where c.org_id = p_org and c.id in (p_keep, p_merge) order by c.id for update;
  select * into v_keep from public.customers c where c.org_id = p_org and c.id = p_keep;
  select * into v_merge from public.customers c where c.org_id = p_org and c.id = p_merge;
  if p_request_id is not null then
    select * into v_earlier from public.customer_merges m where m.request_id = p_request_id;
    if v_earlier.id is not null then
      if v_earlier.org_id <> p_org or v_earlier.merged_customer_id <> p_merge or v_earlier.kept_customer_id is distinct from p_keep then
        raise exception using errcode = '22023',
          message = format('p_request_id %s was already used for a different merge', p_request_id),
          hint = 'Use a new request id for every distinct write.';
      end if;
      return jsonb_build_object('kept_customer_id', p_keep, 'merged_customer_id', p_merge, 'merge_id', v_earlier.id,
                                'moved', v_earlier.moved, 'already_merged', true);
    end if;
  end if;
  if v_keep.id is null then
    raise exception using errcode = '22023', message = format('p_keep: organization %s has no customer %s', p_org, p_keep);
  end if;
  if v_merge.id is null then
    -- Already merged into this customer: the same answer again, nothing written.
    select * into v_earlier from public.customer_merges m where m.org_id = p_org and m.merged_customer_id = p_merge;
    if v_earlier.id is not null and v_earlier.kept_customer_id = p_keep then
      return jsonb_build_object('kept_customer_id', p_keep, 'merged_customer_id', p_merge, 'merge_id', v_earlier.id,
                                'moved', v_earlier.moved, 'already_merged', true);
    end if;
    raise exception using errcode = '22023', message = format('p_merge: organization %s has no customer %s', p_org, p_merge);
  end if;

  -- Tags: the kept customer gets the merged one's tags it does not have yet.
  insert into public.customer_tags (org_id, customer_id, tag_id, source, added_by, added_at, page_url, page_title, request_id)
  select t.org_id, p_keep, t.tag_id, t.source, t.added_by, t.added_at, t.page_url, t.page_title, t.request_id
    from public.customer_tags t
   where t.org_id = p_org and t.customer_id = p_merge
  on conflict do nothing;
  get diagnostics v_count = row_count;
  v_moved := v_moved || jsonb_build_object('customer_tags', v_count);

  -- Every other row that references the merged customer moves: identities, orders, events, notes,
  -- stage history and whatever else references public.customers (found in the catalog, so tables
  -- added later are covered). Profiles, segment memberships, the engine's queue and the tags above
  -- are recomputed or already copied; customers' own references are handled below.
  for v_fk in
    select n.nspname as schema_name, t.relname as table_name, a.attname as column_name,
           exists (select from pg_catalog.pg_attribute o
                    where o.attrelid = con.conrelid and o.attname = 'org_id' and o.attnum = any (con.conkey)) as has_org
      from pg_catalog.pg_constraint con
      join pg_catalog.pg_class t on t.oid = con.conrelid
      join pg_catalog.pg_namespace n on n.oid = t.relnamespace
      join lateral unnest(con.conkey, con.confkey) as k (attnum, refnum) on true
      join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
      join pg_catalog.pg_attribute r on r.attrelid = con.confrelid and r.attnum = k.refnum
     where con.contype = 'f'
       and con.confrelid = 'public.customers'::regclass
       and r.attname = 'id'
       and (n.nspname, t.relname) not in (('public', 'customers'), ('public', 'customer_tags'), ('public', 'customer_profiles'),
                                          ('public', 'segment_memberships'), ('public', 'customer_merges'),
                                          ('public', 'customer_satisfaction'), ('private', 'dirty_customers'))
     -- Stage history first: moving orders and events makes the engine reclassify the merged
     -- customer, and the moves it records for it then are not history; they go with it.
     order by case t.relname when 'stage_changes' then 0 when 'customer_identities' then 1 else 2 end, 1, 2, 3
  loop
    if v_fk.has_org then
      execute format('update %I.%I set %I = $1 where org_id = $2 and %I = $3', v_fk.schema_name, v_fk.table_name, v_fk.column_name, v_fk.column_name)
        using p_keep, p_org, p_merge;
    else
      execute format('update %I.%I set %I = $1 where %I = $2', v_fk.schema_name, v_fk.table_name, v_fk.column_name, v_fk.column_name)
        using p_keep, p_merge;
    end if;
    get diagnostics v_count = row_count;
    v_moved := v_moved || jsonb_build_object(v_fk.table_name, coalesce((v_moved ->> v_fk.table_name)::integer, 0) + v_count);
  end loop;

  -- Customers that pointed at the merged one (its company members, people it referred).
  update public.customers c set company_id = p_keep where c.org_id = p_org and c.company_id = p_merge and c.id <> p_keep;
  update public.customers c set referred_by = p_keep where c.org_id = p_org and c.referred_by = p_merge and c.id <> p_keep;

  -- The kept record takes what it lacks from the merged one; what people typed there wins.
  update public.customers c
     set display_name = coalesce(c.display_name, v_merge.display_name),
         primary_email = coalesce(c.primary_email, v_merge.primary_email),
         primary_phone = coalesce(c.primary_phone, v_merge.primary_phone),
         country = coalesce(c.country, v_merge.country),
         region = coalesce(c.region, v_merge.region),
         city = coalesce(c.city, v_merge.city),
         industry = coalesce(c.industry, v_merge.industry),
         company_size = coalesce(c.company_size, v_merge.company_size),
         acquisition_source = coalesce(c.acquisition_source, v_merge.acquisition_source),
         owner_id = coalesce(c.owner_id, v_merge.owner_id),
         company_id = case when c.company_id = p_merge then nullif(v_merge.company_id, p_keep)
                           else coalesce(c.company_id, nullif(v_merge.company_id, p_keep)) end,
         referred_by = case when c.referred_by = p_merge then nullif(v_merge.referred_by, p_keep)
                            else coalesce(c.referred_by, nullif(v_merge.referred_by, p_keep)) end,
         is_partner = c.is_partner or v_merge.is_partner
   where c.org_id = p_org and c.id = p_keep;

  -- A stage set by hand on the merged customer stays when the kept one has none.
  update public.customer_profiles k
     set stage_override = m.stage_override, override_by = m.override_by, override_at = m.override_at,
         override_reason = m.override_reason
    from public.customer_profiles m
   where k.org_id = p_org and k.customer_id = p_keep and k.stage_override is null
     and m.org_id = p_org and m.customer_id = p_merge and m.stage_override is not null;
  get diagnostics v_count = row_count;
  if v_count > 0 then
    v_moved := v_moved || jsonb_build_object('stage_override', v_count);
  end if;

  delete from public.customers c where c.org_id = p_org and c.id = p_merge;

  insert into public.customer_merges (org_id, kept_customer_id, merged_customer_id, merged_customer, moved, merged_by, request_id)
  values (p_org, p_keep, p_merge, to_jsonb(v_merge), v_moved, (select auth.uid()), p_request_id)
  returning * into v_earlier;

  -- The kept customer's portrait from everything it now holds: the engine's per-customer path.
  perform private.refresh_customers(p_org, array[p_keep], true, true);

  return jsonb_build_object('kept_customer_id', p_keep, 'merged_customer_id', p_merge, 'merge_id', v_earlier.id,
                            'moved', v_moved, 'already_merged', false);
end;
$$;

comment on function private.apply_customer_merge(uuid, uuid, uuid, uuid) is
  'Moves everything of customer p_merge to p_keep, fills p_keep''s missing fields, deletes p_merge, records the merge in customer_merges and recomputes p_keep. Checks that the caller is an admin of the organization. Returns {kept_customer_id, merged_customer_id, merge_id, moved, already_merged}.';

revoke all on function private.apply_customer_merge(uuid, uuid, uuid, uuid) from public, anon;
grant execute on function private.apply_customer_merge(uuid, uuid, uuid, uuid) to authenticated, service_role;


create function public.merge_customers(p_org uuid, p_keep uuid, p_merge uuid, p_request_id uuid default null)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  earlier jsonb;
begin
  if private.require_member(p_org) <> 'admin' then
    raise exception using errcode = '42501', message = format('p_org: only an admin of organization %s can merge customers', p_org);
  end if;
  if p_keep is null then
    raise exception using errcode = '22023', message = 'p_keep is required: the customer to keep';
  end if;
  if p_merge is null then
    raise exception using errcode = '22023', message = 'p_merge is required: the customer to merge into p_keep and delete';
  end if;
  if p_keep = p_merge then
    raise exception using errcode = '22023', message = 'p_merge must be another customer than p_keep';
  end if;
  earlier := private.apply_customer_merge(p_org, p_keep, p_merge, p_request_id);
  return earlier;
end;
$$;

comment on function public.merge_customers(uuid, uuid, uuid, uuid) is
  'Admins: merges customer p_merge into p_keep (identities, orders, events, tags, notes, stage history and every other customer-owned row move; p_merge is deleted; p_keep is recomputed; the merge is recorded in customer_merges). Idempotent: the same pair again, or a retry with the same p_request_id, changes nothing and answers {..., "already_merged": true} with the first merge''s counts. Errors: 42501 not an admin of p_org; 22023 a missing argument, the same customer twice, or a customer not in p_org.';

revoke all on function public.merge_customers(uuid, uuid, uuid, uuid) from public, anon;
grant execute on function public.merge_customers(uuid, uuid, uuid, uuid) to authenticated, service_role;

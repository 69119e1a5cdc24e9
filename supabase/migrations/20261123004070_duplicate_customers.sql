-- Likely duplicate customers, with why: the same person reached through two records (a webhook
-- order with a new email, an import, a rep's typo). Studio lists them; an admin merges a pair with
-- merge_customers (next migration).

-- The domain an email address was meant to have: common misspellings of the big mail providers
-- (gmial.com, gamil.com, gmail.con, hotmial.com, yahooo.com…) and of .com itself. Anything else
-- is returned as it is.
create function private.canonical_email_domain(p_domain text)
returns text
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  v_domain text := lower(btrim(p_domain, ' .'));
  v_name text;
  v_tld text;
  v_known text;
  v_providers constant text[] := array[
    'gmail.com', 'googlemail.com', 'hotmail.com', 'outlook.com', 'live.com', 'yahoo.com', 'icloud.com',
    'aol.com', 'protonmail.com', 'qq.com', '163.com', '126.com', 'gmx.de', 'web.de', 'gmx.net', 'yandex.ru'];
begin
  if v_domain is null or v_domain = '' or position('.' in v_domain) = 0 then
    return v_domain;
  end if;
  if v_domain = any (v_providers) then
    return v_domain;
  end if;
  v_name := regexp_replace(v_domain, '\.[^.]+$', '');
  v_tld := substring(v_domain from '\.([^.]+)$');
  -- .con, .cmo, .ocm, .comm, .vom, .xom, .om: meant .com
  if v_tld in ('con', 'cmo', 'ocm', 'comm', 'vom', 'xom', 'om', 'cm', 'co') and v_name || '.com' = any (v_providers) then
    return v_name || '.com';
  end if;
  if v_tld in ('con', 'cmo', 'ocm', 'comm', 'vom', 'xom', 'om', 'cm') then
    v_tld := 'com';
  end if;
  -- The name one edit (a letter missing, added, changed, or two swapped) from a provider's.
  foreach v_known in array v_providers loop
    if substring(v_known from '\.([^.]+)$') = v_tld
       and private.within_one_edit(v_name, regexp_replace(v_known, '\.[^.]+$', '')) then
      return v_known;
    end if;
  end loop;
  return v_name || '.' || v_tld;
end;
$$;

-- Whether two short words differ by at most one edit (insertion, deletion, substitution or the
-- swap of two neighbouring letters).
create function private.within_one_edit(p_a text, p_b text)
returns boolean
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  la integer := char_length(p_a);
  lb integer := char_length(p_b);
  i integer := 1;
begin
  if p_a is null or p_b is null or abs(la - lb) > 1 or la < 3 or lb < 3 then
    return false;
  end if;
  if p_a = p_b then
    return true;
  end if;
  while i <= least(la, lb) and substr(p_a, i, 1) = substr(p_b, i, 1) loop
    i := i + 1;
  end loop;
  if la = lb then
    return substr(p_a, i + 1) = substr(p_b, i + 1)
        or (substr(p_a, i, 1) = substr(p_b, i + 1, 1) and substr(p_a, i + 1, 1) = substr(p_b, i, 1)
            and substr(p_a, i + 2) = substr(p_b, i + 2));
  elsif la > lb then
    return substr(p_a, i + 1) = substr(p_b, i);
  else
    return substr(p_a, i) = substr(p_b, i + 1);
  end if;
end;
$$;

comment on function private.within_one_edit(text, text) is
  'Whether two words (3 letters or more) are at most one insertion, deletion, substitution or swap of neighbouring letters apart.';
comment on function private.canonical_email_domain(text) is
  'The mail domain an address most likely meant: misspellings of common providers (gmial.com, gmail.con) and of .com are corrected; other domains are returned lowercased.';

revoke all on function private.within_one_edit(text, text) from public, anon;
revoke all on function private.canonical_email_domain(text) from public, anon;
grant execute on function private.within_one_edit(text, text) to authenticated, service_role;
grant execute on function private.canonical_email_domain(text) to authenticated, service_role;


create view public.duplicate_customers
with (security_invoker = on)
as
with phones as (
  -- Identities are unique, so two customers never hold the same E.164 number; the same person's
  -- number recorded under two country codes (typed without one, read with the organization's
  -- region) shares its last nine digits.
  select p.org_id, p.customer_id, p.phone, right(p.phone, 9) as phone_key
    from (
      select c.org_id, c.id as customer_id,
             private.normalize_phone(c.primary_phone, private.org_default_phone_region(c.org_id)) as phone
        from public.customers c
       where c.primary_phone is not null
      union
      select i.org_id, i.customer_id, i.value
        from public.customer_identities i
       where i.kind = 'phone'
    ) p
   where char_length(p.phone) >= 10
),
emails as (
  select e.org_id, e.customer_id, e.email,
         split_part(e.email, '@', 1) as local_part,
         private.canonical_email_domain(split_part(e.email, '@', 2)) as domain
    from (
      select c.org_id, c.id as customer_id, private.normalize_email(c.primary_email) as email
        from public.customers c
       where c.primary_email is not null
      union
      select i.org_id, i.customer_id, i.value
        from public.customer_identities i
       where i.kind = 'email'
    ) e
   where e.email is not null and position('@' in e.email) > 1
),
names as (
  select c.org_id, c.id as customer_id,
         lower(btrim(regexp_replace(c.display_name, '\s+', ' ', 'g'))) as name,
         lower(btrim(c.city)) as city
    from public.customers c
   where c.display_name is not null and c.city is not null
),
evidence as (
  select a.org_id, a.customer_id, b.customer_id as duplicate_id, 'same_phone' as reason,
         case when a.phone = b.phone then a.phone else a.phone || ' ~ ' || b.phone end as detail
    from phones a
    join phones b on b.org_id = a.org_id and b.phone_key = a.phone_key and b.customer_id > a.customer_id
  union all
  select a.org_id, a.customer_id, b.customer_id,
         case when a.email = b.email then 'same_email' else 'email_domain_typo' end,
         case when a.email = b.email then a.email else a.email || ' ~ ' || b.email end
    from emails a
    join emails b on b.org_id = a.org_id and b.local_part = a.local_part and b.domain = a.domain
                 and b.customer_id > a.customer_id
  union all
  select a.org_id, a.customer_id, b.customer_id, 'same_name_and_city', a.name || ', ' || a.city
    from names a
    join names b on b.org_id = a.org_id and b.name = a.name and b.city = a.city and b.customer_id > a.customer_id
)
select e.org_id,
       e.customer_id,
       e.duplicate_id,
       array_agg(distinct e.reason order by e.reason) as reasons,
       array_agg(distinct e.detail order by e.detail) as evidence,
       c.display_name as customer_name,
       d.display_name as duplicate_name
  from evidence e
  join public.customers c on c.org_id = e.org_id and c.id = e.customer_id
  join public.customers d on d.org_id = e.org_id and d.id = e.duplicate_id
 group by e.org_id, e.customer_id, e.duplicate_id, c.display_name, d.display_name;

comment on view public.duplicate_customers is
  'Likely duplicate customers (疑似重复客户), one row per pair, with why: same_phone (normalised numbers with the same last nine digits: the same number under two country codes), same_email, email_domain_typo (same local part, a misspelt provider domain such as gmial.com or gmail.con), same_name_and_city. Merge a pair with merge_customers. Security invoker: shows what the reader may see.';
comment on column public.duplicate_customers.org_id is 'The organization.';
comment on column public.duplicate_customers.customer_id is 'One customer of the pair (the smaller id).';
comment on column public.duplicate_customers.duplicate_id is 'The other customer of the pair.';
comment on column public.duplicate_customers.reasons is 'Why they look like one person: same_phone, same_email, email_domain_typo, same_name_and_city.';
comment on column public.duplicate_customers.evidence is 'The values that matched (the phone number, the two emails, the name and city).';
comment on column public.duplicate_customers.customer_name is 'Display name of customer_id.';
comment on column public.duplicate_customers.duplicate_name is 'Display name of duplicate_id.';

revoke all on public.duplicate_customers from anon, authenticated, service_role;
grant select on public.duplicate_customers to authenticated, service_role;

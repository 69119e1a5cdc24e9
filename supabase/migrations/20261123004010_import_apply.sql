-- Resolving imported rows (README: "Importing your data"). After each statement that loads rows
-- into import_customers, import_orders or import_events, a trigger resolves them set-wise:
-- values are parsed and checked first, and a row with any problem is rejected with a reason
-- naming the column and the value before anything of it is written; the others become
-- customers (found by email, phone, external id or shop customer id, created when none
-- matches), orders (upserted by source and order id), events and tags. A row that adds nothing
-- (the same file loaded again) is marked duplicate.
--
-- Switch for bulk loads: `set portrait.import_defer = on` in a session leaves loaded rows
-- pending; public.import_apply(org) then resolves all of them in one pass per table (what
-- `npm run import` does: one statement for millions of orders instead of one per COPY batch).
-- Either way the engine's classification is deferred while rows are written (statistics only,
-- through the engine's own portrait.defer_classification switch), and
-- public.refresh_after_import(org) brings the portraits current: a full engine run (statistics,
-- profiles, cut points, segments) and the stage history backfilled over the imported period.

-- The resolving functions run with `jit = off` (their statements' cost estimates over millions of
-- staged rows would otherwise have every statement compiled, which takes longer than running it),
-- a work_mem that keeps the joins of distinct values in memory, and without merge joins (the
-- planner takes the join of millions of staged rows with their few distinct values for a handful
-- of rows, and sorts both sides by text in the database's collation rather than hashing them).
-- The staged rows are picked by a range of ids and a hashed list, not one index probe each; an
-- enum's values are read once per statement (a subquery), not once per row.

-- Order statuses as shops and spreadsheets write them, and what they mean here.
create table private.import_order_statuses (
  written text not null,
  status public.order_status not null,
  constraint import_order_statuses_pkey primary key (written)
);
comment on table private.import_order_statuses is
  'Order status words accepted in imported files (lowercase, spaces and dashes as _) and the order status each stands for.';
comment on column private.import_order_statuses.written is 'The status as written in a file, lowercased with spaces and dashes turned into _.';
comment on column private.import_order_statuses.status is 'The order status it means.';
insert into private.import_order_statuses (written, status) values
  ('paid', 'paid'), ('completed', 'paid'), ('complete', 'paid'), ('processing', 'paid'), ('fulfilled', 'paid'),
  ('shipped', 'paid'), ('delivered', 'paid'), ('succeeded', 'paid'), ('success', 'paid'), ('captured', 'paid'),
  ('partially_refunded', 'paid'), ('partially_paid', 'paid'), ('closed', 'paid'),
  ('refunded', 'refunded'), ('fully_refunded', 'refunded'), ('returned', 'refunded'),
  ('cancelled', 'cancelled'), ('canceled', 'cancelled'), ('voided', 'cancelled'), ('void', 'cancelled'),
  ('failed', 'cancelled'), ('declined', 'cancelled'), ('expired', 'cancelled'), ('trash', 'cancelled'),
  ('pending', 'pending'), ('on_hold', 'pending'), ('unpaid', 'pending'), ('authorized', 'pending'),
  ('awaiting_payment', 'pending'), ('draft', 'pending'), ('open', 'pending'),
  -- As Chinese shops' order exports (Taobao, Tmall, JD, Youzan, Weidian) write them.
  ('已付款', 'paid'), ('已支付', 'paid'), ('付款成功', 'paid'), ('支付成功', 'paid'), ('交易成功', 'paid'), ('已完成', 'paid'),
  ('待发货', 'paid'), ('已发货', 'paid'), ('待收货', 'paid'), ('已收货', 'paid'), ('已签收', 'paid'), ('部分退款', 'paid'),
  ('已退款', 'refunded'), ('退款成功', 'refunded'), ('全额退款', 'refunded'), ('已退货', 'refunded'),
  ('已取消', 'cancelled'), ('已关闭', 'cancelled'), ('交易关闭', 'cancelled'), ('已作废', 'cancelled'), ('支付失败', 'cancelled'),
  ('待付款', 'pending'), ('未付款', 'pending'), ('待支付', 'pending'), ('等待买家付款', 'pending');
revoke all on table private.import_order_statuses from public, anon;
grant select on table private.import_order_statuses to authenticated, service_role;


-- A date written day and month with slashes before the year (3/5/2024, 05/03/24 14:30): its two
-- numbers in the order written, the year as written and what follows; null for any other text.
create function private.import_slashed_date(p_value text)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select regexp_match(p_value, '^\s*(\d{1,2})/(\d{1,2})/(\d{4}|\d\d)(\s.*)?$')
$$;

comment on function private.import_slashed_date(text) is
  'The parts of a date written 3/5/2024 [time]: {first number, second number, year, rest}; null for any other text.';
revoke all on function private.import_slashed_date(text) from public;
grant execute on function private.import_slashed_date(text) to authenticated, service_role;


-- A date or time as imported files write it: ISO 8601 (2024-03-05T14:30:00Z), YYYY-MM-DD
-- HH:MM[:SS] with an optional offset, YYYY/MM/DD, 2024年3月5日 (Chinese and Japanese
-- spreadsheets), DD.MM.YYYY (German and other European spreadsheets: with dots the day always
-- comes first), and day and month with slashes before the year, 3/5/2024 or 05/03/24, as Excel
-- saves dates in the United States (month first), Britain, France and elsewhere (day first): a
-- date whose first or second number is above 12 says which it is, the others are read in the
-- order p_month_first gives (the order the file's own dates show: private.import_date_order) and
-- are no date without it. A time may follow, also with AM or PM; UTC when no offset is given.
-- Also a number: a Unix time (seconds or milliseconds), 20240305, or an Excel day number.
-- Null when the text is none of these or not a real day (2024-02-30).
create function private.import_timestamp(p_value text, p_month_first boolean default null)
returns timestamptz
language plpgsql
immutable
set search_path = ''
as $$
declare
  v text := p_value;
  parts text[];
  first_n integer;
  second_n integer;
  month_first boolean;
  hour integer;
  day_part text;
  y integer;
  mo integer;
  d integer;
  number_at timestamptz;
begin
  -- A number: a Unix time in seconds (10 digits, 2001 on; a fraction allowed) or in milliseconds
  -- (13 digits), as systems and APIs export times; a day written 20240305, as ERP and bank exports
  -- write it (read below as 2024-03-05); an Excel day number (45356 is 2024-03-05; a fraction is
  -- the time of day, to the second), as Excel saves a date cell formatted as a number.
  if v ~ '^\s*[0-9]+(\.[0-9]+)?\s*$' then
    v := btrim(v, E' \t\r\n\f');
    number_at := case when v ~ '^[0-9]{10}(\.[0-9]+)?$' then to_timestamp(v::numeric)
                      when v ~ '^[0-9]{13}$' then to_timestamp(v::numeric / 1000)
                      when v ~ '^[0-9]{5}(\.[0-9]+)?$' then timestamptz '1899-12-30 00:00+00' + make_interval(secs => round(v::numeric * 86400))
                 end;
    if number_at is not null then
      -- The years a written date may have (below).
      return case when extract(year from number_at at time zone 'UTC') <= 2200 then number_at end;
    end if;
    if v !~ '^[0-9]{8}$' then
      return null;
    end if;
    v := substr(v, 1, 4) || '-' || substr(v, 5, 2) || '-' || substr(v, 7, 2);
  end if;
  parts := case when strpos(v, '/') > 0 then private.import_slashed_date(v) end;
  if parts is not null then
    first_n := parts[1]::integer;
    second_n := parts[2]::integer;
    month_first := case when first_n > 12 and second_n <= 12 then false
                        when second_n > 12 and first_n <= 12 then true
                        when first_n = second_n then true
                        else p_month_first end;
    if month_first is null then
      return null;
    end if;
    v := case when length(parts[3]) = 2 then '20' || parts[3] else parts[3] end || '-'
         || case when month_first then first_n || '-' || second_n else second_n || '-' || first_n end
         || coalesce(parts[4], '');
  end if;
  -- 2:30 PM, 11:05:09 am, 12:00 a.m.
  if v ~* '\d:\d\d(:\d\d)?\s*[ap]\.?m\.?\s*$' then
    hour := substring(v from '\s(\d{1,2}):\d\d')::integer;
    if hour is null or hour < 1 or hour > 12 then
      return null;
    end if;
    hour := hour % 12 + case when v ~* 'p\.?m\.?\s*$' then 12 else 0 end;
    v := regexp_replace(regexp_replace(v, '\s*[AaPp]\.?[Mm]\.?\s*$', ''), '\s\d{1,2}:(\d\d)', ' ' || lpad(hour::text, 2, '0') || ':\1');
  end if;
  v := translate(btrim(case when strpos(v, '年') > 0
                            then regexp_replace(v, '(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*', '\1-\2-\3 ')
                            when v ~ '^\s*\d{1,2}\.\d{1,2}\.\d{4}'
                            then regexp_replace(v, '^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})', '\3-\2-\1')
                            else v end), '/Tz', '- Z');
  -- Matching without capture groups (a plain ~) is many times faster than regexp_match here.
  if v !~ '^\d{4}-\d{1,2}-\d{1,2}( \d{1,2}:\d{2}(:\d{2}(\.\d{1,6})?)? ?(Z|[+-]\d{2}(:?\d{2})?)?)?$' then
    return null;
  end if;
  day_part := split_part(v, ' ', 1);
  y := split_part(day_part, '-', 1)::integer;
  mo := split_part(day_part, '-', 2)::integer;
  d := split_part(day_part, '-', 3)::integer;
  if y < 1900 or y > 2200 or mo < 1 or mo > 12 or d < 1
     or d > (case when mo = 2 then case when (y % 4 = 0 and y % 100 <> 0) or y % 400 = 0 then 29 else 28 end
                  when mo in (4, 6, 9, 11) then 30 else 31 end)
     or v ~ ' (2[4-9]|[3-9]\d):|:[6-9]\d|^\S+ .*[+-](1[5-9]|[2-9]\d)' then
    return null;
  end if;
  if v !~ ' .*(Z|[+-]\d{2}(:?\d{2})?)$' then
    v := v || '+00';
  end if;
  return v::timestamptz;
end;
$$;

comment on function private.import_timestamp(text, boolean) is
  'Reads a date or time from an imported file: ISO 8601, YYYY-MM-DD HH:MM[:SS] with an optional offset, YYYY/MM/DD, 2024年3月5日, DD.MM.YYYY, a Unix time in seconds or milliseconds, YYYYMMDD, an Excel day number, or 3/5/2024 with the month first when p_month_first, the day first when not (a date with a number above 12 in either place in its own order; without p_month_first none other); a time may follow, also with AM/PM; UTC without an offset. Null when it is none of these or not a real day.';
revoke all on function private.import_timestamp(text, boolean) from public;
grant execute on function private.import_timestamp(text, boolean) to authenticated, service_role;


-- Which comes first in a file's dates written day and month with slashes before the year: the
-- month (true) when some date has a second number above 12 (3/25/2024) and none a first one, the
-- day (false) in the opposite case, null when its dates do not tell (or contradict each other).
-- p_values: the file's distinct values of a date column that contain a slash.
create function private.import_date_order(p_values text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select case when bool_or(x.second_n > 12 and x.first_n <= 12) and not bool_or(x.first_n > 12 and x.second_n <= 12) then true
              when bool_or(x.first_n > 12 and x.second_n <= 12) and not bool_or(x.second_n > 12 and x.first_n <= 12) then false end
    from (select d.parts[1]::integer as first_n, d.parts[2]::integer as second_n
            from unnest(p_values) v
           cross join lateral (select private.import_slashed_date(v) as parts) d
           where d.parts is not null) x
$$;

comment on function private.import_date_order(text[]) is
  'Whether a file''s dates written 3/5/2024 put the month first (true) or the day first (false), from those with a number above 12; null when none tells or they contradict each other.';
revoke all on function private.import_date_order(text[]) from public;
grant execute on function private.import_date_order(text[]) to authenticated, service_role;


-- Why an imported date was not read, naming the column and the value: the forms to write, or,
-- for 3/5/2024 that the file's other dates leave open, that day and month could be either.
create function private.import_date_problem(p_column text, p_value text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when d.parts[1]::integer between 1 and 12 and d.parts[2]::integer between 1 and 12 and d.parts[1]::integer <> d.parts[2]::integer then
      format('%s: %s could be day/month or month/day, and no date in the file has a day above 12 to tell which; write 2024-03-05 (in Excel: Format Cells → Custom → yyyy-mm-dd hh:mm)',
             p_column, quote_literal(p_value))
    else
      format('%s: %s is not a date (write 2024-03-05, 2024-03-05 14:30 or 2024-03-05T14:30:00Z)', p_column, quote_literal(p_value))
  end
    from (select private.import_slashed_date(p_value) as parts) d
$$;

comment on function private.import_date_problem(text, text) is
  'The rejection reason of an imported value that is not a date (private.import_timestamp): the column, the value and what to write instead.';
revoke all on function private.import_date_problem(text, text) from public;
grant execute on function private.import_date_problem(text, text) to authenticated, service_role;


-- A country as imported files write it: its two-letter code (us, CN) or its name in one of the
-- languages private.country_names holds (United States, Deutschland, 中国, イギリス), also with
-- the code after it in brackets as WooCommerce writes it (United States (US)). Null when it is
-- none of these.
create function private.import_country(p_value text)
returns text
language sql
stable
set search_path = ''
as $$
  select coalesce(
           (select n.code from private.country_names n where n.name = lower(x.v)),
           case when x.v ~ '^[A-Za-z]{2}$' then upper(x.v)
                when x.v ~ '\(\s*[A-Za-z]{2}\s*\)$' then upper(substring(x.v from '\(\s*([A-Za-z]{2})\s*\)$')) end)
    from (select nullif(btrim(regexp_replace(translate(normalize(p_value, NFC), '’', ''''), '\s+', ' ', 'g')), '') as v) x
$$;

comment on function private.import_country(text) is
  'The ISO 3166-1 two-letter code of a country as an imported file writes it: a code, a name (private.country_names) or "Name (CODE)"; null when it is none of these.';
revoke all on function private.import_country(text) from public;
grant execute on function private.import_country(text) to authenticated, service_role;


-- An amount of money as imported files write it: . or , as decimal separator, the other (or
-- a space or ') between thousands, currency symbols, signs and codes around it ignored ($1,234.50,
-- 1.234,50 €, EUR 12,5, ￥1,288.00, 560元). Negative amounts come back negative; null when unreadable.
create function private.import_amount(p_value text)
returns numeric
language plpgsql
immutable
set search_path = ''
as $$
declare
  v text;
  negative boolean;
begin
  v := regexp_replace(p_value, '[$€£¥₹￥₩₽₺₫฿₱¢元円''\s\u00a0\u202f]', '', 'g');
  v := regexp_replace(v, '^[A-Za-z]{1,3}|[A-Za-z]{1,3}$', '', 'g');
  negative := left(v, 1) = '-';
  if negative then
    v := substr(v, 2);
  end if;
  if v ~ '^\d+$' then
    null;
  elsif v ~ '^\d*[.,]\d{1,2}$' then
    v := translate(v, ',', '.');
  elsif v ~ '^\d{1,3}([.,])\d{3}(\1\d{3})*$' then
    v := translate(v, '.,', '');
  elsif v ~ '^\d{1,3}(,\d{3})*\.\d{1,2}$' then
    v := translate(v, ',', '');
  elsif v ~ '^\d{1,3}(\.\d{3})*,\d{1,2}$' then
    v := translate(translate(v, '.', ''), ',', '.');
  else
    return null;
  end if;
  if length(split_part(v, '.', 1)) > 12 or v = '' or v = '.' then
    return null;
  end if;
  return case when negative then -v::numeric else v::numeric end;
end;
$$;

comment on function private.import_amount(text) is
  'Reads an amount from an imported file: . or , decimals, thousands separators and currency symbols or codes ignored; negative when written with -; null when unreadable.';
revoke all on function private.import_amount(text) from public;
grant execute on function private.import_amount(text) to authenticated, service_role;


-- The first problem of a cell common to every column: too long, or holding characters no text
-- should (NUL bytes, and bytes that are no text in the file's character encoding, arrive as
-- U+FFFD from npm run import; Postgres itself refuses NUL).
create function private.import_cell_problem(p_column text, p_value text, p_max integer)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when p_value is null then null
    when strpos(p_value, U&'\FFFD') > 0 or p_value ~ '[\x01-\x08\x0b\x0c\x0e-\x1f]' then
      format('%s: the value contains a NUL byte, a control character or bytes that are no text in the file''s character encoding (%s)', p_column,
             quote_literal(left(regexp_replace(p_value, '[\x01-\x1f' || U&'\FFFD' || ']', '?', 'g'), 60)))
    when char_length(p_value) > p_max then
      format('%s: the value is %s characters long, at most %s are accepted (%s…)', p_column, char_length(p_value), p_max,
             quote_literal(left(p_value, 40)))
  end
$$;

comment on function private.import_cell_problem(text, text, integer) is
  'Why an imported cell is refused whatever its column: longer than p_max characters, or holding NUL bytes or control characters; null when it is fine.';
revoke all on function private.import_cell_problem(text, text, integer) from public;
grant execute on function private.import_cell_problem(text, text, integer) to authenticated, service_role;


-- Why an imported id or phone number is refused when a spreadsheet has turned it into a rounded
-- number (Excel shows a number of more than 11 digits as 1.23457E+18 and saves it so: an 18-digit
-- order number from a Chinese shop, a phone number); null for any other value. Its digits are
-- lost, and the rows of the ids it rounded alike would otherwise be taken for duplicates.
create function private.import_rounded_problem(p_column text, p_value text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case when btrim(p_value) ~ '^\+?\d([.,]\d+)?[Ee]\+\d+$' then
    format('%s: %s is a number a spreadsheet rounded (Excel shows long numbers so): its digits are lost; import the file as it was exported, or format the column as Text in Excel before saving',
           p_column, quote_literal(btrim(p_value)))
  end
$$;

comment on function private.import_rounded_problem(text, text) is
  'The rejection reason of an imported id or phone number a spreadsheet rounded to scientific notation (1.23457E+18); null otherwise.';
revoke all on function private.import_rounded_problem(text, text) from public;
grant execute on function private.import_rounded_problem(text, text) to authenticated, service_role;


-- Why an imported row's organization is refused: none given, or one that does not exist. One
-- text for the customers', orders' and events' checks.
create function private.import_org_problem(p_org uuid)
returns text
language sql
immutable
set search_path = ''
as $$
  select case when p_org is null
              then 'org_id: no organization given; add an org_id column (you administer several organizations or none)'
              else format('org_id: no organization %s', p_org) end
$$;

comment on function private.import_org_problem(uuid) is
  'Why an imported row with an unknown organization is refused: none given, or no organization of that id.';
revoke all on function private.import_org_problem(uuid) from public;


-- The checks of the organization an import call names (public.import_apply, import_apply_held,
-- import_recount, refresh_after_import): given, administered by the signed-in caller (the service
-- role and direct connections may import into any), and existing. p_purpose and p_action complete
-- the messages: "the organization to <purpose>", "only an admin … can <action>".
create function private.import_check_org(p_org uuid, p_purpose text default 'import into', p_action text default 'import into it')
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_org is null then
    raise exception using errcode = '22023', message = 'p_org is required: the organization to ' || p_purpose;
  end if;
  if (select auth.role()) = 'anon'
     or ((select auth.role()) = 'authenticated' and not p_org in (select private.admin_org_ids())) then
    raise exception using errcode = '42501', message = format('p_org: only an admin of organization %s can %s', p_org, p_action);
  end if;
  if not exists (select 1 from public.organizations o where o.id = p_org) then
    raise exception using errcode = '22023', message = format('p_org: no organization %s', p_org);
  end if;
end;
$$;

comment on function private.import_check_org(uuid, text, text) is
  'Raises unless the organization an import call names is given (22023), administered by a signed-in caller (42501) and exists (22023).';
revoke all on function private.import_check_org(uuid, text, text) from public;


-- Sets the engine's deferral and bulk writing for the rest of an apply, returning the values to
-- restore. With portrait.bulk on, the per-row triggers that normalise contacts and identities,
-- record a customer's contacts as identities, create its profile and record tag history stand
-- aside: the apply writes normalised values and does their work itself, one statement each.
create function private.import_defer_engine()
returns text[]
language plpgsql
volatile
set search_path = ''
as $$
declare
  previous text[] := array[coalesce(current_setting('portrait.defer_classification', true), ''),
                           coalesce(current_setting('portrait.bulk', true), '')];
begin
  perform set_config('portrait.defer_classification', 'on', true), set_config('portrait.bulk', 'on', true);
  return previous;
end;
$$;
comment on function private.import_defer_engine() is
  'Turns on portrait.defer_classification (imports write statistics only; refresh_after_import classifies) and portrait.bulk (the apply does the per-row triggers'' work set-based) for the transaction; returns their previous values for private.import_restore_engine.';
revoke all on function private.import_defer_engine() from public;

create function private.import_restore_engine(p_previous text[])
returns void
language sql
volatile
set search_path = ''
as $$
  select from (select set_config('portrait.defer_classification', p_previous[1], true), set_config('portrait.bulk', p_previous[2], true)) s
$$;
comment on function private.import_restore_engine(text[]) is
  'Restores portrait.defer_classification and portrait.bulk to the values private.import_defer_engine returned.';
revoke all on function private.import_restore_engine(text[]) from public;


-- An organization's import locks, transaction-level (released when the transaction ends):
-- 'import': one public.import_apply at a time (it resolves customers files, whose rows depend on
-- one another); 'wait': shared with other waiters, granted once no import_apply runs (a part of
-- an orders file, public.import_apply_held, waits so before resolving its customers, and may have
-- parsed its rows meanwhile); 'write': one session at a time creating customers for unknown
-- references or recounting imported orders' customers (another key, so that parts holding 'wait'
-- can take it in turn). These wait and return true. Without waiting: 'wait_now' takes 'wait' if
-- no import_apply runs (false when one does); 'parse' takes the organization's parse turn, a
-- session-level lock that 'parse_done' gives back (false when another session has it): while an
-- import_apply resolves the customers files on one core, the parts of orders files parse their
-- rows one at a time beside it (private.import_apply_orders).
create function private.import_lock_org(p_org uuid, p_mode text default 'import')
returns boolean
language plpgsql
volatile
set search_path = ''
as $$
begin
  case p_mode
    when 'import' then perform pg_advisory_xact_lock(hashtext('portrait.import'), hashtext(p_org::text));
    when 'wait' then perform pg_advisory_xact_lock_shared(hashtext('portrait.import'), hashtext(p_org::text));
    when 'write' then perform pg_advisory_xact_lock(hashtext('portrait.import.write'), hashtext(p_org::text));
    when 'wait_now' then return pg_try_advisory_xact_lock_shared(hashtext('portrait.import'), hashtext(p_org::text));
    when 'parse' then return pg_try_advisory_lock(hashtext('portrait.import.parse'), hashtext(p_org::text));
    when 'parse_done' then return pg_advisory_unlock(hashtext('portrait.import.parse'), hashtext(p_org::text));
    else raise exception using errcode = '22023',
      message = format('p_mode: %s is not import, wait, write, wait_now, parse or parse_done', quote_literal(p_mode));
  end case;
  return true;
end;
$$;
comment on function private.import_lock_org(uuid, text) is
  'One of the organization''s import locks. Waits for, then holds until the transaction ends: import (one import_apply at a time), wait (shared: granted once no import_apply runs) or write (one creator of customers for unknown references or recount of imported orders at a time); returns true. Without waiting, returns whether it was taken: wait_now (wait, if no import_apply runs), parse (the session-level turn to parse a part of an orders file while an import_apply runs), parse_done (gives the turn back).';
revoke all on function private.import_lock_org(uuid, text) from public;
grant execute on function private.import_lock_org(uuid, text) to service_role;


-- The orders' customers recounted after an import wrote orders with the engine's triggers aside
-- (portrait.bulk), once the statistics know the new orders (the engine's recount would otherwise
-- plan for an empty table). One session at a time per organization from here to the end of its
-- transaction (private.import_lock_org 'write'): the recount then sees the orders of every session that
-- committed before it, and no two sessions analyze the table at once.
create function private.import_recount_customers(p_org uuid, p_ids uuid[])
returns void
language plpgsql
volatile
set search_path = ''
-- The recount's sort of the customers' paid orders (1,400,000 of 2,000,000 orders: 136 MB) in
-- memory, not merged from disk.
set work_mem = '256MB'
as $$
begin
  perform private.import_lock_org(p_org, 'write');
  analyze public.orders;
  perform private.refresh_customers(p_org, p_ids, true);
end;
$$;
comment on function private.import_recount_customers(uuid, uuid[]) is
  'Recounts customers whose orders an import wrote (statistics only while portrait.defer_classification is on), under the organization''s import lock, after analyzing the orders.';
revoke all on function private.import_recount_customers(uuid, uuid[]) from public;


-- Staging ids for p_count rows of import_orders, one run of consecutive numbers (the first is
-- returned): npm run import numbers an orders file's rows in the order of the file before
-- sessions resolve parts of it side by side (public.import_apply_held). The table's lock keeps
-- any other insert (whose ids the sequence gives) from taking a number of the run meanwhile.
create function private.import_reserve_ids(p_count bigint)
returns bigint
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  seq regclass := pg_get_serial_sequence('public.import_orders', 'id')::regclass;
  first_id bigint;
begin
  if p_count is null or p_count < 1 then
    raise exception using errcode = '22023', message = format('p_count: %s is not a number of rows (1 or more)', p_count);
  end if;
  lock table public.import_orders in share row exclusive mode;
  first_id := nextval(seq);
  if p_count > 1 then
    perform setval(seq, first_id + p_count - 1);
  end if;
  return first_id;
end;
$$;
comment on function private.import_reserve_ids(bigint) is
  'Reserves p_count consecutive import_orders ids and returns the first (npm run import numbers an orders file''s rows with them before resolving parts of it in several sessions).';
revoke all on function private.import_reserve_ids(bigint) from public;
grant execute on function private.import_reserve_ids(bigint) to service_role;


-- The customers whose orders a part of an orders file wrote (public.import_apply_held), kept in
-- its transaction for public.import_recount, which recounts them once for all parts and takes the
-- rows: an array per part rather than reading the millions of staged rows again for their
-- customers. A part whose recount never came (another part failed) leaves its row to the
-- organization's next recount.
create table private.import_parts_written (
  id bigint generated always as identity,
  org_id uuid not null,
  customer_ids uuid[] not null,
  written_at timestamptz not null default now(),
  constraint import_parts_written_pkey primary key (id),
  constraint import_parts_written_org_id_fkey foreign key (org_id) references public.organizations (id) on delete cascade
);
create index import_parts_written_org_id_idx on private.import_parts_written (org_id);
comment on table private.import_parts_written is
  'The customers of the good paid rows of each part of an orders file resolved by public.import_apply_held, until public.import_recount recounts them.';
comment on column private.import_parts_written.id is 'The part''s row.';
comment on column private.import_parts_written.org_id is 'The organization.';
comment on column private.import_parts_written.customer_ids is 'The customers of the part''s good paid rows.';
comment on column private.import_parts_written.written_at is 'When the part was written.';
alter table private.import_parts_written enable row level security;
revoke all on table private.import_parts_written from public, anon, authenticated;
grant all on table private.import_parts_written to service_role;

-- The customers a work table names (pg_temp.<p_work>.customer_id, but for those this transaction
-- created: the column p_created) held for the rest of the transaction as a foreign key's check
-- holds the row it finds (for key share: nobody can delete one or change its id until the
-- transaction ends), in one statement instead of one check per row written. A customer deleted
-- since it was found fails the caller (nothing written), as the check would.
create function private.import_hold_customers(p_work text, p_created text)
returns void
language plpgsql
volatile
set search_path = ''
as $$
declare
  named bigint;
  held bigint;
begin
  execute format('select count(*) from pg_temp.%I r where r.customer_id is not null and not r.%I', p_work, p_created) into named;
  execute format($sql$
    select count(*) from (
      select 1
        from public.customers c
        join pg_temp.%I r on r.org_id = c.org_id and r.customer_id = c.id
       where not r.%I
         for key share of c) x$sql$, p_work, p_created) into held;
  if held < named then
    raise exception using errcode = '23503',
      message = format('customers: %s of the customers this import''s rows name were deleted while it ran; nothing of these rows was written: import the file again', named - held);
  end if;
end;
$$;
comment on function private.import_hold_customers(text, text) is
  'Locks for key share the customers that the rows of pg_temp.<p_work> name (customer_id), but those the transaction created (the boolean column p_created); fails with 23503 when one no longer exists.';
revoke all on function private.import_hold_customers(text, text) from public;

-- The per-row checks of foreign keys set aside for the import's next statements, until
-- private.import_checks_back: a check costs about 4 µs a row (an index probe and a row lock), the
-- orders' 8 s of CPU for 2,000,000 orders (README "Importing your data"), which the import does
-- in one statement per table instead (private.import_hold_customers, or a statement before that
-- checked the same rows). With portrait.bulk on, and when this role may set it (a superuser; on
-- Supabase the postgres role, which supautils lets set it by a SET command, not by set_config),
-- session_replication_role is 'replica' for the transaction: the triggers of foreign keys stand
-- aside, as they do for a restore of pg_dump's, and so does every trigger that is not ALWAYS or
-- REPLICA, so only statements into tables with no other trigger to fire under portrait.bulk go
-- between the two. Returns whether the checks are aside (false: they run as usual).
create function private.import_checks_aside()
returns boolean
language plpgsql
volatile
set search_path = ''
as $$
begin
  if coalesce(current_setting('portrait.bulk', true), '') <> 'on' or current_setting('session_replication_role') <> 'origin' then
    return false;
  end if;
  begin
    set local session_replication_role = replica;
  exception when insufficient_privilege then
    return false;
  end;
  return true;
end;
$$;
comment on function private.import_checks_aside() is
  'Sets session_replication_role to replica for the transaction when portrait.bulk is on, it is origin and the role may; returns whether it did (private.import_checks_back sets it back).';
revoke all on function private.import_checks_aside() from public;

create function private.import_checks_back(p_aside boolean)
returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  if p_aside then
    set local session_replication_role = origin;
  end if;
end;
$$;
comment on function private.import_checks_back(boolean) is
  'Sets session_replication_role back to origin after private.import_checks_aside set it to replica (p_aside: what that returned).';
revoke all on function private.import_checks_back(boolean) from public;


-- Customers file rows → customers, identities, tags.
create function private.import_apply_customers(p_ids bigint[])
returns void
language plpgsql
volatile
security definer
set search_path = ''
set client_min_messages = warning
set jit = off
set work_mem = '64MB'
set enable_mergejoin = off
as $$
declare
  restore text[];
  checks_aside boolean;
begin
  if cardinality(p_ids) = 0 then
    return;
  end if;
  restore := private.import_defer_engine();

  drop table if exists pg_temp.import_customer_work;
  create temp table import_customer_work on commit drop as
  with orgs as materialized (
    select o.id, private.org_settings_with_defaults(o.settings) ->> 'default_phone_region' as phone_region
      from public.organizations o
  ), staged as materialized (
    select s.*, o.id as known_org, o.phone_region
      from public.import_customers s
      left join orgs o on o.id = s.org_id
     where s.id between (select min(i) from unnest(p_ids) i) and (select max(i) from unnest(p_ids) i)
       and s.id = any (p_ids) and s.import_status = 'pending'
  ),
  -- Each distinct value is read once, then joined back to its rows.
  emails as (
    select d.v, private.normalize_email(d.v) as email
      from (select nullif(btrim(s.email), '') as v from staged s
            union select nullif(btrim(s.owner_email), '') from staged s
            union select nullif(btrim(s.referred_by_email), '') from staged s) d
     where d.v is not null
  ), phones as (
    select d.v, d.region, private.normalize_phone(d.v, nullif(d.region, '')) as phone
      from (select distinct nullif(btrim(s.phone), '') as v, coalesce(s.phone_region, '') as region from staged s) d
     where d.v is not null
  ), countries as (
    select d.v, private.import_country(d.v) as code
      from (select distinct nullif(btrim(s.country), '') as v from staged s) d
     where d.v is not null
  ), date_orders as materialized (
    -- Whether each file's dates written 3/5/2024 put the month or the day first.
    select s.import_batch,
           private.import_date_order(array_agg(distinct s.created_at) filter (where strpos(s.created_at, '/') > 0)) as month_first
      from staged s
     group by s.import_batch
  ), dates as (
    select d.v, d.month_first, private.import_timestamp(d.v, d.month_first) as at
      from (select distinct nullif(btrim(s.created_at), '') as v, o.month_first
              from staged s join date_orders o on o.import_batch = s.import_batch) d
     where d.v is not null
  ), tag_lists as (
    select d.v, array(select distinct on (lower(t)) t
                        from (select btrim(regexp_replace(x, '\s+', ' ', 'g')) as t
                                from unnest(regexp_split_to_array(d.v, '[;|；、，]')) x) y
                       where t <> '' order by lower(t), t) as tag_list
      from (select distinct s.tags as v from staged s where s.tags is not null) d
  ), parsed as (
    select s.id, s.org_id, s.known_org, s.email, s.phone, s.external_id, s.tags,
           nullif(btrim(s.email), '') as email_in,
           em.email as email_n,
           nullif(btrim(s.phone), '') as phone_in,
           ph.phone as phone_n,
           nullif(btrim(s.external_id), '') as ext,
           private.normalize_shop_id(split_part(btrim(s.external_id), ':', 1), split_part(btrim(s.external_id), ':', 2)) as shop_id,
           nullif(btrim(s.name), '') as name_,
           coalesce(nullif(lower(btrim(s.kind)), ''), 'person') as kind_,
           nullif(btrim(s.company), '') as company_,
           nullif(btrim(s.country), '') as country_in,
           cn.code as country_,
           nullif(btrim(s.region), '') as region_,
           nullif(btrim(s.city), '') as city_,
           nullif(btrim(s.industry), '') as industry_,
           nullif(btrim(s.company_size), '') as size_,
           nullif(btrim(s.source), '') as source_,
           ow.email as owner_n, nullif(btrim(s.owner_email), '') as owner_in,
           rf.email as referrer_n, nullif(btrim(s.referred_by_email), '') as referrer_in,
           lower(nullif(btrim(s.is_partner), '')) as partner_in,
           lower(nullif(btrim(s.is_valid), '')) as valid_in,
           nullif(btrim(s.created_at), '') as created_in,
           da.at as created_,
           coalesce(tl.tag_list, '{}') as tag_list,
           -- The detailed (slower) checks only for rows that fail a quick one.
           case when length(s.email) > 320 or length(s.phone) > 64 or length(s.name) > 200 or length(s.kind) > 20
                     or length(s.company) > 200 or length(s.country) > 100 or length(s.region) > 100 or length(s.city) > 100
                     or length(s.industry) > 100 or length(s.company_size) > 20 or length(s.source) > 100
                     or length(s.owner_email) > 320 or length(s.referred_by_email) > 320 or length(s.is_partner) > 10
                     or length(s.is_valid) > 10 or length(s.tags) > 2000 or length(s.external_id) > 200 or length(s.created_at) > 64
                     or concat(s.email, s.phone, s.name, s.kind, s.company, s.country, s.region, s.city, s.industry, s.company_size,
                               s.source, s.owner_email, s.referred_by_email, s.is_partner, s.is_valid, s.tags, s.external_id,
                               s.created_at) ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\uFFFD]' then
           array_remove(array[
             private.import_cell_problem('email', s.email, 320), private.import_cell_problem('phone', s.phone, 64),
             private.import_cell_problem('name', s.name, 200), private.import_cell_problem('kind', s.kind, 20),
             private.import_cell_problem('company', s.company, 200), private.import_cell_problem('country', s.country, 100),
             private.import_cell_problem('region', s.region, 100), private.import_cell_problem('city', s.city, 100),
             private.import_cell_problem('industry', s.industry, 100), private.import_cell_problem('company_size', s.company_size, 20),
             private.import_cell_problem('source', s.source, 100), private.import_cell_problem('owner_email', s.owner_email, 320),
             private.import_cell_problem('referred_by_email', s.referred_by_email, 320), private.import_cell_problem('is_partner', s.is_partner, 10),
             private.import_cell_problem('is_valid', s.is_valid, 10), private.import_cell_problem('tags', s.tags, 2000),
             private.import_cell_problem('external_id', s.external_id, 200), private.import_cell_problem('created_at', s.created_at, 64)
           ], null) else '{}' end as cell_problems
      from staged s
      left join emails em on em.v = nullif(btrim(s.email), '')
      left join emails ow on ow.v = nullif(btrim(s.owner_email), '')
      left join emails rf on rf.v = nullif(btrim(s.referred_by_email), '')
      left join phones ph on ph.v = nullif(btrim(s.phone), '') and ph.region = coalesce(s.phone_region, '')
      left join countries cn on cn.v = nullif(btrim(s.country), '')
      left join date_orders dor on dor.import_batch = s.import_batch
      left join dates da on da.v = nullif(btrim(s.created_at), '') and da.month_first is not distinct from dor.month_first
      left join tag_lists tl on tl.v = s.tags
     offset 0 -- (each value parsed once: a flattened subquery would repeat its expressions at every use)
  )
  select p.*,
         -- (Looked up only for the rows that name an owner.)
         case when p.owner_n is not null then
           (select m.user_id from public.members m join auth.users u on u.id = m.user_id
             where m.org_id = p.org_id and lower(u.email) = p.owner_n) end as owner_id,
         case
           when p.known_org is null then private.import_org_problem(p.org_id)
           when cardinality(p.cell_problems) > 0 then p.cell_problems[1]
           when p.email_in is null and p.phone_in is null and p.ext is null then
             'email, phone, external_id: a customer needs at least one of them'
           when p.email_in is not null and p.email_n is null then format('email: %s is not an email address', quote_literal(p.email_in))
           when p.phone_in is not null and p.phone_n is null then
             coalesce(private.import_rounded_problem('phone', p.phone_in),
                      format('phone: %s is not a phone number (write it with its country code)', quote_literal(p.phone_in)))
           when strpos(p.ext, '+') > 0 and private.import_rounded_problem('external_id', p.ext) is not null then
             private.import_rounded_problem('external_id', p.ext)
           when p.kind_ not in ('person', 'company') then format('kind: %s is neither person nor company', quote_literal(p.kind_))
           when p.country_in is not null and p.country_ is null then
             format('country: %s is neither a two-letter country code (such as US or CN) nor a country''s name', quote_literal(p.country_in))
           when p.size_ is not null and not p.size_ = any ((select enum_range(null::public.company_size))::text[]) then
             format('company_size: %s is not one of %s', quote_literal(p.size_), array_to_string(enum_range(null::public.company_size)::text[], ', '))
           when p.partner_in is not null and p.partner_in not in ('true', 'false', 'yes', 'no', 'y', 'n', '1', '0', 't', 'f') then
             format('is_partner: %s is not true or false', quote_literal(p.partner_in))
           when p.valid_in is not null and p.valid_in not in ('true', 'false', 'yes', 'no', 'y', 'n', '1', '0', 't', 'f') then
             format('is_valid: %s is not true or false', quote_literal(p.valid_in))
           when p.created_in is not null and p.created_ is null then
             private.import_date_problem('created_at', p.created_in)
           when p.created_ > now() then format('created_at: %s is in the future', quote_literal(p.created_in))
           when p.owner_in is not null and p.owner_n is null then format('owner_email: %s is not an email address', quote_literal(p.owner_in))
           when p.referrer_in is not null and p.referrer_n is null then format('referred_by_email: %s is not an email address', quote_literal(p.referrer_in))
           when exists (select 1 from unnest(p.tag_list) t where char_length(t) > 64) then
             format('tags: %s is longer than 64 characters', quote_literal(left((select t from unnest(p.tag_list) t where char_length(t) > 64 limit 1), 40) || '…'))
         end as error,
         null::uuid as customer_id,
         false as is_new,
         false as changed
    from parsed p;

  create index on pg_temp.import_customer_work (id);
  analyze pg_temp.import_customer_work;

  -- Members named as owners must exist.
  update pg_temp.import_customer_work w
     set error = format('owner_email: %s is not a member of the organization', quote_literal(w.owner_in))
   where w.error is null and w.owner_n is not null and w.owner_id is null;

  -- The same email, phone or external id twice in one load: the first row counts.
  update pg_temp.import_customer_work w
     set error = format('%s: %s appears earlier in this file (row %s)', d.col, quote_literal(d.val), d.first_id)
    from (
      select x.id, x.col, x.val, x.first_id
        from (
          select w2.id, k.col, k.val,
                 first_value(w2.id) over (partition by w2.org_id, k.col, k.val order by w2.id) as first_id,
                 row_number() over (partition by w2.id order by k.ord) as pick
            from pg_temp.import_customer_work w2
           cross join lateral (values (1, 'email', w2.email_n), (2, 'phone', w2.phone_n), (3, 'external_id', w2.ext)) k (ord, col, val)
           where w2.error is null and k.val is not null
        ) x
       where x.first_id <> x.id
    ) d
   where w.id = d.id and w.error is null;

  -- Find each row's customer by any of its identifiers.
  update pg_temp.import_customer_work w
     set customer_id = f.ids[1],
         error = case when cardinality(f.ids) > 1 then
           format('email, phone, external_id: %s belong to %s different customers; merge them first',
                  concat_ws(', ', quote_literal(w.email_n), quote_literal(w.phone_n), quote_literal(w.ext)), cardinality(f.ids)) end
    from (
      select c.id, array_agg(distinct c.cid) as ids
        from (
          select w2.id, i.customer_id as cid
            from pg_temp.import_customer_work w2
            join public.customer_identities i on i.org_id = w2.org_id and i.kind = 'email' and i.value = w2.email_n
           where w2.error is null
          union all
          select w2.id, i.customer_id
            from pg_temp.import_customer_work w2
            join public.customer_identities i on i.org_id = w2.org_id and i.kind = 'phone' and i.value = w2.phone_n
           where w2.error is null
          union all
          select w2.id, c.id
            from pg_temp.import_customer_work w2
            join public.customers c on c.org_id = w2.org_id and c.external_id = w2.ext
           where w2.error is null
          union all
          select w2.id, i.customer_id
            from pg_temp.import_customer_work w2
            join public.customer_identities i on i.org_id = w2.org_id and i.kind = 'shop_customer' and i.value = w2.shop_id
           where w2.error is null
        ) c
       group by c.id
    ) f
   where w.id = f.id;

  -- A referrer is a known customer or one in this file.
  update pg_temp.import_customer_work w
     set error = format('referred_by_email: no customer has the email %s (in the organization or in this file)', quote_literal(w.referrer_n))
   where w.error is null and w.referrer_n is not null
     and not exists (select 1 from public.customer_identities i where i.org_id = w.org_id and i.kind = 'email' and i.value = w.referrer_n)
     and not exists (select 1 from pg_temp.import_customer_work o where o.org_id = w.org_id and o.error is null and o.email_n = w.referrer_n);

  -- New customers. Their identities are recorded by the customers table's own triggers.
  update pg_temp.import_customer_work w set customer_id = gen_random_uuid(), is_new = true, changed = true
   where w.error is null and w.customer_id is null;

  -- Their profiles and identities below (portrait.bulk: not one trigger call per customer).
  insert into public.customers (id, org_id, display_name, kind, primary_email, primary_phone, country, region, city,
                                industry, company_size, acquisition_source, owner_id, is_partner, is_valid, external_id,
                                created_by, created_at)
  select w.customer_id, w.org_id, w.name_, w.kind_::public.customer_kind, w.email_n, w.phone_n, w.country_, w.region_, w.city_,
         w.industry_, w.size_::public.company_size, w.source_, w.owner_id,
         coalesce(w.partner_in in ('true', 'yes', 'y', '1', 't'), false),
         coalesce(w.valid_in in ('true', 'yes', 'y', '1', 't'), true),
         w.ext, null, coalesce(w.created_, now())
    from pg_temp.import_customer_work w
   where w.is_new
   order by w.id;

  -- Known customers: the file fills what is empty, never overwrites what someone typed.
  with filled as (
    update public.customers c
       set display_name = coalesce(c.display_name, w.name_),
           primary_email = coalesce(c.primary_email, case when not exists (
             select 1 from public.customer_identities i where i.org_id = c.org_id and i.kind = 'email' and i.value = w.email_n) then w.email_n end),
           primary_phone = coalesce(c.primary_phone, case when not exists (
             select 1 from public.customer_identities i where i.org_id = c.org_id and i.kind = 'phone' and i.value = w.phone_n) then w.phone_n end),
           country = coalesce(c.country, w.country_),
           region = coalesce(c.region, w.region_),
           city = coalesce(c.city, w.city_),
           industry = coalesce(c.industry, w.industry_),
           company_size = coalesce(c.company_size, w.size_::public.company_size),
           acquisition_source = coalesce(c.acquisition_source, w.source_),
           owner_id = coalesce(c.owner_id, w.owner_id),
           external_id = coalesce(c.external_id, case when not exists (
             select 1 from public.customers e where e.org_id = c.org_id and e.external_id = w.ext) then w.ext end)
      from pg_temp.import_customer_work w
     where w.error is null and not w.is_new and c.id = w.customer_id
       and ((c.display_name is null and w.name_ is not null) or (c.primary_email is null and w.email_n is not null)
            or (c.primary_phone is null and w.phone_n is not null) or (c.country is null and w.country_ is not null)
            or (c.region is null and w.region_ is not null) or (c.city is null and w.city_ is not null)
            or (c.industry is null and w.industry_ is not null) or (c.company_size is null and w.size_ is not null)
            or (c.acquisition_source is null and w.source_ is not null) or (c.owner_id is null and w.owner_id is not null)
            or (c.external_id is null and w.ext is not null))
    returning c.id
  )
  update pg_temp.import_customer_work w set changed = true from filled f where not w.changed and w.customer_id = f.id;

  -- The new customers' profiles, then the identifiers of every customer it was not yet known by
  -- (a second email, a shop id), with the per-row checks of their foreign keys aside
  -- (private.import_checks_aside: neither table has another trigger to fire for an insert under
  -- portrait.bulk): the known customers are held at once, the new ones are this transaction's.
  perform private.import_hold_customers('import_customer_work', 'is_new');
  checks_aside := private.import_checks_aside();
  insert into public.customer_profiles (org_id, customer_id, lifecycle_stage)
  select w.org_id, w.customer_id, 'prospect'
    from pg_temp.import_customer_work w
   where w.is_new
   order by w.id;
  with added as (
    insert into public.customer_identities (org_id, kind, value, customer_id, created_by)
    select w.org_id, k.kind, k.value, w.customer_id, null
      from pg_temp.import_customer_work w
     cross join lateral (values ('email'::public.identity_kind, w.email_n), ('phone'::public.identity_kind, w.phone_n),
                                ('shop_customer'::public.identity_kind, w.shop_id)) k (kind, value)
     where w.error is null and k.value is not null
    on conflict (org_id, value, kind) do nothing
    returning customer_id
  )
  update pg_temp.import_customer_work w set changed = true from added a where not w.changed and w.customer_id = a.customer_id;
  perform private.import_checks_back(checks_aside);

  -- Companies by name: the company customer of that name, created when there is none.
  with created as (
  insert into public.customers (org_id, display_name, kind, created_by)
  select distinct on (w.org_id, lower(w.company_)) w.org_id, w.company_, 'company', null::uuid
    from pg_temp.import_customer_work w
   where w.error is null and w.company_ is not null
     and not exists (select 1 from public.customers c where c.org_id = w.org_id and c.kind = 'company' and lower(c.display_name) = lower(w.company_))
   order by w.org_id, lower(w.company_), w.id
  returning org_id, id
  )
  insert into public.customer_profiles (org_id, customer_id, lifecycle_stage)
  select c.org_id, c.id, 'prospect' from created c;
  with linked as (
    update public.customers c
       set company_id = (select co.id from public.customers co
                          where co.org_id = w.org_id and co.kind = 'company' and lower(co.display_name) = lower(w.company_)
                          order by co.created_at, co.id limit 1)
      from pg_temp.import_customer_work w
     where w.error is null and w.company_ is not null and c.id = w.customer_id and c.company_id is null and c.kind = 'person'
    returning c.id
  )
  update pg_temp.import_customer_work w set changed = true from linked l where not w.changed and w.customer_id = l.id;

  -- Referrers, now that everyone in the file exists.
  with referred as (
    update public.customers c
       set referred_by = i.customer_id
      from pg_temp.import_customer_work w
      join public.customer_identities i on i.org_id = w.org_id and i.kind = 'email' and i.value = w.referrer_n
     where w.error is null and c.id = w.customer_id and c.referred_by is null and i.customer_id <> c.id
    returning c.id
  )
  update pg_temp.import_customer_work w set changed = true from referred r where not w.changed and w.customer_id = r.id;

  -- Tags: the organization's tag of that name (any case), created when there is none, spelt as
  -- the first row naming it spells it (each spelling's first row found by hashing, then only the
  -- spellings sorted: at 200,000 rows 0.09 s against 0.36 s for a sort of every row's tags).
  insert into public.tags (org_id, name, created_by)
  select distinct on (s.org_id, lower(s.name)) s.org_id, s.name, null::uuid
    from (select w.org_id, t.name, min(w.id) as first_row
            from pg_temp.import_customer_work w
           cross join lateral unnest(w.tag_list) t (name)
           where w.error is null
           group by w.org_id, t.name) s
   order by s.org_id, lower(s.name), s.first_row
  on conflict (org_id, lower(name)) do nothing;
  -- The tags and their history, with the per-row checks of their foreign keys aside
  -- (private.import_checks_aside; the tags' insert trigger stands aside under portrait.bulk, its
  -- work is done below, and the history has no trigger): the customers were held above (or are
  -- this transaction's), the tags the rows name are held here.
  perform 1
     from public.tags g
     join (select distinct w.org_id, lower(t.name) as name
             from pg_temp.import_customer_work w
            cross join lateral unnest(w.tag_list) t (name)
            where w.error is null) x on g.org_id = x.org_id and lower(g.name) = x.name
      for key share of g;
  checks_aside := private.import_checks_aside();
  drop table if exists pg_temp.import_tagged;
  create temp table import_tagged on commit drop as
  with tagged as (
    insert into public.customer_tags (org_id, customer_id, tag_id, source, added_by)
    select distinct x.org_id, x.customer_id, g.id, 'import'::public.tag_source, null::uuid
      -- Each row's tag names first (offset 0), then joined with the organization's tags by one
      -- hash: joined inside the lateral, the tags were read and hashed again for every row (at
      -- 200,000 rows 0.84 s against 0.31 s).
      from (select w.org_id, w.customer_id, lower(t.name) as name
              from pg_temp.import_customer_work w
             cross join lateral unnest(w.tag_list) t (name)
             where w.error is null
            offset 0) x
      join public.tags g on g.org_id = x.org_id and lower(g.name) = x.name
    on conflict (org_id, customer_id, tag_id) do nothing
    returning org_id, customer_id, tag_id, source, added_by, added_at
  )
  select * from tagged;
  -- The customers' tag history (portrait.bulk: not one trigger call per tag).
  insert into public.customer_tag_changes (org_id, customer_id, tag_id, tag_name, action, source, changed_by, changed_at)
  select t.org_id, t.customer_id, t.tag_id, g.name, 'added', t.source, t.added_by, t.added_at
    from pg_temp.import_tagged t
    join public.tags g on g.org_id = t.org_id and g.id = t.tag_id;
  perform private.import_checks_back(checks_aside);
  -- What the tags' insert trigger does outside portrait.bulk.
  perform private.refresh_tagged_customers(t.org_id, array_agg(distinct t.customer_id))
     from pg_temp.import_tagged t
    group by t.org_id;
  update pg_temp.import_customer_work w set changed = true
    from (select distinct t.customer_id from pg_temp.import_tagged t) t
   where not w.changed and w.customer_id = t.customer_id;

  update public.import_customers s
     set import_status = case when w.error is not null then 'rejected' when w.changed then 'applied' else 'duplicate' end::public.import_status,
         error = w.error,
         customer_id = case when w.error is null then w.customer_id end
    from pg_temp.import_customer_work w
   where s.id = w.id;

  perform private.import_restore_engine(restore);
end;
$$;

comment on function private.import_apply_customers(bigint[]) is
  'Resolves pending import_customers rows (by id): checks every value, finds or creates each customer, fills empty fields, adds identifiers, company, referrer and tags, and marks each row applied, duplicate or rejected with its reason.';
revoke all on function private.import_apply_customers(bigint[]) from public;


-- The customers orders or events rows refer to, parsed: for each (email, phone, external id, the
-- organization's phone region) of the arrays, as given, the reference's kind, its value as stored
-- and as written, or what is wrong with it. Email and phone may name someone new (created); an
-- external id must name a known customer. One call for the distinct references of a file (an
-- orders file's hundreds of thousands of customers: a function call each cost as much again as
-- the normalising).
create function private.import_customer_references(p_emails text[], p_phones text[], p_externals text[], p_regions text[])
returns table (email text, phone text, external_id text, region text, ref_kind text, ref_value text, ref_written text, ref_error text)
language sql
immutable
set search_path = ''
as $$
  select r.email, r.phone, r.external_id, r.region, r.kind, r.value, r.written,
         case
           when r.kind is null then 'customer_email, customer_phone, customer_external_id: the row names no customer'
           when r.value is null then case r.kind
             when 'email' then format('customer_email: %s is not an email address', quote_literal(r.written))
             when 'phone' then coalesce(private.import_rounded_problem('customer_phone', r.written),
                                        format('customer_phone: %s is not a phone number (write it with its country code)', quote_literal(r.written)))
           end
         end
    from (
      select i.email, i.phone, i.external_id, i.region,
             case when e is not null then 'email' when p is not null then 'phone' when x is not null then 'external_id' end as kind,
             case when e is not null then private.normalize_email(e)
                  when p is not null then private.normalize_phone(p, nullif(i.region, ''))
                  else x end as value,
             coalesce(e, p, x) as written
        from (select g.email, g.phone, g.external_id, g.region,
                     nullif(btrim(g.email), '') as e, nullif(btrim(g.phone), '') as p, nullif(btrim(g.external_id), '') as x
                from unnest(p_emails, p_phones, p_externals, p_regions) as g (email, phone, external_id, region)) i
      offset 0 -- (normalised once, not once per use of the value)
    ) r
$$;
comment on function private.import_customer_references(text[], text[], text[], text[]) is
  'The customers import rows refer to, parsed: for each (email, phone, external id, phone region) of the arrays, as given, the kind of reference, its value as stored and as written, or the reason it is refused.';
revoke all on function private.import_customer_references(text[], text[], text[], text[]) from public;

-- One row's reference (an events file's rows, each parsed as it is read).
create function private.import_customer_reference(p_email text, p_phone text, p_external text, p_region text)
returns table (ref_kind text, ref_value text, ref_written text, ref_error text)
language sql
immutable
rows 1
set search_path = ''
as $$
  select r.ref_kind, r.ref_value, r.ref_written, r.ref_error
    from private.import_customer_references(array[p_email], array[p_phone], array[p_external], array[p_region]) r
$$;

comment on function private.import_customer_reference(text, text, text, text) is
  'Which customer an imported order or event names: the first of customer_email, customer_phone, customer_external_id given, normalised, with the problem when it is unreadable (private.import_customer_references for one row).';
revoke all on function private.import_customer_reference(text, text, text, text) from public;


-- Resolves the customer references of a work table (orders or events) into
-- pg_temp.import_reference_work, one row per distinct (org_id, ref_kind, ref_value) of its rows
-- without an error: known customers by identity or external id; new ones created for unknown
-- emails and phones (only for references some good row uses: nothing of a rejected row is
-- written); customer_id stays null for an unknown external id, which the caller rejects.
create function private.import_resolve_references(p_work text)
returns void
language plpgsql
volatile
security definer
set search_path = ''
set jit = off
set work_mem = '64MB'
set enable_mergejoin = off
as $$
begin
  -- One row per distinct reference, resolved by joins (not one lookup per imported row).
  drop table if exists pg_temp.import_reference_work;
  execute format($sql$
    create temp table import_reference_work on commit drop as
    select w.org_id, w.ref_kind, w.ref_value, null::uuid as customer_id, false as created,
           -- The name a new customer is given: the least of its rows' names (the session resolving
           -- a part of a file that creates the customer sees only that part's).
           min(w.name_ collate "C") as name
      from pg_temp.%1$I w
     where w.error is null
     group by w.org_id, w.ref_kind, w.ref_value$sql$, p_work);
  analyze pg_temp.import_reference_work;

  update pg_temp.import_reference_work r
     set customer_id = i.customer_id
    from public.customer_identities i
   where r.ref_kind in ('email', 'phone') and i.org_id = r.org_id and i.kind = r.ref_kind::public.identity_kind and i.value = r.ref_value;
  update pg_temp.import_reference_work r
     set customer_id = c.id
    from public.customers c
   where r.ref_kind = 'external_id' and c.org_id = r.org_id and c.external_id = r.ref_value;
  update pg_temp.import_reference_work r
     set customer_id = i.customer_id
    from public.customer_identities i
   where r.ref_kind = 'external_id' and r.customer_id is null and i.org_id = r.org_id and i.kind = 'shop_customer'
     and i.value = private.normalize_shop_id(split_part(r.ref_value, ':', 1), split_part(r.ref_value, ':', 2));

  -- Unknown emails and phones become new customers; unknown external ids are refused.
  -- Creating customers is one writer at a time per organization (until the transaction ends):
  -- sessions resolving parts of one file at once (public.import_apply_held) would otherwise
  -- each create the same new customer. After the wait, what another session created meanwhile
  -- is found like any known customer.
  if exists (select 1 from pg_temp.import_reference_work r where r.customer_id is null and r.ref_kind in ('email', 'phone')) then
    perform private.import_lock_org(k.org_id, 'write')
       from (select distinct r.org_id from pg_temp.import_reference_work r
              where r.customer_id is null and r.ref_kind in ('email', 'phone') order by 1) k;
    update pg_temp.import_reference_work r
       set customer_id = i.customer_id
      from public.customer_identities i
     where r.customer_id is null and r.ref_kind in ('email', 'phone')
       and i.org_id = r.org_id and i.kind = r.ref_kind::public.identity_kind and i.value = r.ref_value;
  end if;
  update pg_temp.import_reference_work r
     set customer_id = gen_random_uuid(), created = true
   where r.customer_id is null and r.ref_kind in ('email', 'phone');
  -- With their profiles and identities (portrait.bulk: not one trigger call per customer).
  with created as (
    insert into public.customers (id, org_id, display_name, primary_email, primary_phone, created_by)
    select r.customer_id, r.org_id, r.name, case when r.ref_kind = 'email' then r.ref_value end, case when r.ref_kind = 'phone' then r.ref_value end, null
      from pg_temp.import_reference_work r
     where r.created
    returning org_id, id
  ), profiles as (
    insert into public.customer_profiles (org_id, customer_id, lifecycle_stage)
    select c.org_id, c.id, 'prospect' from created c
  )
  insert into public.customer_identities (org_id, kind, value, customer_id, created_by)
  select r.org_id, r.ref_kind::public.identity_kind, r.ref_value, r.customer_id, null
    from pg_temp.import_reference_work r
   where r.created;

  -- Known customers without a name take the one the file gives them (a file fills empty fields,
  -- never overwrites), as the organization's one writer: the sessions resolving parts of a file
  -- name the same customers.
  if exists (select 1 from pg_temp.import_reference_work r join public.customers c on c.org_id = r.org_id and c.id = r.customer_id
              where not r.created and r.name is not null and c.display_name is null) then
    perform private.import_lock_org(k.org_id, 'write')
       from (select distinct r.org_id from pg_temp.import_reference_work r where not r.created and r.name is not null order by 1) k;
    update public.customers c
       set display_name = r.name
      from pg_temp.import_reference_work r
     where not r.created and r.name is not null and c.org_id = r.org_id and c.id = r.customer_id and c.display_name is null;
  end if;
  analyze pg_temp.import_reference_work;
end;
$$;

comment on function private.import_resolve_references(text) is
  'Finds (or, for an unknown email or phone, creates) the customer of each distinct reference of an orders or events work table, into pg_temp.import_reference_work (customer_id null: an unknown external id).';
revoke all on function private.import_resolve_references(text) from public;




-- Orders file rows → orders, upserted by (source, order id).
--
-- For millions of rows: the rows are read once into a narrow table, checked in one statement
-- into a work table (duplicates inside the file then found by a hashed count, and only those
-- rows updated), and their customers resolved once per distinct reference
-- (pg_temp.import_reference_work). An organization that has no orders of the file's sources yet
-- (the first import) gets a plain insert sorted like the orders' index of a customer's orders
-- (org_id, customer_id, ordered_at desc: that index and the pending orders' one are filled in
-- their order, not at random places; the insert takes a quarter less CPU than one sorted by the
-- unique key (org_id, source, external_id), whose entries then go to random places instead),
-- with ids that grow in the same order (appended to the primary key, not scattered over it);
-- otherwise, or when a concurrent writer added one of the same orders meanwhile, an upsert that
-- tells new, changed and unchanged orders apart.
create function private.import_apply_orders(p_ids bigint[], p_held_org uuid default null, p_part boolean default false)
returns void
language plpgsql
volatile
security definer
set search_path = ''
set client_min_messages = warning
set jit = off
set work_mem = '64MB'
set enable_mergejoin = off
as $$
declare
  -- The usual forms of ordered_at (2024-03-05T14:30:00.000Z, 2024-03-05 14:30, 2024-03-05) on real
  -- days (February up to the 28th) are plain casts; everything else goes through
  -- private.import_timestamp (ten times slower). The day and the time of day of those forms:
  usual_day constant text := '(19|20|21)\d\d-((0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)';
  usual_time constant text := '[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?';
  restore text[];
  nestloop constant text := current_setting('enable_nestloop');
  batch record;
  first_import boolean;
  sources_with_orders text[];
  inserted boolean := false;
  checks_aside boolean;
  id_prefix text;
  id_sequence regclass;
  held_org uuid;
  held_settings jsonb;
  parse_turn boolean := false;
  -- Each row's outcome (status, reason, customer) beside its cells: one query, for marking staged
  -- rows and for writing held rows. $1: the good rows were inserted as new orders (the first import).
  outcome constant text := $q$
    select w.id, w.org_id, w.import_batch, w.loaded_at, w.order_id, w.customer_email, w.customer_phone, w.customer_external_id,
           w.customer_name, w.ordered_at, w.total, w.refunded, w.status, w.currency, w.source,
           case when w.error is not null or r.customer_id is null then 'rejected'
                when $1 or x.external_id is not null or r.created then 'applied'
                else 'duplicate' end::public.import_status as import_status,
           coalesce(w.error, case when r.customer_id is null then
             coalesce(private.import_rounded_problem('customer_external_id', w.ref_value),
                      format('customer_external_id: no customer has the external id %s; import the customers file first', quote_literal(w.ref_value))) end) as error,
           case when w.error is null then r.customer_id end as customer_id
      from pg_temp.import_order_work w
      left join pg_temp.import_reference_work r on r.org_id = w.org_id and r.ref_kind = w.ref_kind and r.ref_value = w.ref_value
      left join pg_temp.import_order_written x on x.org_id = w.org_id and x.source = w.source_ and x.external_id = w.order_in and w.error is null$q$;
begin
  if p_held_org is null and cardinality(p_ids) = 0 then
    return;
  end if;
  if p_held_org is not null then
    -- (Held rows are of one organization: the table is emptied once they are resolved.)
    if exists (select 1 from pg_temp.import_orders_held h where h.org_id is distinct from p_held_org) then
      raise exception using errcode = '22023',
        message = format('pg_temp.import_orders_held: holds rows of another organization than %s', p_held_org);
    end if;
    if not exists (select 1 from pg_temp.import_orders_held h) then
      return;
    end if;
  end if;
  restore := private.import_defer_engine();
  -- A part of a file (public.import_apply_held) parses its rows while the customers files may
  -- still be resolving in another session (public.import_apply, on one core, its transaction
  -- deciding when every part can find its customers): the parts then parse one at a time beside
  -- it, each taking the organization's parse turn (private.import_lock_org 'parse'), rather than
  -- all at once and taking that core's time from it. One that waits for its turn parses as soon
  -- as the customers are done. Without an import_apply, the parts parse side by side.
  if p_part then
    loop
      exit when private.import_lock_org(p_held_org, 'wait_now');
      parse_turn := private.import_lock_org(p_held_org, 'parse');
      exit when parse_turn;
      perform pg_sleep(0.05);
    end loop;
  end if;
  begin
    -- The statements below sort and hash millions of narrow rows.
    perform set_config('work_mem', '256MB', true);

    -- The rows to resolve, read once into a narrow table the planner has statistics of (it then
    -- hashes the few distinct values below, not the millions of rows).
    drop table if exists pg_temp.import_order_staged;
    if p_held_org is null then
      create temp table import_order_staged on commit drop as
      with orgs as materialized (
        select o.id, private.org_settings_with_defaults(o.settings) as settings from public.organizations o
      )
      , pending_rows as materialized (
        select s.id, s.org_id, s.import_batch, s.loaded_at, s.order_id, s.customer_email, s.customer_phone, s.customer_external_id, s.customer_name,
               s.ordered_at, s.total, s.refunded, s.status, s.currency, s.source
          from public.import_orders s
         where s.id between (select min(i) from unnest(p_ids) i) and (select max(i) from unnest(p_ids) i)
           and s.id = any (p_ids) and s.import_status = 'pending'
      ), date_orders as materialized (
        -- Whether each file's dates written 3/5/2024 put the month or the day first.
        select r.import_batch,
               private.import_date_order(array_agg(distinct r.ordered_at) filter (where strpos(r.ordered_at, '/') > 0)) as month_first
          from pending_rows r
         group by r.import_batch
      )
      select s.id, s.org_id, s.import_batch, s.loaded_at, s.order_id, s.customer_email, s.customer_phone, s.customer_external_id, s.customer_name,
             s.ordered_at, s.total, s.refunded, s.status, s.currency, s.source, d.month_first,
             o.id as known_org, o.settings ->> 'currency' as org_currency,
             coalesce(o.settings ->> 'default_phone_region', '') as region_key
        from pending_rows s
        join date_orders d on d.import_batch = s.import_batch
        left join orgs o on o.id = s.org_id;
    else
      -- Rows the session holds (public.import_apply, public.import_apply_held): the held table
      -- becomes the staged one, renamed, with the organization's values as columns of constant
      -- defaults (which rewrite no row: a copy of a million held rows took 1.1 s), then dropped
      -- once they are parsed into the work table below. Its rows keep the
      -- staging ids the loader reserved for them (private.import_reserve_ids), or else are numbered
      -- now with the staging table's own ids, in the order they were loaded (a temporary table
      -- only appended to is read in the order it was written, as the loader's own table is).
      id_sequence := pg_get_serial_sequence('public.import_orders', 'id')::regclass;
      update pg_temp.import_orders_held h set id = nextval(id_sequence) where h.id is null;
      select o.id, private.org_settings_with_defaults(o.settings) into held_org, held_settings
        from public.organizations o where o.id = p_held_org;
      execute format('alter table pg_temp.import_orders_held add column known_org uuid default %L, add column org_currency text default %L,
                        add column region_key text default %L',
                     held_org, held_settings ->> 'currency', coalesce(held_settings ->> 'default_phone_region', ''));
      alter table pg_temp.import_orders_held rename to import_order_staged;
    end if;
    analyze pg_temp.import_order_staged;

    -- Which sources the rows' organizations have orders of ('<org> <source>'), asked before the
    -- rows are parsed: asked once they are, the probe walked the index over every order a part
    -- resolving beside this one had written meanwhile, uncommitted (1,000,000: up to 1 s).
    sources_with_orders := array(
      select g.org_id::text || ' ' || v.source::text
        from (select p_held_org as org_id where p_held_org is not null
              union all
              select distinct s.org_id from pg_temp.import_order_staged s where p_held_org is null) g
       cross join unnest(enum_range(null::public.order_source)) as v (source)
       where exists (select 1 from public.orders o where o.org_id = g.org_id and o.source = v.source));

    drop table if exists pg_temp.import_order_work;
    -- Hash joins of the rows with their distinct values: the planner cannot estimate the join of
    -- the rows with their references (four columns, one of them computed), takes it for a row or
    -- two and would then loop over every distinct amount for each row (minutes for a million rows).
    perform set_config('enable_nestloop', 'off', true);
    create temp table import_order_work on commit drop as
    with staged as not materialized (
      select * from pg_temp.import_order_staged
    ),
    -- Each distinct value is read once (a file has few distinct amounts, statuses and customers
    -- among millions of rows), then joined back to its rows.
    refs as materialized (
      select r.region as region_key, r.email as e, r.phone as p, r.external_id as x, r.ref_kind, r.ref_value, r.ref_written, r.ref_error
        from (select array_agg(k.e) as e, array_agg(k.p) as p, array_agg(k.x) as x, array_agg(k.region_key) as region
                from (select distinct s.region_key, coalesce(s.customer_email, '') as e, coalesce(s.customer_phone, '') as p,
                             coalesce(s.customer_external_id, '') as x
                        from staged s) k) a
       cross join lateral private.import_customer_references(a.e, a.p, a.x, a.region) r
    ),
    -- The totals and the refunds apart: each distinct list is then estimated from its column's
    -- statistics (a union of the two would be taken for millions of rows, and the rows hashed
    -- into batches on disk to join it, instead of it being hashed).
    totals as materialized (
      select d.v, private.import_amount(d.v) as amount
        from (select distinct s.total as v from staged s where s.total is not null) d
    ), refunds as materialized (
      select d.v, private.import_amount(d.v) as amount
        from (select distinct s.refunded as v from staged s where s.refunded is not null) d
    ), statuses as materialized (
      select d.v, (select st.status from private.import_order_statuses st
                    where st.written = regexp_replace(lower(btrim(d.v)), '[\s-]+', '_', 'g')) as status
        from (select distinct s.status as v from staged s where s.status is not null) d
    ), parsed as (
      select s.id, s.org_id, s.known_org, s.import_batch, s.loaded_at, s.order_id, s.customer_email, s.customer_phone, s.customer_external_id,
             s.customer_name, s.ordered_at, s.total, s.refunded, s.status, s.currency, s.source,
             nullif(btrim(s.order_id), '') as order_in,
             r.ref_kind, r.ref_value, r.ref_written, r.ref_error,
             nullif(btrim(s.ordered_at), '') as ordered_in,
             -- The usual forms (usual_day, usual_time above) are plain casts.
             case when s.ordered_at ~ ('^' || usual_day || usual_time || 'Z$')
                  then s.ordered_at::timestamptz
                  when s.ordered_at ~ ('^' || usual_day || '(' || usual_time || ')?$')
                  then s.ordered_at::timestamp at time zone 'UTC'
                  else private.import_timestamp(s.ordered_at, s.month_first) end as ordered_,
             nullif(btrim(s.total), '') as total_in,
             ta.amount as total_,
             nullif(btrim(s.refunded), '') as refunded_in,
             case when nullif(btrim(s.refunded), '') is null then 0 else ra.amount end as refunded_,
             nullif(btrim(s.status), '') as status_in,
             case when nullif(btrim(s.status), '') is null then 'paid'::public.order_status else st.status end as status_,
             upper(coalesce(nullif(btrim(s.currency), ''), s.org_currency)) as currency_,
             lower(coalesce(nullif(btrim(s.source), ''), 'import')) as source_,
             nullif(btrim(regexp_replace(s.customer_name, '\s+', ' ', 'g')), '') as name_,
             -- The detailed (slower) checks only for rows that fail a quick one.
             case when length(s.order_id) > 200 or length(s.customer_email) > 320 or length(s.customer_phone) > 64
                       or length(s.customer_external_id) > 200 or length(s.customer_name) > 200 or length(s.ordered_at) > 64
                       or length(s.total) > 40 or length(s.refunded) > 40 or length(s.status) > 40 or length(s.currency) > 10
                       or length(s.source) > 40
                       or concat(s.order_id, s.customer_email, s.customer_phone, s.customer_external_id, s.customer_name, s.ordered_at,
                                 s.total, s.refunded, s.status, s.currency, s.source) ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\uFFFD]' then
             coalesce(
               private.import_cell_problem('order_id', s.order_id, 200), private.import_cell_problem('customer_email', s.customer_email, 320),
               private.import_cell_problem('customer_phone', s.customer_phone, 64), private.import_cell_problem('customer_external_id', s.customer_external_id, 200),
               private.import_cell_problem('customer_name', s.customer_name, 200),
               private.import_cell_problem('ordered_at', s.ordered_at, 64), private.import_cell_problem('total', s.total, 40),
               private.import_cell_problem('refunded', s.refunded, 40), private.import_cell_problem('status', s.status, 40),
               private.import_cell_problem('currency', s.currency, 10), private.import_cell_problem('source', s.source, 40)
             ) end as cell_problem
        from staged s
        join refs r on r.region_key = s.region_key and r.e = coalesce(s.customer_email, '') and r.p = coalesce(s.customer_phone, '')
                   and r.x = coalesce(s.customer_external_id, '')
        left join totals ta on ta.v = s.total
        left join refunds ra on ra.v = s.refunded
        left join statuses st on st.v = s.status
       offset 0 -- (each value parsed once: a flattened subquery would repeat its expressions at every use)
    ), checked as (
      select p.id, p.org_id, p.import_batch, p.loaded_at, p.order_id, p.customer_email, p.customer_phone, p.customer_external_id, p.customer_name,
             p.ordered_at, p.total, p.refunded, p.status, p.currency, p.source,
             p.order_in, p.ref_kind, p.ref_value, p.name_, p.ordered_, p.total_, p.refunded_, p.status_, p.currency_,
             case when p.source_ = any ((select enum_range(null::public.order_source))::text[]) then p.source_::public.order_source end as source_,
             case
               when p.known_org is null then private.import_org_problem(p.org_id)
               when p.cell_problem is not null then p.cell_problem
               when p.order_in is null then 'order_id: missing'
               when strpos(p.order_in, '+') > 0 and private.import_rounded_problem('order_id', p.order_in) is not null then
                 private.import_rounded_problem('order_id', p.order_in)
               when p.ref_error is not null then p.ref_error
               when p.ordered_in is null then 'ordered_at: missing'
               when p.ordered_ is null then private.import_date_problem('ordered_at', p.ordered_in)
               when p.ordered_ > now() + interval '1 day' then format('ordered_at: %s is in the future', quote_literal(p.ordered_in))
               when p.total_in is null then 'total: missing'
               when p.total_ is null then format('total: %s is not an amount', quote_literal(p.total_in))
               when p.total_ < 0 then format('total: %s is negative', quote_literal(p.total_in))
               when p.refunded_ is null then format('refunded: %s is not an amount', quote_literal(p.refunded_in))
               when p.refunded_ < 0 then format('refunded: %s is negative', quote_literal(p.refunded_in))
               when p.refunded_ > p.total_ then format('refunded: %s is more than the total %s', quote_literal(p.refunded_in), quote_literal(p.total_in))
               when p.status_ is null then
                 format('status: %s is not an order status (paid, refunded, cancelled, pending, or completed, partially_refunded, voided…)', quote_literal(p.status_in))
               when p.currency_ !~ '^[A-Z]{3}$' then format('currency: %s is not a three-letter currency code (such as USD)', quote_literal(p.currency_))
               when not p.source_ = any ((select enum_range(null::public.order_source))::text[]) then
                 format('source: %s is not one of %s', quote_literal(p.source_), array_to_string(enum_range(null::public.order_source)::text[], ', '))
             end as error
        from parsed p
    )
    -- (With the row's cells, which the held rows are written to import_orders with: carried here
    -- rather than joined back from the staged rows by id, a hash of a million rows.)
    select * from checked;
    perform set_config('enable_nestloop', nestloop, true);
    -- (Read no more: the work table carries the rows' cells. Dropped now, as the held table it may
    -- be is not at commit.)
    drop table pg_temp.import_order_staged;

    -- The same order twice in one load: the first good row counts (a hashed count, not a sort:
    -- the planner needs the work table's statistics to see that the groups fit in memory).
    analyze pg_temp.import_order_work;
    update pg_temp.import_order_work w
       set error = format('order_id: %s appears earlier in this file (row %s)', quote_literal(w.order_in), d.first_id)
      from (select w2.org_id, w2.source_, w2.order_in, min(w2.id) as first_id
              from pg_temp.import_order_work w2
             where w2.error is null
             group by w2.org_id, w2.source_, w2.order_in
            having count(*) > 1) d
     where w.error is null and w.org_id = d.org_id and w.source_ = d.source_ and w.order_in = d.order_in and w.id <> d.first_id;
  exception when others then
    -- (The turn is the session's: given back whatever happens to the transaction.)
    if parse_turn then
      perform private.import_lock_org(p_held_org, 'parse_done');
    end if;
    raise;
  end;
  if parse_turn then
    perform private.import_lock_org(p_held_org, 'parse_done');
  end if;

  -- A part finds its customers once the customers files are resolved, and only if they were.
  if p_part then
    perform private.import_lock_org(p_held_org, 'wait');
    if exists (select 1 from public.import_customers s where s.org_id = p_held_org and s.import_status = 'pending')
       or exists (select 1 from public.import_events s where s.org_id = p_held_org and s.import_status = 'pending') then
      raise exception using errcode = '55000',
        message = format('import_customers or import_events: organization %s has pending rows (resolving them failed?): run select public.import_apply(%L) first', p_held_org, p_held_org);
    end if;
  end if;
  perform private.import_resolve_references('import_order_work');

  -- The orders an upsert wrote (new or changed), for the rows' outcome.
  drop table if exists pg_temp.import_order_written;
  create temp table import_order_written (org_id uuid, source public.order_source, external_id text) on commit drop;

  -- The first import of these sources into the organization: every good row is a new order.
  -- (An order another session adds meanwhile makes the insert fail: then the upsert below.)
  first_import := not exists (
    select 1
      from (select distinct w.org_id, w.source_ from pg_temp.import_order_work w where w.error is null) k
     where k.org_id::text || ' ' || k.source_::text = any (sources_with_orders));
  if first_import then
    -- The references' known customers held at once, and the per-row checks of the orders' foreign
    -- key aside for the insert (private.import_checks_aside: orders has no other trigger to fire
    -- for an insert under portrait.bulk).
    perform private.import_hold_customers('import_reference_work', 'created');
    checks_aside := private.import_checks_aside();
    begin
      -- Ids in the order of the rows: a time prefix (as UUIDv7), a random part, then the row number.
      id_prefix := lpad(to_hex((extract(epoch from clock_timestamp()) * 1000)::bigint), 12, '0') || '7'
                   || lpad(to_hex((random() * 4095)::integer), 3, '0') || '8' || lpad(to_hex((random() * 1048575)::integer), 5, '0');
      -- Its sort of millions of rows in memory, not merged from disk.
      perform set_config('work_mem', '1GB', true);
      insert into public.orders (id, org_id, customer_id, source, external_id, ordered_at, total, refunded_amount, currency, status)
      select (id_prefix || lpad(to_hex(row_number() over (order by w.org_id, r.customer_id, w.ordered_ desc, w.id)), 10, '0'))::uuid,
             w.org_id, r.customer_id, w.source_, w.order_in, w.ordered_, w.total_, w.refunded_, w.currency_, w.status_
        from pg_temp.import_order_work w
        join pg_temp.import_reference_work r on r.org_id = w.org_id and r.ref_kind = w.ref_kind and r.ref_value = w.ref_value
       where w.error is null and r.customer_id is not null
       order by w.org_id, r.customer_id, w.ordered_ desc, w.id;
      perform set_config('work_mem', '256MB', true);
      inserted := true;
    exception when unique_violation then
      -- Someone else wrote one of these orders meanwhile (all of the above is undone): upsert.
      inserted := false;
    end;
    perform private.import_checks_back(checks_aside);
  end if;

  if not inserted then
    with written as (
      insert into public.orders as o (org_id, customer_id, source, external_id, ordered_at, total, refunded_amount, currency, status)
      select w.org_id, r.customer_id, w.source_, w.order_in, w.ordered_, w.total_, w.refunded_, w.currency_, w.status_
        from pg_temp.import_order_work w
        join pg_temp.import_reference_work r on r.org_id = w.org_id and r.ref_kind = w.ref_kind and r.ref_value = w.ref_value
       where w.error is null and r.customer_id is not null
       order by w.org_id, w.source_, w.order_in
      on conflict (org_id, source, external_id) do update
         set customer_id = excluded.customer_id, ordered_at = excluded.ordered_at, total = excluded.total,
             refunded_amount = excluded.refunded_amount, currency = excluded.currency, status = excluded.status
       where (o.customer_id, o.ordered_at, o.total, o.refunded_amount, o.currency, o.status)
             is distinct from (excluded.customer_id, excluded.ordered_at, excluded.total, excluded.refunded_amount, excluded.currency, excluded.status)
         -- An order the shop's connection has brought (webhooks, backfill) is kept as the shop last
         -- said: an export of it is older, or the same (the row is a duplicate).
         and not exists (select from private.shop_order_sync y
                          where y.org_id = o.org_id and y.source = o.source and y.external_id = o.external_id)
      returning o.org_id, o.source, o.external_id
    )
    insert into pg_temp.import_order_written (org_id, source, external_id)
    select x.org_id, x.source, x.external_id from written x;
  end if;
  -- (Empty after the first import's insert: the planner then hashes it, not the millions of rows.)
  analyze pg_temp.import_order_written;

  -- Staged rows are marked with their outcome; held rows are written to the staging table with it
  -- (one write of each row instead of a load and a marking).
  if p_held_org is null then
    execute format($sql$
      update public.import_orders s
         set import_status = x.import_status, error = x.error, customer_id = x.customer_id
        from (%s) x
       where s.id = x.id$sql$, outcome) using inserted;
  else
    execute format($sql$
      insert into public.import_orders (id, org_id, import_batch, loaded_at, order_id, customer_email, customer_phone, customer_external_id,
                                        customer_name, ordered_at, total, refunded, status, currency, source, import_status, error,
                                        customer_id)
      overriding system value
      %s$sql$, outcome) using inserted;
  end if;

  -- What the orders' insert trigger does (portrait.bulk: it stood aside): the customers of the
  -- references some good paid row uses recounted (a sort of the distinct references, not of
  -- every paid row). A part of a file (public.import_apply_held) keeps them for
  -- public.import_recount, which recounts once for all parts (private.import_parts_written).
  for batch in
    select r.org_id, array_agg(distinct r.customer_id) as ids
      from pg_temp.import_reference_work r
     where r.customer_id is not null
       and exists (select 1 from pg_temp.import_order_work w
                    where w.org_id = r.org_id and w.ref_kind = r.ref_kind and w.ref_value = r.ref_value
                      and w.error is null and w.status_ = 'paid')
     group by r.org_id
     order by r.org_id
  loop
    if p_part then
      insert into private.import_parts_written (org_id, customer_ids) values (batch.org_id, batch.ids);
    else
      perform private.import_recount_customers(batch.org_id, batch.ids);
    end if;
  end loop;

  perform private.import_restore_engine(restore);
end;
$$;

comment on function private.import_apply_orders(bigint[], uuid, boolean) is
  'Resolves pending import_orders rows (by id), or with p_held_org the rows of that organization the session holds in pg_temp.import_orders_held: checks every value, finds or creates the customer, upserts the order by (source, order_id), and marks each row applied, duplicate or rejected with its reason (held rows are written to import_orders with it); with p_part (a part of a file, public.import_apply_held) it waits for a running import_apply before resolving customers and does not recount (public.import_recount does), else it recounts the orders'' customers.';
revoke all on function private.import_apply_orders(bigint[], uuid, boolean) from public;


-- Events file rows → events; the same event (customer, kind, time) is not added twice.
create function private.import_apply_events(p_ids bigint[])
returns void
language plpgsql
volatile
security definer
set search_path = ''
set client_min_messages = warning
set jit = off
set work_mem = '64MB'
set enable_mergejoin = off
as $$
declare
  restore text[];
begin
  if cardinality(p_ids) = 0 then
    return;
  end if;
  restore := private.import_defer_engine();

  drop table if exists pg_temp.import_event_work;
  create temp table import_event_work on commit drop as
  with orgs as materialized (
    select o.id, private.org_settings_with_defaults(o.settings) ->> 'default_phone_region' as phone_region
      from public.organizations o
  ), staged as (
    select s.*, o.id as known_org, o.phone_region
      from public.import_events s
      left join orgs o on o.id = s.org_id
     where s.id between (select min(i) from unnest(p_ids) i) and (select max(i) from unnest(p_ids) i)
       and s.id = any (p_ids) and s.import_status = 'pending'
  ), date_orders as materialized (
    -- Whether each file's dates written 3/5/2024 put the month or the day first.
    select s.import_batch,
           private.import_date_order(array_agg(distinct s.occurred_at) filter (where strpos(s.occurred_at, '/') > 0)) as month_first
      from staged s
     group by s.import_batch
  ), parsed as (
    select s.id, s.org_id, s.known_org, r.ref_kind, r.ref_value, r.ref_error,
           lower(nullif(btrim(s.kind), '')) as kind_,
           nullif(btrim(s.occurred_at), '') as occurred_in,
           private.import_timestamp(s.occurred_at, (select o.month_first from date_orders o where o.import_batch = s.import_batch)) as occurred_,
           coalesce(
             private.import_cell_problem('customer_email', s.customer_email, 320), private.import_cell_problem('customer_phone', s.customer_phone, 64),
             private.import_cell_problem('customer_external_id', s.customer_external_id, 200), private.import_cell_problem('kind', s.kind, 40),
             private.import_cell_problem('occurred_at', s.occurred_at, 64)
           ) as cell_problem
      from staged s
      cross join lateral private.import_customer_reference(s.customer_email, s.customer_phone, s.customer_external_id, s.phone_region) r
     offset 0 -- (each value parsed once: a flattened subquery would repeat its expressions at every use)
  )
  select p.id, p.org_id, p.ref_kind, p.ref_value, null::text as name_, p.kind_, p.occurred_,
         case
           when p.known_org is null then private.import_org_problem(p.org_id)
           when p.cell_problem is not null then p.cell_problem
           when p.ref_error is not null then p.ref_error
           when p.kind_ is null then 'kind: missing'
           when not p.kind_ = any ((select enum_range(null::public.event_kind))::text[]) then
             format('kind: %s is not one of %s', quote_literal(p.kind_), array_to_string(enum_range(null::public.event_kind)::text[], ', '))
           when p.occurred_in is null then 'occurred_at: missing'
           when p.occurred_ is null then private.import_date_problem('occurred_at', p.occurred_in)
           when p.occurred_ > now() + interval '1 day' then format('occurred_at: %s is in the future', quote_literal(p.occurred_in))
         end as error,
         null::uuid as customer_id,
         false as created_customer
    from parsed p;

  create index on pg_temp.import_event_work (id);
  analyze pg_temp.import_event_work;

  perform private.import_resolve_references('import_event_work');
  update pg_temp.import_event_work w
     set customer_id = r.customer_id,
         created_customer = r.created,
         error = case when r.customer_id is null then
           coalesce(private.import_rounded_problem('customer_external_id', w.ref_value),
                    format('customer_external_id: no customer has the external id %s; import the customers file first', quote_literal(w.ref_value))) end
    from pg_temp.import_reference_work r
   where w.error is null and r.org_id = w.org_id and r.ref_kind = w.ref_kind and r.ref_value = w.ref_value;

  with fresh as (
    select distinct on (w.org_id, w.customer_id, w.kind_, w.occurred_) w.id, w.org_id, w.customer_id, w.kind_, w.occurred_
      from pg_temp.import_event_work w
     where w.error is null
       and not exists (select 1 from public.events e
                        where e.org_id = w.org_id and e.customer_id = w.customer_id
                          and e.occurred_at = w.occurred_ and e.kind = w.kind_::public.event_kind)
     order by w.org_id, w.customer_id, w.kind_, w.occurred_, w.id
  ), added as (
    insert into public.events (org_id, customer_id, kind, occurred_at, recorded_by)
    select f.org_id, f.customer_id, f.kind_::public.event_kind, f.occurred_, null from fresh f
    returning 1
  )
  update public.import_events s
     set import_status = case when w.error is not null then 'rejected'
                              when f.id is not null or w.created_customer then 'applied'
                              else 'duplicate' end::public.import_status,
         error = w.error,
         customer_id = case when w.error is null then w.customer_id end
    from pg_temp.import_event_work w
    left join fresh f on f.id = w.id
   where s.id = w.id and (select count(*) from added) >= 0;

  perform private.import_restore_engine(restore);
end;
$$;

comment on function private.import_apply_events(bigint[]) is
  'Resolves pending import_events rows (by id): checks every value, finds or creates the customer, adds the event unless the same one is there, and marks each row applied, duplicate or rejected with its reason.';
revoke all on function private.import_apply_events(bigint[]) from public;


-- The statement-level triggers: rows Studio (or anyone) loads are resolved at once, unless the
-- session asked to defer (`set portrait.import_defer = on`, then public.import_apply).
create function private.import_rows_loaded()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  ids bigint[];
begin
  if coalesce(current_setting('portrait.import_defer', true), '') in ('on', 'true', '1') then
    return null;
  end if;
  -- Rows written with their outcome already (held rows, see public.import_apply) stay as they are.
  ids := array(select n.id from new_rows n where n.import_status = 'pending' order by n.id);
  if cardinality(ids) = 0 then
    return null;
  end if;
  if tg_table_name = 'import_customers' then
    perform private.import_apply_customers(ids);
  elsif tg_table_name = 'import_orders' then
    perform private.import_apply_orders(ids);
  else
    perform private.import_apply_events(ids);
  end if;
  return null;
end;
$$;

comment on function private.import_rows_loaded() is
  'Trigger: resolves the rows a statement loaded into an import table (unless portrait.import_defer is on for the session).';
revoke all on function private.import_rows_loaded() from public;

create trigger import_customers_resolve
  after insert on public.import_customers
  referencing new table as new_rows
  for each statement execute function private.import_rows_loaded();

create trigger import_orders_resolve
  after insert on public.import_orders
  referencing new table as new_rows
  for each statement execute function private.import_rows_loaded();

create trigger import_events_resolve
  after insert on public.import_events
  referencing new table as new_rows
  for each statement execute function private.import_rows_loaded();


-- Resolves every pending row of an organization (customers first, then orders and events): what
-- `npm run import` calls after loading with portrait.import_defer on, and what an admin calls to
-- retry. Orders rows the session holds in pg_temp.import_orders_held for the organization (npm
-- run import loads orders files there: see below) are resolved after the pending ones and written
-- to import_orders with their outcome. Returns the rows per table and status of the
-- organization's imports.
--
-- The held table has id (the row's staging id, reserved with private.import_reserve_ids; null:
-- numbered when resolved, in the order the rows were written), org_id, import_batch, loaded_at,
-- month_first (whether the whole file's dates written 3/5/2024 put the month first:
-- private.import_date_order over its ordered_at; the session may hold only a part of the file)
-- and the data columns of import_orders, as text, and is only appended to:
-- `create temp table import_orders_held (id bigint, org_id uuid, import_batch text, loaded_at
-- timestamptz not null default now(), month_first boolean, order_id text, …)`.
create function public.import_apply(p_org uuid)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
-- (Its lists of millions of pending ids are read, not compiled for.)
set jit = off
as $$
begin
  perform private.import_check_org(p_org);
  perform private.import_lock_org(p_org);
  -- Freshly loaded tables have no statistics yet; without them the planner takes millions of
  -- rows for a handful (and picks nested loops over them).
  analyze public.import_customers, public.import_orders, public.import_events;
  perform private.import_apply_customers(array(
    select s.id from public.import_customers s where s.org_id = p_org and s.import_status = 'pending' order by s.id));
  analyze public.customers, public.customer_identities;
  perform private.import_apply_orders(array(
    select s.id from public.import_orders s where s.org_id = p_org and s.import_status = 'pending' order by s.id));
  -- Orders rows the session holds for the organization (what npm run import loads orders files into).
  if to_regclass('pg_temp.import_orders_held') is not null then
    perform private.import_apply_orders(null, p_org);
  end if;
  analyze public.customers, public.customer_identities, public.orders;
  perform private.import_apply_events(array(
    select s.id from public.import_events s where s.org_id = p_org and s.import_status = 'pending' order by s.id));
  return private.import_counts(p_org, null);
end;
$$;


-- Resolves only the orders rows this session holds for the organization (see public.import_apply):
-- what each of the sessions of `npm run import --jobs N` calls, each holding the rows of one part
-- of an orders file (every row of an order id in the same part, so the file's duplicates are
-- found within a part), side by side with the others. It parses its rows at once, then waits for
-- an import_apply resolving the customers files in another session (private.import_lock_org
-- 'wait') before finding its customers, and refuses to go on when that left rows pending. Customers
-- for unknown references are created one session at a time ('write'); the orders' customers are
-- recounted afterwards, once (public.import_recount). Each session's rows are written in its own
-- transaction, all or nothing.
create function public.import_apply_held(p_org uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
set jit = off
as $$
begin
  perform private.import_check_org(p_org);
  if to_regclass('pg_temp.import_orders_held') is not null then
    perform private.import_apply_orders(null, p_org, true);
  end if;
end;
$$;

comment on function public.import_apply_held(uuid) is
  'Resolves the orders rows the calling session holds in pg_temp.import_orders_held for an organization (one part of a file; npm run import --jobs), side by side with the other parts: it waits for a running import_apply only before finding customers, and does not recount (import_recount does). For the service role.';
revoke all on function public.import_apply_held(uuid) from public, anon, authenticated;
grant execute on function public.import_apply_held(uuid) to service_role;


-- After the parts of orders files are resolved (public.import_apply_held): the customers of their
-- good paid rows recounted once, in one transaction that sees every part (orders an import changed
-- rather than added were recounted by the orders' update trigger as they were written).
create function public.import_recount(p_org uuid, p_batches text[])
returns void
language plpgsql
volatile
security definer
set search_path = ''
set jit = off
as $$
declare
  restore text[];
  ids uuid[];
begin
  perform private.import_check_org(p_org);
  if p_batches is null or array_ndims(p_batches) <> 1 or cardinality(p_batches) not between 1 and 1000
     or exists (select 1 from unnest(p_batches) as b (name) where b.name is null or b.name = '' or length(b.name) > 1000) then
    raise exception using
      errcode = '22023',
      message = 'p_batches must list 1 to 1000 import batch names (import_orders.import_batch), none empty or longer than 1000 characters';
  end if;
  -- The customers each part kept (rather than the millions of rows read again), taken: those of
  -- these batches' parts, and those of parts an earlier import wrote without their recount (one
  -- that failed part-way keeps its other parts; importing the files again recounts them here).
  with taken as (
    delete from private.import_parts_written pw
     where pw.org_id = p_org
    returning pw.customer_ids
  )
  select array(select distinct i from taken t cross join lateral unnest(t.customer_ids) as i) into ids;
  if cardinality(ids) = 0 then
    return;
  end if;
  restore := private.import_defer_engine();
  perform private.import_recount_customers(p_org, ids);
  perform private.import_restore_engine(restore);
end;
$$;

comment on function public.import_recount(uuid, text[]) is
  'Recounts the customers the parts of an organization''s orders files kept (private.import_parts_written: those of their good paid rows), after npm run import --jobs resolved the parts of the given batches with import_apply_held; the parts an earlier import left without their recount too. For the service role.';
revoke all on function public.import_recount(uuid, text[]) from public, anon, authenticated;
grant execute on function public.import_recount(uuid, text[]) to service_role;


-- Rows per status of an organization's imports, per table (of one batch when given).
create function private.import_counts(p_org uuid, p_batch text)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'customers', (select coalesce(jsonb_object_agg(x.import_status, x.n), '{}') from (
        select s.import_status, count(*) as n from public.import_customers s
         where s.org_id = p_org and (p_batch is null or s.import_batch = p_batch) group by 1) x),
    'orders', (select coalesce(jsonb_object_agg(x.import_status, x.n), '{}') from (
        select s.import_status, count(*) as n from public.import_orders s
         where s.org_id = p_org and (p_batch is null or s.import_batch = p_batch) group by 1) x),
    'events', (select coalesce(jsonb_object_agg(x.import_status, x.n), '{}') from (
        select s.import_status, count(*) as n from public.import_events s
         where s.org_id = p_org and (p_batch is null or s.import_batch = p_batch) group by 1) x))
$$;

comment on function private.import_counts(uuid, text) is
  'Imported rows of an organization per table and status ({"customers": {"applied": 10, …}, "orders": …, "events": …}), of one batch when p_batch is given.';
revoke all on function private.import_counts(uuid, text) from public;

comment on function public.import_apply(uuid) is
  'Resolves every pending imported row of an organization (rows loaded with portrait.import_defer on, or to retry), for its admins. Returns rows per table and status: {"customers": {"applied": n, "rejected": n, …}, "orders": …, "events": …}.';
revoke all on function public.import_apply(uuid) from public, anon;
grant execute on function public.import_apply(uuid) to authenticated, service_role;


-- After an import: a full engine run for the organization (statistics, profiles, cut points,
-- segments, rule tags) and its stage history backfilled from the first imported order, so the
-- Overview shows the history at once. The two parts read and write different things (the run:
-- statistics, profiles, memberships, stage changes, today's snapshot; the history: orders,
-- customers and events, the snapshots of the days before today), so `npm run import` runs them
-- side by side in two sessions; public.refresh_after_import runs one after the other.
create function private.import_refresh_engine(p_org uuid)
returns jsonb
language plpgsql
volatile
set search_path = ''
set jit = off
as $$
declare
  chunk jsonb;
  after_ uuid;
  run_id bigint;
  chunks integer := 0;
  started timestamptz := clock_timestamp();
begin
  -- The engine plans its queries over the tables an import just filled: they need statistics
  -- that know about the new rows first (autovacuum would take its time). Not the orders: a full
  -- run reads the statistics the import's recount wrote to the profiles, and that recount
  -- analyzed them (private.import_recount_customers).
  analyze public.customers, public.customer_identities, public.events, public.tags, public.customer_tags,
          public.customer_profiles, private.dirty_customers;
  loop
    chunk := private.recompute(p_org, 'full', after_, 100000, run_id);
    run_id := (chunk ->> 'run_id')::bigint;
    chunks := chunks + 1;
    after_ := (chunk ->> 'next_after')::uuid;
    exit when after_ is null;
  end loop;
  analyze public.customer_profiles, public.stage_changes, private.dirty_customers;
  return jsonb_build_object('run_id', run_id, 'chunks', chunks, 'error', chunk -> 'error',
                            'engine_ms', round(extract(epoch from clock_timestamp() - started) * 1000));
end;
$$;

comment on function private.import_refresh_engine(uuid) is
  'The engine part of public.refresh_after_import: a full run of the organization, with the imported tables analyzed first. Returns {run_id, chunks, error, engine_ms}.';
revoke all on function private.import_refresh_engine(uuid) from public;

create function private.import_refresh_history(p_org uuid)
returns jsonb
language plpgsql
volatile
set search_path = ''
set jit = off
-- The stage history's sorts of every paid order (by customer and time) in memory.
set work_mem = '128MB'
as $$
declare
  started timestamptz := clock_timestamp();
  first_day date;
  days integer := 0;
begin
  select min(o.ordered_at)::date into first_day from public.orders o where o.org_id = p_org;
  if first_day is not null and first_day < (now() at time zone 'UTC')::date then
    days := private.backfill_stage_snapshots(p_org, greatest(first_day, (now() at time zone 'UTC')::date - 36600),
                                             (now() at time zone 'UTC')::date - 1);
  end if;
  return jsonb_build_object('history_days', days, 'history_ms', round(extract(epoch from clock_timestamp() - started) * 1000));
end;
$$;

comment on function private.import_refresh_history(uuid) is
  'The history part of public.refresh_after_import: the organization''s stage history backfilled from its first order to yesterday. Returns {history_days, history_ms}.';
revoke all on function private.import_refresh_history(uuid) from public;

create function public.refresh_after_import(p_org uuid)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  perform private.import_check_org(p_org, 'bring up to date', 'refresh it after an import');
  return private.import_refresh_engine(p_org) || private.import_refresh_history(p_org);
end;
$$;

comment on function public.refresh_after_import(uuid) is
  'Brings an organization''s portraits current after an import, for its admins: a full engine run (statistics, profiles, cut points, segments) and the stage history backfilled from its first order. Returns {run_id, chunks, error, engine_ms, history_days, history_ms}.';
revoke all on function public.refresh_after_import(uuid) from public, anon;
grant execute on function public.refresh_after_import(uuid) to authenticated, service_role;

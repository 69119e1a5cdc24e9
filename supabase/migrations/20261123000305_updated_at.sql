-- One trigger function keeps `updated_at` honest on every table that has it, whoever writes the
-- row (Studio, the API or an edge function).

create function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

comment on function private.set_updated_at() is
  'Trigger: stamps updated_at with the time of the writing transaction.';

-- Triggers run it whatever the caller's privileges; nobody needs to call it directly.
revoke all on function private.set_updated_at() from public;

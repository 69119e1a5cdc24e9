-- Suggested segments (supabase/README.md §4, "Suggested segments"): segments Portrait proposes to
-- every organization, written as ordinary rows of public.segments that start inactive
-- (is_active = false, so the engine evaluates nothing for them) and carry the key of the
-- suggestion they came from. An admin turns one on by setting is_active (Studio, or an update
-- through the API as for any segment); it is then an ordinary segment: renamed, edited or deleted
-- like the others. Each organization gets them when it is created; a deleted suggestion does not
-- come back.
--
-- The one suggestion so far follows the CRM articles' advice on satisfaction visits (回访):
-- buyers whose frequency score fell since the latest full run (f_score_change < 0) and who had no
-- satisfaction visit in the last 90 days (never visited counts as no visit).

alter table public.segments
  add column suggestion text,
  add constraint segments_suggestion_known check (suggestion in ('falling_frequency_no_visit'));

comment on column public.segments.suggestion is
  'The built-in suggestion this segment was created from (falling_frequency_no_visit: buyers whose F score fell since the latest full run with no satisfaction visit in 90 days); null for segments people wrote. Suggested segments start inactive.';

create unique index segments_org_id_suggestion_key on public.segments (org_id, suggestion) where suggestion is not null;


-- The catalogue: key, name, description and rule of each suggestion.
create function private.suggested_segments()
returns table (suggestion text, name text, description text, rule jsonb)
language sql
immutable
set search_path = ''
as $$
  values (
    'falling_frequency_no_visit',
    'Buying less, no visit in 90 days · 购买频率下降且90天未回访',
    'Suggested: buyers whose frequency score (F) fell since the latest full run and who had no satisfaction visit in the last 90 days. Call them. 建议：自上次全量计算以来购买频率评分下降、且90天内没有满意度回访的客户。',
    '{"all": [{"field": "f_score_change", "op": "lt", "value": 0},
              {"not": {"field": "days_since_satisfaction", "op": "lte", "value": 90}}]}'::jsonb
  )
$$;

comment on function private.suggested_segments() is
  'The built-in suggested segments: key, name (English · 中文), description and rule. private.add_suggested_segments writes them, inactive, into each organization.';
revoke all on function private.suggested_segments() from public;


create function private.add_suggested_segments(p_org uuid)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  added integer;
begin
  insert into public.segments (org_id, name, description, rule, is_active, suggestion, created_by)
  select p_org, s.name, s.description, s.rule, false, s.suggestion, null
    from private.suggested_segments() s
   where not exists (select 1 from public.segments g where g.org_id = p_org and g.suggestion = s.suggestion)
  on conflict do nothing;
  get diagnostics added = row_count;
  return added;
end;
$$;

comment on function private.add_suggested_segments(uuid) is
  'Writes the suggested segments an organization does not have yet, inactive; returns how many it added.';
revoke all on function private.add_suggested_segments(uuid) from public;


create function private.organization_created_suggestions()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.add_suggested_segments(new.id);
  -- A new organization has no customers: its inactive suggestions leave nothing to evaluate, so the
  -- next dirty run need not go over everyone for them.
  update private.engine_state es set
    segments_done_version = es.segments_version, edited_upto = es.segments_version,
    edited_segments = '{}', edited_bounds_changed = false
   where es.org_id = new.id
     and not exists (select 1 from public.customers c where c.org_id = new.id);
  return null;
end;
$$;

comment on function private.organization_created_suggestions() is
  'Trigger: a new organization gets the suggested segments, inactive.';
revoke all on function private.organization_created_suggestions() from public;

create trigger organizations_add_suggested_segments
  after insert on public.organizations
  for each row execute function private.organization_created_suggestions();

select private.add_suggested_segments(o.id) from public.organizations o;

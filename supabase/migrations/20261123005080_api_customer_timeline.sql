-- customer_timeline: what happened with a customer, newest first, one page per call — the card
-- reads it when it opens (never on the pill's lookup).
--
-- Kinds of item (each with `kind`, `at`, `key`, who made it as `by` / `by_name`, and its facts):
--   order                 orders.ordered_at — every status; `status` refunded and `refunded_amount`
--                         show refunds (a partial refund keeps the order paid)
--   note                  notes.created_at
--   stage_change          stage_changes.changed_at — computed or manual, with the reason
--   tag_added/tag_removed customer_tag_changes.changed_at — who, and for additions the page's URL
--                         and title (rule tags are segment membership, not listed)
--   event                 events.occurred_at — mail in and out, visits, reviews…
--   follow_up_created     follow_ups.created_at
--   follow_up_completed   follow_ups.done_at
--   ownership_change      ownership_changes.changed_at — claimed, released, assigned, recycled
--   satisfaction          satisfaction_responses.responded_at
--
-- Paging is keyset on (at, key), both descending. `key` is the item's kind and id
-- ("order:<uuid>", "event:<zero-padded id>", …), compared in collation "C", so it is unique across
-- kinds and orders items with the same time the same way on every call. The answer's `next`
-- holds the last item's {before: at, before_key: key}; passing them as p_before and p_before_key
-- returns the items strictly after it. p_before alone returns the items older than that time.
--
-- Each kind is read through its (org_id, customer_id, time desc) index, at most p_limit + 1 rows
-- (plus rows sharing the boundary time), so a page costs the same however long the history is
-- (tests/db/customer-timeline-plan.test.ts).
-- Runs as the caller: row-level security decides what the timeline holds, and another
-- organization's customer has none.

create function public.customer_timeline(
  p_org uuid,
  p_customer uuid,
  p_before timestamptz default null,
  p_limit integer default 20,
  p_before_key text default null
)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
-- Each kind is read in its index's order (time descending) up to the page's size, ties at the
-- last time included, and needs no sort of its own: a plan made once (the generic plan) is then
-- a bounded index read whatever the page's bounds, so the statement is not planned afresh on
-- every call, which cost more than running it. Sorting is ruled out wherever an index can give
-- the order: a generic plan made from statistics in which a customer has few rows would
-- otherwise read a kind through another index and sort the customer's whole history of it
-- (completed follow-ups through the customer's index instead of the done_at one). Only the
-- merge of the kinds' few rows into the page is sorted.
set plan_cache_mode = force_generic_plan
set enable_sort = off
as $$
declare
  upper_at timestamptz := coalesce(p_before, 'infinity'::timestamptz);
  -- Without a key, nothing at p_before itself is "before": '' sorts first.
  upper_key text collate "C" := coalesce(p_before_key, '');
  page_size integer := p_limit;
  fetch_size integer := p_limit + 1;
  answer jsonb;
begin
  perform private.require_member(p_org);
  perform private.required_argument(p_customer, 'p_customer');
  if p_limit is null or p_limit < 1 or p_limit > 100 then
    raise exception using errcode = '22023', message = 'p_limit must be between 1 and 100';
  end if;
  if p_before_key is not null and p_before is null then
    raise exception using errcode = '22023', message = 'p_before_key needs p_before: pass both from the previous page''s next';
  end if;
  if char_length(p_before_key) > 100 or p_before_key !~ '^[a-z_]+:[0-9a-f-]+$' then
    raise exception using errcode = '22023', message = 'p_before_key must be a key from a previous page (kind:id)';
  end if;

  with candidates as (
    (select o.ordered_at as at, ('order:' || o.id::text) collate "C" as key, 'order' as kind, null::uuid as by,
            jsonb_build_object('order_id', o.id, 'source', o.source, 'external_id', o.external_id, 'status', o.status,
                               'total', o.total, 'refunded_amount', o.refunded_amount, 'currency', o.currency) as facts
       from public.orders o
      where o.org_id = p_org and o.customer_id = p_customer
        and o.ordered_at <= upper_at
        and (o.ordered_at < upper_at or ('order:' || o.id::text) collate "C" < upper_key)
      order by 1 desc
      fetch first fetch_size rows with ties)
    union all
    (select n.created_at, ('note:' || n.id::text) collate "C", 'note', n.author_id,
            jsonb_build_object('note_id', n.id, 'body', n.body, 'updated_at', n.updated_at)
       from public.notes n
      where n.org_id = p_org and n.customer_id = p_customer
        and n.created_at <= upper_at
        and (n.created_at < upper_at or ('note:' || n.id::text) collate "C" < upper_key)
      order by 1 desc
      fetch first fetch_size rows with ties)
    union all
    (select s.changed_at, ('stage_change:' || lpad(s.id::text, 19, '0')) collate "C", 'stage_change', s.changed_by,
            jsonb_build_object('from_stage', s.from_stage, 'to_stage', s.to_stage, 'source', s.source, 'reason', s.reason)
       from public.stage_changes s
      where s.org_id = p_org and s.customer_id = p_customer
        and s.changed_at <= upper_at
        and (s.changed_at < upper_at or ('stage_change:' || lpad(s.id::text, 19, '0')) collate "C" < upper_key)
      order by 1 desc
      fetch first fetch_size rows with ties)
    union all
    (select g.changed_at, ('tag_change:' || lpad(g.id::text, 19, '0')) collate "C", 'tag_' || g.action::text, g.changed_by,
            jsonb_build_object('tag_id', g.tag_id, 'tag_name', g.tag_name, 'source', g.source,
                               'page_url', g.page_url, 'page_title', g.page_title)
       from public.customer_tag_changes g
      where g.org_id = p_org and g.customer_id = p_customer
        and g.changed_at <= upper_at
        and (g.changed_at < upper_at or ('tag_change:' || lpad(g.id::text, 19, '0')) collate "C" < upper_key)
      order by 1 desc
      fetch first fetch_size rows with ties)
    union all
    (select e.occurred_at, ('event:' || lpad(e.id::text, 19, '0')) collate "C", 'event', e.recorded_by,
            jsonb_build_object('event_kind', e.kind, 'details', e.details)
       from public.events e
      where e.org_id = p_org and e.customer_id = p_customer
        and e.occurred_at <= upper_at
        and (e.occurred_at < upper_at or ('event:' || lpad(e.id::text, 19, '0')) collate "C" < upper_key)
      order by 1 desc
      fetch first fetch_size rows with ties)
    union all
    (select f.created_at, ('follow_up_created:' || f.id::text) collate "C", 'follow_up_created', f.created_by,
            jsonb_build_object('follow_up_id', f.id, 'due_at', f.due_at, 'note', f.note, 'assignee_id', f.assignee_id, 'done_at', f.done_at)
       from public.follow_ups f
      where f.org_id = p_org and f.customer_id = p_customer
        and f.created_at <= upper_at
        and (f.created_at < upper_at or ('follow_up_created:' || f.id::text) collate "C" < upper_key)
      order by 1 desc
      fetch first fetch_size rows with ties)
    union all
    (select f.done_at, ('follow_up_completed:' || f.id::text) collate "C", 'follow_up_completed', f.done_by,
            jsonb_build_object('follow_up_id', f.id, 'due_at', f.due_at, 'note', f.note, 'assignee_id', f.assignee_id, 'done_at', f.done_at)
       from public.follow_ups f
      where f.org_id = p_org and f.customer_id = p_customer
        and f.done_at is not null
        and f.done_at <= upper_at
        and (f.done_at < upper_at or ('follow_up_completed:' || f.id::text) collate "C" < upper_key)
      order by 1 desc
      fetch first fetch_size rows with ties)
    union all
    (select w.changed_at, ('ownership_change:' || lpad(w.id::text, 19, '0')) collate "C", 'ownership_change', w.changed_by,
            jsonb_build_object('from_owner_id', w.from_owner_id, 'to_owner_id', w.to_owner_id, 'reason', w.reason, 'note', w.note)
       from public.ownership_changes w
      where w.org_id = p_org and w.customer_id = p_customer
        and w.changed_at <= upper_at
        and (w.changed_at < upper_at or ('ownership_change:' || lpad(w.id::text, 19, '0')) collate "C" < upper_key)
      order by 1 desc
      fetch first fetch_size rows with ties)
    union all
    (select r.responded_at, ('satisfaction:' || r.id::text) collate "C", 'satisfaction', r.recorded_by,
            jsonb_build_object('response_id', r.id, 'score', r.score, 'scale', r.scale, 'comment', r.comment, 'channel', r.channel)
       from public.satisfaction_responses r
      where r.org_id = p_org and r.customer_id = p_customer
        and r.responded_at <= upper_at
        and (r.responded_at < upper_at or ('satisfaction:' || r.id::text) collate "C" < upper_key)
      order by 1 desc
      fetch first fetch_size rows with ties)
  ),
  page as (
    select c.*, row_number() over (order by c.at desc, c.key desc) as position
      from candidates c
     order by c.at desc, c.key desc
     limit fetch_size
  ),
  shown as (
    select p.*,
           jsonb_build_object('kind', p.kind, 'at', p.at, 'key', p.key, 'by', p.by, 'by_name', m.display_name)
           || p.facts
           -- Names of the members an item is about (an assignee, the owners before and after).
           || jsonb_strip_nulls(jsonb_build_object(
                'assignee_name', (select a.display_name from public.members a
                                   where a.org_id = p_org and a.user_id = (p.facts ->> 'assignee_id')::uuid),
                'from_owner_name', (select a.display_name from public.members a
                                     where a.org_id = p_org and a.user_id = (p.facts ->> 'from_owner_id')::uuid),
                'to_owner_name', (select a.display_name from public.members a
                                   where a.org_id = p_org and a.user_id = (p.facts ->> 'to_owner_id')::uuid),
                'tag_colour', (select t.colour from public.tags t
                                where t.org_id = p_org and t.id = (p.facts ->> 'tag_id')::uuid)))
             as item
      from page p
      left join public.members m on m.org_id = p_org and m.user_id = p.by
     where p.position <= page_size
  )
  select jsonb_build_object(
           'customer_id', p_customer,
           'items', coalesce((select jsonb_agg(s.item order by s.position) from shown s), '[]'::jsonb),
           'next', (select jsonb_build_object('before', s.at, 'before_key', s.key)
                      from shown s
                     where s.position = page_size
                       and exists (select 1 from page p where p.position > page_size)),
           'open_follow_ups', coalesce(
             (select jsonb_agg(private.follow_up_document(p_org, f.id) order by f.due_at, f.id)
                from (select f.id, f.due_at
                        from public.follow_ups f
                       where f.org_id = p_org and f.customer_id = p_customer and f.done_at is null
                       order by f.due_at, f.id
                       limit 10) as f),
             '[]'::jsonb))
    into answer;
  return answer;
end;
$$;

comment on function public.customer_timeline(uuid, uuid, timestamptz, integer, text) is
  'A customer''s activity newest first, one page (p_limit 1–100, default 20) per call: orders, notes, stage changes, tags added and removed, events, follow-ups created and completed, ownership changes, satisfaction answers. Keyset paging: pass the previous answer''s next.before and next.before_key as p_before and p_before_key. Returns {customer_id, items, next, open_follow_ups}; nothing for a customer the caller cannot see. Shape: shared/api.ts customerTimelineResultSchema.';

revoke all on function public.customer_timeline(uuid, uuid, timestamptz, integer, text) from public, anon, service_role;
grant execute on function public.customer_timeline(uuid, uuid, timestamptz, integer, text) to authenticated;

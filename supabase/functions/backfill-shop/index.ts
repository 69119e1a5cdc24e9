// Shop history backfill: pulls a connected shop's past customers and orders through its API and
// applies them as webhook orders are applied (private.ingest_order), page by page.
//
//   POST /functions/v1/backfill-shop
//   Authorization: Bearer <service role key>    the trigger on shop_connections (pg_net), a
//                                                schedule: the named backfill, or every due one
//   Authorization: Bearer <user access token>    an admin of the shop's organization
//   {"backfill_id": "<uuid>" | "connection_id": "<uuid>",   one of them; the service role may
//                                                            name none (every due backfill)
//    "restart": false,            start over from the first page (applied orders are recognised)
//    "budget_ms": 25000,          wall-clock time to work before answering (edge limits)
//    "page_size": 100}            records per page (WooCommerce at most 100, Shopify 250)
//
// Each page is applied by private.backfill_apply_page in one transaction that also stores the
// cursor past it (shop_backfills), so an attempt that stops anywhere (time budget, the shop's
// rate limit, an error) resumes at the first page not applied. The answer lists each backfill's
// state; admins also see it in Studio (table shop_backfills).
import { z } from 'zod';
import { identify } from '../_shared/auth.ts';
import { connect, withRetry, type Sql } from '../_shared/db.ts';
import { corsHeaders, json } from '../_shared/env.ts';
import { newBucket, ShopError, shopifyPage, WaitRequired, wooPage, type Clock, type Connection, type Page, type Phase } from './shops.ts';

const db = connect(3);

const requestSchema = z
  .object({
    backfill_id: z.guid().optional(),
    connection_id: z.guid().optional(),
    restart: z.boolean().default(false),
    budget_ms: z.number().int().min(0).max(300_000).default(25_000),
    page_size: z.number().int().min(1).max(250).optional(),
  })
  .strict()
  .refine((r) => !(r.backfill_id && r.connection_id), { message: 'give backfill_id or connection_id, not both', path: ['connection_id'] });

interface Backfill {
  id: string;
  org_id: string;
  shop_connection_id: string;
  state: string;
  phase: Phase;
  cursor: string | null;
  customers_done: number;
  orders_done: number;
  pages_done: number;
  skipped: number;
  last_error: string | null;
}

interface Summary {
  backfill_id: string;
  state: string;
  phase: Phase;
  customers_done: number;
  orders_done: number;
  pages_done: number;
  skipped: number;
  pages_this_call: number;
  throttled: number;
  error: string | null;
}

const summarize = (b: Backfill, pages: number, throttled: number, error: string | null = b.last_error): Summary => ({
  backfill_id: b.id,
  state: b.state,
  phase: b.phase,
  customers_done: b.customers_done,
  orders_done: b.orders_done,
  pages_done: b.pages_done,
  skipped: b.skipped,
  pages_this_call: pages,
  throttled,
  error,
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Works on one backfill until it is done or the budget is spent; one holder at a time. */
async function run(sql: Sql, backfillId: string, deadline: number, pageSize: number | undefined): Promise<Summary> {
  const connection = await sql.reserve();
  const lockKey = `portrait.backfill:${backfillId}`;
  let locked = false;
  try {
    const [lock] = await connection<{ locked: boolean }[]>`select pg_try_advisory_lock(hashtextextended(${lockKey}, 0)) as locked`;
    locked = lock!.locked;
    type Begun = { status: string; reason?: string; backfill: Backfill; connection?: Connection };
    const [begun] = locked
      ? await connection<{ result: Begun }[]>`select private.backfill_begin(${backfillId}::uuid) as result`
      : await connection<{ result: Begun }[]>`
          select jsonb_build_object('status', 'busy', 'backfill', to_jsonb(b)) as result from public.shop_backfills b where b.id = ${backfillId}::uuid`;
    const start = begun!.result;
    if (start.status !== 'ready') return summarize(start.backfill, 0, 0, start.status === 'busy' ? 'another call is working on this backfill' : (start.reason ?? null));
    const shop = start.connection!;
    let backfill = start.backfill;
    const clock: Clock = { deadline, sleep };
    const bucket = newBucket();
    let pages = 0;
    while (backfill.state !== 'done') {
      if (Date.now() >= deadline) {
        const [stopped] = await connection<{ b: Backfill }[]>`
          select to_jsonb(private.backfill_stop(${backfill.id}::uuid, 'paused', 'time budget of this call spent; the next call resumes', null)) as b`;
        backfill = stopped!.b ?? backfill;
        break;
      }
      let page: Page;
      try {
        page =
          shop.provider === 'shopify'
            ? await shopifyPage(shop, backfill.phase, backfill.cursor, Math.min(pageSize ?? 50, 250), bucket, clock)
            : await wooPage(shop, backfill.phase, backfill.cursor, Math.min(pageSize ?? 100, 100), clock);
      } catch (error) {
        const waiting = error instanceof WaitRequired;
        const message = waiting || error instanceof ShopError ? error.message : `the shop could not be reached: ${error instanceof Error ? error.message : String(error)}`;
        const [stopped] = await connection<{ b: Backfill }[]>`
          select to_jsonb(private.backfill_stop(${backfill.id}::uuid, ${waiting ? 'paused' : 'failed'}, ${message},
                                                ${waiting ? (error as WaitRequired).until.toISOString() : null}::timestamptz)) as b`;
        return summarize(stopped!.b ?? backfill, pages, bucket.throttled, message);
      }
      const from = backfill.cursor;
      const phase = backfill.phase;
      const applied = await withRetry(async () => {
        const [row] = await connection<{ result: { status: string; backfill: Backfill } }[]>`
          select private.backfill_apply_page(${backfill.id}::uuid, ${phase}, ${from}, ${sql.json(page.items as never)}::jsonb,
                                             ${page.nextCursor}, ${page.phaseDone}, ${page.unreadable}::integer) as result`;
        return row!.result;
      });
      backfill = applied.backfill;
      if (applied.status !== 'applied') break;
      pages += 1;
    }
    return summarize(backfill, pages, bucket.throttled);
  } catch (error) {
    // The database refused a page (or is unreachable): recorded when possible, resumed next time.
    const message = `the page could not be applied: ${error instanceof Error ? error.message : String(error)}`;
    const [stopped] = await connection<{ b: Backfill }[]>`
      select to_jsonb(private.backfill_stop(${backfillId}::uuid, 'failed', ${message}, null)) as b`.catch(() => [] as { b: Backfill }[]);
    if (stopped?.b) return summarize(stopped.b, 0, 0, message);
    throw error;
  } finally {
    if (locked) await connection`select pg_advisory_unlock(hashtextextended(${lockKey}, 0))`.catch(() => undefined);
    connection.release();
  }
}

async function handle(request: Request): Promise<Response> {
  if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: corsHeaders });
  if (request.method !== 'POST') return json(405, { error: 'method_not_allowed', message: 'Use POST' }, { allow: 'POST, OPTIONS' });

  const caller = await identify(request);
  if (!caller) return json(401, { error: 'unauthorized', message: 'A service role key or a signed-in admin’s access token is required' });

  const text = await request.text();
  let body: unknown = {};
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      return json(400, { error: 'invalid_json', message: 'The body is not JSON' });
    }
  }
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) {
    return json(400, { error: 'invalid_request', message: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
  }
  const req = parsed.data;
  const sql = await db();

  let ids: string[];
  if (req.backfill_id || req.connection_id) {
    const [target] = await sql<{ id: string | null; org_id: string; connection_id: string }[]>`
      select b.id, c.org_id, c.id as connection_id
        from public.shop_connections c
        left join public.shop_backfills b on b.shop_connection_id = c.id
       where ${req.backfill_id ? sql`b.id = ${req.backfill_id}::uuid` : sql`c.id = ${req.connection_id!}::uuid`}`;
    if (caller.kind === 'user') {
      const [member] = target
        ? await sql<{ role: string }[]>`select role::text as role from public.members where org_id = ${target.org_id}::uuid and user_id = ${caller.id}::uuid`
        : [];
      // Whether the shop exists is not told to people who may not see it.
      if (member?.role !== 'admin') return json(403, { error: 'forbidden', message: 'Only an admin of the shop’s organization can backfill it' });
    }
    if (!target) return json(404, { error: 'not_found', message: 'No such shop connection or backfill' });
    if (!target.id || req.restart) {
      const [requested] = await sql<{ id: string }[]>`select (private.request_backfill(${target.connection_id}::uuid, ${req.restart})).id as id`;
      target.id = requested!.id;
    }
    ids = [target.id!];
  } else {
    if (caller.kind === 'user') return json(400, { error: 'invalid_request', message: 'connection_id: name the shop connection to backfill' });
    ids = (await sql<{ id: string }[]>`select id from private.backfills_due(10) as id`).map((r) => r.id);
  }

  const started = Date.now();
  const deadline = started + req.budget_ms;
  const results: Summary[] = [];
  for (const id of ids) {
    if (results.length > 0 && Date.now() >= deadline) break;
    results.push(await run(sql, id, deadline, req.page_size));
  }
  return json(200, {
    complete: results.length === ids.length && results.every((r) => r.state === 'done'),
    ms: Date.now() - started,
    backfills: results,
    remaining: ids.slice(results.length),
  });
}

Deno.serve(async (request) => {
  try {
    return await handle(request);
  } catch (error) {
    console.error('backfill-shop failed:', error);
    return json(500, { error: 'internal', message: error instanceof Error ? error.message : 'Internal error' });
  }
});

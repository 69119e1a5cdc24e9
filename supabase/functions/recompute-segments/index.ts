// Recomputes portraits and segments: a full run, a drain of the dirty queue, or a time-drift pass.
//
//   POST /functions/v1/recompute-segments
//   Authorization: Bearer <service role key>   pg_cron (production), the local scheduler: any or
//                                               every organization
//   Authorization: Bearer <user access token>   an admin of the organization named by org_id
//   {"mode": "full" | "dirty" | "drift",        default dirty
//    "org_id": "<uuid>",                          required for admins; without it the service role
//                                                 runs every organization
//    "org_ids": ["<uuid>", …],                    service role: these organizations, in this order
//    "after": "<customer uuid>",                  resume the (first) organization's run where an
//                                                 answer with complete: false stopped
//    "budget_ms": 20000, "chunk_size": 20000}
//
// The work runs in SQL (private.recompute), one chunk of customers per call and transaction, so
// that no call holds locks for long and the function's own CPU time stays tiny (edge functions get
// 2 s of CPU; waiting on the database does not count). Chunks continue until the run is complete
// or the wall-clock budget is spent; the answer then says where to resume. Each run is recorded
// in recompute_runs by the engine; one run per organization at a time (an advisory lock), so a
// scheduled call that finds a run in progress answers "busy" and leaves it alone.
import { z } from 'zod';
import { identify } from '../_shared/auth.ts';
import { connect, withRetry, type Sql } from '../_shared/db.ts';
import { corsHeaders, json } from '../_shared/env.ts';

const db = connect(3);

const DEFAULT_BUDGET_MS = 20_000;
const DEFAULT_CHUNK = 20_000;

const requestSchema = z
  .object({
    mode: z.enum(['full', 'dirty', 'drift']).default('dirty'),
    org_id: z.guid().optional(),
    org_ids: z.array(z.guid()).min(1).max(100_000).optional(),
    after: z.guid().optional(),
    budget_ms: z.number().int().min(0).max(300_000).default(DEFAULT_BUDGET_MS),
    chunk_size: z.number().int().min(1).max(200_000).default(DEFAULT_CHUNK),
  })
  .strict()
  .refine((r) => !(r.org_id && r.org_ids), { message: 'give org_id or org_ids, not both', path: ['org_ids'] })
  .refine((r) => !r.after || r.org_id || r.org_ids, { message: 'after resumes one organization’s run: name it with org_id', path: ['after'] });

type RecomputeRequest = z.infer<typeof requestSchema>;

interface ChunkResult {
  run_id: number | string | null;
  scanned: number;
  changed: number;
  rows_written: number;
  next_after: string | null;
  full_recommended?: boolean;
  error?: string | null;
}

interface OrgSummary {
  org_id: string;
  status: 'complete' | 'partial' | 'busy' | 'error';
  run_id: number | string | null;
  full_recommended: boolean;
  chunks: number;
  scanned: number;
  changed: number;
  rows_written: number;
  next_after: string | null;
  ms: number;
  error?: string;
}

/** One organization's run, chunk by chunk, on one reserved connection that holds the org's lock. */
async function runOrg(sql: Sql, org: string, request: RecomputeRequest, resumeAfter: string | null, deadline: number): Promise<OrgSummary> {
  const started = Date.now();
  const summary: OrgSummary = { org_id: org, status: 'complete', run_id: null, full_recommended: false, chunks: 0, scanned: 0, changed: 0, rows_written: 0, next_after: null, ms: 0 };
  const connection = await sql.reserve();
  const lockKey = `portrait.recompute:${org}`;
  let locked = false;
  try {
    const [lock] = await connection<{ locked: boolean }[]>`select pg_try_advisory_lock(hashtextextended(${lockKey}, 0)) as locked`;
    locked = lock!.locked;
    if (!locked) {
      summary.status = 'busy';
      return summary;
    }
    // The first chunk opens the run (resuming: the latest open run of this kind continues).
    let after: string | null = resumeAfter;
    let runId: string | null = null;
    do {
      const chunk: ChunkResult = await withRetry(async () => {
        const [row] = await connection<{ result: ChunkResult }[]>`
          select private.recompute(${org}::uuid, ${request.mode}, ${after}::uuid, ${request.chunk_size}::integer, ${runId}::bigint) as result`;
        return row!.result;
      });
      summary.chunks += 1;
      summary.run_id = chunk.run_id ?? summary.run_id;
      runId = chunk.run_id === null || chunk.run_id === undefined ? runId : String(chunk.run_id);
      summary.scanned += Number(chunk.scanned ?? 0);
      summary.changed += Number(chunk.changed ?? 0);
      summary.rows_written += Number(chunk.rows_written ?? 0);
      summary.full_recommended ||= Boolean(chunk.full_recommended);
      if (chunk.error) {
        // The engine rolled the chunk back and closed the run with the error recorded.
        summary.status = 'error';
        summary.error = chunk.error;
        return summary;
      }
      after = chunk.next_after ?? null;
    } while (after !== null && Date.now() < deadline);
    summary.next_after = after;
    summary.status = after === null ? 'complete' : 'partial';
    return summary;
  } catch (error) {
    summary.status = 'error';
    summary.error = error instanceof Error ? error.message : String(error);
    return summary;
  } finally {
    if (locked) await connection`select pg_advisory_unlock(hashtextextended(${lockKey}, 0))`.catch(() => undefined);
    connection.release();
    summary.ms = Date.now() - started;
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

  let orgs: string[];
  if (caller.kind === 'user') {
    if (req.org_ids) return json(403, { error: 'forbidden', message: 'org_ids is for the service role; name one organization with org_id' });
    if (!req.org_id) return json(400, { error: 'invalid_request', message: 'org_id: name the organization to recompute' });
    const [member] = await sql<{ role: string }[]>`
      select role::text as role from public.members where org_id = ${req.org_id}::uuid and user_id = ${caller.id}::uuid`;
    if (member?.role !== 'admin') return json(403, { error: 'forbidden', message: 'Only an admin of the organization can recompute it' });
    orgs = [req.org_id];
  } else if (req.org_id) {
    const [org] = await sql<{ id: string }[]>`select id from public.organizations where id = ${req.org_id}::uuid`;
    if (!org) return json(404, { error: 'not_found', message: 'No such organization' });
    orgs = [org.id];
  } else if (req.org_ids) {
    const known = new Set((await sql<{ id: string }[]>`select id from public.organizations where id = any(${req.org_ids}::uuid[])`).map((r) => r.id));
    orgs = req.org_ids.filter((id, i) => known.has(id) && req.org_ids!.indexOf(id) === i);
  } else {
    // Every organization with work of this kind (a full run: all of them).
    orgs = (await sql<{ id: string }[]>`select id from private.orgs_to_recompute(${req.mode}) as id`).map((r) => r.id);
  }

  const started = Date.now();
  const deadline = started + req.budget_ms;
  const results: OrgSummary[] = [];
  for (const org of orgs) {
    if (results.length > 0 && Date.now() >= deadline) break;
    const resumeAfter = results.length === 0 && org === (req.org_id ?? req.org_ids?.[0]) ? (req.after ?? null) : null;
    results.push(await runOrg(sql, org, req, resumeAfter, deadline));
  }
  const remaining = orgs.slice(results.length);
  const failed = results.filter((r) => r.status === 'error');
  const complete = remaining.length === 0 && results.every((r) => r.status === 'complete' || r.status === 'busy');
  const totals = results.reduce(
    (t, r) => ({ scanned: t.scanned + r.scanned, changed: t.changed + r.changed, rows_written: t.rows_written + r.rows_written }),
    { scanned: 0, changed: 0, rows_written: 0 },
  );
  return json(failed.length > 0 ? 500 : 200, {
    mode: req.mode,
    complete,
    ms: Date.now() - started,
    ...totals,
    orgs: results,
    remaining_orgs: remaining,
  });
}

Deno.serve(async (request) => {
  try {
    return await handle(request);
  } catch (error) {
    console.error('recompute-segments failed:', error);
    return json(500, { error: 'internal', message: error instanceof Error ? error.message : 'Internal error' });
  }
});

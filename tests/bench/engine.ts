// The database budgets of README.md "Performance budgets", measured on a generated organization (dataset.ts):
// recomputes (full, after changes, drift, an edited rule), single-order ingest latency and
// throughput through the trigger path, customer_context in the database and through the local
// API, and a naive recompute of the kind cron-based tools run, for comparison.
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { segmentName, segmentRules } from './dataset.ts';
import { median, percentile, timeMs } from './stats.ts';

export interface RunSummary {
  seconds: number;
  chunks: number;
  scanned: number;
  changed: number;
  rowsWritten: number;
  /** Of rowsWritten: stage changes recorded, and segment memberships added or removed (read from the run afterwards). */
  stageChanges: number;
  membershipsWritten: number;
  runId: string | null;
}

export function client(url: string): pg.Client {
  const c = new pg.Client({ connectionString: url, application_name: 'portrait-bench' });
  c.on('error', () => undefined);
  return c;
}

interface ChunkAnswer {
  run_id: number;
  scanned: number;
  changed: number;
  rows_written: number;
  next_after: string | null;
  error: string | null;
}

/** One engine run, chunk by chunk, as the recompute-segments function drives it. */
export async function recompute(db: pg.Client, org: string, kind: 'full' | 'dirty' | 'drift', options: { now?: Date; chunk?: number } = {}): Promise<RunSummary> {
  const summary: RunSummary = { seconds: 0, chunks: 0, scanned: 0, changed: 0, rowsWritten: 0, stageChanges: 0, membershipsWritten: 0, runId: null };
  const started = process.hrtime.bigint();
  let after: string | null = null;
  do {
    const result: pg.QueryResult<{ r: ChunkAnswer }> = await db.query<{ r: ChunkAnswer }>(
      `select private.recompute($1::uuid, $2, $3::uuid, $4::integer, $5::bigint, $6::timestamptz) as r`,
      [org, kind, after, options.chunk ?? 20000, summary.runId, options.now?.toISOString() ?? null],
    );
    const r: ChunkAnswer = result.rows[0]!.r;
    if (r.error) throw new Error(`${kind} recompute failed: ${r.error}`);
    summary.runId = String(r.run_id);
    summary.chunks += 1;
    summary.scanned += r.scanned;
    summary.changed += r.changed;
    summary.rowsWritten += r.rows_written;
    after = r.next_after;
  } while (after !== null);
  summary.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { rows } = await db.query<{ stage_changes: number; memberships_written: number }>(
    `select coalesce((details ->> 'stage_changes')::integer, 0) as stage_changes,
            coalesce((details ->> 'memberships_written')::integer, 0) as memberships_written
       from public.recompute_runs where id = $1`,
    [summary.runId],
  );
  summary.stageChanges = rows[0]?.stage_changes ?? 0;
  summary.membershipsWritten = rows[0]?.memberships_written ?? 0;
  return summary;
}

/**
 * What bounds a full run: one set-based pass that reads every profile joined to its customer,
 * recomputes stage, R, F, M and tier against the stored cut points and settings, and counts the
 * rows that differ from the stored values (parallel plan, under the JIT settings the engine's pass
 * runs with, read from private.run_classification_scan). The engine's full run does this and more
 * (segments, referrals, next transition, snapshot figures); the ratio says how close.
 */
export async function boundPass(db: pg.Client, org: string): Promise<number> {
  const { rows } = await db.query<{ c: Record<string, number | null> }>(
    `select jsonb_build_object(
              'l', (s #>> '{lifecycle,lead_event_days}')::integer, 'n', (s #>> '{lifecycle,new_order_days}')::integer,
              'a', (s #>> '{lifecycle,at_risk_days}')::integer, 'ch', (s #>> '{lifecycle,churned_days}')::integer,
              'g', (s #>> '{lifecycle,reactivated_gap_days}')::integer, 'rr', (s #>> '{lifecycle,reactivated_recent_days}')::integer,
              'lo', (s #>> '{lifecycle,loyal_min_orders}')::integer,
              'r1', cp.recency_days[1], 'r2', cp.recency_days[2], 'r3', cp.recency_days[3], 'r4', cp.recency_days[4],
              'm1', cp.monetary_spend[1], 'm2', cp.monetary_spend[2], 'm3', cp.monetary_spend[3], 'm4', cp.monetary_spend[4],
              'vip', cp.vip_min_spend, 'super', cp.super_min_spend) as c
       from public.cut_points cp, public.organizations o, private.org_settings_with_defaults(o.settings) as s
      where cp.org_id = $1 and o.id = $1`,
    [org],
  );
  const c = rows[0]!.c;
  const n = (key: string) => (c[key] === null || c[key] === undefined ? 'null' : String(Number(c[key])));
  const days = (col: string) => `floor(date_part('epoch', now() - ${col}) / 86400)::integer`;
  await db.query('begin');
  try {
    const { rows: settings } = await db.query<{ name: string; value: string }>(
      `select split_part(c, '=', 1) as name, substr(c, strpos(c, '=') + 1) as value
         from pg_proc p cross join lateral unnest(p.proconfig) as c
        where p.oid = 'private.run_classification_scan'::regproc and c like 'jit%'`,
    );
    if (settings.length === 0) throw new Error('private.run_classification_scan sets no JIT settings');
    for (const s of settings) await db.query(`select set_config($1, $2, true)`, [s.name, s.value]);
    const t = await timeMs(() =>
      db.query(
        `select count(*) filter (where (p.lifecycle_stage, p.r_score, p.f_score, p.m_score, p.value_tier)
                                 is distinct from (x.stage, x.r, x.f, x.m, x.tier)) as differ
           from public.customer_profiles p
           join public.customers c on c.org_id = p.org_id and c.id = p.customer_id
           cross join lateral (select ${days('p.last_order_at')} as d_last, ${days('p.last_event_at')} as d_event,
                                      floor(date_part('epoch', p.last_order_at - p.previous_order_at) / 86400)::integer as gap) d
           cross join lateral (select
             (case when p.order_count = 0 and (p.last_event_at is null or d.d_event > ${n('l')}) then 'prospect'
                   when p.order_count = 0 then 'lead'
                   when p.order_count >= 2 and d.d_last <= ${n('rr')} and d.gap > ${n('g')} then 'reactivated'
                   when p.order_count = 1 and d.d_last <= ${n('n')} then 'new'
                   when d.d_last > ${n('ch')} then 'churned'
                   when d.d_last > ${n('a')} then 'at_risk'
                   when p.order_count >= ${n('lo')} then 'loyal'
                   else 'active' end)::public.lifecycle_stage as stage,
             (case when p.order_count > 0 then 1 + (d.d_last < ${n('r1')})::integer + (d.d_last < ${n('r2')})::integer
                                                 + (d.d_last < ${n('r3')})::integer + (d.d_last < ${n('r4')})::integer end)::smallint as r,
             (case when p.order_count >= 6 then 5 when p.order_count >= 4 then 4 when p.order_count >= 1 then p.order_count end)::smallint as f,
             (case when p.order_count > 0 then 1 + (p.net_spend > ${n('m1')})::integer + (p.net_spend > ${n('m2')})::integer
                                                 + (p.net_spend > ${n('m3')})::integer + (p.net_spend > ${n('m4')})::integer end)::smallint as m,
             (case when p.order_count > 0 and p.net_spend >= ${n('super')} then 'super'
                   when p.order_count > 0 and p.net_spend >= ${n('vip')} then 'vip' else 'normal' end)::public.value_tier as tier) x
          where p.org_id = $1 and c.org_id = $1`,
        [org],
      ),
    );
    return t / 1000;
  } finally {
    await db.query('commit');
  }
}

/** Recounts statistics from orders and events (after a bulk load with triggers off). */
export async function rebuildStats(db: pg.Client, org: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`select private.rebuild_stats($1) as n`, [org]);
  return rows[0]!.n;
}

/** The read-only classification of every customer, as a full run computes it (fresh cut points). */
export async function classifyReadOnly(db: pg.Client, org: string): Promise<number> {
  const t = await timeMs(() => db.query(`select count(*) from private.classify($1::uuid, now(), true)`, [org]));
  return t / 1000;
}

export async function medianOf(times: number, fn: () => Promise<number>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) samples.push(await fn());
  return median(samples);
}

/** Customers to aim at, spread over the organization, the same for the same data. */
export async function sampleCustomers(db: pg.Client, org: string, count: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `select id from public.customers where org_id = $1 order by md5(id::text) limit $2`,
    [org, count],
  );
  return rows.map((r) => r.id);
}

/**
 * 1 % of the customers get a new paid order while classification is deferred (statistics
 * current, customers queued), as between two full runs; the next full run classifies them.
 */
export async function changeOnePercent(db: pg.Client, org: string, tag: string): Promise<number> {
  await db.query('begin');
  try {
    await db.query(`set local portrait.defer_classification = on`);
    const { rowCount } = await db.query(
      `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
       select c.org_id, c.id, 'manual', 'bench-1pct-' || $2 || '-' || c.id, now() - interval '2 hours', 42.50, 'USD', 'paid'
         from public.customers c
        where c.org_id = $1 and hashtext(c.id::text) % 100 = 0
       on conflict (org_id, source, external_id) do nothing`,
      [org, tag],
    );
    await db.query('commit');
    return rowCount ?? 0;
  } catch (error) {
    await db.query('rollback');
    throw error;
  }
}

/** Single-row order inserts, each its own transaction, through the engine's triggers. */
/**
 * CPU time (user + system, in ms) used so far by the server process behind a connection, read from
 * /proc/<pid>/stat (utime and stime, in ticks of 1/100 s): null when the server runs elsewhere.
 */
export async function backendCpuMs(db: pg.Client): Promise<number | null> {
  const { rows } = await db.query<{ pid: number }>('select pg_backend_pid() as pid');
  try {
    const stat = await readFile(`/proc/${rows[0]!.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** One order per transaction from one connection: latency, and the server's CPU time per order. */
export async function ingestLatency(
  db: pg.Client,
  org: string,
  customers: string[],
  samples: number,
  tag: string,
): Promise<{ p50: number; p99: number; max: number; cpuMsPerOrder: number | null }> {
  const times: number[] = [];
  const insert = (i: number) =>
    db.query(
      `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
       values ($1, $2, 'manual', $3, now() - make_interval(mins => $4), $5, 'USD', 'paid')`,
      [org, customers[i % customers.length], `bench-${tag}-${i}`, i % 1440, (10 + (i % 300)).toFixed(2)],
    );
  for (let i = 0; i < Math.min(50, samples); i++) await insert(samples + i); // warm-up
  const cpuBefore = await backendCpuMs(db);
  for (let i = 0; i < samples; i++) times.push(await timeMs(() => insert(i)));
  const cpuAfter = await backendCpuMs(db);
  const cpuMsPerOrder = cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / samples;
  return { p50: median(times), p99: percentile(times, 99), max: Math.max(...times), cpuMsPerOrder };
}

/**
 * The server's CPU time per order of the same inserts with the engine's triggers off
 * (session_replication_role replica: the order, its indexes and constraints, the commit), so that
 * the engine's share is the difference. The orders are deleted again the same way, so no
 * customer's statistics ever saw them. Null when the server runs elsewhere or the role may not
 * turn triggers off.
 */
export async function bareInsertCpuMs(db: pg.Client, org: string, customers: string[], samples: number, tag: string): Promise<number | null> {
  try {
    await db.query(`set session_replication_role = replica`);
  } catch {
    return null;
  }
  try {
    const insert = (i: number) =>
      db.query(
        `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
         values ($1, $2, 'manual', $3, now() - make_interval(mins => $4), $5, 'USD', 'paid')`,
        [org, customers[i % customers.length], `bench-${tag}-${i}`, i % 1440, (10 + (i % 300)).toFixed(2)],
      );
    for (let i = 0; i < Math.min(50, samples); i++) await insert(samples + i);
    const before = await backendCpuMs(db);
    for (let i = 0; i < samples; i++) await insert(i);
    const after = await backendCpuMs(db);
    const ids = Array.from({ length: samples + Math.min(50, samples) }, (_, i) => `bench-${tag}-${i}`);
    await db.query(`delete from public.orders where org_id = $1 and source = 'manual' and external_id = any ($2::text[])`, [org, ids]);
    return before === null || after === null ? null : (after - before) / samples;
  } finally {
    await db.query(`reset session_replication_role`);
  }
}

/** The same, through the webhook path: private.ingest_order with a new order each time. */
export async function webhookIngestLatency(db: pg.Client, org: string, samples: number, tag: string): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const order = {
      action: 'upsert',
      external_id: String(9_000_000_000 + i),
      ordered_at: new Date(Date.now() - i * 60_000).toISOString(),
      total: (20 + (i % 200)).toFixed(2),
      currency: 'USD',
      status: 'paid',
      refunds: [],
      source_updated_at: new Date().toISOString(),
      customer: { external_id: String(1_000_000 + ((i * 7919) % 50_000) + 1), email: `c${((i * 7919) % 50_000) + 1}@bench.example`, phone: null, name: null, country: null },
    };
    times.push(
      await timeMs(() =>
        db.query(`select private.ingest_order($1::uuid, 'shopify', $2, $3::jsonb, 'orders/create')`, [org, `bench-${tag}-${i}`, JSON.stringify(order)]),
      ),
    );
  }
  return { p50: median(times), p99: percentile(times, 99) };
}

/** Orders per second for `seconds`, from `workers` connections inserting single rows. */
export async function ingestThroughput(url: string, org: string, customers: string[], seconds: number, workers: number, tag: string): Promise<{ perSecond: number; orders: number; errors: number; p99: number }> {
  const clients = Array.from({ length: workers }, () => client(url));
  await Promise.all(clients.map((c) => c.connect()));
  let orders = 0;
  let errors = 0;
  const times: number[] = [];
  const deadline = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  await Promise.all(
    clients.map(async (c, w) => {
      let i = 0;
      while (Date.now() < deadline) {
        const n = i++ * workers + w;
        try {
          times.push(
            await timeMs(() =>
              c.query(
                `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
                 values ($1, $2, 'manual', $3, now(), $4, 'USD', 'paid')`,
                [org, customers[(n * 31) % customers.length], `bench-${tag}-${n}`, (15 + (n % 250)).toFixed(2)],
              ),
            ),
          );
          orders += 1;
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  await Promise.all(clients.map((c) => c.end()));
  return { perSecond: orders / elapsed, orders, errors, p99: percentile(times, 99) };
}

/** Five identifiers as a mail thread or an order page gives them: emails, a phone, a shop id, one unknown. */
export async function identifierSets(db: pg.Client, org: string, sets: number): Promise<unknown[][]> {
  const { rows } = await db.query<{ kind: string; value: string }>(
    `(select kind::text, value from public.customer_identities where org_id = $1 and kind = 'email' order by md5(value) limit $2)
     union all
     (select kind::text, value from public.customer_identities where org_id = $1 and kind = 'phone' order by md5(value) limit $3)
     union all
     (select kind::text, value from public.customer_identities where org_id = $1 and kind = 'shop_customer' order by md5(value) limit $3)`,
    [org, sets * 3, sets],
  );
  const emails = rows.filter((r) => r.kind === 'email');
  const phones = rows.filter((r) => r.kind === 'phone');
  const shops = rows.filter((r) => r.kind === 'shop_customer');
  return Array.from({ length: sets }, (_, i) => [
    emails[(i * 3) % emails.length],
    emails[(i * 3 + 1) % emails.length],
    phones[i % phones.length] ?? emails[(i * 3 + 2) % emails.length],
    shops[i % shops.length] ?? emails[(i * 3 + 2) % emails.length],
    { kind: 'email', value: `nobody-${i}@unknown.example` },
  ]);
}

/** The database's shared-buffer block counters (pg_stat_database), this session's pending counts flushed first. */
async function blockCounts(db: pg.Client): Promise<{ read: number; hit: number }> {
  await db.query('select pg_stat_force_next_flush()');
  await db.query('select 1');
  await db.query('select pg_stat_clear_snapshot()');
  const { rows } = await db.query<{ read: string; hit: string }>(
    'select blks_read as read, blks_hit as hit from pg_stat_database where datname = current_database()',
  );
  return { read: Number(rows[0]!.read), hit: Number(rows[0]!.hit) };
}

/**
 * customer_context with 5 identifiers as a signed-in member, timed in the database session; with
 * what grows with the organization's size: the server's CPU time per call (null when it runs
 * elsewhere) and the shared-buffer blocks each call finds in memory (hit) or reads (read).
 */
export async function contextInDatabase(
  db: pg.Client,
  org: string,
  userId: string,
  sets: unknown[][],
): Promise<{ p50: number; p95: number; cpuPerCallMs: number | null; blocksReadPerCall: number; blocksHitPerCall: number }> {
  const claims = JSON.stringify({ sub: userId, role: 'authenticated', aud: 'authenticated' });
  const times: number[] = [];
  const once = async (set: unknown[], record: boolean) => {
    await db.query('begin');
    try {
      await db.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [claims]);
      const t = await timeMs(() => db.query(`select * from public.customer_context($1::uuid, $2::jsonb)`, [org, JSON.stringify(set)]));
      if (record) times.push(t);
    } finally {
      await db.query('commit');
    }
  };
  for (let i = 0; i < Math.min(50, sets.length); i++) await once(sets[i]!, false);
  const blocksBefore = await blockCounts(db);
  const cpuBefore = await backendCpuMs(db);
  for (const set of sets) await once(set, true);
  const cpuAfter = await backendCpuMs(db);
  const blocksAfter = await blockCounts(db);
  const calls = Math.max(1, sets.length);
  return {
    p50: median(times),
    p95: percentile(times, 95),
    // Each call's transaction (begin, the claims, the call, commit), as the bench makes it.
    cpuPerCallMs: cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / calls,
    // The database's counters: the benchmark's other sessions are idle meanwhile, but a vacuum
    // that autovacuum runs on this database during the calls would be counted too.
    blocksReadPerCall: (blocksAfter.read - blocksBefore.read) / calls,
    blocksHitPerCall: (blocksAfter.hit - blocksBefore.hit) / calls,
  };
}

/**
 * The same calls as contextThroughApi, made directly over SQL from `clients` connections (each call
 * a transaction that takes the member's role and claims, as the API does): the throughput the API
 * is compared with.
 */
export async function contextDirectThroughput(url: string, org: string, userId: string, sets: unknown[][], clients: number): Promise<{ p50: number; p95: number; perSecond: number }> {
  const claims = JSON.stringify({ sub: userId, role: 'authenticated', aud: 'authenticated' });
  const connections = Array.from({ length: clients }, () => client(url));
  await Promise.all(connections.map((c) => c.connect()));
  const call = async (c: pg.Client, set: unknown) => {
    await c.query('begin');
    try {
      await c.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [claims]);
      await c.query(`select * from public.customer_context($1::uuid, $2::jsonb)`, [org, JSON.stringify(set)]);
    } finally {
      await c.query('commit');
    }
  };
  try {
    for (let i = 0; i < Math.min(clients * 2, sets.length); i++) await call(connections[i % clients]!, sets[i]);
    const times: number[] = [];
    let next = 0;
    const began = process.hrtime.bigint();
    await Promise.all(
      connections.map(async (c) => {
        while (next < sets.length) {
          const set = sets[next++];
          times.push(await timeMs(() => call(c, set)));
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - began) / 1e9;
    return { p50: median(times), p95: percentile(times, 95), perSecond: times.length / seconds };
  } finally {
    await Promise.all(connections.map((c) => c.end()));
  }
}

/**
 * The clients of contextThroughApi, in a thread of their own: real clients are other processes,
 * and clients sharing the API's event loop would add their own work to every latency measured.
 * Plain JavaScript, so that the worker needs no TypeScript loader.
 */
const API_CLIENTS_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { apiUrl, anonKey, accessToken, org, sets, clients } = workerData;
// node:http with one kept-alive connection per client rather than fetch: fetch's streams and
// signals cost several times the CPU of the SQL side's driver, on the same two cores as the API.
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
const url = new URL(apiUrl + '/rest/v1/rpc/customer_context');
function call(set) {
  const body = JSON.stringify({ p_org: org, p_identifiers: set });
  const headers = { apikey: anonKey, authorization: 'Bearer ' + accessToken, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error('customer_context answered ' + res.statusCode + ': ' + text.slice(0, 200)));
        else resolve(text);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
(async () => {
  // Warm up as the SQL side does (two calls per connection): concurrently, so that the API's pool
  // has its connections open and their backends warm before the timing starts.
  const warm = sets.slice(0, Math.min(clients * 2, sets.length));
  for (let i = 0; i < warm.length; i += clients) await Promise.all(warm.slice(i, i + clients).map(call));
  const times = [];
  let errors = 0;
  let next = 0;
  const began = process.hrtime.bigint();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < sets.length) {
      const set = sets[next++];
      const started = process.hrtime.bigint();
      try {
        await call(set);
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
      } catch {
        errors += 1;
      }
    }
  }));
  parentPort.postMessage({ times, errors, seconds: Number(process.hrtime.bigint() - began) / 1e9 });
})().catch((error) => parentPort.postMessage({ times: [], errors: sets.length, message: String(error) }));
`;

/** customer_context through the local API (/rest/v1/rpc) from `clients` concurrent clients, in a worker thread. */
export async function contextThroughApi(apiUrl: string, anonKey: string, accessToken: string, org: string, sets: unknown[][], clients: number): Promise<{ p50: number; p95: number; errors: number; perSecond: number }> {
  const worker = new Worker(API_CLIENTS_WORKER, { eval: true, workerData: { apiUrl, anonKey, accessToken, org, sets, clients } });
  try {
    const { times, errors, seconds } = await new Promise<{ times: number[]; errors: number; seconds: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    return { p50: median(times), p95: percentile(times, 95), errors, perSecond: times.length / seconds };
  } finally {
    await worker.terminate();
  }
}

/**
 * An admin edits one of the dataset's segments (its index in segmentRules()); the dirty run then
 * evaluates the organization's memberships. The rule moves between the dataset's and `edited`, so
 * that a reused database sees an edit every time. `dueClassified`: the customers the run classified
 * first (a rule reading the stage; supabase/README.md, "An edited segment").
 */
async function toggleRule(db: pg.Client, org: string, index: number, edited: unknown): Promise<{ seconds: number; run: RunSummary; dueClassified: number }> {
  const started = process.hrtime.bigint();
  await db.query(
    `update public.segments set rule = case when rule = $3::jsonb then $4::jsonb else $3::jsonb end
      where org_id = $1 and name = $2`,
    [org, segmentName(index), JSON.stringify(segmentRules()[index]), JSON.stringify(edited)],
  );
  const run = await recompute(db, org, 'dirty');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { rows } = await db.query<{ due: number | null }>(`select (details ->> 'due_classified')::integer as due from public.recompute_runs where id = $1`, [run.runId]);
  return { seconds, run, dueClassified: rows[0]?.due ?? 0 };
}

/** Segment 04, net spend between 100 and 1,000, edited to 150–1,200: the pass reads the stored profiles. */
export const editOneRule = (db: pg.Client, org: string) => toggleRule(db, org, 3, { field: 'net_spend', op: 'between', value: [150, 1200] });

/** Segment 02, at risk, edited to take the active customers too: a rule reading the stage. */
export const editStageRule = (db: pg.Client, org: string) => toggleRule(db, org, 1, { field: 'lifecycle_stage', op: 'in', value: ['at_risk', 'active'] });

/**
 * The drift pass with the shared pool's recycle rules on (supabase/README.md section 5): 30 % of the
 * customers owned, spread over `owners` members, owned for 10 days under rules of 30 to 60 days, so
 * that nothing is due; then ~1 % backdated to 40 days ago, so that they are due. Each drift pass runs
 * a minute ahead, as the scheduled one does. Setting up (owners, settings, backdating) is not timed.
 */
export async function recycleDrift(
  db: pg.Client,
  org: string,
  owners = 5,
): Promise<{
  owned: number;
  released: number;
  releaseSeconds: number;
  assignSeconds: number;
  backdateSeconds: number;
  nothingDue: RunSummary;
  onePercentDue: RunSummary;
  due: number;
  recycled: number;
}> {
  const timed = async <T>(run: () => Promise<T>): Promise<[T, number]> => {
    const started = process.hrtime.bigint();
    const value = await run();
    return [value, Number(process.hrtime.bigint() - started) / 1e9];
  };
  // A reused database: the owners an earlier run handed out go back to the pool first (one UPDATE).
  const [previous, releaseSeconds] = await timed(() =>
    db.query(
      `update public.customers c set owner_id = null
        where c.org_id = $1 and c.owner_id in (select u.id from auth.users u where u.email like 'bench-owner-%')`,
      [org],
    ),
  );
  const ids: string[] = [];
  for (let i = 0; i < owners; i++) {
    const { rows } = await db.query<{ id: string }>(
      `insert into auth.users (id, email, aud, role, created_at)
       values (gen_random_uuid(), 'bench-owner-' || gen_random_uuid() || '@example.com', 'authenticated', 'authenticated', now())
       returning id`,
    );
    ids.push(rows[0]!.id);
    await db.query(`insert into public.members (org_id, user_id, role, display_name) values ($1, $2, 'rep', $3)`, [org, rows[0]!.id, `Owner ${i + 1}`]);
  }
  await db.query(
    `update public.organizations set settings = settings || '{"pool": {"recycle_days": {"by_tier": {"super": 60, "vip": 45, "normal": 30}, "by_stage": {"churned": 15}}}}'::jsonb
      where id = $1`,
    [org],
  );
  // 30 % of the customers (by a hash of their id), taken now and then backdated to ten days ago (the
  // owner stays), so that both classifications are as of now and nothing else comes due.
  const [owned, assignSeconds] = await timed(() =>
    db.query(
      `update public.customers c set owner_id = ($2::uuid[])[1 + abs(hashtext(c.id::text || ':owner')) % cardinality($2::uuid[])]
        where c.org_id = $1 and c.owner_id is null and abs(hashtext(c.id::text)) % 100 < 30`,
      [org, ids],
    ),
  );
  const [, backdateSeconds] = await timed(() =>
    db.query(`update public.customers c set owned_since = now() - interval '10 days' where c.org_id = $1 and c.owner_id = any ($2::uuid[])`, [org, ids]),
  );
  const nothingDue = await recompute(db, org, 'drift', { now: new Date(Date.now() + 60_000) });
  // One in thirty of them (≈ 1 % of all customers) taken 40 days ago: due under every rule but super's.
  await db.query(
    `update public.customers c set owned_since = now() - interval '40 days'
      where c.org_id = $1 and c.owner_id = any ($2::uuid[]) and abs(hashtext(c.id::text || ':due')) % 30 = 0`,
    [org, ids],
  );
  const { rows: due } = await db.query<{ n: number }>(
    `select count(*)::integer as n from public.customer_profiles p where p.org_id = $1 and p.recycle_at <= now() + interval '1 minute'`,
    [org],
  );
  const onePercentDue = await recompute(db, org, 'drift', { now: new Date(Date.now() + 60_000) });
  const { rows: recycled } = await db.query<{ n: number }>(
    `select coalesce((details ->> 'recycled')::integer, 0) as n from public.recompute_runs where id = $1`,
    [onePercentDue.runId],
  );
  return {
    owned: owned.rowCount ?? 0,
    released: previous.rowCount ?? 0,
    releaseSeconds,
    assignSeconds,
    backdateSeconds,
    nothingDue,
    onePercentDue,
    due: due[0]!.n,
    recycled: recycled[0]!.n,
  };
}

/**
 * The naive recompute cron-based tools run: every customer's figures aggregated again from the raw
 * orders, scores and stages computed afresh, every profile row rewritten, and every segment's
 * membership deleted and inserted again, one query per segment. Rolled back afterwards.
 */
export async function naiveRecompute(db: pg.Client, org: string): Promise<number> {
  await db.query('begin');
  try {
    const started = process.hrtime.bigint();
    await db.query(
      `create temp table naive_stats on commit drop as
       select c.id as customer_id,
              count(o.id) filter (where o.status = 'paid')::integer as n,
              coalesce(sum(o.total - o.refunded_amount) filter (where o.status = 'paid'), 0) as s,
              min(o.ordered_at) filter (where o.status = 'paid') as f_at,
              max(o.ordered_at) filter (where o.status = 'paid') as l_at,
              (array_agg(o.ordered_at order by o.ordered_at desc) filter (where o.status = 'paid'))[2] as pv_at,
              (select max(e.occurred_at) from public.events e where e.org_id = c.org_id and e.customer_id = c.id) as e_at
         from public.customers c
         left join public.orders o on o.org_id = c.org_id and o.customer_id = c.id
        where c.org_id = $1
        group by c.id, c.org_id`,
      [org],
    );
    await db.query(
      `with cuts as (
         select percentile_disc(array[0.2, 0.4, 0.6, 0.8]) within group (order by s) as m,
                percentile_disc(array[0.2, 0.4, 0.6, 0.8]) within group (order by extract(day from now() - l_at)) as r,
                percentile_disc(0.9) within group (order by s) as vip,
                percentile_disc(0.99) within group (order by s) as super,
                percentile_disc(0.5) within group (order by s / n) as median_aov
           from naive_stats where n > 0
       ), scored as (
         select ns.*, extract(day from now() - ns.l_at)::integer as d,
                case when ns.n = 0 then null else 1 + (select count(*) from unnest(cuts.r) c where extract(day from now() - ns.l_at) < c) end::smallint as r_score,
                case when ns.n = 0 then null when ns.n >= 6 then 5 when ns.n >= 4 then 4 else ns.n end::smallint as f_score,
                case when ns.n = 0 then null else 1 + (select count(*) from unnest(cuts.m) c where ns.s > c) end::smallint as m_score,
                cuts.vip, cuts.super, cuts.median_aov
           from naive_stats ns, cuts
       )
       update public.customer_profiles p set
         order_count = x.n, net_spend = x.s, aov = case when x.n > 0 then round(x.s / x.n, 2) end,
         first_order_at = x.f_at, last_order_at = x.l_at, previous_order_at = x.pv_at, last_event_at = x.e_at,
         r_score = x.r_score, f_score = x.f_score, m_score = x.m_score,
         rfm_segment = case when x.n = 0 then null
                            when x.r_score = 5 and x.f_score >= 4 then 'champions'
                            when x.r_score >= 3 and x.f_score >= 4 then 'loyal'
                            when x.r_score >= 4 and x.f_score >= 2 then 'potential_loyalist'
                            when x.r_score = 5 then 'new_customer'
                            when x.r_score = 4 then 'promising'
                            when x.r_score = 3 and x.f_score = 3 then 'need_attention'
                            when x.r_score = 3 then 'about_to_sleep'
                            when x.f_score = 5 then 'cant_lose'
                            when x.f_score >= 3 then 'at_risk'
                            when x.r_score = 1 and x.f_score = 1 then 'lost'
                            else 'hibernating' end::public.rfm_segment,
         lifecycle_stage = case when x.n = 0 and (x.e_at is null or x.e_at < now() - interval '90 days') then 'prospect'
                                when x.n = 0 then 'lead'
                                when x.n >= 2 and x.d <= 90 and x.l_at - x.pv_at > interval '180 days' then 'reactivated'
                                when x.n = 1 and x.d <= 30 then 'new'
                                when x.d > 180 then 'churned'
                                when x.d > 90 then 'at_risk'
                                when x.n >= 4 then 'loyal'
                                else 'active' end::public.lifecycle_stage,
         value_tier = case when x.n > 0 and x.s >= x.super then 'super' when x.n > 0 and x.s >= x.vip then 'vip' else 'normal' end::public.value_tier,
         ticket_band = case when x.n = 0 then null when x.s / x.n >= x.median_aov then 'high' else 'low' end::public.ticket_band,
         computed_at = now()
       from scored x
       where p.org_id = $1 and p.customer_id = x.customer_id`,
      [org],
    );
    await db.query(`create temp table naive_members (segment_id uuid, customer_id uuid) on commit drop`);
    const { rows: segments } = await db.query<{ id: string; rule: unknown }>(`select id, rule from public.segments where org_id = $1 and is_active order by name`, [org]);
    for (const segment of segments) {
      await db.query(`delete from naive_members where segment_id = $1`, [segment.id]);
      await db.query(`insert into naive_members select $1, c from private.evaluate_rule($2::uuid, $3::jsonb) as c`, [segment.id, org, JSON.stringify(segment.rule)]);
    }
    await db.query(`delete from public.segment_memberships where org_id = $1`, [org]);
    await db.query(`insert into public.segment_memberships (org_id, segment_id, customer_id) select $1, segment_id, customer_id from naive_members`, [org]);
    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    await db.query('rollback');
  }
}

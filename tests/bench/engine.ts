// The database budgets of DESIGN §10, measured on a generated organization (dataset.ts):
// recomputes (full, after changes, drift, an edited rule), single-order ingest latency and
// throughput through the trigger path, customer_context in the database and through the local
// API, and a naive recompute of the kind cron-based tools run, for comparison.
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { median, percentile, timeMs } from './stats.ts';

export interface RunSummary {
  seconds: number;
  chunks: number;
  scanned: number;
  changed: number;
  rowsWritten: number;
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
  const summary: RunSummary = { seconds: 0, chunks: 0, scanned: 0, changed: 0, rowsWritten: 0, runId: null };
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
  return summary;
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
export async function ingestLatency(db: pg.Client, org: string, customers: string[], samples: number, tag: string): Promise<{ p50: number; p99: number; max: number }> {
  const times: number[] = [];
  const insert = (i: number) =>
    db.query(
      `insert into public.orders (org_id, customer_id, source, external_id, ordered_at, total, currency, status)
       values ($1, $2, 'manual', $3, now() - make_interval(mins => $4), $5, 'USD', 'paid')`,
      [org, customers[i % customers.length], `bench-${tag}-${i}`, i % 1440, (10 + (i % 300)).toFixed(2)],
    );
  for (let i = 0; i < Math.min(50, samples); i++) await insert(samples + i); // warm-up
  for (let i = 0; i < samples; i++) times.push(await timeMs(() => insert(i)));
  return { p50: median(times), p99: percentile(times, 99), max: Math.max(...times) };
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

/** customer_context with 5 identifiers as a signed-in member, timed in the database session. */
export async function contextInDatabase(db: pg.Client, org: string, userId: string, sets: unknown[][]): Promise<{ p50: number; p95: number }> {
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
  for (const set of sets) await once(set, true);
  return { p50: median(times), p95: percentile(times, 95) };
}

/**
 * The clients of contextThroughApi, in a thread of their own: real clients are other processes,
 * and clients sharing the API's event loop would add their own work to every latency measured.
 * Plain JavaScript, so that the worker needs no TypeScript loader.
 */
const API_CLIENTS_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { apiUrl, anonKey, accessToken, org, sets, clients } = workerData;
const headers = { apikey: anonKey, authorization: 'Bearer ' + accessToken, 'content-type': 'application/json' };
async function call(set) {
  const res = await fetch(apiUrl + '/rest/v1/rpc/customer_context', { method: 'POST', headers, body: JSON.stringify({ p_org: org, p_identifiers: set }) });
  const text = await res.text();
  if (!res.ok) throw new Error('customer_context answered ' + res.status + ': ' + text.slice(0, 200));
}
(async () => {
  for (let i = 0; i < Math.min(clients * 2, sets.length); i++) await call(sets[i]);
  const times = [];
  let errors = 0;
  let next = 0;
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
  parentPort.postMessage({ times, errors });
})().catch((error) => parentPort.postMessage({ times: [], errors: sets.length, message: String(error) }));
`;

/** customer_context through the local API (/rest/v1/rpc) from `clients` concurrent clients, in a worker thread. */
export async function contextThroughApi(apiUrl: string, anonKey: string, accessToken: string, org: string, sets: unknown[][], clients: number): Promise<{ p50: number; p95: number; errors: number }> {
  const worker = new Worker(API_CLIENTS_WORKER, { eval: true, workerData: { apiUrl, anonKey, accessToken, org, sets, clients } });
  try {
    const { times, errors } = await new Promise<{ times: number[]; errors: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    return { p50: median(times), p95: percentile(times, 95), errors };
  } finally {
    await worker.terminate();
  }
}

/**
 * An admin edits one rule; the dirty run then evaluates that organization's memberships. The rule
 * moves between two versions, so that a reused database sees an edit every time.
 */
export async function editOneRule(db: pg.Client, org: string): Promise<{ seconds: number; run: RunSummary }> {
  const started = process.hrtime.bigint();
  await db.query(
    `update public.segments
        set rule = case when rule = '{"field": "net_spend", "op": "between", "value": [150, 1200]}'::jsonb
                        then '{"field": "net_spend", "op": "between", "value": [100, 1000]}'::jsonb
                        else '{"field": "net_spend", "op": "between", "value": [150, 1200]}'::jsonb end
      where org_id = $1 and name = 'Segment 04'`,
    [org],
  );
  const run = await recompute(db, org, 'dirty');
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, run };
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
    await db.query(
      `update public.customer_profiles p set segment_ids = coalesce(m.ids, '{}')
         from public.customers c
         left join (select customer_id, array_agg(segment_id order by segment_id) as ids from naive_members group by customer_id) m on m.customer_id = c.id
        where p.org_id = $1 and c.org_id = $1 and p.customer_id = c.id`,
      [org],
    );
    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    await db.query('rollback');
  }
}

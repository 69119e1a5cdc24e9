// `npm run bench`: Portrait's performance budgets (README.md "Performance budgets"), measured in one run.
//
//   DATABASE_URL=postgres://… npm run bench -- --scale smoke     CI: 2k customers, under 2 minutes
//   DATABASE_URL=postgres://… npm run bench -- --scale 100k      100k customers (≈ 1M orders)
//   DATABASE_URL=postgres://… npm run bench -- --scale 1m        CRM-1M: 1M customers, ≈ 10M orders, 20M events
//   … --json results.json --chart recompute.svg                  also write the results and the chart
//   … --keep                                                     keep the scratch database (its name is printed)
//   … --load-only                                                load the data into a kept database and stop
//   … --reuse portrait_bench_1m_1234                              measure on a database kept earlier (no load);
//                                                                 refused when a migration it took has been edited since
//   … --allow-edited-migrations                                   (with --reuse) measure anyway: the edits were applied by hand
//   … --only ingest                                               measure one part only (after the first full run)
//   … --only recycle                                              only the drift pass with the pool's recycle rules
//   npm run bench -- --extension [--runs 20] [--no-build]          the extension: content-script sizes,
//                                                                  overlay time to visible (tests/bench/extension.ts)
//   DATABASE_URL=postgres://… npm run bench -- --import           CSV import: 200k customers + 2M orders (tests/bench/import.ts)
//   … --import --orders 200000                                     the same at another size (a tenth as many customers)
//
// The data goes into a new scratch database on the server of DATABASE_URL (dropped at the end,
// unless --keep): a generated organization of the scale (tests/bench/dataset.ts), and for the
// chart smaller ones (10k, 100k). A reused database takes the migration files added since (not the
// edits of those it took: it is refused then, see --allow-edited-migrations) and is never dropped;
// what the benchmark writes into it is marked with a tag of its own run, so that
// it can be measured again. Without DATABASE_URL only the local API's overhead is measured,
// on the embedded PGlite. A benchmark, not a timed test: it prints medians and percentiles and says
// which budgets hold.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { fromUrl, withDatabase } from '../../supabase/local/db.ts';
import { editedMigrations } from '../../supabase/local/migrate.ts';
import { startStack } from '../../supabase/local/stack.ts';
import { measureApiOverhead } from './api-overhead.ts';
import { chartSvg, type Series } from './chart.ts';
import { machineInfo, report, serverDescription, type Result } from './report.ts';
import { loadOrganizations, type OrgSpec } from './dataset.ts';
import {
  bareInsertCpuMs,
  boundPass,
  changeOnePercent,
  classifyReadOnly,
  contextDirectThroughput,
  client,
  contextInDatabase,
  contextThroughApi,
  editOneRule,
  editStageRule,
  identifierSets,
  ingestLatency,
  ingestThroughput,
  medianOf,
  naiveRecompute,
  recycleDrift,
  rebuildStats,
  recompute,
  sampleCustomers,
  webhookIngestLatency,
} from './engine.ts';

const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: 'smoke' },
    json: { type: 'string' },
    chart: { type: 'string' },
    calls: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'load-only': { type: 'boolean', default: false },
    reuse: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    extension: { type: 'boolean', default: false },
    runs: { type: 'string', default: '20' },
    'no-build': { type: 'boolean', default: false },
    'allow-edited-migrations': { type: 'boolean', default: false },
    import: { type: 'boolean', default: false },
    orders: { type: 'string' },
    only: { type: 'string' },
  },
});
if (args.only !== undefined && !['ingest', 'recycle'].includes(args.only)) throw new Error(`--only ${args.only}: one of ingest, recycle`);

if (args.import) {
  if (!process.env.DATABASE_URL) throw new Error('npm run bench -- --import needs DATABASE_URL (a native Postgres)');
  const { runImportBench } = await import('./import.ts');
  const orders = args.orders === undefined ? undefined : Number(args.orders);
  if (orders !== undefined && !(Number.isInteger(orders) && orders >= 10)) throw new Error('--orders must be a whole number of at least 10');
  await runImportBench(process.env.DATABASE_URL, { keep: args.keep, orders, customers: orders === undefined ? undefined : orders / 10 });
  process.exit(0);
}

if (args.extension) {
  const { runExtensionBench } = await import('./extension.ts');
  await runExtensionBench({ runs: Number(args.runs), build: !args['no-build'], json: args.json, quiet: args.quiet });
  process.exit(0);
}

interface Scale {
  customers: number;
  /** Smaller organizations generated for the chart. */
  chart: number[];
  calls: number;
  ingestSamples: number;
  throughputSeconds: number;
  contextSets: number;
  apiSets: number;
  repeats: number;
}

const scales: Record<string, Scale> = {
  smoke: { customers: 2_000, chart: [], calls: 300, ingestSamples: 300, throughputSeconds: 5, contextSets: 300, apiSets: 640, repeats: 3 },
  '100k': { customers: 100_000, chart: [10_000], calls: 1000, ingestSamples: 2000, throughputSeconds: 20, contextSets: 2000, apiSets: 3200, repeats: 3 },
  '1m': { customers: 1_000_000, chart: [10_000, 100_000], calls: 2000, ingestSamples: 5000, throughputSeconds: 60, contextSets: 5000, apiSets: 6400, repeats: 3 },
};
const scale = scales[args.scale!];
if (!scale) throw new Error(`Unknown --scale ${args.scale}: use one of ${Object.keys(scales).join(', ')}`);
const calls = Number(args.calls ?? scale.calls);
const log = (line: string) => {
  if (!args.quiet) console.error(line);
};

const results: Result[] = [];
/** A measure; `budget` is a ceiling, or with `atLeast` a floor. */
const add = (id: string, value: number, unit: string, budget: number | null = null, atLeast = false) => {
  const rounded = Math.round(value * 1000) / 1000;
  results.push({ id, value: rounded, unit, budget, pass: budget === null ? null : atLeast ? value >= budget : value <= budget });
};

const BENCH_ORG = '00000000-0000-4000-8000-0000000b0001';
const chartOrg = (n: number) => `00000000-0000-4000-8000-0000000c${String(n).padStart(4, '0').slice(-4)}`;

const serverUrl = process.env.DATABASE_URL;
const started = Date.now();
/** Marks what this run writes (order ids, users), so that a reused database can be measured again. */
const runTag = `${process.pid}x${Date.now().toString(36)}`;
const reuse = args.reuse;
const keep = args.keep || args['load-only'] || reuse !== undefined;
if ((reuse || args['load-only']) && !serverUrl) throw new Error('--reuse and --load-only need DATABASE_URL (a native Postgres)');
if (reuse && args['load-only']) throw new Error('--reuse and --load-only exclude each other');
let scratch: { url: string; drop: () => Promise<void> } | undefined;
if (serverUrl) {
  const name = reuse ?? `portrait_bench_${args.scale}_${process.pid}`;
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`--reuse ${name}: not a benchmark database name`);
  const admin = fromUrl(serverUrl, { max: 1 });
  if (reuse) {
    const { rows } = await admin.query<{ ok: boolean }>(`select exists (select from pg_database where datname = $1) as ok`, [name]);
    if (!rows[0]!.ok) throw new Error(`--reuse ${name}: no such database on the server of DATABASE_URL`);
    // A kept database takes new migration files only: one edited since would be measured as it was.
    const kept = fromUrl(withDatabase(serverUrl, name), { max: 1 });
    const edited = await editedMigrations(kept).finally(() => kept.close());
    if (edited.length > 0 && !args['allow-edited-migrations']) {
      throw new Error(
        `--reuse ${name}: ${edited.join(', ')} changed since this database took them, and a reused database takes new ` +
          `migration files only. Load a fresh one (without --reuse), or apply the changed definitions by hand and pass --allow-edited-migrations.`,
      );
    }
    if (edited.length > 0) log(`Measuring ${name} with edited migrations applied by hand: ${edited.join(', ')}`);
  } else {
    await admin.exec(`drop database if exists "${name}"`);
    await admin.exec(`create database "${name}"`);
  }
  scratch = {
    url: withDatabase(serverUrl, name),
    drop: async () => {
      if (!keep) await admin.exec(`drop database if exists "${name}" with (force)`);
      else log(`Kept the scratch database ${name} (measure it again with --reuse ${name})`);
      await admin.close();
    },
  };
}

/** The drift pass with the pool's recycle rules on and 30 % of customers owned: nothing due, then ~1 % due. */
async function measureRecycle(db: ReturnType<typeof client>) {
  const pool = await recycleDrift(db, BENCH_ORG);
  if (pool.released > 0) add('owners_update_release_previous_s', pool.releaseSeconds, 's');
  add('owners_update_assign_s', pool.assignSeconds, 's');
  add('owners_update_backdate_s', pool.backdateSeconds, 's');
  add('drift_pass_recycle_owned_customers', pool.owned, 'rows');
  add('drift_pass_recycle_nothing_due_s', pool.nothingDue.seconds, 's', 1);
  add('drift_pass_recycle_nothing_due_customers', pool.nothingDue.scanned, 'rows');
  add('drift_pass_recycle_1pct_due_s', pool.onePercentDue.seconds, 's');
  add('drift_pass_recycle_1pct_due_customers', pool.due, 'rows');
  add('drift_pass_recycle_1pct_recycled', pool.recycled, 'rows');
}

/** Ends a --load-only run once the data is in. */
class LoadOnly extends Error {}
/** Ends an --only run once its part is measured (its results are reported). */
class PartDone extends Error {}
let loadOnly = false;

async function countDataset(db: ReturnType<typeof client>, org: string) {
  const { rows } = await db.query<Record<string, string>>(
    `select (select count(*) from public.customers where org_id = $1) as customers,
            (select count(*) from public.orders where org_id = $1) as orders,
            (select count(*) from public.events where org_id = $1) as events`,
    [org],
  );
  return { customers: Number(rows[0]!.customers), orders: Number(rows[0]!.orders), events: Number(rows[0]!.events) };
}

const chartSeries: Series[] = [];
const stack = await startStack({ databaseUrl: scratch?.url, apiPort: 0, dbPort: 0, functions: false, scheduler: false, bcryptCost: 4 });
let server = '';
try {
  const overhead = await measureApiOverhead(stack, calls);
  add(`rpc_${overhead.rpc}_direct_sql_median`, overhead.direct.median, 'ms');
  add(`rpc_${overhead.rpc}_direct_sql_p95`, overhead.direct.p95, 'ms');
  add(`rpc_${overhead.rpc}_local_api_median`, overhead.api.median, 'ms');
  add(`rpc_${overhead.rpc}_local_api_p95`, overhead.api.p95, 'ms');
  add('local_api_overhead_median', overhead.api.median - overhead.direct.median, 'ms');
  add('local_api_overhead_p95', overhead.api.p95 - overhead.direct.p95, 'ms');

  if (!scratch) {
    log('The engine benchmarks need a native Postgres: set DATABASE_URL (only the API overhead was measured).');
  } else {
    const db = client(scratch.url);
    await db.connect();
    server = await serverDescription((sql) => db.query(sql));

    // The data: the organization of the scale, and smaller ones for the chart.
    const specs: OrgSpec[] = [
      { org: BENCH_ORG, name: `Bench ${args.scale}`, customers: scale.customers },
      ...scale.chart.map((n) => ({ org: chartOrg(n / 1000), name: `Chart ${n / 1000}k`, customers: n })),
    ];
    const loadStarted = Date.now();
    const main = reuse ? await countDataset(db, BENCH_ORG) : (await loadOrganizations(stack.db, specs, { log, parallel: 2 })).get(BENCH_ORG)!;
    if (main.customers !== scale.customers) throw new Error(`the database holds ${main.customers} customers of the benchmark organization, not the ${scale.customers} of --scale ${args.scale}`);
    add('dataset_customers', main.customers, 'rows');
    add('dataset_orders', main.orders, 'rows');
    add('dataset_events', main.events, 'rows');
    if (!reuse) add('dataset_load_s', (Date.now() - loadStarted) / 1000, 's');
    log(`${reuse ? 'Reusing' : 'Loaded'} ${main.customers} customers, ${main.orders} orders, ${main.events} events (+ chart organizations) in ${((Date.now() - loadStarted) / 1000).toFixed(1)} s`);

    if (args['load-only']) {
      await db.end();
      throw new LoadOnly();
    }
    if (args.only === 'recycle') {
      // Settle what earlier runs left queued, and let a first drift pass take the hour's stage
      // snapshot (a drift pass takes one when the latest is over an hour old), as the full
      // benchmark's earlier runs do before these passes.
      if (!reuse) {
        // A fresh load: the first full run writes every profile, then the table is compacted.
        const first = await recompute(db, BENCH_ORG, 'full');
        add('initial_full_build_s', first.seconds, 's');
        await db.query('vacuum (full) public.customer_profiles');
        await db.query('vacuum analyze public.customer_profiles, public.customer_tags, public.stage_changes');
      }
      await recompute(db, BENCH_ORG, 'dirty');
      const warmUp = await recompute(db, BENCH_ORG, 'drift', { now: new Date(Date.now() + 60_000) });
      add('drift_pass_before_recycle_s', warmUp.seconds, 's');
      await measureRecycle(db);
      await db.end();
      throw new PartDone();
    }

    // The first full run of each organization writes every profile (after a load with triggers off);
    // on a database reused after --load-only the same; on one measured before, one more run.
    let builtFresh = false;
    for (const spec of specs) {
      const first = await recompute(db, spec.org, 'full');
      if (first.changed > spec.customers / 2) builtFresh = true;
      if (spec.org === BENCH_ORG) add('initial_full_build_s', first.seconds, 's');
      const mismatches = await rebuildStats(db, spec.org);
      if (spec.org === BENCH_ORG) add('stats_rebuild_mismatches', mismatches, 'rows', 0);
      log(`${spec.name}: first full run ${first.seconds.toFixed(2)} s (${first.changed} profiles), statistics mismatches ${mismatches}`);
    }
    // A first build rewrote every profile of a fresh load: compact the table once, as after any
    // bulk import.
    if (builtFresh) await db.query('vacuum (full) public.customer_profiles');
    // A database measured before gives the same customers new orders again (the same 1 % and the
    // same order sample each run), who then move stage and segment less: its runs report less work
    // than a fresh load's (README.md, "The two commands").
    add('database_measured_before', builtFresh ? 0 : 1, 'flag');
    if (!builtFresh) log('This database was measured before: the run after 1 % changed and the orders measured report less work than on a fresh load; compare budgets on a database measured once.');
    await db.query('vacuum analyze public.customer_profiles, public.customer_tags, public.stage_changes');

    // The parts `--only` can measure alone.
    const url = scratch.url;
    const { ingestSamples, throughputSeconds } = scale;
    async function measureIngest() {
      const customers = await sampleCustomers(db, BENCH_ORG, 20_000);
      const latency = await ingestLatency(db, BENCH_ORG, customers, ingestSamples, `lat${runTag}`);
      add('ingest_order_p50_ms', latency.p50, 'ms');
      add('ingest_order_p99_ms', latency.p99, 'ms', 10);
      // The database's work per order (the server process's CPU time), when the server runs here:
      // all of it, the order's own insert and commit without the engine, and the engine's share.
      if (latency.cpuMsPerOrder !== null) {
        add('ingest_order_backend_cpu_ms', latency.cpuMsPerOrder, 'ms');
        const bare = await bareInsertCpuMs(db, BENCH_ORG, customers, Math.min(1000, ingestSamples), `bare${runTag}`);
        if (bare !== null) {
          add('ingest_order_backend_cpu_without_engine_ms', bare, 'ms');
          add('ingest_order_engine_cpu_ms', latency.cpuMsPerOrder - bare, 'ms', 0.5);
        }
      }
      const throughput = await ingestThroughput(url, BENCH_ORG, customers, throughputSeconds, 4, `tput${runTag}`);
      add('ingest_throughput_orders_per_s', throughput.perSecond, 'orders/s', 2000, true);
      add('ingest_throughput_seconds', throughputSeconds, 's');
      add('ingest_throughput_p99_ms', throughput.p99, 'ms');
      add('ingest_throughput_errors', throughput.errors, 'errors', 0);
      await db.query(`insert into public.shop_connections (org_id, provider, shop_domain, webhook_secret) values ($1, 'shopify', 'bench.myshopify.com', 'bench-secret-0123456789')
                      on conflict (provider, shop_domain) do nothing`, [BENCH_ORG]);
      const webhook = await webhookIngestLatency(db, BENCH_ORG, Math.min(1000, ingestSamples), `wh${runTag}`);
      add('webhook_ingest_order_p50_ms', webhook.p50, 'ms');
      add('webhook_ingest_order_p99_ms', webhook.p99, 'ms');
    }
    const parts: Record<string, () => Promise<void>> = { ingest: measureIngest };
    if (args.only) {
      const part = parts[args.only];
      if (!part) throw new Error(`--only ${args.only}: one of ${Object.keys(parts).join(', ')}`);
      await part();
      await db.end();
      throw new PartDone();
    }

    // Full recompute with nothing changed, and the same classification as a read-only query.
    const fullSeconds: Record<string, number> = {};
    const classifySeconds: Record<string, number> = {};
    const boundSeconds: Record<string, number> = {};
    let fullRows = 0;
    for (const spec of [...specs].sort((a, b) => a.customers - b.customers)) {
      fullSeconds[spec.org] = await medianOf(scale.repeats, async () => {
        const run = await recompute(db, spec.org, 'full');
        if (spec.org === BENCH_ORG) fullRows = run.rowsWritten;
        return run.seconds;
      });
      classifySeconds[spec.org] = await medianOf(scale.repeats, () => classifyReadOnly(db, spec.org));
      boundSeconds[spec.org] = await medianOf(scale.repeats, () => boundPass(db, spec.org));
      log(`${spec.name}: full recompute (nothing changed) ${fullSeconds[spec.org]!.toFixed(3)} s, read-only classification ${classifySeconds[spec.org]!.toFixed(3)} s, set-based bound ${boundSeconds[spec.org]!.toFixed(3)} s`);
    }
    add('full_recompute_unchanged_s', fullSeconds[BENCH_ORG]!, 's', 5);
    add('full_recompute_unchanged_rows_written', fullRows, 'rows');
    add('classify_readonly_s', classifySeconds[BENCH_ORG]!, 's');
    add('full_vs_readonly_ratio', fullSeconds[BENCH_ORG]! / classifySeconds[BENCH_ORG]!, 'x', 1.3);
    add('bound_read_classify_compare_s', boundSeconds[BENCH_ORG]!, 's');
    add('full_vs_bound_ratio', fullSeconds[BENCH_ORG]! / boundSeconds[BENCH_ORG]!, 'x', 2);

    // Full recompute after 1 % of the customers changed.
    const changedCustomers = await changeOnePercent(db, BENCH_ORG, runTag);
    const afterChange = await recompute(db, BENCH_ORG, 'full');
    add('customers_changed_1pct', changedCustomers, 'rows');
    add('full_recompute_1pct_changed_s', afterChange.seconds, 's', 6);
    add('full_recompute_1pct_profiles_changed', afterChange.changed, 'rows');
    add('full_recompute_1pct_rows_written', afterChange.rowsWritten, 'rows');
    add('full_recompute_1pct_stage_changes', afterChange.stageChanges, 'rows');
    add('full_recompute_1pct_memberships_written', afterChange.membershipsWritten, 'rows');
    // Rows written per changed profile: all of them but the stage changes, and (the budget) the
    // profile and rule-tag rows only, a customer's stage change and a segment joined or left being
    // facts of their own, each one narrow row.
    const perChanged = (rows: number) => (afterChange.changed > 0 ? rows / afterChange.changed : 0);
    add('rows_written_per_changed_profile_with_memberships', perChanged(afterChange.rowsWritten - afterChange.stageChanges), 'x');
    add('rows_written_per_changed_profile', perChanged(afterChange.rowsWritten - afterChange.stageChanges - afterChange.membershipsWritten), 'x', 1.05);

    // One order ingested: stats, profile and segments current in the same transaction.
    await measureIngest();
    // Settle what the ingest left queued before timing the rest.
    await recompute(db, BENCH_ORG, 'dirty');

    // customer_context with 5 identifiers: in the database, and through the local API.
    const email = `bench-member-${runTag}@example.com`;
    const signup = await fetch(`${stack.apiUrl}/auth/v1/signup`, {
      method: 'POST',
      headers: { apikey: stack.anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'benchmark password' }),
    });
    const session = (await signup.json()) as { access_token: string; user: { id: string } };
    await db.query(`insert into public.members (org_id, user_id, role) values ($1, $2, 'rep')`, [BENCH_ORG, session.user.id]);
    const sets = await identifierSets(db, BENCH_ORG, Math.max(scale.contextSets, scale.apiSets));
    const inDb = await contextInDatabase(db, BENCH_ORG, session.user.id, sets.slice(0, scale.contextSets));
    add('customer_context_5_ids_db_p50_ms', inDb.p50, 'ms', 1);
    add('customer_context_5_ids_db_p95_ms', inDb.p95, 'ms', 2);
    if (inDb.cpuPerCallMs !== null) add('customer_context_5_ids_db_backend_cpu_ms', inDb.cpuPerCallMs, 'ms');
    add('customer_context_5_ids_db_blocks_read_per_call', inDb.blocksReadPerCall, 'blocks');
    add('customer_context_5_ids_db_blocks_hit_per_call', inDb.blocksHitPerCall, 'blocks');
    // 32 clients on 2 cores: the API must add no bottleneck, so its throughput is compared with the
    // same calls made over SQL from 32 connections in the same run.
    const direct = await contextDirectThroughput(scratch.url, BENCH_ORG, session.user.id, sets.slice(0, scale.apiSets), 32);
    add('customer_context_5_ids_sql_32_connections_per_s', direct.perSecond, 'calls/s');
    add('customer_context_5_ids_sql_32_connections_p95_ms', direct.p95, 'ms');
    const viaApi = await contextThroughApi(stack.apiUrl, stack.anonKey, session.access_token, BENCH_ORG, sets.slice(0, scale.apiSets), 32);
    add('customer_context_5_ids_api_32_clients_per_s', viaApi.perSecond, 'calls/s');
    add('customer_context_5_ids_api_32_clients_p50_ms', viaApi.p50, 'ms');
    add('customer_context_5_ids_api_32_clients_p95_ms', viaApi.p95, 'ms');
    add('customer_context_api_vs_sql_throughput', viaApi.perSecond / direct.perSecond, 'x', 0.8, true);
    add('customer_context_api_errors', viaApi.errors, 'errors', 0);

    // One edited rule: the update and the run that re-evaluates memberships.
    const edited = await editOneRule(db, BENCH_ORG);
    add('edited_rule_s', edited.seconds, 's', 1);
    add('edited_rule_rows_written', edited.run.rowsWritten, 'rows');
    const stageEdit = await editStageRule(db, BENCH_ORG);
    add('edited_stage_rule_s', stageEdit.seconds, 's', 1);
    add('edited_stage_rule_rows_written', stageEdit.run.rowsWritten, 'rows');
    add('edited_stage_rule_due_classified', stageEdit.dueClassified, 'rows');

    // Time drift: a minute later (the scheduled pass), and a day later (a pass that was missed for a day).
    const minute = await recompute(db, BENCH_ORG, 'drift', { now: new Date(Date.now() + 60_000) });
    add('drift_pass_1_minute_s', minute.seconds, 's', 1);
    add('drift_pass_1_minute_customers', minute.scanned, 'rows');
    const day = await recompute(db, BENCH_ORG, 'drift', { now: new Date(Date.now() + 86_400_000) });
    add('drift_pass_1_day_s', day.seconds, 's', 1);
    add('drift_pass_1_day_customers', day.scanned, 'rows');
    await measureRecycle(db);

    // The naive way, for comparison: everything from raw orders, every membership rewritten.
    const naive = await naiveRecompute(db, BENCH_ORG);
    add('naive_recompute_s', naive, 's');
    add('naive_vs_ours_ratio', naive / fullSeconds[BENCH_ORG]!, 'x', 10, true);

    const byCustomers = (values: Record<string, number>) =>
      specs.map((s) => ({ customers: s.customers, seconds: values[s.org]! })).sort((a, b) => a.customers - b.customers);
    chartSeries.push(
      { name: 'full recompute, nothing changed', colour: '#2563eb', points: byCustomers(fullSeconds) },
      { name: 'read-only classification', colour: '#16a34a', points: byCustomers(classifySeconds) },
      { name: 'set-based bound (read, classify, compare)', colour: '#9333ea', points: byCustomers(boundSeconds) },
      { name: 'naive recompute', colour: '#dc2626', points: [{ customers: scale.customers, seconds: naive }] },
    );
    await db.end();
  }
} catch (error) {
  if (error instanceof LoadOnly) loadOnly = true;
  else if (!(error instanceof PartDone)) throw error;
} finally {
  await stack.stop();
  await scratch?.drop();
}
if (loadOnly) process.exit(0);

const machine = machineInfo({ database: scratch ? `${server} (DATABASE_URL)` : 'embedded PGlite' });
await report(
  `Portrait benchmark · scale ${args.scale} · ${machine.database} · ${((Date.now() - started) / 1000).toFixed(0)} s`,
  machine,
  args.scale!,
  results,
  args.json,
);
if (args.chart) {
  if (chartSeries.length === 0) {
    console.log('No chart: the engine benchmarks did not run (DATABASE_URL is not set).');
  } else {
    const svg = chartSvg('Portrait: recompute time against customer count', chartSeries, {
      subtitle: `${machine.database}, ${machine.cpus} cores (${machine.cpu}, load average ${machine.loadAverage[1]}), scale ${args.scale}; log–log`,
      budgetSeconds: 5,
    });
    await writeFile(args.chart, svg);
    console.log(`Wrote ${args.chart}`);
  }
}

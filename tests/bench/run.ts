// `npm run bench`: Portrait's performance budgets (DESIGN §10), measured in one run.
//
//   npm run bench                          embedded PGlite (or DATABASE_URL), default scale
//   npm run bench -- --scale smoke         a quick pass for CI
//   npm run bench -- --json out.json       also write the results as JSON
//
// A benchmark, not a timed test: it prints medians and percentiles and says which budgets hold.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fromUrl } from '../../supabase/local/db.ts';
import { startStack } from '../../supabase/local/stack.ts';
import { measureApiOverhead } from './api-overhead.ts';

const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: 'smoke' },
    json: { type: 'string' },
    calls: { type: 'string' },
  },
});

interface Result {
  id: string;
  value: number;
  unit: string;
  budget: number | null;
  pass: boolean | null;
}

const scales: Record<string, { calls: number }> = { smoke: { calls: 300 }, '100k': { calls: 1000 }, '1m': { calls: 2000 } };
const scale = scales[args.scale!];
if (!scale) throw new Error(`Unknown --scale ${args.scale}: use one of ${Object.keys(scales).join(', ')}`);
const calls = Number(args.calls ?? scale.calls);

const serverUrl = process.env.DATABASE_URL;
let scratch: { url: string; drop: () => Promise<void> } | undefined;
if (serverUrl) {
  const name = `portrait_bench_${process.pid}`;
  const admin = fromUrl(serverUrl, { max: 1 });
  await admin.exec(`drop database if exists "${name}"`);
  await admin.exec(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  scratch = {
    url: url.toString(),
    drop: async () => {
      await admin.exec(`drop database if exists "${name}" with (force)`);
      await admin.close();
    },
  };
}

const results: Result[] = [];
const stack = await startStack({ databaseUrl: scratch?.url, apiPort: 0, dbPort: 0, functions: false });
try {
  const overhead = await measureApiOverhead(stack, calls);
  const add = (id: string, value: number, unit: string, budget: number | null = null) =>
    results.push({ id, value: Math.round(value * 1000) / 1000, unit, budget, pass: budget === null ? null : value <= budget });
  add(`rpc_${overhead.rpc}_direct_sql_median`, overhead.direct.median, 'ms');
  add(`rpc_${overhead.rpc}_direct_sql_p95`, overhead.direct.p95, 'ms');
  add(`rpc_${overhead.rpc}_local_api_median`, overhead.api.median, 'ms');
  add(`rpc_${overhead.rpc}_local_api_p95`, overhead.api.p95, 'ms');
  add('local_api_overhead_median', overhead.api.median - overhead.direct.median, 'ms');
  add('local_api_overhead_p95', overhead.api.p95 - overhead.direct.p95, 'ms');
} finally {
  await stack.stop();
  await scratch?.drop();
}

const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
const database = serverUrl ? 'native Postgres (DATABASE_URL)' : 'embedded PGlite';
console.log(`Portrait benchmark · scale ${args.scale} · ${database} · ${machine.cpus} cores · ${calls} calls per measure`);
console.log(['id'.padEnd(40), 'value'.padStart(10), 'unit'.padEnd(5), 'budget'.padStart(8), 'pass'].join('  '));
for (const r of results) {
  console.log(
    [r.id.padEnd(40), String(r.value).padStart(10), r.unit.padEnd(5), (r.budget ?? '–').toString().padStart(8), r.pass === null ? '–' : r.pass ? 'yes' : 'NO'].join('  '),
  );
}
if (args.json) {
  await writeFile(args.json, JSON.stringify({ machine: { ...machine, database }, scale: args.scale, results }, null, 2));
  console.log(`Wrote ${args.json}`);
}

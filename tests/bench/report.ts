// What every benchmark prints and writes: one row per measure against its budget, and the JSON
// `{"machine": …, "scale": …, "results": [{"id", "value", "unit", "budget", "pass"}]}`.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';

export interface Result {
  id: string;
  value: number;
  unit: string;
  /** A ceiling, or a floor for the measures where more is better; null when there is none. */
  budget: number | null;
  pass: boolean | null;
}

/** The machine a run was measured on (cores, memory, load), with what the caller adds. */
export function machineInfo<Extra extends Record<string, unknown>>(extra: Extra) {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpu: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    ...extra,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/**
 * The native server as the benchmark's machine line names it: its version and the memory settings
 * the engine's random reads depend on most (README.md "How far one project goes").
 */
export async function serverDescription(query: (sql: string) => Promise<{ rows: Array<Record<string, string>> }>): Promise<string> {
  const { rows: [s] } = await query(
    `select current_setting('server_version') as version, current_setting('shared_buffers') as shared_buffers,
            current_setting('max_wal_size') as max_wal_size`,
  );
  return `native Postgres ${s!.version}, shared_buffers ${s!.shared_buffers}, max_wal_size ${s!.max_wal_size}`;
}

/** Prints the heading and the table; writes the JSON when `json` names a file. */
export async function report(
  heading: string,
  machine: { cpus: number; loadAverage: number[] },
  scale: string,
  results: readonly Result[],
  json?: string,
): Promise<void> {
  console.log(`${heading} · ${machine.cpus} cores · load average ${machine.loadAverage.join(' ')}`);
  console.log(['id'.padEnd(46), 'value'.padStart(12), 'unit'.padEnd(8), 'budget'.padStart(8), 'pass'].join('  '));
  for (const r of results) {
    console.log(
      [r.id.padEnd(46), String(r.value).padStart(12), r.unit.padEnd(8), (r.budget ?? '–').toString().padStart(8), r.pass === null ? '–' : r.pass ? 'yes' : 'NO'].join('  '),
    );
  }
  if (json) {
    await writeFile(json, JSON.stringify({ machine, scale, results }, null, 2));
    console.log(`Wrote ${json}`);
  }
}

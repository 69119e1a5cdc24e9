// `npm test`: typecheck, lint, unit tests, database tests on the embedded Postgres, and browser
// tests with the built extension in Chromium. Quiet while things pass: one line per step, the
// whole output of a step that fails, and a closing "N passed, N failed" line.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, FORCE_COLOR: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', (error) => resolve({ code: 1, output: `${output}\n${error.message}` }));
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

const quiet = (output: string) =>
  output
    .split('\n')
    .filter((line) => !/Unknown user config "nodedir"|without TLS/.test(line))
    .join('\n')
    .trim();

const total: Counts = { passed: 0, failed: 0, skipped: 0 };
let failedSteps = 0;
const work = await mkdtemp(path.join(tmpdir(), 'portrait-test-'));

async function step(name: string, command: string, args: string[], counts?: (output: string) => Promise<Counts | null>, env?: NodeJS.ProcessEnv) {
  const started = Date.now();
  const { code, output } = await run(command, args, env);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const c = counts ? await counts(output).catch(() => null) : null;
  if (c) {
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
  }
  const summary = c ? ` ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}` : '';
  if (code === 0) {
    console.log(`✓ ${name}${summary} (${seconds} s)`);
    // Say why browser tests were skipped, if they were.
    const note = /No Chromium found[^\n]*/.exec(output);
    if (note) console.log(`  ${note[0]}`);
  } else {
    failedSteps += 1;
    if (c && c.failed === 0) total.failed += 1;
    console.log(`✗ ${name}${summary} (${seconds} s)\n${quiet(output)}\n`);
  }
}

async function vitestCounts(file: string): Promise<Counts> {
  const report = JSON.parse(await readFile(file, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  return { passed: report.numPassedTests, failed: report.numFailedTests, skipped: report.numPendingTests + report.numTodoTests };
}

async function playwrightCounts(file: string): Promise<Counts> {
  const report = JSON.parse(await readFile(file, 'utf8')) as { stats: { expected: number; unexpected: number; flaky: number; skipped: number } };
  return { passed: report.stats.expected + report.stats.flaky, failed: report.stats.unexpected, skipped: report.stats.skipped };
}

try {
  await step('typecheck', 'npm', ['run', '--silent', 'typecheck']);
  await step('lint', 'npm', ['run', '--silent', 'lint']);
  for (const project of ['unit', 'db'] as const) {
    const file = path.join(work, `${project}.json`);
    await step(
      project === 'db' ? `database tests (${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PGlite'})` : 'unit tests',
      bin('vitest'),
      ['run', '--config', 'tests/vitest.config.ts', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${file}`],
      () => vitestCounts(file),
    );
  }
  await step('extension build (chrome-mv3)', bin('wxt'), ['build']);
  const e2e = path.join(work, 'e2e.json');
  await step('browser tests (Chromium)', bin('playwright'), ['test', '--config', 'tests/e2e/playwright.config.ts', '--reporter=list,json'], () => playwrightCounts(e2e), {
    PLAYWRIGHT_JSON_OUTPUT_NAME: e2e,
  });
} finally {
  await rm(work, { recursive: true, force: true });
}

console.log(`\n${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exit(failedSteps > 0 || total.failed > 0 ? 1 : 0);

// `npm start -- --headless` comes up, answers on its API port, shuts down cleanly on SIGINT, and a
// second start finds the data of the first.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_ANON_KEY } from '../../supabase/local/keys.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const children: ChildProcess[] = [];
let dataDir = '';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `npm start -- --headless --no-build` with these options, on the embedded database; its output as it comes. */
function spawnStart(argv: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), ['supabase/local/start.ts', '--headless', '--no-build', ...argv], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  return { child, output: () => output };
}

async function start(apiPort: number, dbPort: number): Promise<{ child: ChildProcess; output: () => string }> {
  const started = spawnStart(['--data-dir', dataDir, '--api-port', String(apiPort), '--db-port', String(dbPort)]);
  const { child, output } = started;
  const deadline = Date.now() + 90_000;
  while (!output().includes('Ready.')) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return started;
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  return exited;
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe.skipIf(Boolean(process.env.DATABASE_URL))('npm start -- --headless (embedded database)', () => {
  it('comes up, answers on the API port, stops cleanly and keeps the data', { timeout: 240_000 }, async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'portrait-start-'));
    const apiPort = await freePort();
    const dbPort = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;

    const first = await start(apiPort, dbPort);
    expect(first.output()).toContain(`API        ${api}`);
    const health = await fetch(`${api}/auth/v1/health`);
    expect(health.status).toBe(200);
    const signup = await fetch(`${api}/auth/v1/signup`, {
      method: 'POST',
      headers: { apikey: LOCAL_ANON_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'kept@example.com', password: 'a long password' }),
    });
    expect(signup.status).toBe(200);
    expect(await stop(first.child)).toBe(0);
    expect(first.output()).toContain('The data is kept');

    const second = await start(apiPort, dbPort);
    expect(second.output()).toContain('existing data kept');
    const signin = await fetch(`${api}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { apikey: LOCAL_ANON_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'kept@example.com', password: 'a long password' }),
    });
    expect(signin.status).toBe(200);
    expect(await stop(second.child)).toBe(0);
  });

  it('says which port is taken and how to start beside it, and refuses a port that is no number', { timeout: 120_000 }, async () => {
    const failed = async (argv: string[]) => {
      const { child, output } = spawnStart(argv);
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      return { code, output: output() };
    };
    const held = createServer();
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
    const taken = (held.address() as AddressInfo).port;
    const otherData = await mkdtemp(path.join(tmpdir(), 'portrait-start-'));
    try {
      for (const [option, what] of [['--api-port', 'the API'], ['--db-port', 'the database']] as const) {
        const free = await freePort();
        const ports = option === '--api-port' ? ['--api-port', String(taken), '--db-port', String(free)] : ['--api-port', String(free), '--db-port', String(taken)];
        const result = await failed(['--data-dir', otherData, ...ports]);
        expect(result.code).toBe(1);
        expect(result.output).toContain(`Port ${taken} for ${what} (${option}) is already in use`);
        expect(result.output).toMatch(/npm start -- --api-port \d+ --db-port \d+/);
      }
    } finally {
      held.close();
      await rm(otherData, { recursive: true, force: true });
    }
    const bad = await failed(['--api-port', '54x21']);
    expect(bad.code).toBe(1);
    expect(bad.output).toContain('--api-port 54x21: give a port number from 1 to 65535');
  });
});

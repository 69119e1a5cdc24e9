// The real Supabase CLI reads this repository's config.toml and agrees with the local stack's
// migration ledger: what the stack applied, `supabase migration list` shows as applied, and
// `supabase db push` finds nothing left to push but a new file.
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, supabaseDir } from '../../supabase/local/migrate.ts';
import { supabaseCli } from '../../supabase/local/supabase-cli.ts';
import { startTestStack } from './harness.ts';

let stack: Awaited<ReturnType<typeof startTestStack>>;
let workdir: string;
const migrations = () => path.join(workdir, 'supabase', 'migrations');

beforeAll(async () => {
  stack = await startTestStack();
  workdir = await mkdtemp(path.join(tmpdir(), 'portrait-cli-'));
  await mkdir(migrations(), { recursive: true });
  await cp(path.join(supabaseDir, 'config.toml'), path.join(workdir, 'supabase', 'config.toml'));
  // The test database already holds the project's migrations: the workdir has them too.
  await cp(path.join(supabaseDir, 'migrations'), migrations(), { recursive: true });
  await writeFile(path.join(migrations(), '20990101000000_cli_probe_a.sql'), 'create table public.cli_probe_a (id int primary key);\n');
  await writeFile(path.join(migrations(), '20990101000100_cli_probe_b.sql'), 'create table public.cli_probe_b (id int primary key);\n');
  await migrate(stack.db, { migrationsDir: migrations() });
});

afterAll(async () => {
  await stack?.stop();
  if (workdir) await rm(workdir, { recursive: true, force: true });
});

const cli = (...args: string[]) => supabaseCli([...args, `--remote=${stack.dbUrl}`, '--workdir', workdir]);

describe('the Supabase CLI against the local stack', () => {
  it('lists the migrations the stack applied as applied', async () => {
    const { code, stdout, stderr } = await cli('migration', 'list');
    expect(code, stderr).toBe(0);
    for (const version of ['20990101000000', '20990101000100']) {
      expect(stdout).toMatch(new RegExp(`\`${version}\`\\s*\\|\\s*\`${version}\``));
    }
  });

  it('finds nothing to push, then exactly a new migration', async () => {
    const upToDate = await cli('db', 'push', '--dry-run');
    expect(upToDate.code, upToDate.stderr).toBe(0);
    expect(`${upToDate.stdout}${upToDate.stderr}`).toContain('Remote database is up to date');

    await writeFile(path.join(migrations(), '20990101000200_cli_probe_c.sql'), 'create table public.cli_probe_c (id int);\n');
    const pending = await cli('db', 'push', '--dry-run');
    expect(pending.code, pending.stderr).toBe(0);
    const output = `${pending.stdout}${pending.stderr}`;
    expect(output).toContain('20990101000200_cli_probe_c.sql');
    expect(output).not.toContain('20990101000100_cli_probe_b.sql');
  });
});

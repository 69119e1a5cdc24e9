// Until Portrait's first release, a change to an engine function is made where it is defined
// (README, development): every function the engine's migrations define is created exactly once
// across supabase/migrations, in the migration named for its concern.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'supabase', 'migrations');
const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
const definitions = files.flatMap((file) =>
  [...readFileSync(join(dir, file), 'utf8').matchAll(/create\s+(?:or\s+replace\s+)?function\s+([a-z_]+\.[a-z0-9_]+)\s*\(/gi)].map((m) => ({
    file,
    name: m[1]!.toLowerCase(),
  })),
);
const engineFile = (file: string) => /^20261123(00(1\d\d\d)|002000|002010)_/.test(file);

describe("the engine's migrations", () => {
  it('define each function once, and never replace one', () => {
    const engineNames = new Set(definitions.filter((d) => engineFile(d.file)).map((d) => d.name));
    expect(engineNames.size).toBeGreaterThan(50);
    const repeated = [...engineNames].filter((name) => definitions.filter((d) => d.name === name).length !== 1);
    expect(repeated).toEqual([]);
    const replaced = files.filter(engineFile).filter((f) => /create\s+or\s+replace\s+function\s+private\.[a-z_]+\s*\(/i.test(readFileSync(join(dir, f), 'utf8')));
    expect(replaced).toEqual([]);
  });
});

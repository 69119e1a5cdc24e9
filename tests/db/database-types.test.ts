// shared/database.types.ts is what `npm run db:types` generates from the migrations: a schema
// change without regenerating the types (and so without the compile-time check in
// shared/api-contract.ts seeing it) fails here.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generateTypes, typesPath } from '../../supabase/local/gen-types.ts';

describe('generated database types', () => {
  it('match the migrations', { timeout: 120_000 }, async () => {
    const committed = await readFile(typesPath, 'utf8');
    const generated = await generateTypes();
    expect(generated, 'shared/database.types.ts is stale: run `npm run db:types`').toBe(committed);
  });
});

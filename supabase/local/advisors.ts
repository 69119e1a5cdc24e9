// `npm run db:advisors`: the Supabase CLI's security and performance advisors against a freshly
// migrated local database. Fails on any finding at warning level or above.
import { supabaseCli } from './supabase-cli.ts';
import { withMigratedDatabase } from './tool-db.ts';

const result = await withMigratedDatabase((url) =>
  supabaseCli(['db', 'advisors', `--remote=${url}`, '--type', 'all', '--level', 'warn', '--fail-on', 'warn']),
);
const output = `${result.stdout}${result.stderr}`
  .split('\n')
  .filter((line) => !/without TLS|nodedir/i.test(line))
  .join('\n')
  .trim();
console.log(output || 'No issues found');
process.exit(result.code);

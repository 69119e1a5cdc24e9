// The rows of private.phone_regions, taken from the libphonenumber-js metadata the extension and
// the edge functions normalise phone numbers with. The migration that creates the table holds
// these rows as literal SQL; tests/db/identity.test.ts compares the table with this function so
// that an upgrade of libphonenumber-js that changes a numbering plan is noticed. To write the rows
// for a new migration: `npx tsx supabase/local/phone-regions.ts > rows.sql`.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Metadata } from 'libphonenumber-js/min';

export interface PhoneRegionRow {
  region: string;
  calling_code: string;
  calling_code_rank: number;
  calling_code_regions: number;
  international_prefix: string;
  trunk_prefix: string | null;
  trunk_prefix_for_parsing: string | null;
  trunk_prefix_transform: string | null;
  national_number_lengths: number[];
  national_number_pattern: string;
  leading_digits: string | null;
  has_number_types: boolean;
}

interface NumberingPlan {
  callingCode(): string;
  IDDPrefix(): string;
  nationalNumberPattern(): string;
  possibleLengths(): number[];
  nationalPrefix(): string | undefined;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  leadingDigits(): string | undefined;
  hasTypes(): boolean;
}

interface MetadataInternals {
  countryCallingCodes(): Record<string, string[]>;
  selectNumberingPlan(region: string): { numberingPlan: NumberingPlan };
}

export function libphonenumberVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('libphonenumber-js/package.json') as { version: string }).version;
}

export function phoneRegionRows(): PhoneRegionRow[] {
  const metadata = new Metadata() as unknown as MetadataInternals;
  const rows: PhoneRegionRow[] = [];
  for (const [callingCode, regions] of Object.entries(metadata.countryCallingCodes())) {
    regions.forEach((region, rank) => {
      if (region === '001') return;
      const plan = metadata.selectNumberingPlan(region).numberingPlan;
      const transform = plan.nationalPrefixTransformRule() || null;
      rows.push({
        region,
        calling_code: callingCode,
        calling_code_rank: rank,
        calling_code_regions: regions.filter((r) => r !== '001').length,
        international_prefix: plan.IDDPrefix(),
        trunk_prefix: plan.nationalPrefix() || null,
        trunk_prefix_for_parsing: plan.nationalPrefixForParsing() || null,
        // Postgres writes back-references as \1 where JavaScript writes $1.
        trunk_prefix_transform: transform === null ? null : transform.replace(/\$(\d)/g, '\\$1'),
        national_number_lengths: [...plan.possibleLengths()].sort((a, b) => a - b),
        national_number_pattern: plan.nationalNumberPattern(),
        leading_digits: plan.leadingDigits() || null,
        has_number_types: Boolean(plan.hasTypes()),
      });
    });
  }
  return rows.sort((a, b) => a.region.localeCompare(b.region));
}

const literal = (value: string | null) => (value === null ? 'null' : `'${value.replaceAll("'", "''")}'`);

/** The insert statement that fills private.phone_regions. */
export function phoneRegionsInsertSql(rows = phoneRegionRows()): string {
  const values = rows
    .map(
      (r) =>
        `  (${literal(r.region)}, ${literal(r.calling_code)}, ${r.calling_code_rank}, ${r.calling_code_regions}, ${literal(r.international_prefix)}, ` +
        `${literal(r.trunk_prefix)}, ${literal(r.trunk_prefix_for_parsing)}, ${literal(r.trunk_prefix_transform)}, ` +
        `'{${r.national_number_lengths.join(',')}}', ${literal(r.national_number_pattern)}, ${literal(r.leading_digits)}, ${r.has_number_types})`,
    )
    .join(',\n');
  return (
    'insert into private.phone_regions (\n' +
    '  region, calling_code, calling_code_rank, calling_code_regions, international_prefix, trunk_prefix,\n' +
    '  trunk_prefix_for_parsing, trunk_prefix_transform, national_number_lengths, national_number_pattern, leading_digits,\n' +
    `  has_number_types\n) values\n${values};`
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`-- private.phone_regions from libphonenumber-js ${libphonenumberVersion()} (min metadata)\n${phoneRegionsInsertSql()}\n`);
}

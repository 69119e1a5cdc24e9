// Organization settings are checked twice: by the database (private.org_settings_problems, the
// check constraint and its trigger on organizations.settings) and by the zod schema in
// shared/settings.ts that the extension uses. Both must agree on the defaults and on what is valid.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultOrgSettings, orgSettingsSchema } from '../../shared/settings.ts';
import { freshDb, type TestDb } from './harness.ts';
import { asUser, createTenants, orgs, sqlState } from './tenants.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
  await createTenants(t.db);
});
afterAll(async () => {
  await t?.close();
});

const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);

async function sqlProblems(settings: unknown): Promise<string[]> {
  const { rows } = await t.db.query<{ problems: string[] }>('select private.org_settings_problems($1::jsonb) as problems', [
    JSON.stringify(settings),
  ]);
  return rows[0]!.problems;
}

const valid: Array<[string, unknown]> = [
  ['no settings at all', {}],
  ['the defaults written out', defaultOrgSettings()],
  ['a currency', { currency: 'CNY' }],
  ['a phone region', { default_phone_region: 'CN' }],
  ['internal domains', { internal_email_domains: ['example.com', 'mail.example.co.uk', 'xn--fiqs8s.cn'] }],
  ['some lifecycle windows', { lifecycle: { at_risk_days: 60, churned_days: 365 } }],
  ['tier percentiles', { tiers: { super_percentile: 0.995, vip_percentile: 0.8 } }],
  ['the loyal threshold', { lifecycle: { loyal_min_orders: 2 } }],
];

const invalid: Array<[string, unknown]> = [
  ['an array', []],
  ['a string', 'USD'],
  ['an unknown key', { currencey: 'USD' }],
  ['an unknown lifecycle key', { lifecycle: { lead_days: 3 } }],
  ['a lowercase currency', { currency: 'usd' }],
  ['a currency number', { currency: 840 }],
  ['a long region', { default_phone_region: 'USA' }],
  ['a region nobody dials', { default_phone_region: 'ZZ' }],
  ['a domain with capitals', { internal_email_domains: ['Example.com'] }],
  ['a domain with a scheme', { internal_email_domains: ['https://example.com'] }],
  ['domains as a string', { internal_email_domains: 'example.com' }],
  ['a fractional window', { lifecycle: { new_order_days: 30.5 } }],
  ['a zero window', { lifecycle: { lead_event_days: 0 } }],
  ['a window as text', { lifecycle: { churned_days: '180' } }],
  ['a window of ten years and a day', { lifecycle: { churned_days: 3651 } }],
  ['at risk after churned', { lifecycle: { at_risk_days: 200 } }],
  ['one order is loyal', { lifecycle: { loyal_min_orders: 1 } }],
  ['a percentile of 1', { tiers: { super_percentile: 1 } }],
  ['vip above super', { tiers: { vip_percentile: 0.995 } }],
  ['lifecycle as an array', { lifecycle: [] }],
];

describe('organization settings', () => {
  it('has the same defaults in the database and in shared/settings.ts', async () => {
    const { rows } = await t.db.query<{ defaults: unknown; filled: unknown }>(
      `select private.default_org_settings() as defaults, private.org_settings_with_defaults('{}') as filled`,
    );
    expect(json(rows[0]!.defaults)).toEqual(defaultOrgSettings());
    expect(json(rows[0]!.filled)).toEqual(defaultOrgSettings());
  });

  it('fills in defaults the same way on both sides', async () => {
    const stored = { currency: 'EUR', lifecycle: { churned_days: 365 } };
    const { rows } = await t.db.query<{ filled: unknown }>('select private.org_settings_with_defaults($1::jsonb) as filled', [
      JSON.stringify(stored),
    ]);
    expect(json(rows[0]!.filled)).toEqual(orgSettingsSchema.parse(stored));
  });

  it.each(valid)('accepts %s on both sides', async (_label, settings) => {
    expect(await sqlProblems(settings)).toEqual([]);
    expect(orgSettingsSchema.safeParse(settings).success).toBe(true);
  });

  it.each(invalid)('refuses %s on both sides', async (_label, settings) => {
    const parsed = orgSettingsSchema.safeParse(settings);
    expect(parsed.success).toBe(false);
    // The shape check cannot know phone regions; the trigger asks the phone normaliser.
    const state = await sqlState(
      t.db.query(`update public.organizations set settings = $1::jsonb where id = '${orgs.a}'`, [JSON.stringify(settings)]),
    );
    expect(state).toBe('23514');
  });

  it('says what is wrong, all at once', async () => {
    const error = await t.db
      .query(`update public.organizations set settings = '{"currency": "usd", "lifecycle": {"lead_event_days": 0}}' where id = '${orgs.a}'`)
      .catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('currency must be an ISO 4217 code');
    expect((error as Error).message).toContain('lifecycle.lead_event_days must be a whole number of days');
  });

  it('lets an admin change the settings and keeps others out', async () => {
    const update = `update public.organizations set settings = '{"currency": "EUR"}' where id = '${orgs.a}' returning settings`;
    const asAdmin = await asUser(t.db, 'admin', async (tx) => (await tx.query<{ settings: unknown }>(update)).rows);
    expect(asAdmin.map((r) => json(r.settings))).toEqual([{ currency: 'EUR' }]);
    const asStaff = await asUser(t.db, 'staff', async (tx) => (await tx.query(update)).rows);
    expect(asStaff).toEqual([]);
  });
});

// The zod side of the RPC API (shared/api.ts) and of organization settings (shared/settings.ts):
// what the extension may send, and what it accepts back. The database side of the same checks is
// tested in tests/db/rpc-*.test.ts and tests/db/settings.test.ts.
import { describe, expect, it } from 'vitest';
import {
  addNoteArgsSchema,
  customerContextArgsSchema,
  customerContextResultSchema,
  lifecycleStages,
  portraitSchema,
  rpcSchemas,
  searchCustomersArgsSchema,
  setLifecycleStageArgsSchema,
  stageOverviewArgsSchema,
  stageOverviewResultSchema,
  tagCustomerArgsSchema,
  tidyTagName,
  untagCustomerArgsSchema,
} from '../../shared/api.ts';
import { defaultOrgSettings, orgSettingsSchema } from '../../shared/settings.ts';

const org = '00000000-0000-4000-8000-00000000000a';
const customer = '00000000-0000-4000-8000-000000001001';
const requestId = '6b1f7a52-4f7e-4c2b-9a55-2f0f0c7f4c11';
const email = { kind: 'email', value: 'ana@example.com' } as const;

const ok = (schema: { safeParse(v: unknown): { success: boolean } }, value: unknown) => schema.safeParse(value).success;

describe('ids', () => {
  it('accepts every id Postgres stores, including ids that are not RFC 9562 uuids', () => {
    // The demo data's ids are md5 digests cast to uuid: any version and variant nibbles.
    const md5Id = '3f2504e0-4f89-f1d3-1a0c-0305e82c3301';
    expect(ok(addNoteArgsSchema, { p_org: org, p_customer_id: md5Id, p_body: 'called back', p_request_id: requestId })).toBe(true);
    expect(ok(addNoteArgsSchema, { p_org: org, p_customer_id: `${md5Id}0`, p_body: 'x', p_request_id: requestId })).toBe(false);
    expect(ok(addNoteArgsSchema, { p_org: md5Id, p_customer_id: "1' or 1=1", p_body: 'x', p_request_id: requestId })).toBe(false);
  });
});

describe('RPC arguments', () => {
  it('names every function of the API', () => {
    expect(Object.keys(rpcSchemas).sort()).toEqual([
      'accept_invitation',
      'add_follow_up',
      'add_note',
      'assign_customer',
      'claim_customer',
      'complete_follow_up',
      'customer_context',
      'customer_timeline',
      'decline_invitation',
      'list_tags',
      'member_addresses',
      'merge_customers',
      'my_follow_ups',
      'my_invitations',
      'my_orgs',
      'my_pool_returns',
      'org_members',
      'pool_customers',
      'record_satisfaction',
      'release_customer',
      'search_customers',
      'set_lifecycle_stage',
      'stage_overview',
      'tag_customer',
      'untag_customer',
    ]);
  });

  it('accepts a lookup of up to 50 identifiers of any kind', () => {
    const identifiers = [
      email,
      { kind: 'phone', value: '+86 138 0013 8000' },
      { kind: 'shop_customer', value: 'shopify:123' },
      { kind: 'shop_order', value: 'woocommerce:4711' },
      { kind: 'domain', value: 'example.com' },
    ];
    expect(ok(customerContextArgsSchema, { p_org: org, p_identifiers: identifiers })).toBe(true);
    expect(ok(customerContextArgsSchema, { p_org: org, p_identifiers: Array(50).fill(email) })).toBe(true);
  });

  it.each([
    ['no identifiers', { p_org: org, p_identifiers: [] }],
    ['51 identifiers', { p_org: org, p_identifiers: Array(51).fill(email) }],
    ['an unknown kind', { p_org: org, p_identifiers: [{ kind: 'twitter', value: '@ana' }] }],
    ['an empty value', { p_org: org, p_identifiers: [{ kind: 'email', value: '' }] }],
    ['an identifier with extra keys', { p_org: org, p_identifiers: [{ ...email, customer_id: customer }] }],
    ['an organization that is not a UUID', { p_org: 'org-a', p_identifiers: [email] }],
    ['an unknown argument', { p_org: org, p_identifiers: [email], p_debug: true }],
  ])('refuses a lookup with %s', (_label, args) => {
    expect(ok(customerContextArgsSchema, args)).toBe(false);
  });

  const tagArgs = { p_org: org, p_identifier: email, p_tags: ['VIP'], p_request_id: requestId };

  it('accepts tagging with and without page provenance', () => {
    expect(ok(tagCustomerArgsSchema, tagArgs)).toBe(true);
    expect(ok(tagCustomerArgsSchema, { ...tagArgs, p_page_url: 'https://mail.google.com/mail/u/0/#inbox', p_page_title: 'Inbox' })).toBe(true);
    expect(ok(tagCustomerArgsSchema, { ...tagArgs, p_page_url: null, p_page_title: null })).toBe(true);
    expect(ok(tagCustomerArgsSchema, { ...tagArgs, p_tags: Array(20).fill('x'.repeat(64)) })).toBe(true);
  });

  it('accepts adding a lead without tags, with a name for it', () => {
    expect(ok(tagCustomerArgsSchema, { ...tagArgs, p_tags: [], p_display_name: 'Lena Lead' })).toBe(true);
    expect(ok(tagCustomerArgsSchema, { ...tagArgs, p_tags: [], p_display_name: 'n'.repeat(201) })).toBe(false);
    expect(ok(untagCustomerArgsSchema, { p_org: org, p_identifier: email, p_tags: [], p_request_id: requestId })).toBe(false);
  });

  it.each([
    ['no request id', { ...tagArgs, p_request_id: undefined }],
    ['a request id that is not a UUID', { ...tagArgs, p_request_id: 'retry-1' }],
    ['tags that are not a list', { ...tagArgs, p_tags: 'VIP' }],
    ['21 tags', { ...tagArgs, p_tags: Array(21).fill('x') }],
    ['a blank tag', { ...tagArgs, p_tags: ['   '] }],
    ['a tag of 65 characters', { ...tagArgs, p_tags: ['x'.repeat(65)] }],
    ['a tag with a control character', { ...tagArgs, p_tags: ['a\u0007b'] }],
    ['a javascript: URL', { ...tagArgs, p_page_url: 'javascript:alert(1)' }],
    ['a URL of 2049 characters', { ...tagArgs, p_page_url: `https://example.com/${'x'.repeat(2029)}` }],
    ['a page title of 513 characters', { ...tagArgs, p_page_title: 't'.repeat(513) }],
    ['an invalid email', { ...tagArgs, p_identifier: { kind: 'email', value: 'not an address' } }],
  ])('refuses tagging with %s', (_label, args) => {
    expect(ok(tagCustomerArgsSchema, args)).toBe(false);
  });

  it('tidies tag names the way the database stores them', () => {
    expect(tidyTagName('  Trade \t  fair\n')).toBe('Trade fair');
    // Counted after tidying, as the database does.
    expect(ok(untagCustomerArgsSchema, { p_org: org, p_identifier: email, p_tags: [`  ${'x'.repeat(64)}  `], p_request_id: requestId })).toBe(true);
  });

  it('checks notes by their length without surrounding whitespace', () => {
    const note = { p_org: org, p_customer_id: customer, p_request_id: requestId };
    expect(ok(addNoteArgsSchema, { ...note, p_body: 'Wants samples' })).toBe(true);
    expect(ok(addNoteArgsSchema, { ...note, p_body: ` ${'n'.repeat(10_000)}\n` })).toBe(true);
    expect(ok(addNoteArgsSchema, { ...note, p_body: ' \n\t ' })).toBe(false);
    expect(ok(addNoteArgsSchema, { ...note, p_body: 'n'.repeat(10_001) })).toBe(false);
    expect(ok(addNoteArgsSchema, { ...note, p_customer_id: 'ana@example.com', p_body: 'x' })).toBe(false);
  });

  it('takes a lifecycle stage, or null to clear the override', () => {
    const stage = { p_org: org, p_customer_id: customer, p_request_id: requestId };
    for (const s of lifecycleStages) expect(ok(setLifecycleStageArgsSchema, { ...stage, p_stage: s })).toBe(true);
    expect(ok(setLifecycleStageArgsSchema, { ...stage, p_stage: null, p_reason: 'Back to the computed stage' })).toBe(true);
    expect(ok(setLifecycleStageArgsSchema, { ...stage, p_stage: 'vip' })).toBe(false);
    expect(ok(setLifecycleStageArgsSchema, { ...stage })).toBe(false);
    expect(ok(setLifecycleStageArgsSchema, { ...stage, p_stage: 'loyal', p_reason: 'r'.repeat(501) })).toBe(false);
  });

  it('bounds a search by query length and limit', () => {
    expect(ok(searchCustomersArgsSchema, { p_org: org, p_query: 'ana' })).toBe(true);
    expect(ok(searchCustomersArgsSchema, { p_org: org, p_query: 'ana', p_limit: 50 })).toBe(true);
    expect(ok(searchCustomersArgsSchema, { p_org: org, p_query: '   ' })).toBe(false);
    expect(ok(searchCustomersArgsSchema, { p_org: org, p_query: 'q'.repeat(101) })).toBe(false);
    expect(ok(searchCustomersArgsSchema, { p_org: org, p_query: 'ana', p_limit: 0 })).toBe(false);
    expect(ok(searchCustomersArgsSchema, { p_org: org, p_query: 'ana', p_limit: 51 })).toBe(false);
    expect(ok(searchCustomersArgsSchema, { p_org: org, p_query: 'ana', p_limit: 2.5 })).toBe(false);
  });

  it('bounds an overview to at most five years of whole days, first day first', () => {
    const args = (p_from: string, p_to: string) => ({ p_org: org, p_from, p_to });
    expect(ok(stageOverviewArgsSchema, args('2023-11-24', '2026-11-23'))).toBe(true);
    expect(ok(stageOverviewArgsSchema, args('2026-11-23', '2026-11-23'))).toBe(true);
    expect(ok(stageOverviewArgsSchema, args('2020-01-01', '2025-01-04'))).toBe(true);
    expect(ok(stageOverviewArgsSchema, args('2020-01-01', '2025-01-05'))).toBe(false);
    expect(ok(stageOverviewArgsSchema, args('2026-11-24', '2026-11-23'))).toBe(false);
    expect(ok(stageOverviewArgsSchema, args('2026-11-23T00:00:00Z', '2026-11-23'))).toBe(false);
    expect(ok(stageOverviewArgsSchema, args('2026-02-30', '2026-03-01'))).toBe(false);
    expect(ok(stageOverviewArgsSchema, { ...args('2026-01-01', '2026-01-31'), p_debug: true })).toBe(false);
  });
});

describe('stage_overview answers', () => {
  const series = (values: number[]) => Object.fromEntries(lifecycleStages.map((stage) => [stage, values]));
  const answer = {
    org_id: org,
    from: '2026-11-01',
    to: '2026-11-02',
    currency: 'CNY',
    stages: [...lifecycleStages],
    days: ['2026-11-01', '2026-11-02'],
    customers_by_stage: series([3, 4]),
    net_revenue_by_stage: series([10.5, 12]),
    segments: { day: '2026-11-02', items: [{ id: customer, name: 'Everyone', members: 7 }] },
    moves: [{ from: 'active', to: 'at_risk', count: 2 }],
    month_moves: { from: '2026-11-01', to: '2026-11-02', items: [{ from: 'active', to: 'at_risk', count: 2 }] },
  };

  it('accepts one value per stage and day', () => {
    expect(ok(stageOverviewResultSchema, answer)).toBe(true);
  });

  it.each([
    ['a series shorter than the days', { ...answer, customers_by_stage: { ...answer.customers_by_stage, loyal: [3] } }],
    ['a stage missing', { ...answer, net_revenue_by_stage: { ...answer.net_revenue_by_stage, churned: undefined } }],
    ['an unknown stage in the moves', { ...answer, moves: [{ from: 'gold', to: 'active', count: 1 }] }],
    ['a negative count', { ...answer, customers_by_stage: { ...answer.customers_by_stage, lead: [-1, 2] } }],
  ])('refuses %s', (_label, value) => {
    expect(ok(stageOverviewResultSchema, value)).toBe(false);
  });
});

// A portrait as the database renders it (timestamps with microseconds and an offset).
const portrait = {
  customer: {
    id: customer,
    display_name: 'Olivia Owned',
    kind: 'person',
    company: null,
    primary_email: 'owned@a.test',
    primary_phone: null,
    country: 'DE',
    region: null,
    city: 'Berlin',
    industry: null,
    company_size: null,
    acquisition_source: null,
    owner: { user_id: '00000000-0000-4000-8000-0000000000a2', display_name: 'Rei Rep' },
    referred_by: null,
    is_partner: false,
    is_valid: true,
    invalid_reason: null,
    created_at: '2026-11-23T19:04:56.33232+00:00',
    updated_at: '2026-11-23T19:04:56.33232+00:00',
  },
  identities: [{ kind: 'email', value: 'owned@a.test' }],
  profile: {
    order_count: 3,
    net_spend: 420.5,
    aov: 140.17,
    first_order_at: '2025-01-02T10:00:00+00:00',
    last_order_at: '2026-10-01T08:30:00.5+00:00',
    r_score: 4,
    f_score: 3,
    m_score: 5,
    rfm_segment: 'potential_loyalist',
    lifecycle_stage: 'active',
    stage_override: null,
    override_by: null,
    override_at: null,
    override_reason: null,
    effective_stage: 'active',
    value_tier: 'vip',
    ticket_band: 'high',
    referral_count: 1,
    reasons: { lifecycle_stage: { code: 'last_order_within_days', days: 53 } },
    computed_at: '2026-11-23T03:00:00.000001+00:00',
  },
  tags: [
    {
      id: '00000000-0000-4000-8000-000000003001',
      name: 'VIP',
      colour: '#64748b',
      category: 'value',
      source: 'manual',
      added_by: '00000000-0000-4000-8000-0000000000a3',
      added_at: '2026-11-20T12:00:00+00:00',
      page_url: 'https://mail.google.com/mail/u/0/#inbox/1',
      page_title: 'Re: quote',
    },
  ],
  notes: [],
  segments: [{ id: '00000000-0000-4000-8000-000000006001', name: 'Everyone' }],
  stage_history: [
    {
      from_stage: 'new',
      to_stage: 'active',
      changed_at: '2026-06-01T00:00:00+00:00',
      source: 'computed',
      changed_by: null,
      reason: { code: 'second_order' },
    },
  ],
  recycle_at: '2026-12-20T12:00:00+00:00',
};

describe('RPC results', () => {
  it('accepts a portrait as the database renders it', () => {
    expect(portraitSchema.parse(portrait)).toEqual(portrait);
  });

  it.each([
    ['an unknown stage', { ...portrait, profile: { ...portrait.profile, effective_stage: 'gold' } }],
    ['a timestamp without an offset', { ...portrait, customer: { ...portrait.customer, created_at: '2026-11-23 19:04:56' } }],
    ['a missing tag list', { ...portrait, tags: undefined }],
    ['six notes', { ...portrait, notes: Array(6).fill({ id: customer, author_id: null, author_name: null, body: 'x', created_at: portrait.customer.created_at, updated_at: portrait.customer.created_at }) }],
    ['an RFM score of 6', { ...portrait, profile: { ...portrait.profile, r_score: 6 } }],
    ['a recycle time that is no time', { ...portrait, recycle_at: 'in 3 days' }],
  ])('refuses a portrait with %s', (_label, value) => {
    expect(portraitSchema.safeParse(value).success).toBe(false);
  });

  it('reads a portrait without a recycle time (a cached one) as not returning to the pool', () => {
    const { recycle_at: _dropped, ...older } = portrait;
    expect(portraitSchema.parse(older).recycle_at).toBeNull();
  });

  it('accepts the pool and the caller\'s returns as the database renders them', () => {
    const pooled = {
      customer_id: customer,
      display_name: 'Uma Unowned',
      primary_email: 'unowned@a.test',
      primary_phone: null,
      lifecycle_stage: 'at_risk',
      value_tier: 'vip',
      net_spend: 800.5,
      order_count: 3,
      last_order_at: '2026-05-01T12:00:00+00:00',
      pooled_at: null,
    };
    expect(rpcSchemas.pool_customers.result.parse([pooled])).toEqual([pooled]);
    expect(rpcSchemas.pool_customers.result.safeParse([{ ...pooled, value_tier: 'gold' }]).success).toBe(false);
    const returning = { ...pooled, recycle_at: '2026-06-03T12:00:00+00:00' };
    delete (returning as Partial<typeof returning>).net_spend;
    expect(rpcSchemas.my_pool_returns.result.safeParse([returning]).success).toBe(true);
    expect(rpcSchemas.my_pool_returns.result.safeParse([{ ...returning, recycle_at: null }]).success).toBe(false);
    expect(ok(rpcSchemas.pool_customers.args, { p_org: org, p_filter: { field: 'owner', op: 'in', value: ['me'] }, p_limit: 200 })).toBe(true);
    expect(ok(rpcSchemas.pool_customers.args, { p_org: org, p_limit: 201 })).toBe(false);
    expect(ok(rpcSchemas.my_pool_returns.args, { p_org: org, p_within_days: -1 })).toBe(false);
  });

  it('accepts one entry per identifier, with a portrait or null', () => {
    const rows = [
      { index: 0, kind: 'email', value: 'Owned@A.test', normalized: 'owned@a.test', customer_id: customer, portrait },
      { index: 1, kind: 'email', value: 'x@example.com', normalized: 'x@example.com', customer_id: null, portrait: null },
    ];
    expect(customerContextResultSchema.parse(rows)).toEqual(rows);
  });
});

describe('organization settings', () => {
  it('fills every default into an empty document', () => {
    expect(defaultOrgSettings()).toEqual({
      currency: 'USD',
      default_phone_region: 'US',
      internal_email_domains: [],
      lifecycle: {
        lead_event_days: 90,
        new_order_days: 30,
        at_risk_days: 90,
        churned_days: 180,
        reactivated_gap_days: 180,
        reactivated_recent_days: 90,
        loyal_min_orders: 4,
      },
      tiers: { super_percentile: 0.99, vip_percentile: 0.9 },
      pool: { recycle_days: { by_tier: {}, by_stage: {} }, max_owned_per_rep: null, max_claims_per_day: null },
    });
  });

  it('keeps what is set and fills the rest of a group', () => {
    const parsed = orgSettingsSchema.parse({ lifecycle: { churned_days: 365 } });
    expect(parsed.lifecycle).toMatchObject({ churned_days: 365, at_risk_days: 90 });
    expect(parsed.internal_email_domains).not.toBe(defaultOrgSettings().internal_email_domains);
  });

  it.each([
    ['an unknown key', { theme: 'dark' }],
    ['at risk after churned', { lifecycle: { at_risk_days: 365 } }],
    ['vip above super', { tiers: { vip_percentile: 0.999 } }],
    ['a region phone numbers cannot be read in', { default_phone_region: 'ZZ' }],
    ['an uppercase domain', { internal_email_domains: ['Example.com'] }],
    ['recycle days for an unknown tier', { pool: { recycle_days: { by_tier: { gold: 30 } } } }],
    ['recycle days of zero', { pool: { recycle_days: { by_stage: { churned: 0 } } } }],
    ['a limit of half a customer', { pool: { max_owned_per_rep: 1.5 } }],
  ])('refuses %s', (_label, value) => {
    expect(orgSettingsSchema.safeParse(value).success).toBe(false);
  });
});

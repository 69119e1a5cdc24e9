import { describe, expect, it } from 'vitest';
import { portraitSchema, type Portrait } from '../../../shared/api.ts';
import type { Rule } from '../../../shared/rules.ts';
import { ApiFailure } from '../../../extension/background/client.ts';
import { InvalidArguments, rpcCalls, toPortraitView } from '../../../extension/background/rpc.ts';
import type { QueuedWrite } from '../../../extension/background/write-queue.ts';
import { orgA, userId } from './fakes.ts';

const customerId = '33333333-3333-4333-8333-333333333333';
const at = '2026-11-20T08:00:00+00:00';

const portrait: Portrait = portraitSchema.parse({
  customer: {
    id: customerId,
    display_name: 'Li Wei',
    kind: 'person',
    company: { id: '77777777-7777-4777-8777-777777777777', display_name: 'Lotus Trading' },
    primary_email: 'li.wei@example.com',
    primary_phone: '+8613800138000',
    country: 'CN',
    region: 'Guangdong',
    city: 'Shenzhen',
    industry: null,
    company_size: null,
    acquisition_source: null,
    owner: { user_id: userId, display_name: 'Rei Rep' },
    referred_by: null,
    is_partner: false,
    is_valid: true,
    invalid_reason: null,
    created_at: at,
    updated_at: at,
  },
  identities: [{ kind: 'email', value: 'li.wei@example.com' }],
  profile: {
    order_count: 5,
    net_spend: 1234.5,
    aov: 246.9,
    first_order_at: at,
    last_order_at: at,
    r_score: 4,
    f_score: 4,
    m_score: 5,
    rfm_segment: 'loyal',
    lifecycle_stage: 'at_risk',
    stage_override: 'loyal',
    override_by: userId,
    override_at: at,
    override_reason: 'Big order coming',
    effective_stage: 'loyal',
    value_tier: 'vip',
    ticket_band: 'high',
    referral_count: 0,
    reasons: { lifecycle_stage: { code: 'last_order_over_at_risk_days', days: 120, threshold: 90 } },
    computed_at: at,
  },
  tags: [
    {
      id: '66666666-6666-4666-8666-666666666666',
      name: 'VIP',
      colour: '#aa0000',
      category: 'value',
      source: 'manual',
      added_by: userId,
      added_at: at,
      page_url: null,
      page_title: null,
    },
  ],
  notes: [{ id: '88888888-8888-4888-8888-888888888888', author_id: userId, author_name: 'Rei Rep', body: 'Prefers WeChat', created_at: at, updated_at: at }],
  segments: [{ id: '99999999-9999-4999-8999-999999999990', name: 'Big spenders' }],
  stage_history: [{ from_stage: 'active', to_stage: 'at_risk', changed_at: at, source: 'computed', changed_by: null, reason: {} }],
  open_orders: [{ external_id: '1001', source: 'shopify', ordered_at: at, total: 1240, currency: 'USD' }],
  open_order_count: 2,
  satisfaction: { responses: 2, last_score: 4, last_scale: 'csat5', last_score_100: 75, last_at: at, avg_score_100: 62.5 },
  recycle_at: '2026-12-20T09:00:00+00:00',
});

describe('the API’s portrait as the overlay shows it', () => {
  it('maps every field', () => {
    const view = toPortraitView(portrait, { orgId: orgA, currency: 'CNY', studioUrl: (id) => `https://studio/${id}` });
    expect(view).toEqual({
      customerId,
      orgId: orgA,
      displayName: 'Li Wei',
      kind: 'person',
      company: 'Lotus Trading',
      primaryEmail: 'li.wei@example.com',
      primaryPhone: '+8613800138000',
      location: 'Shenzhen, Guangdong, CN',
      owner: 'Rei Rep',
      ownerId: userId,
      stage: 'loyal',
      computedStage: 'at_risk',
      stageOverride: 'loyal',
      stageReason: { code: 'last_order_over_at_risk_days', values: { days: 120, threshold: 90 } },
      stageHistory: [{ from: 'active', to: 'at_risk', at, source: 'computed' }],
      valueTier: 'vip',
      rfmSegment: 'loyal',
      rfm: { r: 4, f: 4, m: 5 },
      ticketBand: 'high',
      isPartner: false,
      isValid: true,
      orderCount: 5,
      netSpend: 1234.5,
      aov: 246.9,
      currency: 'CNY',
      lastOrderAt: at,
      openOrders: [{ total: 1240, currency: 'USD', at }],
      openOrderCount: 2,
      satisfaction: { last: 4, max: 5, average: 62.5, at },
      recycleAt: '2026-12-20T09:00:00+00:00',
      tags: [{ id: '66666666-6666-4666-8666-666666666666', name: 'VIP', color: '#aa0000', source: 'manual' }],
      segments: [{ id: '99999999-9999-4999-8999-999999999990', name: 'Big spenders' }],
      notes: [{ id: '88888888-8888-4888-8888-888888888888', body: 'Prefers WeChat', authorName: 'Rei Rep', createdAt: at }],
      studioUrl: `https://studio/${customerId}`,
      computedAt: at,
    });
  });

  it('shows a customer without a name by an identifier, and without Studio link for non-admins', () => {
    const bare = { ...portrait, customer: { ...portrait.customer, display_name: null, primary_email: null, primary_phone: null } };
    const view = toPortraitView(bare, { orgId: orgA, currency: 'USD' });
    expect(view.displayName).toBe('li.wei@example.com');
    expect(view.studioUrl).toBeNull();
  });

  it('has no recycle time for a customer in the pool, or from a database without recycle rules', () => {
    const { recycle_at: _recycleAt, ...older } = portrait;
    expect(toPortraitView(portraitSchema.parse(older), { orgId: orgA, currency: 'USD' }).recycleAt).toBeNull();
    expect(toPortraitView({ ...portrait, recycle_at: null }, { orgId: orgA, currency: 'USD' }).recycleAt).toBeNull();
    expect(portraitSchema.safeParse({ ...portrait, recycle_at: 'in two days' }).success).toBe(false);
  });
});

describe('the pool and the members', () => {
  const poolRow = {
    customer_id: customerId,
    display_name: 'Mei Pool',
    primary_email: 'mei@example.com',
    primary_phone: null,
    lifecycle_stage: 'churned',
    value_tier: 'super',
    net_spend: 99.5,
    order_count: 3,
    last_order_at: at,
    pooled_at: null,
  };

  it('calls pool_customers with the rule and the page size, and checks the answer', async () => {
    const calls: Array<{ fn: string; args: Record<string, unknown> }> = [];
    const api = rpcCalls(async (fn, args) => {
      calls.push({ fn, args });
      return [poolRow];
    });
    const rule: Rule = { field: 'value_tier', op: 'in', value: ['super'] };
    expect(await api.poolCustomers(orgA, rule, 50)).toEqual([poolRow]);
    expect(calls).toEqual([{ fn: 'pool_customers', args: { p_org: orgA, p_filter: rule, p_limit: 50 } }]);
    const broken = rpcCalls(async () => [{ ...poolRow, value_tier: 'gold' }]);
    await expect(broken.poolCustomers(orgA, null, 50)).rejects.toThrow();
  });

  it('refuses, without a call, a filter that is not a rule object and a page size out of 1..200', async () => {
    const api = rpcCalls(async () => {
      throw new Error('must not be called');
    });
    await expect(api.poolCustomers(orgA, [] as never, 50)).rejects.toBeInstanceOf(InvalidArguments);
    await expect(api.poolCustomers(orgA, null, 0)).rejects.toBeInstanceOf(InvalidArguments);
    await expect(api.poolCustomers(orgA, null, 201)).rejects.toBeInstanceOf(InvalidArguments);
  });

  it('calls my_pool_returns with the days ahead, and org_members, mapping the members', async () => {
    const calls: Array<{ fn: string; args: Record<string, unknown> }> = [];
    const api = rpcCalls(async (fn, args) => {
      calls.push({ fn, args });
      if (fn === 'org_members') return [{ user_id: userId, display_name: null, email: 'rei@example.com', role: 'rep' }];
      return [{ customer_id: customerId, display_name: 'Li', primary_email: null, primary_phone: null, lifecycle_stage: 'active', value_tier: 'normal', recycle_at: at }];
    });
    expect(await api.myPoolReturns(orgA, 7)).toHaveLength(1);
    expect(await api.orgMembers(orgA)).toEqual([{ userId, displayName: null, email: 'rei@example.com', role: 'rep' }]);
    expect(calls).toEqual([
      { fn: 'my_pool_returns', args: { p_org: orgA, p_within_days: 7 } },
      { fn: 'org_members', args: { p_org: orgA } },
    ]);
  });
});

describe('RPC calls', () => {
  const row = (index: number, value: string, found: boolean) => ({
    index,
    kind: 'email',
    value,
    normalized: value,
    customer_id: found ? customerId : null,
    portrait: found ? portrait : null,
  });

  it('calls customer_context with p_org and p_identifiers, and matches answers by position', async () => {
    const calls: Array<{ fn: string; args: Record<string, unknown> }> = [];
    const api = rpcCalls(async (fn, args) => {
      calls.push({ fn, args });
      return [row(0, 'li.wei@example.com', true), row(1, 'nobody@example.com', false)];
    });
    const found = await api.customerContext(
      [
        { kind: 'email', value: 'li.wei@example.com' },
        { kind: 'email', value: 'nobody@example.com' },
      ],
      { orgId: orgA, currency: 'USD' },
    );
    expect(calls).toEqual([
      {
        fn: 'customer_context',
        args: { p_org: orgA, p_identifiers: [{ kind: 'email', value: 'li.wei@example.com' }, { kind: 'email', value: 'nobody@example.com' }] },
      },
    ]);
    expect(found.get('email:li.wei@example.com')?.displayName).toBe('Li Wei');
    expect(found.get('email:nobody@example.com')).toBeNull();
  });

  it('leaves out an identifier the API cannot read instead of failing the others', async () => {
    const sent: number[] = [];
    const api = rpcCalls(async (_fn, args) => {
      const identifiers = args.p_identifiers as unknown[];
      sent.push(identifiers.length);
      if (identifiers.length === 2) {
        throw new ApiFailure('refused', 'p_identifiers[0] is not a valid phone number', 400, '22023');
      }
      return [row(0, 'li.wei@example.com', true)];
    });
    const found = await api.customerContext(
      [
        { kind: 'phone', value: '+99912' },
        { kind: 'email', value: 'li.wei@example.com' },
      ],
      { orgId: orgA, currency: 'USD' },
    );
    expect(sent).toEqual([2, 1]);
    expect(found.get('phone:+99912')).toBeNull();
    expect(found.get('email:li.wei@example.com')?.customerId).toBe(customerId);
  });

  const queued = (write: QueuedWrite['write'], target: QueuedWrite['target'] = null): QueuedWrite => ({
    requestId: '00000000-0000-4000-8000-000000000009',
    write,
    orgId: orgA,
    userId,
    enqueuedAt: 0,
    attempts: 0,
    nextAttemptAt: 0,
    lastError: null,
    placeholderCustomerId: null,
    target,
  });

  it('sends writes with their request id and the API’s argument names', async () => {
    const calls: Array<{ fn: string; args: Record<string, unknown> }> = [];
    const api = rpcCalls(async (fn, args) => {
      calls.push({ fn, args });
      if (fn === 'tag_customer') return { customer_id: customerId, created: false, added_tags: ['VIP'], portrait };
      if (fn === 'untag_customer') return { customer_id: customerId, removed_tags: ['VIP'], portrait };
      if (fn === 'add_note') return { note: portrait.notes[0], portrait };
      return { customer_id: customerId, changed: true, portrait };
    });
    const context = { orgId: orgA, currency: 'USD' };
    const email = { kind: 'email' as const, value: 'li.wei@example.com' };

    await api.applyWrite(queued({ op: 'tag', identifier: email, tags: ['VIP'], pageUrl: 'https://mail.google.com/', pageTitle: 'Re: order' }), context);
    await api.applyWrite(queued({ op: 'untag', customerId, tag: 'VIP' }, email), context);
    await api.applyWrite(queued({ op: 'note', customerId, body: 'Prefers WeChat' }), context);
    const stage = await api.applyWrite(queued({ op: 'stage', customerId, stage: null, reason: null }), context);

    const request = { p_org: orgA, p_request_id: '00000000-0000-4000-8000-000000000009' };
    expect(calls).toEqual([
      { fn: 'tag_customer', args: { ...request, p_identifier: email, p_tags: ['VIP'], p_page_url: 'https://mail.google.com/', p_page_title: 'Re: order' } },
      { fn: 'untag_customer', args: { ...request, p_identifier: email, p_tags: ['VIP'] } },
      { fn: 'add_note', args: { ...request, p_customer_id: customerId, p_body: 'Prefers WeChat' } },
      { fn: 'set_lifecycle_stage', args: { ...request, p_customer_id: customerId, p_stage: null, p_reason: null } },
    ]);
    expect(stage).toMatchObject({ customerId, portrait: { displayName: 'Li Wei' } });
  });

  it('adds a lead through tag_customer with no tags and the name the page showed', async () => {
    const calls: Array<{ fn: string; args: Record<string, unknown> }> = [];
    const api = rpcCalls(async (fn, args) => {
      calls.push({ fn, args });
      return { customer_id: customerId, created: true, added_tags: [], portrait };
    });
    const result = await api.applyWrite(
      queued({ op: 'lead', identifier: { kind: 'email', value: 'new@example.com' }, displayName: 'New Person', pageUrl: null, pageTitle: null }),
      { orgId: orgA, currency: 'USD' },
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]!.fn).toBe('tag_customer');
    expect(calls[0]!.args).toMatchObject({ p_tags: [], p_display_name: 'New Person', p_identifier: { kind: 'email', value: 'new@example.com' } });
    expect(result.customerId).toBe(customerId);
  });

  it('refuses, without a call, arguments the API would refuse', async () => {
    const api = rpcCalls(async () => {
      throw new Error('must not be called');
    });
    const context = { orgId: orgA, currency: 'USD' };
    await expect(
      api.applyWrite(queued({ op: 'tag', identifier: { kind: 'email', value: 'new@example.com' }, tags: ['x'.repeat(500)], pageUrl: null, pageTitle: null }), context),
    ).rejects.toBeInstanceOf(InvalidArguments);
    await expect(api.applyWrite(queued({ op: 'untag', customerId, tag: 'VIP' }), context)).rejects.toBeInstanceOf(InvalidArguments);
  });
});

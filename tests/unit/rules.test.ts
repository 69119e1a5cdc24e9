// The rule language (shared/rules.ts) and the engine's definitions (shared/engine.ts) in plain
// TypeScript. The database side is checked against these in tests/db/engine-*.test.ts.
import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  aovCents,
  classify,
  cutPoints,
  explainReason,
  fScore,
  lifecycleStage,
  mScore,
  nextLifecycleTransition,
  percentileDisc,
  rScore,
  rfmSegment,
  statsFromOrders,
  type CustomerStats,
} from '../oracle/engine.ts';
import { formatRulePath, parseRule, ruleMentionsField, ruleSchema, ruleSegmentRefs, segmentRuleProblem, type Rule } from '../../shared/rules.ts';
import { evaluateRule, normalizeRuleTag, segmentMatches, type RuleRow } from '../oracle/rules.ts';

const row = (over: Partial<RuleRow> = {}): RuleRow => ({
  order_count: 3,
  net_spend: 120.5,
  aov: 40.17,
  days_since_last_order: 12,
  referral_count: 0,
  r_score: 4,
  f_score: 3,
  m_score: 2,
  satisfaction_last: 75,
  satisfaction_avg: 62.5,
  days_since_satisfaction: 10,
  f_score_change: -1,
  lifecycle_stage: 'active',
  value_tier: 'normal',
  rfm_segment: 'potential_loyalist',
  ticket_band: 'high',
  company_size: null,
  country: 'US',
  industry: 'Retail',
  source: null,
  tag_names: ['vip', 'wholesale buyer'],
  last_order_at_days: 12,
  first_order_at_days: 300,
  last_event_at_days: null,
  created_at_days: 400,
  is_valid: true,
  is_partner: false,
  open_follow_ups: 1,
  days_since_last_contact: 20,
  days_until_recycle: null,
  owner: 'unowned',
  ...over,
});

describe('ruleSchema', () => {
  it('accepts the rules of supabase/README.md and returns them typed', () => {
    const rule = {
      all: [
        { field: 'order_count', op: 'gte', value: 2 },
        { any: [{ field: 'lifecycle_stage', op: 'in', value: ['at_risk', 'churned'] }, { field: 'tags', op: 'has', value: 'VIP' }] },
        { not: { field: 'country', op: 'in', value: ['CN'] } },
        { field: 'net_spend', op: 'between', value: [100, 500] },
        { field: 'last_order_at', op: 'within_days', value: 90 },
        { segment: '0b6a1c2e-8f1d-4c33-9a55-1234567890ab' },
      ],
    };
    expect(ruleSchema.parse(rule)).toEqual(rule);
  });

  it('names the bad part of a rule by its path', () => {
    expect(parseRule({ all: [{ field: 'order_count', op: 'gte', value: 1 }, { field: 'foo', op: 'gt', value: 1 }] })).toEqual({
      success: false,
      message: 'rule.all[1].field: unknown field "foo"',
      messages: ['rule.all[1].field: unknown field "foo"'],
    });
    expect(parseRule({ any: [{ not: { field: 'tags', op: 'any', value: [] } }] })).toMatchObject({
      message: 'rule.any[0].not.value: must be a non-empty array of tag names',
    });
    expect(formatRulePath(['all', 2, 'not', 'value', 0])).toBe('rule.all[2].not.value[0]');
  });

  it('refuses values from outside the closed sets', () => {
    expect(parseRule({ field: 'value_tier', op: 'in', value: ['gold'] })).toMatchObject({
      message: 'rule.value[0]: "gold" is not a value_tier (one of normal, vip, super)',
    });
  });
});

describe('evaluateRule', () => {
  it('compares numbers, and a missing number matches nothing', () => {
    expect(evaluateRule({ field: 'order_count', op: 'gte', value: 3 }, row())).toBe(true);
    expect(evaluateRule({ field: 'net_spend', op: 'between', value: [100, 120.5] }, row())).toBe(true);
    expect(evaluateRule({ field: 'aov', op: 'lt', value: 1000 }, row({ aov: null }))).toBe(false);
    expect(evaluateRule({ not: { field: 'aov', op: 'lt', value: 1000 } }, row({ aov: null }))).toBe(true);
  });

  it('reads satisfaction on 0–100 and a never-asked customer as missing', () => {
    const suggested: Rule = { all: [{ field: 'f_score_change', op: 'lt', value: 0 }, { not: { field: 'days_since_satisfaction', op: 'lte', value: 90 } }] };
    expect(evaluateRule({ field: 'satisfaction_last', op: 'gte', value: 75 }, row())).toBe(true);
    expect(evaluateRule({ field: 'satisfaction_avg', op: 'lt', value: 62.5 }, row())).toBe(false);
    expect(evaluateRule(suggested, row())).toBe(false);
    expect(evaluateRule(suggested, row({ days_since_satisfaction: 91 }))).toBe(true);
    expect(evaluateRule(suggested, row({ satisfaction_last: null, satisfaction_avg: null, days_since_satisfaction: null }))).toBe(true);
    expect(evaluateRule(suggested, row({ days_since_satisfaction: null, f_score_change: 0 }))).toBe(false);
    expect(parseRule(suggested)).toEqual({ success: true, rule: suggested });
  });

  it('treats a missing value as in no list', () => {
    expect(evaluateRule({ field: 'source', op: 'in', value: ['Ads'] }, row())).toBe(false);
    expect(evaluateRule({ field: 'source', op: 'not_in', value: ['Ads'] }, row())).toBe(true);
  });

  it('compares tag names in their tidy lowercase form', () => {
    expect(normalizeRuleTag('  Wholesale \t Buyer ')).toBe('wholesale buyer');
    expect(evaluateRule({ field: 'tags', op: 'has', value: 'Wholesale  Buyer' }, row())).toBe(true);
    expect(evaluateRule({ field: 'tags', op: 'all', value: ['VIP', 'new'] }, row())).toBe(false);
    expect(evaluateRule({ field: 'tags', op: 'any', value: ['VIP', 'new'] }, row())).toBe(true);
  });

  it('counts days for dates: within is at most, before is more than', () => {
    expect(evaluateRule({ field: 'last_order_at', op: 'within_days', value: 12 }, row())).toBe(true);
    expect(evaluateRule({ field: 'last_order_at', op: 'before_days', value: 12 }, row())).toBe(false);
    expect(evaluateRule({ field: 'last_event_at', op: 'before_days', value: 0 }, row())).toBe(false);
  });

  it('leaves invalid customers out unless the rule asks about validity', () => {
    const everyone: Rule = { all: [] };
    const invalidOnes: Rule = { field: 'is_valid', op: 'eq', value: false };
    expect(segmentMatches(everyone, row({ is_valid: false }))).toBe(false);
    expect(segmentMatches(invalidOnes, row({ is_valid: false }))).toBe(true);
    expect(ruleMentionsField({ not: invalidOnes }, 'is_valid')).toBe(true);
  });

  it('reads contact and pool fields: never contacted or not recyclable matches no comparison; "me" is the caller', () => {
    const contacted: Rule = { field: 'days_since_last_contact', op: 'lte', value: 30 };
    expect(evaluateRule(contacted, row())).toBe(true);
    expect(evaluateRule(contacted, row({ days_since_last_contact: null }))).toBe(false);
    expect(evaluateRule({ not: contacted }, row({ days_since_last_contact: null }))).toBe(true);
    expect(evaluateRule({ field: 'days_until_recycle', op: 'lte', value: 3 }, row())).toBe(false);
    expect(evaluateRule({ field: 'days_until_recycle', op: 'lte', value: 3 }, row({ days_until_recycle: 2, owner: 'owned' }))).toBe(true);
    expect(evaluateRule({ field: 'open_follow_ups', op: 'eq', value: 1 }, row())).toBe(true);
    const mine: Rule = { field: 'owner', op: 'in', value: ['me'] };
    expect(evaluateRule(mine, row({ owner: 'owned' }))).toBe(false);
    expect(evaluateRule(mine, row({ owner: 'owned', owner_is_me: true }))).toBe(true);
    expect(evaluateRule({ field: 'owner', op: 'not_in', value: ['owned'] }, row())).toBe(true);
  });

  it('lets only the pool filter name owner "me", not segments', () => {
    const parsed = parseRule({ any: [{ field: 'owner', op: 'in', value: ['unowned'] }, { field: 'owner', op: 'in', value: ['me'] }] });
    expect(parsed.success).toBe(true);
    expect(parsed.success && segmentRuleProblem(parsed.rule)).toBe(
      'rule.any[1].value[0]: "me" is only for the pool\'s filter; a segment may use "unowned" or "owned"',
    );
    expect(parseRule({ field: 'owner', op: 'in', value: ['anyone'] })).toMatchObject({
      success: false,
      message: 'rule.value[0]: "anyone" is not a owner (one of me, unowned, owned)',
    });
  });

  it('evaluates nested segments by their rule, and a missing or looping one matches nobody', () => {
    const a = '00000000-0000-4000-8000-00000000000a';
    const b = '00000000-0000-4000-8000-00000000000b';
    const rules = new Map<string, Rule>([
      [a, { field: 'country', op: 'in', value: ['US'] }],
      [b, { segment: b }],
    ]);
    expect(ruleSegmentRefs({ any: [{ segment: a }, { not: { segment: b } }] })).toEqual([a, b]);
    expect(segmentMatches({ segment: a }, row(), (id) => rules.get(id))).toBe(true);
    expect(segmentMatches({ segment: b }, row(), (id) => rules.get(id))).toBe(false);
    expect(segmentMatches({ segment: '00000000-0000-4000-8000-000000000000' }, row(), (id) => rules.get(id))).toBe(false);
  });
});

describe('engine definitions', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');
  const stats = (over: Partial<CustomerStats>): CustomerStats => ({
    orderCount: 0, netSpendCents: 0, firstOrderAt: null, lastOrderAt: null, previousOrderAt: null, lastEventAt: null, ...over,
  });
  const daysAgo = (d: number) => now - d * DAY_MS;

  it('finds the lifecycle stage by the first rule that matches', () => {
    expect(lifecycleStage(stats({}), now)).toBe('prospect');
    expect(lifecycleStage(stats({ lastEventAt: daysAgo(90) }), now)).toBe('lead');
    expect(lifecycleStage(stats({ orderCount: 1, lastOrderAt: daysAgo(30) }), now)).toBe('new');
    expect(lifecycleStage(stats({ orderCount: 1, lastOrderAt: daysAgo(31) }), now)).toBe('active');
    expect(lifecycleStage(stats({ orderCount: 2, lastOrderAt: daysAgo(10), previousOrderAt: daysAgo(191) }), now)).toBe('reactivated');
    expect(lifecycleStage(stats({ orderCount: 2, lastOrderAt: daysAgo(10), previousOrderAt: daysAgo(190) }), now)).toBe('active');
    expect(lifecycleStage(stats({ orderCount: 5, lastOrderAt: daysAgo(181) }), now)).toBe('churned');
    expect(lifecycleStage(stats({ orderCount: 5, lastOrderAt: daysAgo(91) }), now)).toBe('at_risk');
    expect(lifecycleStage(stats({ orderCount: 4, lastOrderAt: daysAgo(1) }), now)).toBe('loyal');
  });

  it('knows when the stage next changes by itself', () => {
    expect(nextLifecycleTransition(stats({ orderCount: 1, lastOrderAt: daysAgo(30) }), now)).toBe(daysAgo(30) + 31 * DAY_MS);
    expect(nextLifecycleTransition(stats({ orderCount: 1, lastOrderAt: daysAgo(100) }), now)).toBe(daysAgo(100) + 181 * DAY_MS);
    expect(nextLifecycleTransition(stats({ orderCount: 1, lastOrderAt: daysAgo(200) }), now)).toBeNull();
    expect(nextLifecycleTransition(stats({ lastEventAt: daysAgo(5) }), now)).toBe(daysAgo(5) + 91 * DAY_MS);
  });

  it('takes percentile_disc as Postgres does', () => {
    expect(percentileDisc([10, 20, 30, 40, 50], 0.2)).toBe(10);
    expect(percentileDisc([10, 20, 30, 40, 50], 0.6)).toBe(30);
    expect(percentileDisc([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentileDisc([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99)).toBe(10);
    expect(percentileDisc([], 0.5)).toBeNull();
  });

  it('scores R, F and M and maps R × F to segments', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(fScore)).toEqual([1, 2, 3, 4, 4, 5, 5]);
    expect(rScore(5, [10, 20, 30, 40])).toBe(5);
    expect(rScore(40, [10, 20, 30, 40])).toBe(1);
    expect(mScore(1000, [1000, 2000, 3000, 4000])).toBe(1);
    expect(mScore(1001, [1000, 2000, 3000, 4000])).toBe(2);
    expect(rfmSegment(5, 5)).toBe('champions');
    expect(rfmSegment(1, 2)).toBe('hibernating');
    expect(rfmSegment(2, 5)).toBe('cant_lose');
    expect(rfmSegment(null, 1)).toBeNull();
  });

  it('rounds AOV to the cent and classifies with cut points over buyers', () => {
    expect(aovCents({ orderCount: 3, netSpendCents: 2001 })).toBe(667);
    expect(aovCents({ orderCount: 2, netSpendCents: 1005 })).toBe(503);
    const customers = [100, 200, 300, 400, 500].map((cents, i) =>
      statsFromOrders([{ orderedAt: daysAgo(i + 1), totalCents: cents, refundedCents: 0, status: 'paid' }]),
    );
    const cuts = cutPoints([...customers, statsFromOrders([])], now);
    expect(cuts).toMatchObject({ buyers: 5, recencyDays: [1, 2, 3, 4], monetaryCents: [100, 200, 300, 400], medianAovCents: 300 });
    expect(classify(customers[4]!, now, cuts)).toMatchObject({ r_score: 1, f_score: 1, m_score: 5, value_tier: 'super', ticket_band: 'high' });
  });

  it('explains reasons in English and Chinese', () => {
    const reason = { code: 'no_order_beyond_at_risk_days', last_order_at: new Date(daysAgo(142)).toISOString(), threshold_days: 90 };
    expect(explainReason('lifecycle_stage', reason, 'en', now)).toBe('No order for 142 days (more than 90)');
    expect(explainReason('lifecycle_stage', reason, 'zh', now)).toBe('142 天未下单（超过 90 天）');
    expect(explainReason('value_tier', { code: 'high_spender', net_spend: 180, percentile: 0.9 }, 'en')).toBe(
      'Net spend 180, in the top 10% of buyers',
    );
  });
});

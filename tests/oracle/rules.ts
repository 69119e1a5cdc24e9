// The reference evaluator of segment rules: what a rule (shared/rules.ts, the language and its zod
// schema) means for one customer, written plainly. The database compiles rules to SQL; the tests
// (tests/unit/rules.test.ts, tests/db/engine-rules.test.ts) check that both give the same answers.
// It ships nowhere: it is the tests' oracle.
import {
  fieldKinds,
  ruleMentionsField,
  trimSpaces,
  type BooleanCondition,
  type DateCondition,
  type DateField,
  type NumberCondition,
  type NumberField,
  type SetCondition,
  type TagCondition,
  type LifecycleStage,
  type RfmSegment,
  type Rule,
  type TicketBand,
  type ValueTier,
} from '../../shared/rules.ts';

/** A customer as rules see it (the engine's classified row). Numbers are plain numbers (money in units). */
export interface RuleRow {
  order_count: number;
  net_spend: number;
  aov: number | null;
  days_since_last_order: number | null;
  referral_count: number;
  r_score: number | null;
  f_score: number | null;
  m_score: number | null;
  /** Satisfaction on 0–100 (latest answer, average), whole days since the latest; null without answers. */
  satisfaction_last: number | null;
  satisfaction_avg: number | null;
  days_since_satisfaction: number | null;
  /** f_score − prev_f_score (the F of the latest full run); null when either is missing. */
  f_score_change: number | null;
  /** The stage shown (the override when there is one). */
  lifecycle_stage: LifecycleStage;
  value_tier: ValueTier;
  rfm_segment: RfmSegment | null;
  ticket_band: TicketBand | null;
  company_size: string | null;
  country: string | null;
  industry: string | null;
  source: string | null;
  /** Names of the tags people or imports added, lowercased. */
  tag_names: string[];
  last_order_at_days: number | null;
  first_order_at_days: number | null;
  last_event_at_days: number | null;
  created_at_days: number | null;
  is_valid: boolean;
  is_partner: boolean;
  // Contact and the pool.
  open_follow_ups: number;
  days_since_last_contact: number | null;
  days_until_recycle: number | null;
  owner: 'owned' | 'unowned';
  /** Whether the caller owns the customer (owner "me", pool_customers' filter only). */
  owner_is_me?: boolean;
}

/** How a tag name in a rule is compared: inner whitespace as single spaces, trimmed, lowercased. */
export function normalizeRuleTag(name: string): string {
  return trimSpaces(name.replace(/\s+/g, ' ')).toLowerCase();
}

const DATE_COLUMN: Record<DateField, keyof RuleRow> = {
  last_order_at: 'last_order_at_days',
  first_order_at: 'first_order_at_days',
  last_event_at: 'last_event_at_days',
  created_at: 'created_at_days',
};

/**
 * Evaluates a rule's conditions on a row, without the validity default (see segmentMatches).
 * `segments` gives the rule of a referenced segment (undefined when there is none: no match).
 */
export function evaluateRule(rule: Rule, row: RuleRow, segments: (id: string) => Rule | undefined = () => undefined, stack: string[] = []): boolean {
  if ('all' in rule) return rule.all.every((r) => evaluateRule(r, row, segments, stack));
  if ('any' in rule) return rule.any.some((r) => evaluateRule(r, row, segments, stack));
  if ('not' in rule) return !evaluateRule(rule.not, row, segments, stack);
  if ('segment' in rule) {
    const id = rule.segment.toLowerCase();
    const referenced = segments(id);
    if (!referenced || stack.includes(id) || stack.length > 50) return false;
    return segmentMatches(referenced, row, segments, [...stack, id]);
  }
  const kind = fieldKinds.get(rule.field)!;
  switch (kind) {
    case 'number': {
      const v = row[rule.field as NumberField];
      if (v === null || v === undefined) return false;
      const c = rule as NumberCondition;
      switch (c.op) {
        case 'gt':
          return v > c.value;
        case 'gte':
          return v >= c.value;
        case 'lt':
          return v < c.value;
        case 'lte':
          return v <= c.value;
        case 'eq':
          return v === c.value;
        case 'between':
          return v >= c.value[0] && v <= c.value[1];
      }
      return false;
    }
    case 'set': {
      const c = rule as SetCondition;
      const v = row[c.field];
      const inSet =
        (v !== null && v !== undefined && c.value.includes(v)) || (c.field === 'owner' && c.value.includes('me') && row.owner_is_me === true);
      return c.op === 'in' ? inSet : !inSet;
    }
    case 'tags': {
      const c = rule as TagCondition;
      const wanted = (c.op === 'has' ? [c.value] : c.value).map(normalizeRuleTag);
      const have = new Set(row.tag_names);
      return c.op === 'any' ? wanted.some((t) => have.has(t)) : wanted.every((t) => have.has(t));
    }
    case 'date': {
      const c = rule as DateCondition;
      const days = row[DATE_COLUMN[c.field]] as number | null;
      if (days === null || days === undefined) return false;
      return c.op === 'within_days' ? days <= c.value : days > c.value;
    }
    case 'boolean': {
      const c = rule as BooleanCondition;
      return row[c.field] === c.value;
    }
  }
}

/** Whether a customer is in a segment with this rule: its conditions, and valid unless the rule asks about validity. */
export function segmentMatches(rule: Rule, row: RuleRow, segments: (id: string) => Rule | undefined = () => undefined, stack: string[] = []): boolean {
  return evaluateRule(rule, row, segments, stack) && (row.is_valid || ruleMentionsField(rule, 'is_valid'));
}

// Segment rules (supabase/README.md, section 4): the JSON language segments.rule is written in, its zod schema, and a
// reference evaluator. The database checks the same language on every write
// (private.validate_rule in supabase/migrations/20261123001020_segment_rule_validation.sql) and
// compiles it to SQL with bound values; tests/db/engine-rules.test.ts keeps the two sides in
// agreement, messages included.
//
//   rule      := {"all": [rule, …]} | {"any": [rule, …]} | {"not": rule} | {"segment": "<uuid>"} | condition
//   condition := {"field": <field>, "op": <op>, "value": <value>}
//
// Invalid customers are left out of a segment unless its rule mentions is_valid. A condition on a
// missing value (no orders yet, no country, never contacted, not owned) is false; `not_in` holds
// for a missing value.
//
// Contact and the pool: open_follow_ups counts follow-ups not done; days_since_last_contact is
// whole days since the latest mail event, note or completed follow-up; days_until_recycle is whole
// days, rounded up, until an owned customer returns to the pool (missing when unowned or no
// recycle rule applies); owner is "unowned", "owned" or "me" (pool_customers' filter only).
import { z } from 'zod';
import { companySizes, lifecycleStages, rfmSegments, ticketBands, valueTiers } from './enums.ts';

// The sets' values are the database enums (shared/enums.ts, from the generated types).
export {
  companySizes as COMPANY_SIZES,
  lifecycleStages as LIFECYCLE_STAGES,
  rfmSegments as RFM_SEGMENTS,
  ticketBands as TICKET_BANDS,
  valueTiers as VALUE_TIERS,
} from './enums.ts';
export type { LifecycleStage, RfmSegment, TicketBand, ValueTier } from './enums.ts';

/** The owner field's values; see SET_FIELDS.owner. */
export const OWNER_VALUES = ['me', 'unowned', 'owned'] as const;

export const NUMBER_FIELDS = [
  'order_count',
  'net_spend',
  'aov',
  'days_since_last_order',
  'referral_count',
  'r_score',
  'f_score',
  'm_score',
  // Satisfaction visits, on the common 0–100 scale (csat5 (score − 1) × 25, nps10 score × 10), whole
  // days since the latest answer, and the F score's change since the latest full run
  // (supabase/README.md §4).
  'satisfaction_last',
  'satisfaction_avg',
  'days_since_satisfaction',
  'f_score_change',
  // Contact and the pool (公海).
  'open_follow_ups',
  'days_since_last_contact',
  'days_until_recycle',
] as const;
/** Closed sets, with their allowed values (null: free text, compared exactly). */
export const SET_FIELDS = {
  lifecycle_stage: lifecycleStages,
  value_tier: valueTiers,
  rfm_segment: rfmSegments,
  ticket_band: ticketBands,
  company_size: companySizes,
  country: null,
  industry: null,
  source: null,
  /** The pool (公海): "me" (the caller) only in pool_customers' filter; segments take unowned and owned. */
  owner: OWNER_VALUES,
} as const;
export const DATE_FIELDS = ['last_order_at', 'first_order_at', 'last_event_at', 'created_at'] as const;
export const BOOLEAN_FIELDS = ['is_valid', 'is_partner'] as const;

export type NumberField = (typeof NUMBER_FIELDS)[number];
export type SetField = keyof typeof SET_FIELDS;
export type DateField = (typeof DATE_FIELDS)[number];
export type BooleanField = (typeof BOOLEAN_FIELDS)[number];
export type FieldKind = 'number' | 'set' | 'tags' | 'date' | 'boolean';
export type RuleField = NumberField | SetField | 'tags' | DateField | BooleanField;

export const RULE_OPS = {
  number: ['gt', 'gte', 'lt', 'lte', 'eq', 'between'],
  set: ['in', 'not_in'],
  tags: ['has', 'any', 'all'],
  date: ['within_days', 'before_days'],
  boolean: ['eq'],
} as const satisfies Record<FieldKind, readonly string[]>;

/** Every field a rule may use, with its kind and (for closed sets) its values; as private.rule_fields(). */
export const RULE_FIELDS: ReadonlyArray<{ field: RuleField; kind: FieldKind; allowed: readonly string[] | null }> = [
  ...NUMBER_FIELDS.map((field) => ({ field, kind: 'number' as const, allowed: null })),
  ...(Object.keys(SET_FIELDS) as SetField[]).map((field) => ({ field, kind: 'set' as const, allowed: SET_FIELDS[field] })),
  { field: 'tags', kind: 'tags', allowed: null },
  ...DATE_FIELDS.map((field) => ({ field, kind: 'date' as const, allowed: null })),
  ...BOOLEAN_FIELDS.map((field) => ({ field, kind: 'boolean' as const, allowed: null })),
];

export const fieldKinds = new Map<string, FieldKind>(RULE_FIELDS.map((f) => [f.field, f.kind]));

export type NumberCondition =
  | { field: NumberField; op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq'; value: number }
  | { field: NumberField; op: 'between'; value: [number, number] };
export type SetCondition = { field: SetField; op: 'in' | 'not_in'; value: string[] };
export type TagCondition = { field: 'tags'; op: 'has'; value: string } | { field: 'tags'; op: 'any' | 'all'; value: string[] };
export type DateCondition = { field: DateField; op: 'within_days' | 'before_days'; value: number };
export type BooleanCondition = { field: BooleanField; op: 'eq'; value: boolean };
export type Condition = NumberCondition | SetCondition | TagCondition | DateCondition | BooleanCondition;
export type Rule = { all: Rule[] } | { any: Rule[] } | { not: Rule } | { segment: string } | Condition;

/** Limits shared with the database. */
export const RULE_LIMITS = {
  depth: 12,
  children: 100,
  setValues: 1000,
  tagValues: 100,
  textLength: 100,
  tagLength: 64,
  maxDays: 36500,
  maxNumber: 1e12,
  bytes: 65536,
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Length in characters (code points), as Postgres counts. */
const chars = (s: string) => [...s].length;
/** Trims spaces (not other whitespace), as Postgres btrim does. */
export const trimSpaces = (s: string) => s.replace(/^ +| +$/g, '');

/** A value from a rule, quoted and cut to 64 characters for a message (as private.rule_quote). */
export function quoteRuleValue(value: string): string {
  const cps = [...value];
  return `"${cps.length > 64 ? `${cps.slice(0, 64).join('')}…` : value}"`;
}

const numberValue = z
  .number({ error: 'must be a number' })
  .refine((v) => Math.abs(v) <= RULE_LIMITS.maxNumber, 'numbers must lie between -1e12 and 1e12');

function numberConditionSchema(field: NumberField) {
  return z.discriminatedUnion('op', [
    z.strictObject({ field: z.literal(field), op: z.enum(['gt', 'gte', 'lt', 'lte', 'eq']), value: numberValue }),
    z.strictObject({
      field: z.literal(field),
      op: z.literal('between'),
      value: z.unknown().transform((v, ctx) => {
        if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number' || typeof v[1] !== 'number') {
          ctx.addIssue({ code: 'custom', message: 'between needs [low, high], two numbers' });
          return z.NEVER;
        }
        const [lo, hi] = v as [number, number];
        if (Math.abs(lo) > RULE_LIMITS.maxNumber || Math.abs(hi) > RULE_LIMITS.maxNumber) {
          ctx.addIssue({ code: 'custom', message: 'numbers must lie between -1e12 and 1e12' });
          return z.NEVER;
        }
        if (lo > hi) {
          ctx.addIssue({ code: 'custom', message: 'between needs [low, high] with low ≤ high' });
          return z.NEVER;
        }
        return [lo, hi] as [number, number];
      }),
    }),
  ]);
}

/** A non-empty list checked as the database checks it: its length first, then each item in order. */
function listValue(emptyMessage: string, max: number, maxMessage: string, checkItem: (item: unknown) => string | null) {
  return z.unknown().transform((value, ctx) => {
    if (!Array.isArray(value) || value.length === 0) {
      ctx.addIssue({ code: 'custom', message: emptyMessage });
      return z.NEVER;
    }
    if (value.length > max) {
      ctx.addIssue({ code: 'custom', message: maxMessage });
      return z.NEVER;
    }
    for (const [i, item] of value.entries()) {
      const problem = checkItem(item);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem, path: [i] });
        return z.NEVER;
      }
    }
    return value as string[];
  });
}

function setItemProblem(field: SetField, item: unknown): string | null {
  const allowed = SET_FIELDS[field] as readonly string[] | null;
  if (typeof item !== 'string') return 'must be a string';
  if (allowed && !allowed.includes(item)) return `${quoteRuleValue(item)} is not a ${field} (one of ${allowed.join(', ')})`;
  if (!allowed && field === 'country' && !/^[A-Z]{2}$/.test(item)) {
    return `${quoteRuleValue(item)} is not a country code of two capital letters such as "US"`;
  }
  if (!allowed && (chars(item) < 1 || chars(item) > RULE_LIMITS.textLength)) return 'must be 1 to 100 characters long';
  return null;
}

function setConditionSchema(field: SetField) {
  return z.strictObject({
    field: z.literal(field),
    op: z.enum(['in', 'not_in']),
    value: listValue('must be a non-empty array of strings', RULE_LIMITS.setValues, 'may list at most 1000 values', (item) =>
      setItemProblem(field, item),
    ),
  });
}

function tagNameProblem(item: unknown): string | null {
  if (typeof item !== 'string') return 'must be a tag name';
  const length = chars(trimSpaces(item));
  return length >= 1 && length <= RULE_LIMITS.tagLength ? null : 'a tag name has 1 to 64 characters';
}

const tagConditionSchema = z.discriminatedUnion('op', [
  z.strictObject({
    field: z.literal('tags'),
    op: z.literal('has'),
    value: z.unknown().transform((value, ctx) => {
      const problem = tagNameProblem(value);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      return value as string;
    }),
  }),
  z.strictObject({
    field: z.literal('tags'),
    op: z.enum(['any', 'all']),
    value: listValue('must be a non-empty array of tag names', RULE_LIMITS.tagValues, 'may list at most 100 tags', tagNameProblem),
  }),
]);

function dateConditionSchema(field: DateField) {
  return z.strictObject({
    field: z.literal(field),
    op: z.enum(['within_days', 'before_days']),
    value: z
      .number({ error: 'must be a whole number of days' })
      .refine(
        (v) => Number.isInteger(v) && v >= 0 && v <= RULE_LIMITS.maxDays,
        'must be a whole number of days from 0 to 36500',
      ),
  });
}

function booleanConditionSchema(field: BooleanField) {
  return z.strictObject({ field: z.literal(field), op: z.literal('eq'), value: z.boolean({ error: 'must be true or false' }) });
}

const conditionSchemas = new Map<string, z.ZodType<Condition>>([
  ...NUMBER_FIELDS.map((f) => [f, numberConditionSchema(f)] as [string, z.ZodType<Condition>]),
  ...(Object.keys(SET_FIELDS) as SetField[]).map((f) => [f, setConditionSchema(f)] as [string, z.ZodType<Condition>]),
  ['tags', tagConditionSchema as z.ZodType<Condition>],
  ...DATE_FIELDS.map((f) => [f, dateConditionSchema(f)] as [string, z.ZodType<Condition>]),
  ...BOOLEAN_FIELDS.map((f) => [f, booleanConditionSchema(f)] as [string, z.ZodType<Condition>]),
]);

const jsonType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v);

type Picked = { schema: z.ZodType<Rule> } | { message: string; path?: Array<string | number> };

/** Chooses the schema of a node by its keys, or says what is wrong with its shape (the database's order of checks). */
function pickNode(value: unknown, child: z.ZodType<Rule>): Picked {
  if (jsonType(value) !== 'object') return { message: `must be an object (a rule), not ${jsonType(value)}` };
  const node = value as Record<string, unknown>;
  const keys = Object.keys(node).sort();
  const only = keys.length === 1 ? keys[0] : null;
  if (only === 'all' || only === 'any') {
    const children = z
      .array(child, { error: 'must be an array of rules' })
      .max(RULE_LIMITS.children, 'may hold at most 100 rules');
    return { schema: (only === 'all' ? z.strictObject({ all: children }) : z.strictObject({ any: children })) as z.ZodType<Rule> };
  }
  if (only === 'not') return { schema: z.strictObject({ not: child }) as z.ZodType<Rule> };
  if (only === 'segment') {
    return {
      schema: z.strictObject({
        segment: z.string({ error: 'must be the id (a UUID) of a segment' }).regex(UUID, 'must be the id (a UUID) of a segment'),
      }) as z.ZodType<Rule>,
    };
  }
  if (!keys.some((k) => k === 'field' || k === 'op' || k === 'value')) {
    return {
      message: 'a rule is {"all": [...]}, {"any": [...]}, {"not": rule}, {"segment": id} or a condition {"field", "op", "value"}',
    };
  }
  const extra = keys.find((k) => k !== 'field' && k !== 'op' && k !== 'value');
  if (extra !== undefined) {
    return { message: `unexpected key ${quoteRuleValue(extra)} in a condition (a condition has field, op and value)` };
  }
  if (!('field' in node)) return { message: 'a condition needs "field"' };
  if (typeof node.field !== 'string') return { message: 'must be a string naming a field', path: ['field'] };
  const kind = fieldKinds.get(node.field);
  if (!kind) return { message: `unknown field ${quoteRuleValue(node.field)}`, path: ['field'] };
  if (!('op' in node)) return { message: 'a condition needs "op"' };
  if (typeof node.op !== 'string') return { message: 'must be a string naming an operator', path: ['op'] };
  const ops = RULE_OPS[kind] as readonly string[];
  if (!ops.includes(node.op)) {
    return {
      message: `operator ${quoteRuleValue(node.op)} does not apply to ${kind} field "${node.field}"; use one of ${ops.join(', ')}`,
      path: ['op'],
    };
  }
  if (!('value' in node)) return { message: 'a condition needs "value"' };
  return { schema: conditionSchemas.get(node.field) as z.ZodType<Rule> };
}

function nodeSchema(depth: number): z.ZodType<Rule> {
  if (depth > RULE_LIMITS.depth) {
    return z.unknown().transform((_value, ctx) => {
      ctx.addIssue({ code: 'custom', message: `rules may be nested at most ${RULE_LIMITS.depth} levels deep` });
      return z.NEVER;
    }) as unknown as z.ZodType<Rule>;
  }
  let child: z.ZodType<Rule> | undefined;
  const lazyChild = z.lazy(() => (child ??= nodeSchema(depth + 1)));
  return z.unknown().transform((value, ctx) => {
    const picked = pickNode(value, lazyChild as z.ZodType<Rule>);
    if ('message' in picked) {
      ctx.addIssue({ code: 'custom', message: picked.message, path: picked.path ?? [] });
      return z.NEVER;
    }
    const result = picked.schema.safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [...issue.path] });
      return z.NEVER;
    }
    return result.data;
  }) as unknown as z.ZodType<Rule>;
}

/** The rule language as a zod schema. Issues carry the path of the bad part (see formatRuleIssue). */
export const ruleSchema: z.ZodType<Rule> = nodeSchema(1).superRefine((rule, ctx) => {
  if (new TextEncoder().encode(JSON.stringify(rule)).length > RULE_LIMITS.bytes) {
    ctx.addIssue({ code: 'custom', message: 'is too large (at most 64 KB)' });
  }
});

/** A zod issue path as the database names it: rule.all[1].field */
export function formatRulePath(path: ReadonlyArray<PropertyKey>): string {
  let out = 'rule';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
  return out;
}

export type RuleParse = { success: true; rule: Rule } | { success: false; message: string; messages: string[] };

/** Parses a rule; on failure, `message` is the first problem as "path: message" (the form the database raises). */
export function parseRule(input: unknown): RuleParse {
  const result = ruleSchema.safeParse(input);
  if (result.success) return { success: true, rule: result.data };
  const messages = result.error.issues.map((issue) => `${formatRulePath(issue.path)}: ${issue.message}`);
  return { success: false, message: messages[0]!, messages };
}

/** The segment ids a rule refers to. */
export function ruleSegmentRefs(rule: Rule): string[] {
  if ('all' in rule) return rule.all.flatMap(ruleSegmentRefs);
  if ('any' in rule) return rule.any.flatMap(ruleSegmentRefs);
  if ('not' in rule) return ruleSegmentRefs(rule.not);
  if ('segment' in rule) return [rule.segment];
  return [];
}

/**
 * Where a segment's rule names the owner "me" (the caller), as the database refuses it
 * (private.rule_me_path, check_segment_rule): "path: message", or null. Only pool_customers'
 * filter may use "me": a segment's members cannot depend on who is asking.
 */
export function segmentRuleProblem(rule: Rule, path: ReadonlyArray<string | number> = []): string | null {
  if ('all' in rule || 'any' in rule) {
    const key = 'all' in rule ? 'all' : 'any';
    const children = 'all' in rule ? rule.all : (rule as { any: Rule[] }).any;
    for (const [i, child] of children.entries()) {
      const problem = segmentRuleProblem(child, [...path, key, i]);
      if (problem) return problem;
    }
    return null;
  }
  if ('not' in rule) return segmentRuleProblem(rule.not, [...path, 'not']);
  if ('segment' in rule) return null;
  if (rule.field === 'owner') {
    const i = (rule.value as string[]).indexOf('me');
    if (i >= 0) {
      return `${formatRulePath([...path, 'value', i])}: "me" is only for the pool's filter; a segment may use "unowned" or "owned"`;
    }
  }
  return null;
}

/** Whether the rule (not counting the segments it refers to) has a condition on the field. */
export function ruleMentionsField(rule: Rule, field: RuleField): boolean {
  if ('all' in rule) return rule.all.some((r) => ruleMentionsField(r, field));
  if ('any' in rule) return rule.any.some((r) => ruleMentionsField(r, field));
  if ('not' in rule) return ruleMentionsField(rule.not, field);
  if ('segment' in rule) return false;
  return rule.field === field;
}

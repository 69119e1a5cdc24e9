// The RPC API the extension calls (supabase/README.md, section 1): for every SQL function in `public`, the zod schema
// of its named arguments (the JSON body PostgREST receives) and of its result.
//
// The database checks every argument itself (supabase/migrations/2026112300050*_api_*.sql) and
// answers bad input with SQLSTATE 22023 and a message naming the argument; these schemas let the
// extension refuse the same input before a round trip, and check what comes back. The limits
// here are the database's limits.
import { z } from 'zod';
import { identifierKindSchema, identifierSchema } from './identity-schema.ts';
import {
  companySizes,
  customerKinds,
  lifecycleStages,
  memberRoles,
  rfmSegments,
  stageChangeSources,
  tagCategories,
  tagSources,
  ticketBands,
  valueTiers,
} from './enums.ts';
import { orgSettingsSchema } from './settings.ts';

// ---------------------------------------------------------------------------------------------
// Closed sets: the database enums (shared/enums.ts, from the generated types).

export {
  companySizes,
  customerKinds,
  lifecycleStages,
  memberRoles,
  rfmSegments,
  stageChangeSources,
  tagCategories,
  tagSources,
  ticketBands,
  valueTiers,
} from './enums.ts';
export type { LifecycleStage, MemberRole } from './enums.ts';

export const memberRoleSchema = z.enum(memberRoles);
export const lifecycleStageSchema = z.enum(lifecycleStages);
export const valueTierSchema = z.enum(valueTiers);
export const tagCategorySchema = z.enum(tagCategories);


// ---------------------------------------------------------------------------------------------
// Limits the database enforces.

export const apiLimits = {
  identifiersPerLookup: 50,
  identifierValueLength: 512,
  tagsPerCall: 20,
  tagNameLength: 64,
  displayNameLength: 200,
  pageUrlLength: 2048,
  pageTitleLength: 512,
  noteLength: 10_000,
  reasonLength: 500,
  searchQueryLength: 100,
  searchLimit: 50,
  /** Days an overview may span (p_to − p_from): five years. */
  overviewDays: 1830,
} as const;

// ---------------------------------------------------------------------------------------------
// Argument pieces.

// Any 128-bit id Postgres's uuid type accepts: ids imported from other systems need not be RFC 9562 ones.
const uuid = z.guid();

/** A tag name (or a display name) as the database stores it: trimmed, runs of whitespace made one space. */
export function tidyTagName(name: string): string {
  return name.replace(/\s+/g, ' ').trim();
}

// ASCII control characters, which the database refuses in tag names ([[:cntrl:]]).
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export const tagNameSchema = z.string().refine((name) => {
  const tidy = tidyTagName(name);
  return tidy.length >= 1 && tidy.length <= apiLimits.tagNameLength && !CONTROL_CHARACTERS.test(tidy);
}, `A tag name of 1 to ${apiLimits.tagNameLength} characters, without control characters`);

const tagNamesSchema = z.array(tagNameSchema).min(1).max(apiLimits.tagsPerCall);

/** An http(s) URL; other schemes (javascript:, data:) are not provenance. */
export const pageUrlSchema = z
  .string()
  .max(apiLimits.pageUrlLength)
  .regex(/^https?:\/\/\S+$/i, 'An http or https URL');

const pageTitleSchema = z.string().refine((title) => tidyTagName(title).length <= apiLimits.pageTitleLength, {
  message: `A page title of at most ${apiLimits.pageTitleLength} characters`,
});

const noteBodySchema = z.string().refine((body) => {
  const trimmed = body.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  return trimmed.length >= 1 && trimmed.length <= apiLimits.noteLength;
}, `A note of 1 to ${apiLimits.noteLength} characters`);

// ---------------------------------------------------------------------------------------------
// Results.

const timestamp = z.iso.datetime({ offset: true });
/** Money and other numeric(14,2) values arrive as JSON numbers. */
const amount = z.number();
const jsonObject = z.record(z.string(), z.unknown());

export const portraitCustomerSchema = z.object({
  id: uuid,
  display_name: z.string().nullable(),
  kind: z.enum(customerKinds),
  company: z.object({ id: uuid, display_name: z.string().nullable() }).nullable(),
  primary_email: z.string().nullable(),
  primary_phone: z.string().nullable(),
  country: z.string().nullable(),
  region: z.string().nullable(),
  city: z.string().nullable(),
  industry: z.string().nullable(),
  company_size: z.enum(companySizes).nullable(),
  acquisition_source: z.string().nullable(),
  owner: z.object({ user_id: uuid, display_name: z.string().nullable() }).nullable(),
  referred_by: z.object({ id: uuid, display_name: z.string().nullable() }).nullable(),
  is_partner: z.boolean(),
  is_valid: z.boolean(),
  invalid_reason: z.string().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const portraitProfileSchema = z.object({
  order_count: z.number().int().nonnegative(),
  net_spend: amount,
  aov: amount.nullable(),
  first_order_at: timestamp.nullable(),
  last_order_at: timestamp.nullable(),
  r_score: z.number().int().min(1).max(5).nullable(),
  f_score: z.number().int().min(1).max(5).nullable(),
  m_score: z.number().int().min(1).max(5).nullable(),
  rfm_segment: z.enum(rfmSegments).nullable(),
  /** The computed stage. */
  lifecycle_stage: lifecycleStageSchema,
  stage_override: lifecycleStageSchema.nullable(),
  override_by: uuid.nullable(),
  override_at: timestamp.nullable(),
  override_reason: z.string().nullable(),
  /** The stage to show: the override when there is one. */
  effective_stage: lifecycleStageSchema,
  value_tier: valueTierSchema,
  ticket_band: z.enum(ticketBands).nullable(),
  referral_count: z.number().int().nonnegative(),
  /** Why each computed field has its value: {field: {code, …numbers}}. */
  reasons: jsonObject,
  computed_at: timestamp,
});

export const portraitTagSchema = z.object({
  id: uuid,
  name: z.string(),
  colour: z.string().regex(/^#[0-9a-f]{6}$/),
  category: tagCategorySchema,
  source: z.enum(tagSources),
  added_by: uuid.nullable(),
  added_at: timestamp,
  page_url: z.string().nullable(),
  page_title: z.string().nullable(),
});

export const noteSchema = z.object({
  id: uuid,
  author_id: uuid.nullable(),
  author_name: z.string().nullable(),
  body: z.string(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const stageChangeSchema = z.object({
  from_stage: lifecycleStageSchema.nullable(),
  to_stage: lifecycleStageSchema,
  changed_at: timestamp,
  source: z.enum(stageChangeSources),
  changed_by: uuid.nullable(),
  reason: jsonObject,
});

/** Everything the overlay shows about one customer (private.portrait). */
export const portraitSchema = z.object({
  customer: portraitCustomerSchema,
  identities: z.array(z.object({ kind: identifierKindSchema, value: z.string() })),
  /** Null only if the profile row is missing, which the database prevents. */
  profile: portraitProfileSchema.nullable(),
  tags: z.array(portraitTagSchema),
  /** The latest five notes, newest first. */
  notes: z.array(noteSchema).max(5),
  segments: z.array(z.object({ id: uuid, name: z.string() })),
  /** The latest twenty stage changes, newest first. */
  stage_history: z.array(stageChangeSchema).max(20),
});

export type Portrait = z.infer<typeof portraitSchema>;

// ---------------------------------------------------------------------------------------------
// The functions.

export const customerContextArgsSchema = z.strictObject({
  p_org: uuid,
  p_identifiers: z.array(identifierSchema).min(1).max(apiLimits.identifiersPerLookup),
});
export const customerContextResultSchema = z.array(
  z.object({
    /** Position of the identifier in p_identifiers (from 0). */
    index: z.number().int().nonnegative(),
    kind: identifierKindSchema,
    /** The value as given. */
    value: z.string(),
    /** The value as stored (private.normalize_identity). */
    normalized: z.string(),
    customer_id: uuid.nullable(),
    portrait: portraitSchema.nullable(),
  }),
);

export const tagCustomerArgsSchema = z.strictObject({
  p_org: uuid,
  p_identifier: identifierSchema,
  /** No tags at all only adds the customer as a lead ("add as lead"). */
  p_tags: z.array(tagNameSchema).max(apiLimits.tagsPerCall),
  p_page_url: pageUrlSchema.nullable().optional(),
  p_page_title: pageTitleSchema.nullable().optional(),
  /** Names this write; a retry sends it unchanged and gets the first call's result. */
  p_request_id: uuid,
  /** The name of a customer the call creates; a known customer keeps theirs. */
  p_display_name: z
    .string()
    .refine((name) => tidyTagName(name).length <= apiLimits.displayNameLength, {
      message: `A name of at most ${apiLimits.displayNameLength} characters`,
    })
    .nullable()
    .optional(),
});
export const tagCustomerResultSchema = z.object({
  customer_id: uuid,
  /** True when the call created the customer (as a lead). */
  created: z.boolean(),
  /** Tags the call put on the customer (those already there are not repeated). */
  added_tags: z.array(z.string()),
  portrait: portraitSchema,
});

export const untagCustomerArgsSchema = z.strictObject({
  p_org: uuid,
  p_identifier: identifierSchema,
  p_tags: tagNamesSchema,
  p_request_id: uuid,
});
export const untagCustomerResultSchema = z.object({
  /** Null when no customer has the identifier. */
  customer_id: uuid.nullable(),
  removed_tags: z.array(z.string()),
  portrait: portraitSchema.nullable(),
});

export const addNoteArgsSchema = z.strictObject({
  p_org: uuid,
  p_customer_id: uuid,
  p_body: noteBodySchema,
  p_request_id: uuid,
});
export const addNoteResultSchema = z.object({
  note: noteSchema,
  portrait: portraitSchema,
});

export const setLifecycleStageArgsSchema = z.strictObject({
  p_org: uuid,
  p_customer_id: uuid,
  /** Null clears the override. */
  p_stage: lifecycleStageSchema.nullable(),
  p_reason: z.string().max(apiLimits.reasonLength).nullable().optional(),
  p_request_id: uuid,
});
export const setLifecycleStageResultSchema = z.object({
  customer_id: uuid,
  /** False when the override already was what was asked. */
  changed: z.boolean(),
  portrait: portraitSchema,
});

export const searchCustomersArgsSchema = z.strictObject({
  p_org: uuid,
  p_query: z
    .string()
    .refine((q) => {
      const trimmed = q.trim();
      return trimmed.length >= 1 && trimmed.length <= apiLimits.searchQueryLength;
    }, `A query of 1 to ${apiLimits.searchQueryLength} characters`),
  p_limit: z.number().int().min(1).max(apiLimits.searchLimit).optional(),
});
export const searchCustomersResultSchema = z.array(
  z.object({
    customer_id: uuid,
    display_name: z.string().nullable(),
    primary_email: z.string().nullable(),
    primary_phone: z.string().nullable(),
    effective_stage: lifecycleStageSchema.nullable(),
    value_tier: valueTierSchema.nullable(),
    /** What matched: email, phone or name. */
    matched_kind: z.enum(['email', 'phone', 'name']),
    matched_value: z.string().nullable(),
  }),
);

export const listTagsArgsSchema = z.strictObject({ p_org: uuid });
export const listTagsResultSchema = z.array(
  z.object({
    id: uuid,
    name: z.string(),
    colour: z.string(),
    category: tagCategorySchema,
    description: z.string().nullable(),
  }),
);

export const myOrgsArgsSchema = z.strictObject({});
export const myOrgsResultSchema = z.array(
  z.object({
    org_id: uuid,
    name: z.string(),
    role: memberRoleSchema,
    settings: orgSettingsSchema,
  }),
);

/** A UTC calendar day, `YYYY-MM-DD`. */
const isoDay = z.iso.date();

export const stageOverviewArgsSchema = z
  .strictObject({ p_org: uuid, p_from: isoDay, p_to: isoDay })
  .refine((args) => args.p_from <= args.p_to, { message: 'p_from must be on or before p_to', path: ['p_from'] })
  .refine(
    (args) => (Date.parse(args.p_to) - Date.parse(args.p_from)) / 86_400_000 <= apiLimits.overviewDays,
    { message: `p_from..p_to must span at most ${apiLimits.overviewDays} days`, path: ['p_from'] },
  );

const stageMoveSchema = z.object({ from: lifecycleStageSchema, to: lifecycleStageSchema, count: z.number().int().nonnegative() });

/** public.stage_overview: the Overview page's figures, one series per stage over `days`. */
export const stageOverviewResultSchema = z
  .object({
    org_id: uuid,
    from: isoDay,
    to: isoDay,
    currency: z.string(),
    stages: z.array(lifecycleStageSchema).length(lifecycleStages.length),
    /** Days with a snapshot, ascending. */
    days: z.array(isoDay),
    customers_by_stage: z.record(lifecycleStageSchema, z.array(z.number().int().nonnegative())),
    net_revenue_by_stage: z.record(lifecycleStageSchema, z.array(amount)),
    segments: z.object({
      /** The day the members were counted; null: the segments' current member counts. */
      day: isoDay.nullable(),
      items: z.array(z.object({ id: uuid, name: z.string(), members: z.number().int().nonnegative().nullable() })),
    }),
    /** Moves between stages over the whole range, largest first. */
    moves: z.array(stageMoveSchema),
    /** Moves over the calendar month of `to`, up to `to`. */
    month_moves: z.object({ from: isoDay, to: isoDay, items: z.array(stageMoveSchema) }),
  })
  .refine(
    (overview) =>
      lifecycleStages.every(
        (stage) =>
          overview.customers_by_stage[stage].length === overview.days.length &&
          overview.net_revenue_by_stage[stage].length === overview.days.length,
      ),
    'Every series has one value per day',
  );

export type StageOverview = z.output<typeof stageOverviewResultSchema>;

/** Every RPC by its SQL name: the schema of its arguments and of its result. */
export const rpcSchemas = {
  customer_context: { args: customerContextArgsSchema, result: customerContextResultSchema },
  tag_customer: { args: tagCustomerArgsSchema, result: tagCustomerResultSchema },
  untag_customer: { args: untagCustomerArgsSchema, result: untagCustomerResultSchema },
  add_note: { args: addNoteArgsSchema, result: addNoteResultSchema },
  set_lifecycle_stage: { args: setLifecycleStageArgsSchema, result: setLifecycleStageResultSchema },
  search_customers: { args: searchCustomersArgsSchema, result: searchCustomersResultSchema },
  list_tags: { args: listTagsArgsSchema, result: listTagsResultSchema },
  my_orgs: { args: myOrgsArgsSchema, result: myOrgsResultSchema },
  stage_overview: { args: stageOverviewArgsSchema, result: stageOverviewResultSchema },
} as const;

export type RpcName = keyof typeof rpcSchemas;
export type RpcArgs<N extends RpcName> = z.input<(typeof rpcSchemas)[N]['args']>;
export type RpcResult<N extends RpcName> = z.output<(typeof rpcSchemas)[N]['result']>;

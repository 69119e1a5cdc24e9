// The RPC API the extension calls (supabase/README.md, section 1): for every SQL function in `public`, the zod schema
// of its named arguments (the JSON body PostgREST receives) and of its result.
//
// The database checks every argument itself (supabase/migrations/2026112300050*_api_*.sql) and
// answers bad input with SQLSTATE 22023 and a message naming the argument; these schemas let the
// extension refuse the same input before a round trip, and check what comes back. The limits
// here are the database's limits.
import { z } from 'zod';
import { Constants } from './database.types.ts';
import { identifierKindSchema, identifierSchema } from './identity-schema.ts';
import {
  companySizes,
  customerKinds,
  lifecycleStages,
  memberRoles,
  orderSources,
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

/** Everything the overlay shows about one customer (private.portraits). */
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
  /** The latest three pending (open) orders, newest first; not counted in the profile's figures. */
  open_orders: z
    .array(z.object({ external_id: z.string(), source: z.enum(orderSources), ordered_at: timestamp, total: amount, currency: z.string() }))
    .max(3)
    .optional(),
  /** How many pending orders the customer has in all. */
  open_order_count: z.number().int().nonnegative().optional(),
  /**
   * Satisfaction visits (public.customer_satisfaction): the latest answer as given and on the common
   * 0–100 scale (csat5 (score − 1) × 25, nps10 score × 10), and the average on 0–100; null when never asked.
   */
  satisfaction: z
    .object({
      responses: z.number().int().positive(),
      last_score: z.number().int().min(0).max(10),
      last_scale: z.enum(Constants.public.Enums.satisfaction_scale),
      last_score_100: z.number().int().min(0).max(100),
      last_at: timestamp,
      avg_score_100: z.number().min(0).max(100),
    })
    .nullable()
    .optional(),
  /** When the owned customer returns to the pool (公海) if nobody follows them up; null when unowned or no recycle rule applies. */
  recycle_at: timestamp.nullable().default(null),
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

/** Admins: folds p_merge into p_keep (supabase/migrations/20261123004080_merge_customers.sql). */
export const mergeCustomersArgsSchema = z
  .strictObject({
    p_org: uuid,
    p_keep: uuid,
    p_merge: uuid,
    /** Optional: a retry with the same id answers the first merge again. */
    p_request_id: uuid.nullable().optional(),
  })
  .refine((a) => a.p_keep.toLowerCase() !== a.p_merge.toLowerCase(), { message: 'p_merge must be another customer than p_keep', path: ['p_merge'] });
export const mergeCustomersResultSchema = z.object({
  kept_customer_id: uuid,
  merged_customer_id: uuid,
  merge_id: z.number().int(),
  /** Rows moved to the kept customer, per table. */
  moved: z.record(z.string(), z.number().int().nonnegative()),
  /** True when this merge had already been made (nothing was written now). */
  already_merged: z.boolean(),
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

/** The organization's members' addresses, lowercased: never customers, never looked up. */
export const memberAddressesArgsSchema = z.strictObject({ p_org: uuid });
export const memberAddressesResultSchema = z.array(z.string());

/** Members of the organization (public.org_members): whom an admin may assign a customer to. */
export const orgMembersArgsSchema = z.strictObject({ p_org: uuid });
export const orgMembersResultSchema = z.array(
  z.object({
    user_id: uuid,
    display_name: z.string().nullable(),
    email: z.string().nullable(),
    role: memberRoleSchema,
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

// Invitations (supabase/migrations/20261123000325_invitations.sql): the popup lists the pending
// invitations addressed to the signed-in user's email, who accepts (becoming a member with the
// invited role) or declines each.

export const myInvitationsArgsSchema = z.strictObject({});
export const myInvitationsResultSchema = z.array(
  z.object({
    invitation_id: uuid,
    org_id: uuid,
    org_name: z.string(),
    role: memberRoleSchema,
    /** The inviting admin's display name in that organization; null when made in Studio or unnamed. */
    invited_by_name: z.string().nullable(),
    created_at: z.string(),
    expires_at: z.string(),
  }),
);

export const answerInvitationArgsSchema = z.strictObject({ p_invitation: uuid });
const invitationAnswerSchema = (status: 'accepted' | 'declined') =>
  z.object({
    invitation_id: uuid,
    org_id: uuid,
    org_name: z.string(),
    role: memberRoleSchema,
    status: z.literal(status),
    /** When the invitation was first answered (repeating the answer keeps it). */
    answered_at: z.string(),
  });
export const acceptInvitationResultSchema = invitationAnswerSchema('accepted');
export const declineInvitationResultSchema = invitationAnswerSchema('declined');

// ---------------------------------------------------------------------------------------------
// Follow-ups, ownership, satisfaction visits and the customer's timeline
// (supabase/migrations/2026112300505*–5080_api_*.sql). Their closed sets come from the generated
// database enums.

export const satisfactionScales = Constants.public.Enums.satisfaction_scale;
export const satisfactionChannels = Constants.public.Enums.satisfaction_channel;
export const ownershipChangeReasons = Constants.public.Enums.ownership_change_reason;
const satisfactionScaleSchema = z.enum(satisfactionScales);
const satisfactionChannelSchema = z.enum(satisfactionChannels);

export const followUpLimits = {
  noteLength: 2000,
  /** p_due_at lies within a year before and five years after now. */
  dueDaysBack: 365,
  dueYearsAhead: 5,
  releaseReasonLength: 500,
  satisfactionCommentLength: 2000,
  timelinePage: 100,
} as const;

/** Score range per scale: csat5 1–5, nps10 0–10. */
export const satisfactionScoreRange = { csat5: [1, 5], nps10: [0, 10] } as const satisfies Record<
  (typeof satisfactionScales)[number],
  readonly [number, number]
>;

const trimmedText = (max: number, what: string) =>
  z.string().refine((text) => text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '').length <= max, `${what} of at most ${max} characters`);

/** A follow-up as the API returns it (private.follow_up_document). */
export const followUpSchema = z.object({
  id: uuid,
  customer_id: uuid,
  /** Null once the assignee left the organization. */
  assignee_id: uuid.nullable(),
  assignee_name: z.string().nullable(),
  due_at: timestamp,
  note: z.string().nullable(),
  created_by: uuid.nullable(),
  created_by_name: z.string().nullable(),
  created_at: timestamp,
  /** Null while open. */
  done_at: timestamp.nullable(),
  done_by: uuid.nullable(),
  done_by_name: z.string().nullable(),
});

export const addFollowUpArgsSchema = z.strictObject({
  p_org: uuid,
  p_identifier: identifierSchema,
  p_due_at: timestamp,
  /** Optional; blank means none. */
  p_note: trimmedText(followUpLimits.noteLength, 'A note').nullable(),
  /** A member of the organization; null or absent: the caller. */
  p_assignee: uuid.nullable().optional(),
  p_request_id: uuid,
});
export const addFollowUpResultSchema = z.object({
  customer_id: uuid,
  /** True when the call created the customer (as a lead). */
  created: z.boolean(),
  follow_up: followUpSchema,
});

export const completeFollowUpArgsSchema = z.strictObject({ p_org: uuid, p_follow_up: uuid, p_request_id: uuid });
export const completeFollowUpResultSchema = z.object({
  /** False when it was already done. */
  changed: z.boolean(),
  follow_up: followUpSchema,
});

export const myFollowUpsArgsSchema = z.strictObject({ p_org: uuid, p_until: timestamp });
export const myFollowUpsResultSchema = z.array(
  z.object({
    follow_up_id: uuid,
    customer_id: uuid,
    display_name: z.string().nullable(),
    effective_stage: lifecycleStageSchema.nullable(),
    primary_email: z.string().nullable(),
    primary_phone: z.string().nullable(),
    due_at: timestamp,
    /** Due before now. */
    overdue: z.boolean(),
    note: z.string().nullable(),
    created_by: uuid.nullable(),
    created_by_name: z.string().nullable(),
    created_at: timestamp,
  }),
);

const ownershipResultSchema = z.object({
  customer_id: uuid,
  /** False when the owner already was what was asked. */
  changed: z.boolean(),
  /** Null: the customer is in the pool (公海). */
  owner: z.object({ user_id: uuid, display_name: z.string().nullable() }).nullable(),
  portrait: portraitSchema,
});

export const claimCustomerArgsSchema = z.strictObject({ p_org: uuid, p_customer: uuid, p_request_id: uuid });
export const claimCustomerResultSchema = ownershipResultSchema;

export const releaseCustomerArgsSchema = z.strictObject({
  p_org: uuid,
  p_customer: uuid,
  p_reason: z
    .string()
    .refine((reason) => tidyTagName(reason).length <= followUpLimits.releaseReasonLength, {
      message: `A reason of at most ${followUpLimits.releaseReasonLength} characters`,
    })
    .nullable()
    .optional(),
  p_request_id: uuid,
});
export const releaseCustomerResultSchema = ownershipResultSchema;

export const assignCustomerArgsSchema = z.strictObject({ p_org: uuid, p_customer: uuid, p_member: uuid, p_request_id: uuid });
export const assignCustomerResultSchema = ownershipResultSchema;

export const recordSatisfactionArgsSchema = z
  .strictObject({
    p_org: uuid,
    p_identifier: identifierSchema,
    p_score: z.number().int(),
    p_scale: satisfactionScaleSchema,
    p_comment: trimmedText(followUpLimits.satisfactionCommentLength, 'A comment').nullable().optional(),
    p_channel: satisfactionChannelSchema,
    p_request_id: uuid,
  })
  .refine(
    (args) => {
      const [low, high] = satisfactionScoreRange[args.p_scale];
      return args.p_score >= low && args.p_score <= high;
    },
    { message: 'p_score must be 1 to 5 on csat5 and 0 to 10 on nps10', path: ['p_score'] },
  );
export const recordSatisfactionResultSchema = z.object({
  customer_id: uuid,
  created: z.boolean(),
  response: z.object({
    id: uuid,
    customer_id: uuid,
    score: z.number().int(),
    scale: satisfactionScaleSchema,
    comment: z.string().nullable(),
    channel: satisfactionChannelSchema,
    recorded_by: uuid.nullable(),
    recorded_by_name: z.string().nullable(),
    responded_at: timestamp,
  }),
});

// The shared pool (公海): unowned customers to claim, and the caller's customers about to return to it.

/**
 * p_filter is a rule of the segment language (shared/rules.ts: parse it with parseRule to show
 * problems before sending; the database checks it again and answers 22023 naming p_filter). Kept
 * as a JSON object here so that this module does not pull the rule schema into the content scripts.
 */
export const poolCustomersArgsSchema = z.strictObject({
  p_org: uuid,
  p_filter: jsonObject.nullable().optional(),
  p_limit: z.number().int().min(1).max(200).optional(),
});
/** Highest net spend first, then id. */
export const poolCustomersResultSchema = z.array(
  z.object({
    customer_id: uuid,
    display_name: z.string().nullable(),
    primary_email: z.string().nullable(),
    primary_phone: z.string().nullable(),
    /** The stage shown (the override when there is one). */
    lifecycle_stage: lifecycleStageSchema,
    value_tier: valueTierSchema,
    net_spend: amount,
    order_count: z.number().int().nonnegative(),
    last_order_at: timestamp.nullable(),
    /** When the customer last became unowned; null if never owned. */
    pooled_at: timestamp.nullable(),
  }),
);

export const myPoolReturnsArgsSchema = z.strictObject({
  p_org: uuid,
  p_within_days: z.number().int().min(0).max(3650).optional(),
});
/** Soonest first; overdue ones (not yet taken by the drift pass) included. */
export const myPoolReturnsResultSchema = z.array(
  z.object({
    customer_id: uuid,
    display_name: z.string().nullable(),
    primary_email: z.string().nullable(),
    primary_phone: z.string().nullable(),
    lifecycle_stage: lifecycleStageSchema,
    value_tier: valueTierSchema,
    recycle_at: timestamp,
  }),
);

/** Passing a page's `next` back as p_before / p_before_key returns the page after it. */
export const customerTimelineArgsSchema = z
  .strictObject({
    p_org: uuid,
    p_customer: uuid,
    p_before: timestamp.nullable().optional(),
    p_limit: z.number().int().min(1).max(followUpLimits.timelinePage).optional(),
    p_before_key: z.string().max(100).regex(/^[a-z_]+:[0-9a-f-]+$/).nullable().optional(),
  })
  .refine((args) => args.p_before_key == null || args.p_before != null, {
    message: 'p_before_key needs p_before',
    path: ['p_before_key'],
  });

/** What every timeline item has: when, its paging key, and who made it (null: the system). */
const timelineBase = {
  at: timestamp,
  key: z.string(),
  by: uuid.nullable(),
  by_name: z.string().nullable(),
};
const timelineFollowUpFacts = {
  follow_up_id: uuid,
  due_at: timestamp,
  note: z.string().nullable(),
  assignee_id: uuid.nullable(),
  assignee_name: z.string().optional(),
  done_at: timestamp.nullable(),
};

const timelineTagChange = <K extends 'tag_added' | 'tag_removed'>(kind: K) =>
  z.object({
    kind: z.literal(kind),
    ...timelineBase,
    /** Null once the tag was deleted; tag_name is its name at the time. */
    tag_id: uuid.nullable(),
    tag_name: z.string(),
    /** The tag's colour now (absent once it was deleted). */
    tag_colour: z.string().optional(),
    source: z.enum(tagSources),
    /** For additions: the page the member was on. */
    page_url: z.string().nullable(),
    page_title: z.string().nullable(),
  });

export const timelineItemSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('order'),
    ...timelineBase,
    order_id: uuid,
    source: z.enum(Constants.public.Enums.order_source),
    external_id: z.string(),
    /** refunded: refunded in full; a paid order with refunded_amount > 0 was partly refunded. */
    status: z.enum(Constants.public.Enums.order_status),
    total: amount,
    refunded_amount: amount,
    currency: z.string(),
  }),
  z.object({ kind: z.literal('note'), ...timelineBase, note_id: uuid, body: z.string(), updated_at: timestamp }),
  z.object({
    kind: z.literal('stage_change'),
    ...timelineBase,
    from_stage: lifecycleStageSchema.nullable(),
    to_stage: lifecycleStageSchema,
    source: z.enum(stageChangeSources),
    reason: jsonObject,
  }),
  timelineTagChange('tag_added'),
  timelineTagChange('tag_removed'),
  z.object({
    kind: z.literal('event'),
    ...timelineBase,
    event_kind: z.enum(Constants.public.Enums.event_kind),
    details: jsonObject,
  }),
  z.object({ kind: z.literal('follow_up_created'), ...timelineBase, ...timelineFollowUpFacts }),
  z.object({ kind: z.literal('follow_up_completed'), ...timelineBase, ...timelineFollowUpFacts }),
  z.object({
    kind: z.literal('ownership_change'),
    ...timelineBase,
    from_owner_id: uuid.nullable(),
    from_owner_name: z.string().optional(),
    to_owner_id: uuid.nullable(),
    to_owner_name: z.string().optional(),
    reason: z.enum(ownershipChangeReasons),
    note: z.string().nullable(),
  }),
  z.object({
    kind: z.literal('satisfaction'),
    ...timelineBase,
    response_id: uuid,
    score: z.number().int(),
    scale: satisfactionScaleSchema,
    comment: z.string().nullable(),
    channel: satisfactionChannelSchema,
  }),
]);

export const customerTimelineResultSchema = z.object({
  customer_id: uuid,
  /** Newest first. */
  items: z.array(timelineItemSchema),
  /** The cursor of the next page; null on the last one. */
  next: z.object({ before: timestamp, before_key: z.string() }).nullable(),
  /** The customer's open follow-ups, earliest due first (at most 10). */
  open_follow_ups: z.array(followUpSchema).max(10),
});

export type TimelineItem = z.output<typeof timelineItemSchema>;
export type CustomerTimeline = z.output<typeof customerTimelineResultSchema>;
export type FollowUp = z.output<typeof followUpSchema>;

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
  member_addresses: { args: memberAddressesArgsSchema, result: memberAddressesResultSchema },
  org_members: { args: orgMembersArgsSchema, result: orgMembersResultSchema },
  stage_overview: { args: stageOverviewArgsSchema, result: stageOverviewResultSchema },
  my_invitations: { args: myInvitationsArgsSchema, result: myInvitationsResultSchema },
  accept_invitation: { args: answerInvitationArgsSchema, result: acceptInvitationResultSchema },
  decline_invitation: { args: answerInvitationArgsSchema, result: declineInvitationResultSchema },
  // Follow-ups, ownership, satisfaction visits, the timeline.
  add_follow_up: { args: addFollowUpArgsSchema, result: addFollowUpResultSchema },
  complete_follow_up: { args: completeFollowUpArgsSchema, result: completeFollowUpResultSchema },
  my_follow_ups: { args: myFollowUpsArgsSchema, result: myFollowUpsResultSchema },
  claim_customer: { args: claimCustomerArgsSchema, result: claimCustomerResultSchema },
  release_customer: { args: releaseCustomerArgsSchema, result: releaseCustomerResultSchema },
  assign_customer: { args: assignCustomerArgsSchema, result: assignCustomerResultSchema },
  record_satisfaction: { args: recordSatisfactionArgsSchema, result: recordSatisfactionResultSchema },
  customer_timeline: { args: customerTimelineArgsSchema, result: customerTimelineResultSchema },
  merge_customers: { args: mergeCustomersArgsSchema, result: mergeCustomersResultSchema },
  // The shared pool (公海).
  pool_customers: { args: poolCustomersArgsSchema, result: poolCustomersResultSchema },
  my_pool_returns: { args: myPoolReturnsArgsSchema, result: myPoolReturnsResultSchema },
} as const;

export type RpcName = keyof typeof rpcSchemas;
export type RpcArgs<N extends RpcName> = z.input<(typeof rpcSchemas)[N]['args']>;
export type RpcResult<N extends RpcName> = z.output<(typeof rpcSchemas)[N]['result']>;

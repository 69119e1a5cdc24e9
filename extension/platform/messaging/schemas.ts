// The message shapes more than one feature uses, their types and the limits every message keeps.
// Each feature's own messages are in extension/features/<feature>/schemas.ts. The schemas are the
// one source: a request's type is what its schema accepts (`z.infer`). zod is heavy: only the
// background imports the schemas' values; content scripts and extension pages use the types
// through `import type`, which the bundler erases.
import { z } from 'zod';
import { apiLimits, satisfactionChannels, satisfactionScales } from '../../../shared/api.ts';
import {
  identifierKinds,
  lifecycleStages,
  type CustomerKind,
  type LifecycleStage,
  type MemberRole,
  type StageChangeSource,
  type TagSource,
  type TicketBand,
  type ValueTier,
} from '../../../shared/enums.ts';
import { locales, type Locale } from '../i18n/i18n.ts';
import { siteIds, type SiteId } from '../../sites/common/supported.ts';

export type { LifecycleStage, Locale, SiteId, TicketBand, ValueTier };

// Extension pages forbid eval; without this zod probes for it and trips the CSP.
z.config({ jitless: true });

/** Limits that keep one message from tying up the background or the API. */
export const messageLimits = {
  /** The whole message as JSON; checked before parsing. */
  maxMessageBytes: 64 * 1024,
  // What the API takes (shared/api.ts), so that a message the background accepts is one it can send.
  maxIdentifiersPerLookup: apiLimits.identifiersPerLookup,
  maxIdentifierLength: apiLimits.identifierValueLength,
  maxTagsPerWrite: apiLimits.tagsPerCall,
  maxTagLength: apiLimits.tagNameLength,
  maxNoteLength: apiLimits.noteLength,
  maxUrlLength: apiLimits.pageUrlLength,
  maxTitleLength: apiLimits.pageTitleLength,
  maxDisplayNameLength: apiLimits.displayNameLength,
  maxReasonLength: apiLimits.reasonLength,
  maxPrefixLength: 64,
  maxEmailLength: 254,
  maxPasswordLength: 1024,
  maxListEntries: 200,
  /** A selection or a typed query in the tagging dialog; longer text is not someone's name or address. */
  maxSelectionLength: 2000,
} as const;

export { identifierKinds };

// Shape only: the background normalises each value (shared/identity.ts) and leaves out of the
// answer what cannot be an identifier, rather than refusing the whole lookup: one odd address on a
// page must not hide the others.
export const identifierSchema = z.strictObject({
  kind: z.enum(identifierKinds),
  // Not trimmed here: answers name the identifier exactly as the page sent it.
  value: z
    .string()
    .max(messageLimits.maxIdentifierLength)
    .refine((value) => value.trim() !== '', 'An identifier needs a value'),
});


export const customerIdSchema = z.guid();
export const tagNameSchema = z.string().trim().min(1).max(messageLimits.maxTagLength);

/** An http(s) URL or nothing; anything else (javascript:, data:) is not provenance. */
export const pageUrlSchema = z
  .string()
  .max(messageLimits.maxUrlLength)
  .refine((value) => {
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'Expected an http(s) URL')
  .nullable();

export const pageTitleSchema = z.string().max(messageLimits.maxTitleLength).nullable();

export const writeOpSchema = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('tag'),
    identifier: identifierSchema,
    tags: z.array(tagNameSchema).min(1).max(messageLimits.maxTagsPerWrite),
    pageUrl: pageUrlSchema,
    pageTitle: pageTitleSchema,
    /** Names the customer when the write creates them as a lead; a known customer keeps theirs. */
    displayName: z.string().trim().max(messageLimits.maxDisplayNameLength).nullable().optional(),
  }),
  z.strictObject({ op: z.literal('untag'), customerId: customerIdSchema, tag: tagNameSchema }),
  z.strictObject({
    op: z.literal('note'),
    customerId: customerIdSchema,
    body: z.string().trim().min(1).max(messageLimits.maxNoteLength),
  }),
  z.strictObject({
    op: z.literal('stage'),
    customerId: customerIdSchema,
    stage: z.enum(lifecycleStages).nullable(),
    reason: z.string().max(messageLimits.maxReasonLength).nullable(),
  }),
  z.strictObject({
    op: z.literal('lead'),
    identifier: identifierSchema,
    displayName: z.string().trim().max(messageLimits.maxDisplayNameLength).nullable(),
    pageUrl: pageUrlSchema,
    pageTitle: pageTitleSchema,
  }),
  // The card's actions (follow-ups, ownership, satisfaction visits): shared/api.ts checks their
  // arguments again against the API's own limits before they are sent.
  z.strictObject({
    op: z.literal('follow_up'),
    customerId: customerIdSchema,
    dueAt: z.iso.datetime({ offset: true }),
    note: z.string().max(messageLimits.maxNoteLength).nullable(),
  }),
  z.strictObject({ op: z.literal('complete_follow_up'), customerId: customerIdSchema, followUpId: z.guid() }),
  z.strictObject({ op: z.literal('claim'), customerId: customerIdSchema }),
  z.strictObject({
    op: z.literal('release'),
    customerId: customerIdSchema,
    reason: z.string().max(messageLimits.maxReasonLength).nullable(),
  }),
  z.strictObject({ op: z.literal('assign'), customerId: customerIdSchema, memberId: z.guid() }),
  z.strictObject({
    op: z.literal('visit'),
    customerId: customerIdSchema,
    score: z.number().int().min(0).max(10),
    scale: z.enum(satisfactionScales),
    comment: z.string().max(messageLimits.maxNoteLength).nullable(),
    channel: z.enum(satisfactionChannels),
  }),
]);

export { siteIds };

/** The language option: `auto` follows the browser. */
export const languages = ['auto', ...locales] as const;
export type Language = (typeof languages)[number];

/** An identifier seen on a page, already normalised where the page side can (see shared/identity.ts). */
export type Identifier = z.infer<typeof identifierSchema>;
export type WriteOp = z.infer<typeof writeOpSchema>;

// ---- what the overlay and the tagging dialog show ----

/** Why a computed field has its value: a code the UI translates and the numbers behind it. */
export interface Reason {
  code: string;
  values?: Record<string, number | string | null>;
}

export interface TagView {
  id: string;
  name: string;
  color: string | null;
  source: TagSource;
  /** Set while the tag is only in the local write queue. */
  pending?: boolean;
}

export interface NoteView {
  id: string;
  body: string;
  authorName: string | null;
  createdAt: string;
  pending?: boolean;
}

export interface StageChangeView {
  from: LifecycleStage | null;
  to: LifecycleStage;
  at: string;
  source: StageChangeSource;
}

/** Everything the overlay shows about one customer. */
export interface PortraitView {
  customerId: string;
  orgId: string;
  displayName: string;
  kind: CustomerKind;
  company: string | null;
  primaryEmail: string | null;
  primaryPhone: string | null;
  location: string | null;
  owner: string | null;
  /** The owner's user id; null: the customer is in the pool (公海). */
  ownerId?: string | null;
  /** The signed-in user's earliest open follow-up of this customer (my_follow_ups), if any. */
  followUp?: { id: string; dueAt: string; note: string | null; pending?: boolean } | null;
  stage: LifecycleStage;
  computedStage: LifecycleStage;
  stageOverride: LifecycleStage | null;
  stageReason: Reason | null;
  stageHistory: StageChangeView[];
  valueTier: ValueTier;
  rfmSegment: string | null;
  rfm: { r: number; f: number; m: number } | null;
  ticketBand: TicketBand | null;
  isPartner: boolean;
  isValid: boolean;
  orderCount: number;
  netSpend: number;
  aov: number | null;
  currency: string;
  lastOrderAt: string | null;
  /** The latest pending (open) orders, newest first, in their own currency; not counted in the numbers above. */
  openOrders?: Array<{ total: number; currency: string; at: string }>;
  /** How many pending orders there are in all (openOrders shows at most three). */
  openOrderCount?: number;
  /** Satisfaction visits: the latest score as given (on its scale's maximum) and the average on 0–100; null when never asked. */
  satisfaction?: { last: number; max: number; average: number; at: string } | null;
  /** When the customer returns to the pool (公海) unless someone follows up; null: unowned or no rule. */
  recycleAt?: string | null;
  tags: TagView[];
  segments: Array<{ id: string; name: string }>;
  notes: NoteView[];
  /** A link to the customer's row in Supabase Studio, for admins only. */
  studioUrl: string | null;
  /** When the engine last computed the profile. */
  computedAt: string | null;
}

/**
 * One answer per identifier the page asked about, naming it exactly as the page sent it. Invalid
 * identifiers, the user's own addresses and internal domains are left out; a signed-out lookup
 * answers with the session and no results.
 */
export interface LookupResult {
  identifier: Identifier;
  portrait: PortraitView | null;
}

export type SessionState =
  | { signedIn: false; reason: 'signed-out' | 'not-configured' }
  | { signedIn: true; email: string; orgId: string | null; orgName: string | null; role: MemberRole | null };

// ---- background → content scripts (tabs.sendMessage) ----

/** Sent to tabs when fresher data arrives or a queued write lands or fails. */
export interface PortraitUpdate {
  type: 'portrait/updated';
  results: LookupResult[];
}
export interface SessionChanged {
  type: 'portrait/session-changed';
  session: SessionState;
}
/** Sent to tabs when the user changes a setting the page reads (site switch, addresses, language). */
export interface SettingsChanged {
  type: 'portrait/settings-changed';
}
export type BackgroundPush = PortraitUpdate | SessionChanged | SettingsChanged;

// ---- answers more than one feature gives ----

export interface ErrorResponse {
  ok: false;
  error: 'invalid-message' | 'signed-out' | 'forbidden' | 'failed';
  message?: string;
}
export type PageErrorResponse = ErrorResponse;

export interface WriteResponse {
  ok: true;
  requestId: string;
  /** True while the write waits in the queue (offline, or retrying). */
  pending: boolean;
}

export interface TagSuggestionsResponse {
  ok: true;
  tags: Array<{ name: string; color: string | null }>;
}

export interface OrgSummary {
  id: string;
  name: string;
  role: MemberRole;
}

/** An open invitation to an organization, addressed to the signed-in user's email. */
export interface InvitationSummary {
  id: string;
  orgId: string;
  orgName: string;
  role: MemberRole;
  /** The inviting admin's name; null when the invitation was made in Studio. */
  invitedBy: string | null;
  expiresAt: string;
}

export interface SettingsView {
  /** The API in use, and whether it is the one the extension was built for. */
  apiUrl: string;
  anonKey: string;
  apiIsDefault: boolean;
  ownAddresses: string[];
  internalDomains: string[];
  language: Language;
  sites: Record<SiteId, boolean>;
  /** Origins of the WooCommerce shops the user added. */
  shopDomains: string[];
}

/** What a real call to a Supabase URL with a key found out. */
export interface ApiCheck {
  /** Auth answered `/auth/v1/settings` with this key. */
  auth: 'ok' | 'unreachable' | 'bad-key' | 'not-supabase';
  /** The `session-info` function answered for the signed-in user (null: not asked). */
  sessionInfo: { email: string | null; databaseReachable: boolean } | null;
  message: string | null;
}

export interface OkResponse {
  ok: true;
}

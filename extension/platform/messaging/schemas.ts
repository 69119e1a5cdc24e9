// The message shapes more than one feature uses, and the limits every message keeps. zod is heavy:
// only the background imports the schemas; other contexts use the types through `import type`.
// Each feature's own messages are in extension/features/<feature>/schemas.ts.
import { z } from 'zod';
import type { Identifier, LifecycleStage, SessionState, WriteOp } from './protocol.ts';

// Extension pages forbid eval; without this zod probes for it and trips the CSP.
z.config({ jitless: true });

/** Limits that keep one message from tying up the background or the API. */
export const messageLimits = {
  /** The whole message as JSON; checked before parsing. */
  maxMessageBytes: 64 * 1024,
  maxIdentifiersPerLookup: 50,
  maxIdentifierLength: 512,
  maxTagsPerWrite: 20,
  maxTagLength: 64,
  maxNoteLength: 10_000,
  maxUrlLength: 2048,
  maxTitleLength: 512,
  maxDisplayNameLength: 200,
  maxReasonLength: 500,
  maxPrefixLength: 64,
  maxEmailLength: 254,
  maxPasswordLength: 1024,
  maxListEntries: 200,
  /** A selection or a typed query in the tagging dialog; longer text is not someone's name or address. */
  maxSelectionLength: 2000,
} as const;

const lifecycleStages = [
  'prospect',
  'lead',
  'new',
  'active',
  'loyal',
  'at_risk',
  'churned',
  'reactivated',
] as const satisfies readonly LifecycleStage[];

export const identifierKinds = ['email', 'phone', 'shop_customer', 'shop_order', 'domain'] as const;

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
]);

export const siteIds = ['gmail', 'outlook', 'shopify', 'woocommerce'] as const;
export type SiteId = (typeof siteIds)[number];

export const languages = ['auto', 'en', 'zh-CN'] as const;
export type Language = (typeof languages)[number];

// The schemas must describe exactly the protocol's types: a change on either side fails the build.
export type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const identifierMirrorsProtocol: Same<z.infer<typeof identifierSchema>, Identifier> = true;
const writeOpMirrorsProtocol: Same<z.infer<typeof writeOpSchema>, WriteOp> = true;
void [identifierMirrorsProtocol, writeOpMirrorsProtocol];

// ---- answers more than one feature gives ----

export interface ErrorResponse {
  ok: false;
  error: 'invalid-message' | 'signed-out' | 'forbidden' | 'failed';
  message?: string;
}

export interface OrgSummary {
  id: string;
  name: string;
  role: 'admin' | 'rep' | 'staff';
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

export type { SessionState };

// Runtime validation of every message the background receives. zod is heavy: only the background
// imports this module; other contexts use the types through `import type`.
//
// Two families of messages:
// - page requests (lib/protocol.ts), sent by content scripts and by extension pages;
// - extension-page requests (popup, options), refused when they come from a content script.
import { z } from 'zod';
import { apiLimits, type StageOverview } from '../../shared/api.ts';
import type { Locale } from './i18n.ts';
import type {
  Identifier,
  LifecycleStage,
  PageRequest,
  SessionState,
  TaggerRequest,
  WriteOp,
} from './protocol.ts';

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

const customerIdSchema = z.guid();
const tagNameSchema = z.string().trim().min(1).max(messageLimits.maxTagLength);

/** An http(s) URL or nothing; anything else (javascript:, data:) is not provenance. */
const pageUrlSchema = z
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

const pageTitleSchema = z.string().max(messageLimits.maxTitleLength).nullable();

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

export const lookupRequestSchema = z.strictObject({
  type: z.literal('portrait/lookup'),
  identifiers: z.array(identifierSchema).max(messageLimits.maxIdentifiersPerLookup),
});
export const writeRequestSchema = z.strictObject({
  type: z.literal('portrait/write'),
  write: writeOpSchema,
});
export const tagSuggestionsRequestSchema = z.strictObject({
  type: z.literal('portrait/tags'),
  prefix: z.string().max(messageLimits.maxPrefixLength),
});
export const sessionRequestSchema = z.strictObject({ type: z.literal('portrait/session') });
/** protocol.ts `SettingsRequest`: the per-site switch, the addresses never to look up, the language. */
export const pageSettingsRequestSchema = z.strictObject({ type: z.literal('portrait/settings') });

export const pageRequestSchema = z.discriminatedUnion('type', [
  lookupRequestSchema,
  writeRequestSchema,
  tagSuggestionsRequestSchema,
  sessionRequestSchema,
  pageSettingsRequestSchema,
]);

// ---- the tagging dialog → background (protocol.ts `TaggerRequest`) ----

export const taggerOpenRequestSchema = z.strictObject({
  type: z.literal('tagger/open'),
  selection: z.string().max(messageLimits.maxSelectionLength),
});
export const taggerResolveRequestSchema = z.strictObject({
  type: z.literal('tagger/resolve'),
  text: z.string().max(messageLimits.maxSelectionLength),
});
export const taggerTagsRequestSchema = z.strictObject({
  type: z.literal('tagger/tags'),
  prefix: z.string().max(messageLimits.maxPrefixLength),
});
export const taggerSaveRequestSchema = z.strictObject({
  type: z.literal('tagger/save'),
  identifier: identifierSchema,
  tags: z.array(tagNameSchema).min(1).max(messageLimits.maxTagsPerWrite),
  displayName: z.string().trim().max(messageLimits.maxDisplayNameLength).nullable(),
  pageTitle: pageTitleSchema,
});
export const taggerCloseRequestSchema = z.strictObject({ type: z.literal('tagger/close') });

export const taggerRequestSchema = z.discriminatedUnion('type', [
  taggerOpenRequestSchema,
  taggerResolveRequestSchema,
  taggerTagsRequestSchema,
  taggerSaveRequestSchema,
  taggerCloseRequestSchema,
]);

// ---- extension pages (popup, options) → background ----

export const siteIds = ['gmail', 'outlook', 'shopify', 'woocommerce'] as const;
export type SiteId = (typeof siteIds)[number];

export const languages = ['auto', 'en', 'zh-CN'] as const;
export type Language = (typeof languages)[number];

const emailListSchema = z
  .array(z.string().max(messageLimits.maxEmailLength))
  .max(messageLimits.maxListEntries);
const domainListSchema = z.array(z.string().max(253)).max(messageLimits.maxListEntries);

export const statusRequestSchema = z.strictObject({ type: z.literal('portrait/status') });
export const popupStateRequestSchema = z.strictObject({ type: z.literal('popup/state') });
export const signInRequestSchema = z.strictObject({
  type: z.literal('account/sign-in'),
  email: z.string().trim().min(3).max(messageLimits.maxEmailLength),
  password: z.string().min(1).max(messageLimits.maxPasswordLength),
});
export const signOutRequestSchema = z.strictObject({ type: z.literal('account/sign-out') });
export const selectOrgRequestSchema = z.strictObject({
  type: z.literal('account/select-org'),
  orgId: z.guid(),
});
export const setSiteEnabledRequestSchema = z.strictObject({
  type: z.literal('settings/site'),
  site: z.enum(siteIds),
  enabled: z.boolean(),
});
/** Adds a WooCommerce shop domain (its host permission granted first) or removes one. */
export const shopDomainRequestSchema = z.strictObject({
  type: z.literal('settings/shop-domain'),
  action: z.enum(['add', 'remove']),
  domain: z.string().trim().min(1).max(messageLimits.maxUrlLength),
});
export const getSettingsRequestSchema = z.strictObject({ type: z.literal('settings/get') });
export const savePreferencesRequestSchema = z.strictObject({
  type: z.literal('settings/preferences'),
  ownAddresses: emailListSchema,
  internalDomains: domainListSchema,
  language: z.enum(languages),
});
const apiUrlSchema = z
  .string()
  .trim()
  .max(messageLimits.maxUrlLength)
  .refine((value) => {
    try {
      const url = new URL(value);
      return ['http:', 'https:'].includes(url.protocol) && !url.username && !url.password;
    } catch {
      return false;
    }
  }, 'Expected an http(s) URL');
const anonKeySchema = z.string().trim().min(20).max(4096);
export const saveApiRequestSchema = z.strictObject({
  type: z.literal('settings/save-api'),
  /** Null goes back to the API the extension was built for. */
  api: z.strictObject({ apiUrl: apiUrlSchema, anonKey: anonKeySchema }).nullable(),
});

/** The Overview page's figures for one organization over the UTC days from..to (`YYYY-MM-DD`). */
export const overviewRequestSchema = z
  .strictObject({
    type: z.literal('overview/data'),
    orgId: z.uuid(),
    from: z.iso.date(),
    to: z.iso.date(),
  })
  .refine((message) => message.from <= message.to, { message: 'from must be on or before to', path: ['from'] })
  .refine((message) => (Date.parse(message.to) - Date.parse(message.from)) / 86_400_000 <= apiLimits.overviewDays, {
    message: `from..to must span at most ${apiLimits.overviewDays} days`,
    path: ['from'],
  });

export const extensionPageRequestSchema = z.discriminatedUnion('type', [
  statusRequestSchema,
  popupStateRequestSchema,
  signInRequestSchema,
  signOutRequestSchema,
  selectOrgRequestSchema,
  setSiteEnabledRequestSchema,
  shopDomainRequestSchema,
  getSettingsRequestSchema,
  savePreferencesRequestSchema,
  saveApiRequestSchema,
  overviewRequestSchema,
]);

/** Everything the background accepts, before the sender decides what it may send. */
export const extensionMessageSchema = z.discriminatedUnion('type', [
  ...pageRequestSchema.options,
  ...extensionPageRequestSchema.options,
  ...taggerRequestSchema.options,
]);

export type PageSettingsRequest = z.infer<typeof pageSettingsRequestSchema>;
export type StatusRequest = z.infer<typeof statusRequestSchema>;
export type ExtensionPageRequest = z.infer<typeof extensionPageRequestSchema>;
export type ExtensionMessage = z.infer<typeof extensionMessageSchema>;
export type BackgroundRequest = ExtensionMessage;

// The schemas must describe exactly the protocol's types: a change on either side fails the build.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const identifierMirrorsProtocol: Same<z.infer<typeof identifierSchema>, Identifier> = true;
const writeOpMirrorsProtocol: Same<z.infer<typeof writeOpSchema>, WriteOp> = true;
const pageRequestMirrorsProtocol: Same<z.infer<typeof pageRequestSchema>, PageRequest> = true;
const taggerRequestMirrorsProtocol: Same<z.infer<typeof taggerRequestSchema>, TaggerRequest> = true;
void [identifierMirrorsProtocol, writeOpMirrorsProtocol, pageRequestMirrorsProtocol, taggerRequestMirrorsProtocol];

// ---- answers to extension pages ----

export interface ErrorResponse {
  ok: false;
  error: 'invalid-message' | 'signed-out' | 'forbidden' | 'failed';
  message?: string;
}

export interface StatusResponse {
  ok: true;
  apiUrl: string;
  reachable: boolean;
}

export interface OrgSummary {
  id: string;
  name: string;
  role: 'admin' | 'rep' | 'staff';
}

/** Everything the popup shows, in one answer. */
export interface PopupStateResponse {
  ok: true;
  session: SessionState;
  orgs: OrgSummary[];
  sites: Record<SiteId, boolean>;
  apiUrl: string;
  /** Writes waiting in the queue (offline, or retrying). */
  pendingWrites: number;
  /** Writes the API refused since the last sign-in; they are not retried. */
  failedWrites: number;
}

export interface SignInResponse extends Omit<PopupStateResponse, 'ok'> {
  ok: true;
}

export interface PageSettingsResponse {
  ok: true;
  /** Whether Portrait is switched on for the site of the asking tab. */
  enabled: boolean;
  ownAddresses: string[];
  internalDomains: string[];
  language: Language;
  locale: Locale;
  messages: Record<string, string> | null;
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

export interface SettingsResponse {
  ok: true;
  settings: SettingsView;
}

/** What a real call to a Supabase URL with a key found out. */
export interface ApiCheck {
  /** Auth answered `/auth/v1/settings` with this key. */
  auth: 'ok' | 'unreachable' | 'bad-key' | 'not-supabase';
  /** The `session-info` function answered for the signed-in user (null: not asked). */
  sessionInfo: { email: string | null; databaseReachable: boolean } | null;
  message: string | null;
}

export interface SaveApiResponse {
  ok: true;
  check: ApiCheck | null;
  settings: SettingsView;
  /** False when the check failed and nothing was saved. */
  saved: boolean;
}

/** The Overview page's figures (public.stage_overview, checked by the background). */
export interface OverviewResponse {
  ok: true;
  overview: StageOverview;
}

export interface OkResponse {
  ok: true;
}

export interface ResponseByType {
  'portrait/status': StatusResponse;
  'popup/state': PopupStateResponse;
  'account/sign-in': PopupStateResponse;
  'account/sign-out': PopupStateResponse;
  'account/select-org': PopupStateResponse;
  'settings/site': PopupStateResponse;
  'settings/get': SettingsResponse;
  'settings/shop-domain': SettingsResponse;
  'settings/preferences': SettingsResponse;
  'settings/save-api': SaveApiResponse;
  'portrait/settings': PageSettingsResponse;
  'overview/data': OverviewResponse;
}

// The contract between the page side (content scripts, overlay) and the background service
// worker. Types only: content scripts import it without pulling in zod. The background validates
// every incoming message against zod schemas that mirror these types (extension/platform/messaging/schemas.ts and each feature's schemas.ts).
import type { Locale } from '../i18n/i18n.ts';

/** An identifier seen on a page, already normalised where the page side can (see shared/identity.ts). */
export interface Identifier {
  kind: 'email' | 'phone' | 'shop_customer' | 'shop_order' | 'domain';
  value: string;
}

export type LifecycleStage = 'prospect' | 'lead' | 'new' | 'active' | 'loyal' | 'at_risk' | 'churned' | 'reactivated';
export type ValueTier = 'normal' | 'vip' | 'super';
export type TicketBand = 'high' | 'low';

/** Why a computed field has its value: a code the UI translates and the numbers behind it. */
export interface Reason {
  code: string;
  values?: Record<string, number | string | null>;
}

export interface TagView {
  id: string;
  name: string;
  color: string | null;
  source: 'manual' | 'rule' | 'import';
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
  source: 'computed' | 'manual';
}

/** Everything the overlay shows about one customer. */
export interface PortraitView {
  customerId: string;
  orgId: string;
  displayName: string;
  kind: 'person' | 'company';
  company: string | null;
  primaryEmail: string | null;
  primaryPhone: string | null;
  location: string | null;
  owner: string | null;
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
  | { signedIn: true; email: string; orgId: string | null; orgName: string | null; role: 'admin' | 'rep' | 'staff' | null };

// ---- content script → background ----

export interface LookupRequest {
  type: 'portrait/lookup';
  identifiers: Identifier[];
}
export interface LookupResponse {
  ok: true;
  session: SessionState;
  results: LookupResult[];
  /** When the answer came from the cache, its age; a fresh answer follows as a PortraitUpdate. */
  fetchedAt: string | null;
  stale: boolean;
}

export type WriteOp =
  | {
      op: 'tag';
      identifier: Identifier;
      tags: string[];
      pageUrl: string | null;
      pageTitle: string | null;
      /** Names the customer when the write creates them as a lead; a known customer keeps theirs. */
      displayName?: string | null;
    }
  | { op: 'untag'; customerId: string; tag: string }
  | { op: 'note'; customerId: string; body: string }
  | { op: 'stage'; customerId: string; stage: LifecycleStage | null; reason: string | null }
  | { op: 'lead'; identifier: Identifier; displayName: string | null; pageUrl: string | null; pageTitle: string | null };

export interface WriteRequest {
  type: 'portrait/write';
  write: WriteOp;
}
export interface WriteResponse {
  ok: true;
  requestId: string;
  /** True while the write waits in the queue (offline, or retrying). */
  pending: boolean;
}

export interface TagSuggestionsRequest {
  type: 'portrait/tags';
  prefix: string;
}
export interface TagSuggestionsResponse {
  ok: true;
  tags: Array<{ name: string; color: string | null }>;
}

export interface SessionRequest {
  type: 'portrait/session';
}
export interface SessionResponse {
  ok: true;
  session: SessionState;
}

/** What a content script needs to know about the user's settings for the site it runs on. */
export interface SettingsRequest {
  type: 'portrait/settings';
}
export type Language = 'auto' | 'en' | 'zh-CN';
export interface SettingsResponse {
  ok: true;
  /** Whether Portrait is switched on for the site of the asking tab. */
  enabled: boolean;
  /** Addresses and domains that are never looked up. */
  ownAddresses: string[];
  internalDomains: string[];
  language: Language;
  /** The UI language: the option, with `auto` resolved to the browser's language. */
  locale: Locale;
  /** The overlay's texts in `locale` when it is not English (content scripts bundle English only). */
  messages: Record<string, string> | null;
}

export type PageRequest = LookupRequest | WriteRequest | TagSuggestionsRequest | SessionRequest | SettingsRequest;

export interface PageResponseByType {
  'portrait/lookup': LookupResponse;
  'portrait/write': WriteResponse;
  'portrait/tags': TagSuggestionsResponse;
  'portrait/session': SessionResponse;
  'portrait/settings': SettingsResponse;
}

export interface PageErrorResponse {
  ok: false;
  error: 'invalid-message' | 'signed-out' | 'forbidden' | 'failed';
  message?: string;
}

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

// ---- tagging dialog (injected after a context-menu click or the shortcut) → background ----
// Accepted only from a frame the background injected the dialog into (see background/tagger.ts).

/** A customer the dialog can tag, in short. */
export interface TaggerCustomer {
  customerId: string;
  displayName: string;
  stage: LifecycleStage | null;
  email: string | null;
  phone: string | null;
  tags: string[];
}

/**
 * Someone the selection may mean: an identifier in its stored form (null when a customer found by
 * name has no email or phone to tag them by) and the customer it belongs to (null: not a customer
 * yet, or not known because the API could not be asked).
 */
export interface TaggerCandidate {
  identifier: Identifier | null;
  customer: TaggerCustomer | null;
}

export interface TaggerResolution {
  /** What was read: the selection, the link's address or what the user typed. */
  text: string;
  candidates: TaggerCandidate[];
  /** The name searched for when the text held no email or phone number. */
  searchedName: string | null;
  /** A name for a new lead, when the text carried one ("Li Wei" <li@example.com>). */
  suggestedName: string | null;
  /** The API could not be asked: who the identifiers belong to is not known. */
  offline: boolean;
}

export interface TaggerOpenRequest {
  type: 'tagger/open';
  /** The frame's selection when the dialog started (the shortcut has no other way to know it). */
  selection: string;
}
export interface TaggerOpenResponse {
  ok: true;
  session: SessionState;
  language: Language;
  /** The right-clicked mailto:/tel: link, if any: the dialog opens beside it. */
  linkUrl: string | null;
  /** Null when signed out or nothing was selected. */
  resolution: TaggerResolution | null;
}

export interface TaggerResolveRequest {
  type: 'tagger/resolve';
  text: string;
}
export interface TaggerResolveResponse {
  ok: true;
  resolution: TaggerResolution;
}

export interface TaggerTagsRequest {
  type: 'tagger/tags';
  prefix: string;
}

export interface TaggerSaveRequest {
  type: 'tagger/save';
  identifier: Identifier;
  tags: string[];
  /** The name of a lead the save creates. */
  displayName: string | null;
  pageTitle: string | null;
}

export interface TaggerCloseRequest {
  type: 'tagger/close';
}

export type TaggerRequest = TaggerOpenRequest | TaggerResolveRequest | TaggerTagsRequest | TaggerSaveRequest | TaggerCloseRequest;

export interface TaggerResponseByType {
  'tagger/open': TaggerOpenResponse;
  'tagger/resolve': TaggerResolveResponse;
  'tagger/tags': TagSuggestionsResponse;
  'tagger/save': WriteResponse;
  'tagger/close': { ok: true };
}

// The tagging dialog's messages, accepted only from a frame Portrait injected the dialog into
// (features/tagger/background/tagger.ts). The dialog uses the types only (`import type`).
import { z } from 'zod';
import {
  identifierSchema,
  messageLimits,
  pageTitleSchema,
  tagNameSchema,
  type Identifier,
  type Language,
  type LifecycleStage,
  type SessionState,
  type TagSuggestionsResponse,
  type WriteResponse,
} from '../../platform/messaging/schemas.ts';

export const taggerOpenRequestSchema = z.strictObject({
  type: z.literal('tagger/open'),
  /** The frame's selection when the dialog started (the shortcut has no other way to know it). */
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
  /** The name of a lead the save creates. */
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

export type TaggerOpenRequest = z.infer<typeof taggerOpenRequestSchema>;
export type TaggerResolveRequest = z.infer<typeof taggerResolveRequestSchema>;
export type TaggerTagsRequest = z.infer<typeof taggerTagsRequestSchema>;
export type TaggerSaveRequest = z.infer<typeof taggerSaveRequestSchema>;
export type TaggerCloseRequest = z.infer<typeof taggerCloseRequestSchema>;
export type TaggerRequest = z.infer<typeof taggerRequestSchema>;

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

export interface TaggerOpenResponse {
  ok: true;
  session: SessionState;
  language: Language;
  /** The right-clicked mailto:/tel: link, if any: the dialog opens beside it. */
  linkUrl: string | null;
  /** Null when signed out or nothing was selected. */
  resolution: TaggerResolution | null;
}

export interface TaggerResolveResponse {
  ok: true;
  resolution: TaggerResolution;
}

export interface TaggerResponseByType {
  'tagger/open': TaggerOpenResponse;
  'tagger/resolve': TaggerResolveResponse;
  'tagger/tags': TagSuggestionsResponse;
  'tagger/save': WriteResponse;
  'tagger/close': { ok: true };
}

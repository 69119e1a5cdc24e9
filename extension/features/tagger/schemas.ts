// The tagging dialog's messages, accepted only from a frame Portrait injected the dialog into
// (features/tagger/background/tagger.ts). The dialog uses the types only (platform/messaging/protocol.ts).
import { z } from 'zod';
import type { TaggerRequest } from '../../platform/messaging/protocol.ts';
import {
  identifierSchema,
  messageLimits,
  pageTitleSchema,
  tagNameSchema,
  type Same,
} from '../../platform/messaging/schemas.ts';

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

const taggerRequestMirrorsProtocol: Same<z.infer<typeof taggerRequestSchema>, TaggerRequest> = true;
void taggerRequestMirrorsProtocol;

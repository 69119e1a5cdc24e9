// The overlay's messages (the page protocol): content scripts on supported sites and Portrait's own
// pages send them. Content scripts use the types only (platform/messaging/protocol.ts).
import { z } from 'zod';
import type { Locale } from '../../platform/i18n/i18n.ts';
import type { PageRequest } from '../../platform/messaging/protocol.ts';
import {
  identifierSchema,
  messageLimits,
  writeOpSchema,
  type Language,
  type Same,
} from '../../platform/messaging/schemas.ts';

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

const pageRequestMirrorsProtocol: Same<z.infer<typeof pageRequestSchema>, PageRequest> = true;
void pageRequestMirrorsProtocol;

export type PageSettingsRequest = z.infer<typeof pageSettingsRequestSchema>;

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

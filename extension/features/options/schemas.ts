// The options page's messages: the settings, the WooCommerce shop domains and the Supabase project.
import { z } from 'zod';
import { languages, messageLimits, type ApiCheck, type SettingsView } from '../../platform/messaging/schemas.ts';

const emailListSchema = z
  .array(z.string().max(messageLimits.maxEmailLength))
  .max(messageLimits.maxListEntries);
const domainListSchema = z.array(z.string().max(253)).max(messageLimits.maxListEntries);

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


export interface SettingsResponse {
  ok: true;
  settings: SettingsView;
}

export interface SaveApiResponse {
  ok: true;
  check: ApiCheck | null;
  settings: SettingsView;
  /** False when the check failed and nothing was saved. */
  saved: boolean;
}

export interface OptionsResponses {
  'settings/get': SettingsResponse;
  'settings/shop-domain': SettingsResponse;
  'settings/preferences': SettingsResponse;
  'settings/save-api': SaveApiResponse;
}

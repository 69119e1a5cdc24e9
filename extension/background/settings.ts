// The user's settings, kept by the background in `storage.local`. Extension pages change them
// through messages; content scripts learn what concerns them through `portrait/settings`.
import { z } from 'zod';
import { normalizeDomain, normalizeEmail } from '../../shared/identity.ts';
import { languages, type Language, type SettingsView } from '../platform/messaging/schemas.ts';
import { siteIds, type SiteId } from '../sites/common/supported.ts';
import { defineStorageItem } from '../platform/storage/item.ts';
import type { KeyValueArea } from '../platform/storage/storage.ts';

export interface ApiConfig {
  apiUrl: string;
  anonKey: string;
}

export interface Settings {
  /** A Supabase project chosen on the options page; null means the one the extension was built for. */
  api: ApiConfig | null;
  ownAddresses: string[];
  internalDomains: string[];
  language: Language;
  sites: Record<SiteId, boolean>;
  /** Origins (`https://shop.example.com`) of the WooCommerce shops the user added. */
  shopDomains: string[];
}

/**
 * The settings as stored: any field may be missing (a build that did not know it, or a setting never
 * changed) and takes its default when read; a site missing from `sites` is on.
 */
const storedSettingsSchema = z
  .object({
    api: z.object({ apiUrl: z.string(), anonKey: z.string() }).nullable(),
    ownAddresses: z.array(z.string()),
    internalDomains: z.array(z.string()),
    language: z.enum(languages),
    sites: z.partialRecord(z.enum(siteIds), z.boolean()),
    shopDomains: z.array(z.string()),
  })
  .partial();

export const settingsItem = defineStorageItem<z.infer<typeof storedSettingsSchema>>('local:portrait:settings', {
  schema: storedSettingsSchema,
  fallback: {},
  unreadable: 'set-aside',
});

export const defaultSettings: Settings = {
  api: null,
  ownAddresses: [],
  internalDomains: [],
  language: 'auto',
  sites: Object.fromEntries(siteIds.map((id) => [id, true])) as Record<SiteId, boolean>,
  shopDomains: [],
};

export class InvalidSettingError extends Error {
  constructor(
    readonly field: 'ownAddresses' | 'internalDomains',
    readonly value: string,
  ) {
    super(
      field === 'ownAddresses'
        ? `"${value}" is not an email address`
        : `"${value}" is not a domain name`,
    );
    this.name = 'InvalidSettingError';
  }
}

export function withoutTrailingSlash(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

/** Normalised, deduplicated entries; blank lines are dropped, anything else invalid is refused. */
function normalizeList(
  values: readonly string[],
  field: InvalidSettingError['field'],
  normalize: (value: string) => string | null,
): string[] {
  const out: string[] = [];
  for (const raw of values) {
    if (raw.trim() === '') continue;
    // A domain may be written as `@lotus.test`, the way it appears in addresses.
    const value = normalize(field === 'internalDomains' ? raw.trim().replace(/^@/, '') : raw);
    if (value === null) throw new InvalidSettingError(field, raw.trim());
    if (!out.includes(value)) out.push(value);
  }
  return out;
}

export function normalizeOwnAddresses(values: readonly string[]): string[] {
  return normalizeList(values, 'ownAddresses', normalizeEmail);
}

export function normalizeInternalDomains(values: readonly string[]): string[] {
  return normalizeList(values, 'internalDomains', normalizeDomain);
}

export interface SettingsStore {
  load(): Promise<Settings>;
  /** The settings once loaded (defaults before): for checks that cannot wait, such as a sender's. */
  loaded(): Settings;
  update(change: (current: Settings) => Settings): Promise<Settings>;
  /** The API in use: the chosen one, or the build's. */
  api(): Promise<ApiConfig>;
  /** The API the extension was built for. */
  readonly buildApi: ApiConfig;
  view(): Promise<SettingsView>;
}

export function createSettingsStore(area: KeyValueArea, buildApi: ApiConfig): SettingsStore {
  const stored = settingsItem.in(area);
  let cached: Settings | undefined;
  // Updates run one after another so that two quick changes (two switches) do not lose one.
  let queue: Promise<unknown> = Promise.resolve();

  async function load(): Promise<Settings> {
    if (cached) return cached;
    const value = await stored.getValue();
    cached = {
      ...defaultSettings,
      ...value,
      sites: { ...defaultSettings.sites, ...value.sites },
    };
    return cached;
  }

  async function api(): Promise<ApiConfig> {
    return (await load()).api ?? buildApi;
  }

  return {
    load,
    loaded: () => cached ?? defaultSettings,
    api,
    buildApi,
    update(change) {
      const next = queue.then(async () => {
        const updated = change(await load());
        await stored.setValue(updated);
        cached = updated;
        return updated;
      });
      queue = next.catch(() => undefined);
      return next;
    },
    async view() {
      const settings = await load();
      const current = settings.api ?? buildApi;
      return {
        apiUrl: current.apiUrl,
        anonKey: current.anonKey,
        apiIsDefault: settings.api === null,
        ownAddresses: settings.ownAddresses,
        internalDomains: settings.internalDomains,
        language: settings.language,
        sites: settings.sites,
        shopDomains: settings.shopDomains,
      };
    },
  };
}

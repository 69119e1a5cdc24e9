// Where the user left the overlay on each site (features/overlay/placement.ts), in `storage.local`.
// Versioned: a stored value of another version, or one that does not parse, is read as "nothing
// stored" and the site's default applies.
import { z } from 'zod';
import type { KeyValueArea } from './storage.ts';

export const placementsKey = 'portrait:overlay-placements';
export const PLACEMENTS_VERSION = 1;

export const placementSchema = z.strictObject({
  side: z.enum(['left', 'right']),
  x: z.number().int().min(0).max(100_000),
  edge: z.enum(['top', 'bottom']),
  y: z.number().int().min(0).max(100_000),
  docked: z.boolean(),
});
export type StoredPlacement = z.infer<typeof placementSchema>;

const storedSchema = z.strictObject({
  version: z.literal(PLACEMENTS_VERSION),
  sites: z.record(z.string().max(64), placementSchema),
});

export interface PlacementStore {
  get(siteId: string): Promise<StoredPlacement | null>;
  set(siteId: string, placement: StoredPlacement): Promise<void>;
}

export function createPlacementStore(area: KeyValueArea): PlacementStore {
  async function read(): Promise<Record<string, StoredPlacement>> {
    const parsed = storedSchema.safeParse(await area.get(placementsKey));
    return parsed.success ? parsed.data.sites : {};
  }
  return {
    async get(siteId) {
      const sites = await read();
      return Object.hasOwn(sites, siteId) ? sites[siteId]! : null;
    },
    async set(siteId, placement) {
      const sites = await read();
      await area.set(placementsKey, { version: PLACEMENTS_VERSION, sites: { ...sites, [siteId]: placementSchema.parse(placement) } });
    },
  };
}

import { describe, expect, it } from 'vitest';
import { cacheStorageKey, createPortraitCache } from '../../../extension/background/portrait-cache.ts';
import { memoryArea } from '../../../extension/platform/storage/storage.ts';
import type { Identifier } from '../../../extension/platform/messaging/schemas.ts';
import { manualClock, orgA, orgB, portraitFor } from './fakes.ts';

const email = (value: string): Identifier => ({ kind: 'email', value });
const li = email('li.wei@example.com');

describe('portrait cache', () => {
  it('is fresh for a while, then stale, then gone', async () => {
    const clock = manualClock();
    const cache = createPortraitCache({ clock, freshMs: 60_000, maxAgeMs: 3_600_000 });
    cache.set(orgA, li, portraitFor(li));

    expect(cache.get(orgA, li)?.fresh).toBe(true);
    await clock.advance(60_001);
    expect(cache.get(orgA, li)).toMatchObject({ fresh: false, entry: { portrait: { displayName: li.value } } });
    await clock.advance(3_600_000);
    expect(cache.get(orgA, li)).toBeUndefined();
  });

  it('keeps organizations apart and remembers "not a customer" too', () => {
    const cache = createPortraitCache({ clock: manualClock() });
    cache.set(orgA, li, null);
    expect(cache.get(orgA, li)?.entry.portrait).toBeNull();
    expect(cache.get(orgB, li)).toBeUndefined();
  });

  it('drops the least recently used entries beyond its size', () => {
    const cache = createPortraitCache({ clock: manualClock(), maxEntries: 2 });
    cache.set(orgA, email('a@example.com'), null);
    cache.set(orgA, email('b@example.com'), null);
    cache.get(orgA, email('a@example.com'));
    cache.set(orgA, email('c@example.com'), null);
    expect(cache.get(orgA, email('b@example.com'))).toBeUndefined();
    expect(cache.get(orgA, email('a@example.com'))).toBeDefined();
    expect(cache.size()).toBe(2);
  });

  it('finds the identifiers a customer was looked up by', () => {
    const cache = createPortraitCache({ clock: manualClock() });
    const portrait = portraitFor(li);
    cache.set(orgA, li, portrait);
    cache.set(orgA, { kind: 'phone', value: '+8613800138000' }, portrait);
    cache.set(orgA, email('other@example.com'), null);
    expect(cache.identifiersOf(orgA, portrait.customerId)).toEqual([li, { kind: 'phone', value: '+8613800138000' }]);
  });

  it('is stored for the next service worker, and forgotten when cleared', async () => {
    const clock = manualClock();
    const area = memoryArea();
    const first = createPortraitCache({ clock, area, persistDelayMs: 100 });
    first.set(orgA, li, portraitFor(li));
    await clock.advance(100);
    expect(area.data.has(cacheStorageKey)).toBe(true);

    const second = createPortraitCache({ clock, area });
    await second.restore();
    expect(second.get(orgA, li)?.entry.portrait?.customerId).toBe(portraitFor(li).customerId);

    second.clear();
    await clock.advance(0);
    expect(area.data.has(cacheStorageKey)).toBe(false);
  });

  it('keeps open orders across a restart, and drops an entry whose open orders are malformed', async () => {
    const clock = manualClock();
    const area = memoryArea();
    const openOrders = [{ total: 1240, currency: 'USD', at: '2025-11-21T12:00:00.000Z' }];
    const first = createPortraitCache({ clock, area, persistDelayMs: 100 });
    first.set(orgA, li, { ...portraitFor(li), openOrders, openOrderCount: 1 });
    await clock.advance(100);
    const second = createPortraitCache({ clock, area });
    await second.restore();
    expect(second.get(orgA, li)?.entry.portrait).toMatchObject({ openOrders, openOrderCount: 1 });

    const stored = area.data.get(cacheStorageKey) as Array<{ portrait: Record<string, unknown> }>;
    stored[0]!.portrait.openOrders = [{ total: '1240', currency: 'USD', at: '2025-11-21T12:00:00.000Z' }];
    const third = createPortraitCache({ clock, area });
    await third.restore();
    expect(third.get(orgA, li)).toBeUndefined();
  });
});

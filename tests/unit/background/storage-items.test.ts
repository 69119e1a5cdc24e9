// Storage items (extension/platform/storage/item.ts): a version and migrations run on read, values
// checked by their schema, and an unreadable value set aside or dropped with a log, never cast.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { defineStorageItem } from '../../../extension/platform/storage/item.ts';
import { memoryArea, storageArea } from '../../../extension/platform/storage/storage.ts';
import { createSettingsStore, settingsItem } from '../../../extension/background/settings.ts';
import { accountItem } from '../../../extension/background/session.ts';
import { createPortraitCache, portraitCacheItem } from '../../../extension/background/portrait-cache.ts';
import { manualClock, orgA, portraitFor } from './fakes.ts';

afterEach(() => {
  fakeBrowser.reset();
  vi.restoreAllMocks();
});

const buildApi = { apiUrl: 'http://127.0.0.1:54321', anonKey: 'anon-key-for-tests-0123456789' };

describe('a storage item', () => {
  // Version 1 stored a name; version 2 splits it; version 3 adds a colour.
  const item = defineStorageItem('local:test:person', {
    schema: z.object({ first: z.string(), last: z.string(), colour: z.string() }),
    fallback: { first: '', last: '', colour: 'none' },
    version: 3,
    migrations: {
      2: (v1) => {
        const [first = '', last = ''] = String(v1).split(' ');
        return { first, last };
      },
      3: (v2) => ({ ...(v2 as object), colour: 'blue' }),
    },
    unreadable: 'set-aside',
  });

  it('upgrades a value written after it was defined, through every version, on read', async () => {
    const area = storageArea(fakeBrowser.storage.local);
    await fakeBrowser.storage.local.set({ 'test:person': 'Li Wei' });

    expect(await item.in(area).getValue()).toEqual({ first: 'Li', last: 'Wei', colour: 'blue' });
    expect(await fakeBrowser.storage.local.get(null)).toEqual({
      'test:person': { first: 'Li', last: 'Wei', colour: 'blue' },
      'test:person$': { v: 3 },
    });
  });

  it('starts from the version recorded with the value', async () => {
    const area = memoryArea();
    await area.set('test:person', { first: 'Chen', last: 'Jie' });
    await area.set('test:person$', { v: 2 });
    expect(await item.in(area).getValue()).toEqual({ first: 'Chen', last: 'Jie', colour: 'blue' });
  });

  it('refuses to store a value that does not match, and writes nothing', async () => {
    const area = memoryArea();
    await expect(item.in(area).setValue({ first: 'Li' } as never)).rejects.toThrow(/does not match its shape/);
    expect(area.data.size).toBe(0);
  });

  it('sets aside a value whose migration fails, with the reason, and answers the fallback', async () => {
    const area = memoryArea();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await area.set('test:person', 42);
    await area.set('test:person$', { v: 2 });

    expect(await item.in(area).getValue()).toEqual({ first: '', last: '', colour: 'none' });
    expect(area.data.get('test:person#unreadable')).toMatchObject({ value: 42, version: 2, reason: expect.stringContaining('does not match') });
    expect(area.data.has('test:person')).toBe(false);
    expect(warn).toHaveBeenCalledOnce();
  });
});

describe('the background’s items', () => {
  it('are each declared once, in the area the background keeps them in', () => {
    expect([settingsItem.key, accountItem.key, portraitCacheItem.key]).toEqual([
      'local:portrait:settings',
      'local:portrait:account',
      'session:portrait:cache',
    ]);
  });

  it('keep settings that do not match aside, and the defaults apply', async () => {
    const area = memoryArea();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await area.set('portrait:settings', { language: 'fr', ownAddresses: ['me@lotus.test'] });

    const settings = await createSettingsStore(area, buildApi).load();

    expect(settings.language).toBe('auto');
    expect(settings.ownAddresses).toEqual([]);
    expect(area.data.get('portrait:settings#unreadable')).toMatchObject({ value: { language: 'fr', ownAddresses: ['me@lotus.test'] } });
    expect(warn).toHaveBeenCalledOnce();
  });

  it('read settings an older build stored without the newer fields', async () => {
    const area = memoryArea();
    await area.set('portrait:settings', { language: 'zh-CN', sites: { gmail: false } });
    const settings = await createSettingsStore(area, buildApi).load();
    expect(settings).toMatchObject({ language: 'zh-CN', shopDomains: [], sites: { gmail: false, outlook: true } });
  });

  it('drop an account that does not match (signed out), with a log', async () => {
    const area = memoryArea();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await area.set('portrait:account', { userId: 'u', email: 'rep@lotus.test' });
    expect(await accountItem.in(area).getValue()).toBeNull();
    expect([...area.data.keys()]).toEqual([]);
    expect(warn).toHaveBeenCalledOnce();
  });

  it('drop a portrait cache that does not match, and the cache starts empty', async () => {
    const area = memoryArea();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const li = { kind: 'email' as const, value: 'li.wei@example.com' };
    await area.set('portrait:cache', [{ orgId: orgA, identifier: li, portrait: portraitFor(li), fetchedAt: '2026-11-23T09:00:00Z' }]);

    const cache = createPortraitCache({ clock: manualClock(), area });
    await cache.restore();

    expect(cache.size()).toBe(0);
    expect(area.data.has('portrait:cache')).toBe(false);
    expect(warn).toHaveBeenCalledOnce();
  });

  it('drop a cached portrait that does not match when a lookup first uses it, and keep the others', async () => {
    const area = memoryArea();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const li = { kind: 'email' as const, value: 'li.wei@example.com' };
    const other = { kind: 'email' as const, value: 'other@example.com' };
    const otherId = '55555555-5555-4555-8555-555555555555';
    const { stage: _dropped, ...withoutStage } = portraitFor(li);
    const at = Date.UTC(2026, 10, 23, 9);
    await area.set('portrait:cache', [
      { orgId: orgA, identifier: li, portrait: withoutStage, fetchedAt: at },
      { orgId: orgA, identifier: other, portrait: portraitFor(other, { customerId: otherId }), fetchedAt: at },
    ]);

    const clock = manualClock();
    const cache = createPortraitCache({ clock, area, persistDelayMs: 10 });
    await cache.restore();
    // Restoring checks no portrait: each is checked when first used.
    expect(cache.size()).toBe(2);
    expect(warn).not.toHaveBeenCalled();

    expect(cache.get(orgA, other)?.entry.portrait?.customerId).toBe(otherId);
    expect(cache.get(orgA, li)).toBeUndefined();
    expect(cache.identifiersOf(orgA, portraitFor(li).customerId)).toEqual([]);
    expect(cache.size()).toBe(1);
    expect(warn).toHaveBeenCalledOnce();
    await clock.advance(10);
    expect((area.data.get('portrait:cache') as Array<{ identifier: unknown }>).map((entry) => entry.identifier)).toEqual([other]);
  });
});

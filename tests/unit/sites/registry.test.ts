// The meta-test: every adapter file in extension/sites/ is registered, has a content script for
// exactly its match patterns, fixture pages and a test; the background trusts the same pages.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { supportedSites } from '../../../extension/sites/common/supported.ts';
import { adapterFor, siteAdapters } from '../../../extension/sites/registry.ts';
import { fixturesDir, repoRoot } from './load-fixture.ts';

const sitesDir = join(repoRoot, 'extension/sites');
const adapterFiles = readdirSync(sitesDir)
  .filter((file) => file.endsWith('.ts') && file !== 'registry.ts' && !file.endsWith('.test.ts'))
  .map((file) => file.replace(/\.ts$/, ''));

describe('site adapter registry', () => {
  it('registers every adapter file in extension/sites/, once', () => {
    expect(adapterFiles.length).toBeGreaterThan(0);
    expect(siteAdapters.map((adapter) => adapter.id).sort()).toEqual([...adapterFiles].sort());
    expect(new Set(siteAdapters.map((adapter) => adapter.id)).size).toBe(siteAdapters.length);
  });

  describe.each(siteAdapters.map((adapter) => [adapter.id, adapter] as const))('%s', (id, adapter) => {
    it('has match patterns, a name, participants() and watchRoots()', () => {
      if (adapter.registration === 'runtime') {
        // Pages on hosts the user adds: the patterns of one host, its own origin only.
        expect(adapter.matches).toEqual([]);
        const patterns = adapter.matchesFor?.('https://shop.example.com') ?? [];
        expect(patterns.length).toBeGreaterThan(0);
        for (const pattern of patterns) expect(pattern).toMatch(/^https:\/\/shop\.example\.com\/[^*]*\*?[^*]*\/?\*?$/);
      } else {
        expect(adapter.matches.length).toBeGreaterThan(0);
      }
      for (const pattern of adapter.matches) expect(pattern).toMatch(/^https:\/\/[a-z0-9.-]+\/\*$/);
      expect(adapter.name).not.toBe('');
      expect(typeof adapter.participants).toBe('function');
      expect(typeof adapter.watchRoots).toBe('function');
    });

    it('has a content script registered for exactly its match patterns', async () => {
      const entry = join(repoRoot, `extension/entrypoints/${id}.content/index.ts`);
      expect(existsSync(entry), `${entry} exists`).toBe(true);
      const { default: definition } = (await import(`../../../extension/entrypoints/${id}.content/index.ts`)) as {
        default: { matches: string[]; cssInjectionMode?: string; registration?: string };
      };
      expect(definition.matches).toEqual([...adapter.matches]);
      expect(definition.registration ?? 'manifest').toBe(adapter.registration ?? 'manifest');
      expect(definition.cssInjectionMode).toBe('ui');
    });

    it('has fixture pages that say what they show, and a unit test', () => {
      const fixtures = readdirSync(fixturesDir).filter((file) => file.startsWith(`${id}-`) && file.endsWith('.html'));
      expect(fixtures.length).toBeGreaterThan(0);
      for (const fixture of fixtures) {
        const head = readFileSync(join(fixturesDir, fixture), 'utf8').slice(0, 400);
        expect(head, `${fixture} starts with a comment`).toMatch(/^<!doctype html>\s*<!--/i);
      }
      expect(existsSync(join(repoRoot, `tests/unit/sites/${id}.test.ts`))).toBe(true);
    });

    it('is a site whose content scripts the background answers', () => {
      const site = supportedSites.find((s) => s.id === id);
      expect(site, `extension/sites/supported.ts lists ${id}`).toBeDefined();
      expect([...(site?.matches ?? [])].sort()).toEqual([...adapter.matches].sort());
    });
  });

  it('finds the adapter for a page URL', () => {
    expect(adapterFor('https://mail.google.com/mail/u/0/#inbox')?.id).toBe('gmail');
    expect(adapterFor('https://outlook.office365.com/mail/inbox')?.id).toBe('outlook');
    expect(adapterFor('https://outlook.live.com/mail/0/')?.id).toBe('outlook');
    expect(adapterFor('https://mail.google.com.evil.example/')).toBeUndefined();
    expect(adapterFor('http://mail.google.com/')).toBeUndefined();
    expect(adapterFor('https://admin.shopify.com/store/northwind-outfitters/orders/5499000005')?.id).toBe('shopify');
    // Shop domains the user adds are matched by the background, not by this list.
    expect(adapterFor('https://shop.lotustea.example/wp-admin/post.php?post=1&action=edit')).toBeUndefined();
  });
});

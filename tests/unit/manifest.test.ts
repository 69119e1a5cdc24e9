// @vitest-environment node
// The permissions of the built manifests, Chrome (MV3) and Firefox (MV2): each is built with WXT
// into a temporary folder and compared with the list below. Portrait reads pages only where the
// user acts (the context menu and the shortcut grant activeTab) and on the mail sites its content
// scripts declare; no required permission reaches all sites.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { build } from 'wxt';
import { apiHostPermissions } from '../../extension/platform/api-hosts.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = await mkdtemp(path.join(tmpdir(), 'portrait-manifest-'));
afterAll(() => rm(work, { recursive: true, force: true }));

interface Manifest {
  manifest_version: number;
  permissions?: string[];
  host_permissions?: string[];
  optional_permissions?: string[];
  optional_host_permissions?: string[];
  commands?: Record<string, { suggested_key?: Record<string, string>; description?: string }>;
  action?: object;
  browser_action?: object;
  background?: { service_worker?: string; scripts?: string[] };
  content_scripts?: Array<{ matches: string[] }>;
  browser_specific_settings?: { gecko?: { id?: string; strict_min_version?: string } };
}

async function builtManifest(browser: 'chrome' | 'firefox', options: { mode?: string; apiUrl?: string } = {}): Promise<Manifest> {
  const outDir = path.join(work, `${browser}-${options.mode ?? 'production'}`);
  // The API URL a build uses comes from WXT_SUPABASE_URL, as `npm start` sets it (supabase/local/start.ts).
  const previous = process.env.WXT_SUPABASE_URL;
  if (options.apiUrl) process.env.WXT_SUPABASE_URL = options.apiUrl;
  else delete process.env.WXT_SUPABASE_URL;
  try {
    await build({ root, browser, outDir, mode: options.mode });
  } finally {
    if (previous === undefined) delete process.env.WXT_SUPABASE_URL;
    else process.env.WXT_SUPABASE_URL = previous;
  }
  const suffix = options.mode && options.mode !== 'production' ? `-${options.mode}` : '';
  const folder = browser === 'chrome' ? `chrome-mv3${suffix}` : `firefox-mv2${suffix}`;
  return JSON.parse(await readFile(path.join(outDir, folder, 'manifest.json'), 'utf8')) as Manifest;
}

/** A match pattern that reaches every site, or every site of a scheme. */
function isBroad(pattern: string): boolean {
  if (pattern === '<all_urls>') return true;
  const match = /^([^:]+):\/\/([^/]*)\//.exec(pattern);
  return !!match && (match[2] === '*' || match[2] === '' || match[1] === '*' && match[2]!.startsWith('*'));
}

const apiHosts = ['http://127.0.0.1:54321/*', 'http://localhost:54321/*', 'https://*.supabase.co/*'];
const apiPermissions = ['storage', 'alarms', 'contextMenus', 'activeTab', 'scripting'];
const tagCommand = { 'tag-customer': { suggested_key: { default: 'Alt+Shift+T' }, description: '__MSG_commandTagCustomer__' } };

describe('built manifest permissions', { timeout: 180_000 }, () => {
  it('Chrome MV3: exactly these, none of them broad', async () => {
    const manifest = await builtManifest('chrome');
    expect(manifest.manifest_version).toBe(3);
    expect({
      permissions: manifest.permissions,
      host_permissions: manifest.host_permissions,
      optional_permissions: manifest.optional_permissions,
      optional_host_permissions: manifest.optional_host_permissions,
      commands: manifest.commands,
    }).toEqual({
      permissions: apiPermissions,
      host_permissions: apiHosts,
      optional_permissions: undefined,
      // Asked for one origin at a time (a Supabase project on its own domain).
      optional_host_permissions: ['https://*/*'],
      commands: tagCommand,
    });
    expect([...manifest.permissions!, ...manifest.host_permissions!].filter(isBroad)).toEqual([]);
    expect(manifest.background?.service_worker).toBe('background.js');
    expect(manifest.action).toBeDefined();
  });

  it('Firefox MV2: the same features, hosts among the permissions, none of them broad', async () => {
    const manifest = await builtManifest('firefox');
    expect(manifest.manifest_version).toBe(2);
    expect({
      permissions: manifest.permissions,
      optional_permissions: manifest.optional_permissions,
      commands: manifest.commands,
      gecko: manifest.browser_specific_settings?.gecko,
    }).toEqual({
      // MV2 has no host_permissions key: origins are permissions.
      permissions: [...apiPermissions, ...apiHosts],
      optional_permissions: ['https://*/*'],
      commands: tagCommand,
      // scripting.executeScript exists in Firefox's MV2 from version 102.
      gecko: { id: 'portrait@portrait.dev', strict_min_version: '102.0' },
    });
    expect(manifest.permissions!.filter(isBroad)).toEqual([]);
    expect(manifest.host_permissions).toBeUndefined();
    expect(manifest.browser_action).toBeDefined();
    expect(manifest.background?.scripts).toEqual(['background.js']);
  });

  it('the demo build against another API port reaches that port, and no longer the default one', async () => {
    // `npm start -- --api-port 54400` builds the demo mode against http://127.0.0.1:54400.
    const manifest = await builtManifest('chrome', { mode: 'demo', apiUrl: 'http://127.0.0.1:54400' });
    expect(manifest.host_permissions).toEqual(['http://127.0.0.1:54400/*', 'http://localhost:54400/*', 'https://*.supabase.co/*']);
    // The demo pages are served by that API, on any port (match patterns of content scripts carry none).
    expect(manifest.content_scripts!.flatMap((script) => script.matches)).toContain('http://127.0.0.1/demo/gmail/*');
  });

  it('a build against a hosted project asks for hosted projects only', () => {
    expect(apiHostPermissions('https://abcdefgh.supabase.co')).toEqual(['https://*.supabase.co/*']);
    expect(apiHostPermissions('https://api.example.com/')).toEqual(['https://api.example.com/*', 'https://*.supabase.co/*']);
    expect(apiHostPermissions('http://localhost:8000')).toEqual(['http://127.0.0.1:8000/*', 'http://localhost:8000/*', 'https://*.supabase.co/*']);
  });

  it('knows a broad pattern when it sees one', () => {
    for (const pattern of ['<all_urls>', '*://*/*', 'https://*/*', 'http://*/*', '*://*.com/*', 'file:///*']) expect(isBroad(pattern), pattern).toBe(true);
    for (const pattern of ['https://*.supabase.co/*', 'http://127.0.0.1:54321/*', 'https://mail.google.com/*']) expect(isBroad(pattern), pattern).toBe(false);
  });
});

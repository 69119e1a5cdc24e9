// The API a build talks to unless told otherwise, and the host permissions an API URL needs. Free
// of `import.meta.env`, so that wxt.config.ts can import it to write the manifest's
// host_permissions for the API URL the build uses (see config.ts for the build-time settings).

/** The local stack's API (`npm start`, supabase/config.toml's api.port). */
export const localSupabaseUrl = 'http://127.0.0.1:54321';

/** Every hosted Supabase project. */
export const hostedSupabasePattern = 'https://*.supabase.co/*';

const loopbackNames = ['127.0.0.1', 'localhost'];

/** The host permission that lets the extension call an API at this URL's origin. */
export function hostPermissionFor(apiUrl: string): string {
  const url = new URL(apiUrl);
  return `${url.protocol}//${url.host}/*`;
}

/**
 * Whether one of these host permissions (match patterns, with or without a port) already covers
 * the URL's origin: then no permission has to be requested for it.
 */
export function isHostCovered(apiUrl: string, patterns: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    return false;
  }
  const scheme = url.protocol.slice(0, -1);
  return patterns.some((pattern) => {
    const parts = /^(\*|https?):\/\/(\*|(?:\*\.)?[^/:*]+)(?::(\d+|\*))?\//.exec(pattern);
    if (!parts) return pattern === '<all_urls>';
    const [, patternScheme, host, port] = parts;
    if (patternScheme === '*' ? !['http', 'https'].includes(scheme) : patternScheme !== scheme) return false;
    if (port !== undefined && port !== '*' && port !== (url.port || (scheme === 'https' ? '443' : '80'))) return false;
    if (host === '*') return true;
    if (host!.startsWith('*.')) return url.hostname === host!.slice(2) || url.hostname.endsWith(host!.slice(1));
    return url.hostname === host;
  });
}

/**
 * The manifest's host_permissions for a build against `apiUrl`: that API's origin (a local stack
 * under both loopback names, on its port) and hosted Supabase projects, which the options page
 * can switch to without asking for a permission.
 */
export function apiHostPermissions(apiUrl: string): string[] {
  const url = new URL(apiUrl);
  const port = url.port ? `:${url.port}` : '';
  const origins = loopbackNames.includes(url.hostname)
    ? loopbackNames.map((name) => `${url.protocol}//${name}${port}/*`)
    : [hostPermissionFor(apiUrl)];
  return [...origins.filter((origin) => !isHostCovered(origin.slice(0, -1), [hostedSupabasePattern])), hostedSupabasePattern];
}

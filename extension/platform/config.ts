// Build-time settings. `WXT_*` variables come from the environment or a `.env` file when building.
// The options page can replace the API with another Supabase project (see background/settings.ts).
const localSupabaseUrl = 'http://127.0.0.1:54321';

// The well-known anon key of Supabase's local development setup; it grants nothing beyond `anon`.
const localSupabaseAnonKey =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export const supabaseUrl = withoutTrailingSlash(
  import.meta.env.WXT_SUPABASE_URL || localSupabaseUrl,
);

export const supabaseAnonKey = import.meta.env.WXT_SUPABASE_ANON_KEY || localSupabaseAnonKey;

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

// Build-time settings. `WXT_*` variables come from the environment or a `.env` file when building.
// The options page can replace the API with another Supabase project (see background/settings.ts).
import { localSupabaseUrl } from './api-hosts.ts';

export { hostPermissionFor, isHostCovered } from './api-hosts.ts';

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

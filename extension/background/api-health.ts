// Real calls that tell whether a Supabase API answers: the popup's connection state, and the
// options page's check of a URL and key before they are saved.
import type { ApiCheck } from '../platform/messaging/schemas.ts';

const healthTimeoutMs = 3000;
const checkTimeoutMs = 8000;

/** Whether the API answers at all; used for the connection state, not for authentication. */
export async function isApiReachable(
  apiUrl: string,
  anonKey: string,
  fetchImpl: typeof fetch = fetch,
): Promise<boolean> {
  try {
    const response = await fetchImpl(`${apiUrl}/auth/v1/health`, {
      headers: { apikey: anonKey },
      signal: AbortSignal.timeout(healthTimeoutMs),
    });
    return response.ok;
  } catch {
    return false;
  }
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/**
 * Asks Supabase Auth for its settings with the key: only a Supabase project that accepts the key
 * answers 200 with them. When a user access token is given, the `session-info` edge function is
 * asked as well, which also shows that the database answers.
 */
export async function checkApi(
  apiUrl: string,
  anonKey: string,
  options: { accessToken?: string | null; fetch?: typeof fetch } = {},
): Promise<ApiCheck> {
  const fetchImpl = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await fetchImpl(`${apiUrl}/auth/v1/settings`, {
      headers: { apikey: anonKey },
      signal: AbortSignal.timeout(checkTimeoutMs),
    });
  } catch (error) {
    return { auth: 'unreachable', sessionInfo: null, message: error instanceof Error ? error.message : String(error) };
  }
  if (response.status === 401 || response.status === 403) {
    return { auth: 'bad-key', sessionInfo: null, message: `The API refused the key (HTTP ${response.status})` };
  }
  const body = await readJson(response);
  if (!response.ok || !body || typeof body !== 'object' || !('external' in body)) {
    return { auth: 'not-supabase', sessionInfo: null, message: `No Supabase Auth settings at this URL (HTTP ${response.status})` };
  }
  if (!options.accessToken) return { auth: 'ok', sessionInfo: null, message: null };

  try {
    const info = await fetchImpl(`${apiUrl}/functions/v1/session-info`, {
      method: 'POST',
      headers: { apikey: anonKey, authorization: `Bearer ${options.accessToken}`, 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(checkTimeoutMs),
    });
    const data = (await readJson(info)) as {
      user?: { email?: string | null } | null;
      database?: { reachable?: boolean };
    } | null;
    if (!info.ok || !data) {
      return { auth: 'ok', sessionInfo: null, message: `The session-info function answered HTTP ${info.status}` };
    }
    return {
      auth: 'ok',
      sessionInfo: { email: data.user?.email ?? null, databaseReachable: data.database?.reachable === true },
      message: null,
    };
  } catch (error) {
    return { auth: 'ok', sessionInfo: null, message: `The session-info function did not answer: ${error instanceof Error ? error.message : String(error)}` };
  }
}

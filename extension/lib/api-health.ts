// Whether the Supabase API answers at all; used for the connection state, not for authentication.
const healthTimeoutMs = 3000;

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

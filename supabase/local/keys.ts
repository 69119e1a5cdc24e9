// The local stack's JWT secret and API keys: the ones every Supabase local development setup
// uses, so that tools and habits carry over. They protect nothing and must never be used for a
// real project.
import { SignJWT, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';

export const LOCAL_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';

export const LOCAL_ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';

export const LOCAL_SERVICE_ROLE_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU';

export interface Claims extends JWTPayload {
  role: string;
  sub?: string;
  email?: string;
  session_id?: string;
  aud?: string;
}

export type VerifyResult =
  | { ok: true; claims: Claims }
  | { ok: false; reason: 'expired' | 'invalid'; message: string };

/** How many verified tokens JwtKeys remembers (a client sends the same token with every request). */
const VERIFIED_CACHE_SIZE = 1000;

export class JwtKeys {
  private readonly key: Uint8Array;
  /** Tokens already verified, with their claims: only the expiry is checked again (as PostgREST's JWT cache). */
  private readonly verified = new Map<string, Claims>();

  constructor(readonly secret: string = LOCAL_JWT_SECRET) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(claims: Claims, expiresInSeconds: number): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(now)
      .setExpirationTime(now + expiresInSeconds)
      .sign(this.key);
  }

  async verify(token: string): Promise<VerifyResult> {
    const known = this.verified.get(token);
    if (known) {
      if (typeof known.exp === 'number' && known.exp <= Math.floor(Date.now() / 1000)) {
        this.verified.delete(token);
        return { ok: false, reason: 'expired', message: 'JWT expired' };
      }
      return { ok: true, claims: known };
    }
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
      if (typeof payload.role !== 'string' || payload.role === '') {
        return { ok: false, reason: 'invalid', message: 'JWT has no role claim' };
      }
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, payload as Claims);
      return { ok: true, claims: payload as Claims };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return { ok: false, reason: 'expired', message: 'JWT expired' };
      return { ok: false, reason: 'invalid', message: (error as Error).message || 'Invalid JWT' };
    }
  }
}

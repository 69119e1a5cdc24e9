// Reads the values the local stack shares with the Supabase CLI from supabase/config.toml.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { supabaseDir } from './migrate.ts';

export interface LocalConfig {
  apiPort: number;
  dbPort: number;
  schemas: string[];
  jwtExpiry: number;
  refreshTokenReuseInterval: number;
  minimumPasswordLength: number;
  /** auth.enable_signup: whether new users may sign up (GoTrue's disable_signup, inverted). */
  enableSignup: boolean;
  /**
   * auth.rate_limit, in the Supabase CLI's keys: requests per 5 minutes per IP address.
   * sign_in_sign_ups counts /auth/v1/signup and password sign-ins, token_refresh the refresh grant.
   */
  rateLimit: { signInSignUps: number; tokenRefresh: number };
  verifyJwt: Record<string, boolean>;
}

export function readConfig(file = path.join(supabaseDir, 'config.toml')): LocalConfig {
  const toml = parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown> | undefined>;
  const api = toml.api ?? {};
  const db = toml.db ?? {};
  const auth = toml.auth ?? {};
  const rateLimit = (auth.rate_limit ?? {}) as Record<string, unknown>;
  const functions = (toml.functions ?? {}) as Record<string, { verify_jwt?: boolean }>;
  return {
    apiPort: Number(api.port ?? 54321),
    dbPort: Number(db.port ?? 54322),
    schemas: (api.schemas as string[] | undefined) ?? ['public'],
    jwtExpiry: Number(auth.jwt_expiry ?? 3600),
    refreshTokenReuseInterval: Number(auth.refresh_token_reuse_interval ?? 10),
    minimumPasswordLength: Number(auth.minimum_password_length ?? 6),
    enableSignup: auth.enable_signup !== false,
    // The Supabase CLI's defaults when the keys are absent.
    rateLimit: {
      signInSignUps: Number(rateLimit.sign_in_sign_ups ?? 30),
      tokenRefresh: Number(rateLimit.token_refresh ?? 150),
    },
    verifyJwt: Object.fromEntries(Object.entries(functions).map(([name, f]) => [name, f.verify_jwt ?? true])),
  };
}

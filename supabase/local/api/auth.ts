// The subset of Supabase Auth (GoTrue) that Portrait uses: email + password sign-up and sign-in,
// refresh with rotation and reuse detection, the current user and a password change, and sign-out.
// Tokens are HS256 JWTs with GoTrue's claims; passwords are hashed with bcrypt as GoTrue does.
// Bad input answers GoTrue's 400/422 errors, requests past config.toml's [auth.rate_limit] its 429,
// and an unexpected failure its 500 without the database's message.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import bcrypt from 'bcryptjs';
import type { Db, Queryable } from '../db.ts';
import type { JwtKeys } from '../keys.ts';
import { HttpError, bearerToken, headerValue, readBody, sendJson, sendText } from './http.ts';

export interface AuthOptions {
  db: Db;
  keys: JwtKeys;
  /** Public URL of the API, used as the token issuer. */
  apiUrl: string;
  /** Access token lifetime in seconds (config.toml auth.jwt_expiry). */
  jwtExpiry: number;
  /** Seconds during which a just-rotated refresh token may be used again (auth.refresh_token_reuse_interval). */
  refreshTokenReuseInterval: number;
  minimumPasswordLength: number;
  /** config.toml auth.enable_signup. */
  enableSignup: boolean;
  /** config.toml auth.rate_limit: requests per 5 minutes per IP address. */
  rateLimit: { signInSignUps: number; tokenRefresh: number };
  /** bcrypt cost; GoTrue uses 10. */
  bcryptCost?: number;
  /** Told about failures the client only sees as GoTrue's 500. */
  onError?: (error: unknown) => void;
}

/** bcrypt reads 72 bytes of a password and ignores the rest, so GoTrue refuses longer ones. */
export const MAX_PASSWORD_BYTES = 72;
/** GoTrue refuses longer email addresses (the column is varchar(255)). */
export const MAX_EMAIL_LENGTH = 255;
/** The window of config.toml's auth.rate_limit counts. */
export const RATE_LIMIT_WINDOW_MS = 5 * 60 * 1000;

const API_VERSION = '2024-01-01';
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface UserRow {
  id: string;
  aud: string;
  role: string;
  email: string;
  encrypted_password: string | null;
  email_confirmed_at: string | null;
  phone: string | null;
  confirmed_at: string | null;
  last_sign_in_at: string | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  created_at: string;
  updated_at: string;
  is_anonymous: boolean;
  banned_until: string | null;
}

const userColumns = `id, aud, role, email, encrypted_password, email_confirmed_at, phone, confirmed_at,
  last_sign_in_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_anonymous, banned_until`;

/** GoTrue answers in one of two error shapes, chosen by the client's X-Supabase-Api-Version. */
function authError(req: IncomingMessage, status: number, code: string, message: string, extra: Record<string, unknown> = {}): HttpError {
  const versioned = (headerValue(req, 'x-supabase-api-version') ?? '') >= API_VERSION;
  const body = versioned ? { code, message, ...extra } : { code: status, error_code: code, msg: message, ...extra };
  return new HttpError(status, body, versioned ? { 'x-supabase-api-version': API_VERSION } : {});
}

/** Body fields GoTrue decodes into strings and objects: another JSON type is a bad_json error there. */
const stringFields = ['email', 'password', 'phone', 'refresh_token', 'nonce', 'channel', 'code_challenge', 'code_challenge_method'];
const objectFields = ['data', 'gotrue_meta_security'];

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value && typeof value === 'object') return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item));
  return false;
}

function parseJson(req: IncomingMessage, raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw authError(req, 400, 'bad_json', `Could not parse request body as JSON: ${(error as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw authError(req, 400, 'bad_json', `Could not parse request body as JSON: expected a JSON object, got ${value === null ? 'null' : jsonType(value)}`);
  }
  const body = value as Record<string, unknown>;
  for (const field of stringFields) {
    if (body[field] != null && typeof body[field] !== 'string') {
      throw authError(req, 400, 'bad_json', `Could not parse request body as JSON: ${field} must be a string, not ${jsonType(body[field])}`);
    }
  }
  for (const field of objectFields) {
    if (body[field] != null && jsonType(body[field]) !== 'object') {
      throw authError(req, 400, 'bad_json', `Could not parse request body as JSON: ${field} must be an object, not ${jsonType(body[field])}`);
    }
  }
  // Postgres stores no NUL character in text or jsonb: refuse it here rather than fail there.
  if (containsNul(body)) throw authError(req, 400, 'validation_failed', 'Request body must not contain NUL characters');
  return body;
}

/** GoTrue's email check: present, at most 255 characters, one address. */
function validateEmail(req: IncomingMessage, email: string): string {
  if (email === '') throw authError(req, 400, 'validation_failed', 'An email address is required');
  if (email.length > MAX_EMAIL_LENGTH) throw authError(req, 400, 'validation_failed', 'An email address is too long');
  if (!emailPattern.test(email)) throw authError(req, 400, 'email_address_invalid', 'Unable to validate email address: invalid format');
  return email;
}

function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function userJson(user: UserRow) {
  return {
    id: user.id,
    aud: user.aud,
    role: user.role,
    email: user.email,
    email_confirmed_at: user.email_confirmed_at,
    phone: user.phone ?? '',
    confirmed_at: user.confirmed_at,
    last_sign_in_at: user.last_sign_in_at,
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    identities: [],
    created_at: user.created_at,
    updated_at: user.updated_at,
    is_anonymous: user.is_anonymous,
  };
}

export function createAuthHandler(options: AuthOptions) {
  const { db, keys } = options;
  const cost = options.bcryptCost ?? 10;

  async function issueSession(tx: Queryable, user: UserRow, sessionId: string, parent: string | null) {
    const refreshToken = randomBytes(16).toString('base64url');
    await tx.query(
      `insert into auth.refresh_tokens (token, user_id, revoked, created_at, updated_at, parent, session_id)
       values ($1, $2, false, now(), now(), $3, $4)`,
      [refreshToken, user.id, parent, sessionId],
    );
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await keys.sign(
      {
        iss: `${options.apiUrl}/auth/v1`,
        sub: user.id,
        aud: user.aud,
        email: user.email,
        phone: user.phone ?? '',
        app_metadata: user.raw_app_meta_data ?? {},
        user_metadata: user.raw_user_meta_data ?? {},
        role: user.role,
        aal: 'aal1',
        amr: [{ method: 'password', timestamp: now }],
        session_id: sessionId,
        is_anonymous: user.is_anonymous,
      },
      options.jwtExpiry,
    );
    return {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: options.jwtExpiry,
      expires_at: now + options.jwtExpiry,
      refresh_token: refreshToken,
      user: userJson(user),
    };
  }

  async function startSession(tx: Queryable, user: UserRow) {
    const sessionId = randomUUID();
    await tx.query(`insert into auth.sessions (id, user_id, created_at, updated_at, aal) values ($1, $2, now(), now(), 'aal1')`, [
      sessionId,
      user.id,
    ]);
    const [signedIn] = (
      await tx.query<UserRow>(`update auth.users set last_sign_in_at = now(), updated_at = now() where id = $1 returning ${userColumns}`, [
        user.id,
      ])
    ).rows;
    return issueSession(tx, signedIn!, sessionId, null);
  }

  /** GoTrue's checkPasswordStrength: at most 72 bytes (400), at least the configured length (422). */
  function checkPasswordStrength(req: IncomingMessage, password: string): void {
    if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
      throw authError(req, 400, 'validation_failed', `Password cannot be longer than ${MAX_PASSWORD_BYTES} characters`);
    }
    if ([...password].length < options.minimumPasswordLength) {
      throw authError(req, 422, 'weak_password', `Password should be at least ${options.minimumPasswordLength} characters.`, {
        weak_password: { reasons: ['length'] },
      });
    }
  }

  async function signup(req: IncomingMessage, body: Record<string, unknown>) {
    if (!options.enableSignup) throw authError(req, 422, 'signup_disabled', 'Signups not allowed for this instance');
    const password = asString(body.password);
    if (!body.email && !body.phone) throw authError(req, 400, 'validation_failed', 'To signup, please provide your email');
    if (body.phone && !body.email) throw authError(req, 422, 'phone_provider_disabled', 'Phone signups are disabled');
    const email = validateEmail(req, asString(body.email).trim().toLowerCase());
    checkPasswordStrength(req, password);
    const data = body.data ?? {};
    const hash = await bcrypt.hash(password, cost);
    return db.transaction(async (tx) => {
      const existing = await tx.query('select 1 from auth.users where email = $1 and is_sso_user = false', [email]);
      if (existing.rows.length > 0) throw authError(req, 422, 'user_already_exists', 'User already registered');
      const id = randomUUID();
      const [user] = (
        await tx.query<UserRow>(
          `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
             raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
           values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2, $3, now(),
             '{"provider":"email","providers":["email"]}', $4, now(), now())
           returning ${userColumns}`,
          [id, email, hash, JSON.stringify(data)],
        )
      ).rows;
      await tx.query(
        `insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
         values ($1, $2, $3, 'email', now(), now())`,
        [id, id, JSON.stringify({ sub: id, email, email_verified: true })],
      );
      return startSession(tx, user!);
    });
  }

  async function passwordGrant(req: IncomingMessage, body: Record<string, unknown>) {
    const email = asString(body.email).trim().toLowerCase();
    const password = asString(body.password);
    if (!email || !password) throw authError(req, 400, 'validation_failed', 'missing email or phone');
    if (email.length > MAX_EMAIL_LENGTH) throw authError(req, 400, 'validation_failed', 'An email address is too long');
    const [user] = (
      await db.query<UserRow>(`select ${userColumns} from auth.users where email = $1 and is_sso_user = false and deleted_at is null`, [
        email,
      ])
    ).rows;
    // Compare against a hash even when the user is unknown, so timing does not reveal which emails exist.
    const hash = user?.encrypted_password ?? '$2a$10$CwTycUXWue0Thq9StjUM0uJ8x1bDPSYJqQH1Z4ocRYa5xB6Ql3xBq';
    // bcrypt would compare only the first 72 bytes: a longer password never matches (as in GoTrue).
    const fits = Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES;
    const matches = (await bcrypt.compare(password, hash)) && fits;
    if (!user || !matches) throw authError(req, 400, 'invalid_credentials', 'Invalid login credentials');
    if (user.banned_until && Date.parse(user.banned_until) > Date.now()) throw authError(req, 400, 'user_banned', 'User is banned');
    return db.transaction((tx) => startSession(tx, user));
  }

  async function refreshGrant(req: IncomingMessage, body: Record<string, unknown>) {
    const token = asString(body.refresh_token);
    if (!token) throw authError(req, 400, 'validation_failed', 'Refresh Token is missing');
    const outcome = await db.transaction(async (tx) => {
      const [row] = (
        await tx.query<{ id: string; user_id: string; revoked: boolean; session_id: string; updated_at: string; age: number }>(
          `select id, user_id, revoked, session_id, updated_at, extract(epoch from now() - updated_at)::float8 as age
             from auth.refresh_tokens where token = $1 for update`,
          [token],
        )
      ).rows;
      if (!row || !row.session_id) {
        throw authError(req, 400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
      }
      const [user] = (await tx.query<UserRow>(`select ${userColumns} from auth.users where id = $1`, [row.user_id])).rows;
      if (!user) throw authError(req, 400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
      if (row.revoked) {
        if (row.age <= options.refreshTokenReuseInterval) {
          // A concurrent refresh within the reuse interval: hand out the newest token of the session.
          const [child] = (
            await tx.query<{ token: string }>(
              `select token from auth.refresh_tokens where session_id = $1 and revoked = false order by id desc limit 1`,
              [row.session_id],
            )
          ).rows;
          if (child) {
            await tx.query('update auth.refresh_tokens set revoked = true, updated_at = now() where token = $1', [child.token]);
            return { session: await issueSession(tx, user, row.session_id, child.token) };
          }
        }
        // Reuse of a rotated token: the session is treated as compromised and ended, with every
        // refresh token it has. The transaction commits this before the client hears the error, as
        // GoTrue's does: otherwise whoever holds the newest token would keep the session.
        await tx.query('delete from auth.sessions where id = $1', [row.session_id]);
        return { reused: true as const };
      }
      await tx.query('update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1', [row.id]);
      await tx.query('update auth.sessions set refreshed_at = now(), updated_at = now() where id = $1', [row.session_id]);
      return { session: await issueSession(tx, user, row.session_id, token) };
    });
    if (!('session' in outcome)) throw authError(req, 400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');
    return outcome.session;
  }

  /** PUT /user: the signed-in user changes their password or their user_metadata. */
  async function updateUser(req: IncomingMessage, body: Record<string, unknown>) {
    const { user, sessionId } = await requireUser(req);
    if (body.email != null && body.email !== '' && String(body.email).trim().toLowerCase() !== user.email) {
      throw authError(req, 422, 'validation_failed', 'Changing the email address is not supported by the local stack');
    }
    let hash: string | null = null;
    if (body.password != null) {
      const password = asString(body.password);
      checkPasswordStrength(req, password);
      if (user.encrypted_password && (await bcrypt.compare(password, user.encrypted_password))) {
        throw authError(req, 422, 'same_password', 'New password should be different from the old password.');
      }
      hash = await bcrypt.hash(password, cost);
    }
    return db.transaction(async (tx) => {
      if (hash) {
        await tx.query('update auth.users set encrypted_password = $2, updated_at = now() where id = $1', [user.id, hash]);
        // As GoTrue: a new password ends the user's other sessions.
        await tx.query('delete from auth.sessions where user_id = $1 and id is distinct from $2', [user.id, sessionId || null]);
      }
      if (body.data != null) {
        // GoTrue merges the keys given into user_metadata; a null value removes its key.
        await tx.query(
          `update auth.users
              set raw_user_meta_data = (coalesce(raw_user_meta_data, '{}') || $2::jsonb)
                    - array(select key from jsonb_each($2::jsonb) where value = 'null'::jsonb),
                  updated_at = now()
            where id = $1`,
          [user.id, JSON.stringify(body.data)],
        );
      }
      const [updated] = (await tx.query<UserRow>(`select ${userColumns} from auth.users where id = $1`, [user.id])).rows;
      return userJson(updated!);
    });
  }

  /** Verifies the bearer token of a user request and returns its user and session. */
  async function requireUser(req: IncomingMessage): Promise<{ user: UserRow; sessionId: string }> {
    const token = bearerToken(req);
    if (!token) throw authError(req, 401, 'no_authorization', 'This endpoint requires a valid Bearer token');
    const verified = await keys.verify(token);
    if (!verified.ok) {
      throw authError(req, 403, 'bad_jwt', `invalid JWT: unable to parse or verify signature, ${verified.message}`);
    }
    const { sub, session_id: sessionId } = verified.claims;
    if (!sub) throw authError(req, 403, 'bad_jwt', 'invalid claim: missing sub claim');
    const [user] = (await db.query<UserRow>(`select ${userColumns} from auth.users where id = $1`, [sub])).rows;
    if (!user) throw authError(req, 403, 'user_not_found', 'User from sub claim in JWT does not exist');
    if (sessionId) {
      const session = await db.query('select 1 from auth.sessions where id = $1', [sessionId]);
      if (session.rows.length === 0) {
        throw authError(req, 403, 'session_not_found', 'Session from session_id claim in JWT does not exist');
      }
    }
    return { user, sessionId: sessionId ?? '' };
  }

  const limiter = new RateLimiter(RATE_LIMIT_WINDOW_MS);
  /** GoTrue's per-IP limits: past them 429 until the window has passed. */
  function limit(req: IncomingMessage, bucket: 'sign_in_sign_ups' | 'token_refresh'): void {
    const max = bucket === 'sign_in_sign_ups' ? options.rateLimit.signInSignUps : options.rateLimit.tokenRefresh;
    if (!limiter.take(`${bucket} ${req.socket.remoteAddress ?? ''}`, max)) {
      throw authError(req, 429, 'over_request_rate_limit', 'Request rate limit reached');
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL, subpath: string): Promise<void> {
    const method = req.method ?? 'GET';
    const versionHeader: Record<string, string> =
      (headerValue(req, 'x-supabase-api-version') ?? '') >= API_VERSION ? { 'x-supabase-api-version': API_VERSION } : {};
    const route = `${method} ${subpath}`;
    switch (route) {
      case 'GET /health':
        return sendJson(res, 200, { version: 'portrait-local', name: 'GoTrue', description: 'Portrait local auth' });
      case 'GET /settings':
        return sendJson(res, 200, {
          external: { email: true, phone: false, anonymous_users: false },
          disable_signup: !options.enableSignup,
          mailer_autoconfirm: true,
          phone_autoconfirm: false,
          sms_provider: '',
          saml_enabled: false,
        });
      case 'POST /signup': {
        limit(req, 'sign_in_sign_ups');
        const body = parseJson(req, await readBody(req));
        return sendJson(res, 200, await signup(req, body), versionHeader);
      }
      case 'POST /token': {
        const grant = url.searchParams.get('grant_type');
        if (grant === 'password') limit(req, 'sign_in_sign_ups');
        else if (grant === 'refresh_token') limit(req, 'token_refresh');
        const body = parseJson(req, await readBody(req));
        if (grant === 'password') return sendJson(res, 200, await passwordGrant(req, body), versionHeader);
        if (grant === 'refresh_token') return sendJson(res, 200, await refreshGrant(req, body), versionHeader);
        throw authError(req, 400, 'validation_failed', 'unsupported_grant_type');
      }
      case 'GET /user': {
        const { user } = await requireUser(req);
        return sendJson(res, 200, userJson(user), versionHeader);
      }
      case 'PUT /user': {
        const body = parseJson(req, await readBody(req));
        return sendJson(res, 200, await updateUser(req, body), versionHeader);
      }
      case 'POST /logout': {
        const { user, sessionId } = await requireUser(req);
        const scope = url.searchParams.get('scope') ?? 'global';
        if (scope === 'global') await db.query('delete from auth.sessions where user_id = $1', [user.id]);
        else if (scope === 'local') await db.query('delete from auth.sessions where id = $1', [sessionId]);
        else if (scope === 'others') await db.query('delete from auth.sessions where user_id = $1 and id <> $2', [user.id, sessionId]);
        else throw authError(req, 400, 'validation_failed', 'Unsupported logout scope');
        return sendText(res, 204, '', versionHeader);
      }
      default:
        throw new HttpError(404, { code: 404, error_code: 'not_found', msg: `No route for ${method} /auth/v1${subpath}` });
    }
  }

  return async function handleAuth(req: IncomingMessage, res: ServerResponse, url: URL, subpath: string): Promise<void> {
    try {
      await route(req, res, url, subpath);
    } catch (error) {
      if (error instanceof HttpError) throw error;
      // Whatever the database said stays in the log: the client gets GoTrue's 500.
      options.onError?.(error);
      throw authError(req, 500, 'unexpected_failure', 'Unexpected failure, please check server logs for more information');
    }
  };
}

/** Counts requests per key in fixed windows (GoTrue counts per IP address over 5 minutes). */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request; false when `max` were already counted in the current window. */
  take(key: string, max: number): boolean {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      if (this.windows.size > 10_000) this.sweep(now);
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= max) return false;
    window.count += 1;
    return true;
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (now - window.start >= this.windowMs) this.windows.delete(key);
  }
}

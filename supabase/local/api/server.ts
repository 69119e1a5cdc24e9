// The local API on 127.0.0.1:54321: routes Supabase's URL layout to the handlers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Db } from '../db.ts';
import { serveDemo } from '../demo-pages.ts';
import type { JwtKeys } from '../keys.ts';
import { createAuthHandler } from './auth.ts';
import { createFunctionsHandler } from './functions.ts';
import { HttpError, corsHeaders, headerValue, sendJson, sendText } from './http.ts';
import { createRestHandler } from './rest.ts';

export interface ApiServerOptions {
  db: Db;
  keys: JwtKeys;
  apiKeys: { anon: string; serviceRole: string };
  publicUrl: () => string;
  schemas: string[];
  jwtExpiry: number;
  refreshTokenReuseInterval: number;
  minimumPasswordLength: number;
  enableSignup: boolean;
  rateLimit: { signInSignUps: number; tokenRefresh: number };
  functionsHostUrl: () => string | null;
  verifyJwt: (name: string) => boolean;
  bcryptCost?: number;
  /** Serve the demo pages under /demo/ (`npm start`). */
  demoPages?: boolean;
  onError?: (error: unknown) => void;
}

export function createApiServer(options: ApiServerOptions): Server {
  const auth = createAuthHandler({
    db: options.db,
    keys: options.keys,
    get apiUrl() {
      return options.publicUrl();
    },
    jwtExpiry: options.jwtExpiry,
    refreshTokenReuseInterval: options.refreshTokenReuseInterval,
    minimumPasswordLength: options.minimumPasswordLength,
    enableSignup: options.enableSignup,
    rateLimit: options.rateLimit,
    bcryptCost: options.bcryptCost,
    onError: (error) => options.onError?.(error),
  });
  const rest = createRestHandler({ db: options.db, keys: options.keys, schemas: options.schemas });
  const functions = createFunctionsHandler({ keys: options.keys, hostUrl: options.functionsHostUrl, verifyJwt: options.verifyJwt });

  /** The gateway in front of auth and rest wants a known API key, as Supabase's does. */
  async function requireApiKey(req: IncomingMessage, url: URL): Promise<void> {
    const apikey = headerValue(req, 'apikey') ?? url.searchParams.get('apikey');
    if (!apikey) throw new HttpError(401, { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' });
    if (apikey === options.apiKeys.anon || apikey === options.apiKeys.serviceRole) return;
    const verified = await options.keys.verify(apikey);
    if (!verified.ok || !['anon', 'service_role'].includes(verified.claims.role)) {
      throw new HttpError(401, { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' });
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'OPTIONS') return sendText(res, 204, '', corsHeaders);
    const path = url.pathname;

    let match: RegExpExecArray | null;
    if ((match = /^\/auth\/v1(\/.*)$/.exec(path))) {
      if (match[1] !== '/health') await requireApiKey(req, url);
      return auth(req, res, url, match[1]!.replace(/\/+$/, '') || '/');
    }
    if ((match = /^\/rest\/v1\/rpc\/([^/]+)\/?$/.exec(path))) {
      await requireApiKey(req, url);
      return rest(req, res, url, decodeURIComponent(match[1]!));
    }
    if (/^\/rest\/v1(\/.*)?$/.test(path)) {
      await requireApiKey(req, url);
      throw new HttpError(404, {
        code: 'PGRST125',
        details: null,
        hint: null,
        message: 'The local API serves /rest/v1/rpc/<function> only; tables are reached through functions',
      });
    }
    if ((match = /^\/functions\/v1\/([^/]+)(\/.*)?$/.exec(path))) {
      return functions(req, res, url, match[1]!, match[2] ?? '');
    }
    if (options.demoPages && (path === '/demo' || path.startsWith('/demo/'))) return serveDemo(req, res, path, options.publicUrl());
    if (path === '/' || path === '/health') return sendJson(res, 200, { name: 'portrait-local-api', ok: true });
    throw new HttpError(404, { message: 'no Route matched with those values' });
  }

  return createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return sendJson(res, error.status, error.body, error.headers);
      options.onError?.(error);
      sendJson(res, 500, { code: 'XX000', details: null, hint: null, message: (error as Error)?.message ?? 'Internal error' });
    });
  });
}

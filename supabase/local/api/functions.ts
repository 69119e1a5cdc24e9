// /functions/v1/<name> → the Deno process that serves supabase/functions, with verify_jwt
// honoured per function as the Supabase edge gateway does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JwtKeys } from '../keys.ts';
import { HttpError, bearerToken, corsHeaders, readBody } from './http.ts';

export interface FunctionsOptions {
  keys: JwtKeys;
  /** Base URL of the Deno functions host, e.g. http://127.0.0.1:54329 */
  hostUrl: () => string | null;
  verifyJwt: (name: string) => boolean;
  maxBodyBytes?: number;
}

const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'content-length']);

export function createFunctionsHandler(options: FunctionsOptions) {
  return async function handleFunction(req: IncomingMessage, res: ServerResponse, url: URL, name: string, rest: string): Promise<void> {
    if (!/^[a-z0-9][a-z0-9_-]*$/i.test(name)) throw new HttpError(404, { code: 'NOT_FOUND', message: 'Requested function was not found' });
    if (options.verifyJwt(name)) {
      const token = bearerToken(req);
      if (!token) throw new HttpError(401, { code: 401, message: 'Missing authorization header' });
      const verified = await options.keys.verify(token);
      if (!verified.ok) throw new HttpError(401, { code: 401, message: 'Invalid JWT' });
    }
    const base = options.hostUrl();
    if (!base) throw new HttpError(503, { code: 'BOOT_ERROR', message: 'The functions runtime is not running' });

    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) {
      if (hopByHop.has(key) || value === undefined) continue;
      headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const method = req.method ?? 'GET';
    const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req, options.maxBodyBytes);
    let upstream: Response;
    try {
      upstream = await fetch(`${base}/${name}${rest}${url.search}`, { method, headers, body: body ? new Uint8Array(body) : undefined, redirect: 'manual' });
    } catch (error) {
      throw new HttpError(502, { code: 'BOOT_ERROR', message: `Function ${name} could not be reached: ${(error as Error).message}` });
    }
    const out: Record<string, string> = { ...corsHeaders };
    upstream.headers.forEach((value, key) => {
      if (!hopByHop.has(key) && key !== 'content-encoding') out[key] = value;
    });
    const buffer = Buffer.from(await upstream.arrayBuffer());
    out['content-length'] = String(buffer.length);
    res.writeHead(upstream.status, out);
    res.end(buffer);
  };
}

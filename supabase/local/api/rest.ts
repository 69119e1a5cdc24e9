// The subset of PostgREST that Portrait uses: calling SQL functions at /rest/v1/rpc/<name>.
//
// As PostgREST does: the bearer token decides the role (anon when there is none), the role and
// the token's claims are set for the transaction, a JSON object becomes named arguments, the
// result comes back as JSON, and database errors become {code, message, details, hint} with
// PostgREST's HTTP status for their SQLSTATE.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db, Queryable } from '../db.ts';
import type { Claims, JwtKeys } from '../keys.ts';
import { HttpError, bearerToken, headerValue, readBody, sendText } from './http.ts';

export interface RestOptions {
  db: Db;
  keys: JwtKeys;
  /** Schemas exposed through the API (config.toml api.schemas). */
  schemas: string[];
  anonRole?: string;
}

interface FunctionArg {
  name: string;
  type: string;
  hasDefault: boolean;
}

interface SqlFunction {
  schema: string;
  name: string;
  args: FunctionArg[];
  returnsSet: boolean;
  returnsComposite: boolean;
  returnsVoid: boolean;
  /** A single unnamed json or jsonb argument: the whole body is passed to it. */
  singleJsonArg: string | null;
}

function pgrstError(status: number, code: string, message: string, details: string | null = null, hint: string | null = null): HttpError {
  return new HttpError(status, { code, details, hint, message });
}

/** PostgREST's mapping from SQLSTATE to HTTP status. */
export function httpStatusForSqlState(code: string, authenticated: boolean): number {
  if (code === '42501') return authenticated ? 403 : 401;
  if (/^PT\d{3}$/.test(code)) return Number(code.slice(2));
  const exact: Record<string, number> = {
    '23503': 409,
    '23505': 409,
    '25006': 405,
    '53400': 500,
    P0001: 400,
    '42883': 404,
    '42P01': 404,
    '42P17': 500,
  };
  if (code in exact) return exact[code]!;
  const prefixes: Array<[string, number]> = [
    ['08', 503],
    ['09', 500],
    ['0L', 403],
    ['0P', 403],
    ['25', 500],
    ['28', 403],
    ['2D', 500],
    ['38', 500],
    ['39', 500],
    ['3B', 500],
    ['40', 500],
    ['53', 503],
    ['54', 500],
    ['55', 500],
    ['57', 500],
    ['58', 500],
    ['F0', 500],
    ['HV', 500],
    ['P0', 500],
    ['XX', 500],
  ];
  for (const [prefix, status] of prefixes) if (code.startsWith(prefix)) return status;
  return 400;
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A string literal that reads the same whatever standard_conforming_strings says (as pg's escapeLiteral). */
function quoteLiteral(value: string): string {
  const quoted = `'${value.replaceAll("'", "''")}'`;
  return value.includes('\\') ? ` E${quoted.replaceAll('\\', '\\\\')}` : quoted;
}

/** Sets the role, the claims and the request for the transaction, from five SQL values (literals or parameters). */
const settingsSql = ([role, claims, method, path, headers]: string[]) =>
  `select set_config('role', ${role}, true), set_config('request.jwt.claims', ${claims}, true),
          set_config('request.method', ${method}, true), set_config('request.path', ${path}, true),
          set_config('request.headers', ${headers}, true)`;

const functionLookup = `
  select n.nspname as schema, p.proname as name, p.proretset as returns_set,
         p.prorettype = 'void'::regtype as returns_void,
         coalesce(t.typtype = 'c' or t.typrelid <> 0, false) or p.prorettype = 'record'::regtype as returns_composite,
         p.pronargdefaults as n_defaults,
         coalesce(p.proargnames, '{}') as arg_names,
         coalesce(p.proargmodes::text[], '{}') as arg_modes,
         array(select format_type(unnest, null) from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]))) as arg_types
    from pg_proc p
    join pg_namespace n on n.oid = p.pronamespace
    join pg_type t on t.oid = p.prorettype
   where n.nspname = $1 and p.proname = $2 and p.prokind = 'f'`;

interface LookupRow {
  schema: string;
  name: string;
  returns_set: boolean;
  returns_void: boolean;
  returns_composite: boolean;
  n_defaults: number;
  arg_names: string[];
  arg_modes: string[];
  arg_types: string[];
}

function toSqlFunction(row: LookupRow): SqlFunction {
  const inputs: FunctionArg[] = [];
  row.arg_types.forEach((type, i) => {
    const mode = row.arg_modes[i] ?? 'i';
    if (mode === 'o' || mode === 't') return;
    inputs.push({ name: row.arg_names[i] ?? '', type, hasDefault: false });
  });
  for (let i = inputs.length - row.n_defaults; i < inputs.length; i++) if (i >= 0) inputs[i]!.hasDefault = true;
  const singleJsonArg = inputs.length === 1 && inputs[0]!.name === '' && ['json', 'jsonb'].includes(inputs[0]!.type) ? inputs[0]!.type : null;
  return {
    schema: row.schema,
    name: row.name,
    args: inputs,
    returnsSet: row.returns_set,
    returnsComposite: row.returns_composite,
    returnsVoid: row.returns_void,
    singleJsonArg,
  };
}

/** Picks the overload whose named parameters cover the given keys and whose required ones are all given. */
function chooseOverload(candidates: SqlFunction[], keys: string[]): SqlFunction | null {
  const given = new Set(keys);
  const matches = candidates.filter(
    (fn) =>
      fn.singleJsonArg === null &&
      fn.args.every((a) => a.name !== '') &&
      keys.every((k) => fn.args.some((a) => a.name === k)) &&
      fn.args.every((a) => a.hasDefault || given.has(a.name)),
  );
  if (matches.length > 0) return matches.sort((a, b) => a.args.length - b.args.length)[0]!;
  return candidates.find((fn) => fn.singleJsonArg !== null) ?? null;
}

/** The call's SELECT; `body` is the SQL value of the request's JSON body (a parameter or a literal). */
function buildCall(fn: SqlFunction, keys: string[], body = '$1'): string {
  const target = `${quoteIdent(fn.schema)}.${quoteIdent(fn.name)}`;
  let args: string;
  let from: string;
  if (fn.singleJsonArg) {
    args = `${body}::${fn.singleJsonArg}`;
    from = '';
  } else {
    const used = fn.args.filter((a) => keys.includes(a.name));
    args = used.map((a) => `${quoteIdent(a.name)} := pgrst_body.${quoteIdent(a.name)}`).join(', ');
    const columns = used.map((a) => `${quoteIdent(a.name)} ${a.type}`).join(', ');
    from = used.length > 0 ? `from json_to_record(${body}::json) as pgrst_body(${columns})` : '';
  }
  if (fn.returnsVoid) return `select ${target}(${args}) ${from}`;
  if (fn.returnsSet) {
    const lateral = from ? `${from}, lateral ${target}(${args}) pgrst_call` : `from ${target}(${args}) pgrst_call`;
    return `select coalesce(json_agg(pgrst_call), '[]')::text as body ${lateral}`;
  }
  if (fn.returnsComposite) {
    const lateral = from ? `${from}, lateral ${target}(${args}) pgrst_call` : `from ${target}(${args}) pgrst_call`;
    return `select coalesce((json_agg(pgrst_call) -> 0)::text, 'null') as body ${lateral}`;
  }
  return `select coalesce(to_json(${target}(${args}))::text, 'null') as body ${from}`;
}

export function createRestHandler(options: RestOptions) {
  const { db, keys } = options;
  const anonRole = options.anonRole ?? 'anon';
  const cache = new Map<string, { at: number; fns: SqlFunction[] }>();
  const cacheMs = 2000;

  async function lookup(q: Queryable, schema: string, name: string, fresh: boolean): Promise<SqlFunction[]> {
    const key = `${schema}.${name}`;
    const hit = cache.get(key);
    if (!fresh && hit && Date.now() - hit.at < cacheMs) return hit.fns;
    const rows = (await q.query<LookupRow>(functionLookup, [schema, name])).rows;
    const fns = rows.map(toSqlFunction);
    if (fns.length > 0) cache.set(key, { at: Date.now(), fns });
    else cache.delete(key);
    return fns;
  }

  async function claimsFor(req: IncomingMessage): Promise<Claims> {
    const token = bearerToken(req);
    if (!token) return { role: anonRole };
    const verified = await keys.verify(token);
    if (!verified.ok) {
      const code = verified.reason === 'expired' ? 'PGRST303' : 'PGRST301';
      const error = pgrstError(401, code, verified.reason === 'expired' ? 'JWT expired' : verified.message);
      error.headers['www-authenticate'] = `Bearer error="invalid_token", error_description="${verified.reason === 'expired' ? 'JWT expired' : 'invalid JWT'}"`;
      throw error;
    }
    return verified.claims;
  }

  function schemaFor(req: IncomingMessage, method: string): string {
    const profile = headerValue(req, method === 'GET' ? 'accept-profile' : 'content-profile') ?? options.schemas[0]!;
    if (!options.schemas.includes(profile)) {
      throw pgrstError(406, 'PGRST106', `Invalid schema: ${profile}`, null, `Only the following schemas are exposed: ${options.schemas.join(', ')}`);
    }
    return profile;
  }

  return async function handleRpc(req: IncomingMessage, res: ServerResponse, url: URL, name: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (method !== 'POST' && method !== 'GET' && method !== 'HEAD') {
      throw pgrstError(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
    }
    const claims = await claimsFor(req);
    const schema = schemaFor(req, method);

    let payload: Record<string, unknown>;
    if (method === 'POST') {
      const raw = (await readBody(req)).toString('utf8');
      let parsed: unknown;
      try {
        parsed = raw.trim() === '' ? {} : JSON.parse(raw);
      } catch (error) {
        throw pgrstError(400, 'PGRST102', 'Empty or invalid json', (error as Error).message);
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw pgrstError(400, 'PGRST102', 'Empty or invalid json', 'The request body must be a JSON object of named arguments');
      }
      payload = parsed as Record<string, unknown>;
    } else {
      payload = Object.fromEntries(url.searchParams.entries());
    }
    const keysGiven = Object.keys(payload);

    const role = claims.role;
    const authenticated = role !== anonRole;
    const requestHeaders = JSON.stringify(
      Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'authorization' && k !== 'cookie')),
    );

    const run = async (fresh: boolean) => {
      const candidates = await lookup(db, schema, name, fresh);
      const fn = chooseOverload(candidates, keysGiven);
      if (!fn) {
        const list = keysGiven.join(', ');
        throw pgrstError(
          404,
          'PGRST202',
          `Could not find the function ${schema}.${name}(${list}) in the schema cache`,
          `Searched for the function ${schema}.${name} with parameters ${list || 'none'} or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
        );
      }
      const settings = [role, JSON.stringify(claims), method, `/rpc/${name}`, requestHeaders];
      const argument = fn.singleJsonArg || keysGiven.length > 0 ? JSON.stringify(payload) : null;
      if (!settings.some((value) => value.includes('\0'))) {
        // The settings and the call as one script: one round trip and one transaction. Every value
        // but the role is JSON (no NUL) or checked above; the function's name is one that exists.
        const call = buildCall(fn, keysGiven, argument === null ? 'null' : quoteLiteral(argument));
        const result = await db.script<{ body: string | null }>(`${settingsSql(settings.map(quoteLiteral))}; ${call}`);
        return { fn, body: result.rows[0]?.body ?? null };
      }
      // A value a literal cannot carry: sent as parameters, so that Postgres refuses it as before.
      return db.transaction(async (tx) => {
        await tx.query(settingsSql(['$1', '$2', '$3', '$4', '$5']), settings);
        const result = await tx.query<{ body: string | null }>(buildCall(fn, keysGiven), argument === null ? [] : [argument]);
        return { fn, body: result.rows[0]?.body ?? null };
      });
    };

    let outcome: { fn: SqlFunction; body: string | null };
    try {
      try {
        outcome = await run(false);
      } catch (error) {
        // A cached signature may be stale after a migration: look the function up again once.
        const code = (error as { code?: string }).code;
        if (code === '42883' || code === '42703') outcome = await run(true);
        else throw error;
      }
    } catch (error) {
      throw postgrestErrorFrom(error, authenticated) ?? error;
    }
    if (outcome.fn.returnsVoid) return sendText(res, 204, '');
    return sendText(res, 200, outcome.body ?? 'null', { 'content-type': 'application/json; charset=utf-8' });
  };
}

/** Converts an error thrown by the database driver into PostgREST's error body and status. */
export function postgrestErrorFrom(error: unknown, authenticated: boolean): HttpError | null {
  const e = error as { code?: unknown; message?: unknown; detail?: unknown; hint?: unknown };
  if (typeof e?.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code)) return null;
  return new HttpError(httpStatusForSqlState(e.code, authenticated), {
    code: e.code,
    details: typeof e.detail === 'string' ? e.detail : null,
    hint: typeof e.hint === 'string' ? e.hint : null,
    message: typeof e.message === 'string' ? e.message : 'Database error',
  });
}

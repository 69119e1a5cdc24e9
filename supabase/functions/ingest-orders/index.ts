// Shop order webhooks (Shopify and WooCommerce) → customer, identities and order, applied once.
//
//   POST /functions/v1/ingest-orders          the shop's webhook URL (verify_jwt = false: shops
//                                             sign their deliveries instead of sending a JWT)
//
// Every delivery is checked before anything is written: at most 1 MiB (413), a known and active
// shop connection for its shop domain and an HMAC-SHA256 signature over the raw body made with that
// connection's secret (401 otherwise, without saying which part failed). A verified delivery is
// applied by private.ingest_order in one transaction, deduplicated by its event key in
// inbound_events; the engine's triggers on orders update the customer's portrait in that same
// transaction, so the portrait is current when this answers 200.
import { json } from '../_shared/env.ts';
import { connect, sqlState, withRetry } from '../_shared/db.ts';
import {
  PayloadTooLarge,
  detectProvider,
  eventKey,
  isSupportedTopic,
  isWooPing,
  mapDelivery,
  parseJsonExact,
  readBodyLimited,
  shopDomainCandidates,
  signatureHeader,
  topicHeader,
  verifyHmacSha256,
  type Provider,
} from '../_shared/webhooks.ts';

const db = connect(10);

interface Connection {
  id: string;
  org_id: string;
  shop_domain: string;
  webhook_secret: string;
  is_active: boolean;
}

const unauthorized = () => json(401, { error: 'unauthorized', message: 'The webhook signature could not be verified' });

async function findConnection(provider: Provider, domains: string[]): Promise<Connection | null> {
  const sql = await db();
  const rows = await sql<Connection[]>`
    select id, org_id, shop_domain, webhook_secret, is_active
      from public.shop_connections
     where provider = ${provider}::public.shop_provider
       and shop_domain = any(${domains}::text[])
     order by array_position(${domains}::text[], shop_domain)
     limit 1`;
  return rows[0] ?? null;
}

async function recordFailure(connection: Connection, provider: Provider, key: string, topic: string, error: string) {
  const sql = await db();
  await sql`select private.record_inbound_failure(${connection.org_id}::uuid, ${connection.id}::uuid, ${provider}, ${key}, ${topic}, ${error})`.catch(
    (e) => console.error('ingest-orders: could not record a failed delivery', e),
  );
}

async function handle(request: Request): Promise<Response> {
  if (request.method !== 'POST') return json(405, { error: 'method_not_allowed', message: 'Webhooks are POST requests' }, { allow: 'POST' });

  let body: Uint8Array;
  try {
    body = await readBodyLimited(request);
  } catch (error) {
    if (error instanceof PayloadTooLarge) return json(413, { error: 'payload_too_large', message: error.message });
    throw error;
  }

  const headers = request.headers;
  // WooCommerce checks a new webhook's URL with an unsigned ping; it only needs a 200.
  if (isWooPing(headers, body)) return json(200, { status: 'ping' });

  const provider = detectProvider(headers);
  if (!provider) return unauthorized();
  const signature = signatureHeader(provider, headers);
  const topic = topicHeader(provider, headers)?.trim() ?? '';
  const domains = shopDomainCandidates(provider, headers);
  if (!signature || !topic || domains.length === 0) return unauthorized();

  const connection = await findConnection(provider, domains);
  if (!connection || !connection.is_active) return unauthorized();
  if (!(await verifyHmacSha256(connection.webhook_secret, body, signature))) return unauthorized();

  // Authentic from here on.
  if (!isSupportedTopic(provider, topic)) return json(200, { status: 'ignored', reason: `topic ${topic} is not used` });

  let payload: unknown;
  try {
    payload = parseJsonExact(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    const key = `${connection.shop_domain}:${topic}:unreadable:${headers.get('x-shopify-webhook-id') ?? headers.get('x-wc-webhook-delivery-id') ?? 'unknown'}`;
    await recordFailure(connection, provider, key.slice(0, 300), topic, 'the body is not JSON');
    return json(400, { error: 'invalid_json', message: 'The body is not JSON' });
  }
  const mapped = mapDelivery(provider, topic, payload);
  if (!mapped.ok) {
    const key = `${connection.shop_domain}:${topic}:invalid:${headers.get('x-shopify-webhook-id') ?? headers.get('x-wc-webhook-delivery-id') ?? 'unknown'}`;
    await recordFailure(connection, provider, key.slice(0, 300), topic, mapped.error);
    return json(422, { error: 'invalid_payload', message: mapped.error });
  }

  const key = eventKey(provider, headers, connection.shop_domain, topic, mapped);
  try {
    // One statement, one transaction: the delivery is recorded and applied together or not at all.
    const sql = await db();
    const result = await withRetry(async () => {
      const [row] = await sql<{ result: Record<string, unknown> }[]>`
        select private.ingest_order(
          ${connection.org_id}::uuid, ${provider}, ${key}, ${sql.json(mapped.order as never)}::jsonb, ${topic}, ${connection.id}::uuid
        ) as result`;
      return row!.result;
    });
    return json(200, result);
  } catch (error) {
    const code = sqlState(error);
    // The data itself is wrong (a value the database refuses): retrying the same delivery cannot help.
    if (code && (code.startsWith('22') || code.startsWith('23'))) {
      await recordFailure(connection, provider, key, topic, `${code}: ${(error as Error).message}`);
      return json(422, { error: 'rejected', message: (error as Error).message, code });
    }
    throw error;
  }
}

Deno.serve(async (request) => {
  try {
    return await handle(request);
  } catch (error) {
    // Anything else (the database unreachable…) is temporary: a 5xx makes the shop retry later.
    console.error('ingest-orders failed:', error);
    return json(500, { error: 'internal', message: 'The delivery could not be applied now; it will be retried' });
  }
});

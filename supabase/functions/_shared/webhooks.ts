// Shop webhooks: reading a delivery safely (size limit, HMAC over the raw bytes, exact numbers) and
// turning a Shopify or WooCommerce order payload into the provider-neutral order that
// private.ingest_order applies (see migration 20261123002000_ingest_order.sql for its shape).
//
// Runtime-neutral (Web APIs and zod only): the ingest-orders function imports it in Deno, and the
// database tests import it in Node.
//
// Protocols, as the shops document them:
//   Shopify      POST JSON; X-Shopify-Hmac-Sha256 = base64(HMAC-SHA256(raw body, app secret));
//                X-Shopify-Shop-Domain, X-Shopify-Topic (orders/create, orders/updated, orders/paid,
//                orders/cancelled, refunds/create…), X-Shopify-Webhook-Id (the same on every retry
//                of one delivery), X-Shopify-Event-Id, X-Shopify-API-Version.
//   WooCommerce  POST JSON; X-WC-Webhook-Signature = base64(HMAC-SHA256(raw body, webhook secret));
//                X-WC-Webhook-Source (the site's home URL, https://shop.example.com/),
//                X-WC-Webhook-Topic (order.created, order.updated, order.deleted, order.restored…),
//                X-WC-Webhook-Resource, X-WC-Webhook-Event, X-WC-Webhook-ID (the webhook's id),
//                X-WC-Webhook-Delivery-ID (new for every attempt). When a webhook is created the
//                shop sends an unsigned ping: form body `webhook_id=N`, which must get a 200.
import { z } from 'zod';
import { personName } from '../../../shared/names.ts';

export const MAX_WEBHOOK_BYTES = 1024 * 1024;

export type Provider = 'shopify' | 'woocommerce';

// ---------------------------------------------------------------------------------------------
// Reading the delivery

export class PayloadTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than ${limit} bytes`);
  }
}

/**
 * The raw body, refusing more than `limit` bytes: a declared Content-Length over the limit is
 * refused before anything is read, and a body streamed without one is cut off at the limit.
 */
export async function readBodyLimited(request: Request, limit = MAX_WEBHOOK_BYTES): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > limit) {
    await request.body?.cancel().catch(() => undefined);
    throw new PayloadTooLarge(limit);
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new PayloadTooLarge(limit);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function decodeBase64(text: string): Uint8Array | null {
  const clean = text.trim();
  if (clean.length === 0 || clean.length > 256 || !/^[A-Za-z0-9+/]+={0,2}$/.test(clean)) return null;
  try {
    const binary = atob(clean);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}

/**
 * Whether `signature` is the base64 HMAC-SHA256 of the raw `body` under `secret`. The comparison is
 * WebCrypto's HMAC verify, which does not leak where two MACs differ.
 */
export async function verifyHmacSha256(secret: string, body: Uint8Array, signature: string | null): Promise<boolean> {
  if (!signature || !secret) return false;
  const mac = decodeBase64(signature);
  if (!mac || mac.byteLength !== 32) return false;
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  return crypto.subtle.verify('HMAC', key, mac as Uint8Array<ArrayBuffer>, body as Uint8Array<ArrayBuffer>);
}

/**
 * JSON.parse that keeps every number as the text it was written as: shop ids can exceed 2^53
 * (Shopify's are 64-bit) and money must not pass through floating point.
 */
export function parseJsonExact(text: string): unknown {
  if (!hasSourceText) return JSON.parse(quoteNumbers(text));
  return JSON.parse(text, function (this: unknown, _key: string, value: unknown, context?: { source?: string }) {
    if (typeof value === 'number' && context?.source !== undefined) return context.source;
    return value;
  } as (this: unknown, key: string, value: unknown) => unknown);
}

// JSON.parse hands revivers the source text of numbers in Deno and recent engines; elsewhere the
// numbers are quoted before parsing instead.
const hasSourceText = (() => {
  try {
    return JSON.parse('1', ((_k: string, v: unknown, c?: { source?: string }) => c?.source ?? v) as (k: string, v: unknown) => unknown) === '1';
  } catch {
    return false;
  }
})();

/** JSON text with every number literal outside strings turned into a string literal. */
function quoteNumbers(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (!match) throw new SyntaxError(`Unexpected token in JSON at position ${i}`);
      out += `"${match[0]}"`;
      i += match[0].length;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/** WooCommerce's creation ping: unsigned, form-encoded `webhook_id=N`. */
export function isWooPing(headers: Headers, body: Uint8Array): boolean {
  if (headers.get('x-wc-webhook-signature')) return false;
  if (body.byteLength > 64) return false;
  return /^webhook_id=\d+$/.test(new TextDecoder().decode(body).trim());
}

export function detectProvider(headers: Headers): Provider | null {
  if (headers.has('x-shopify-hmac-sha256') || headers.has('x-shopify-topic')) return 'shopify';
  if (headers.has('x-wc-webhook-signature') || headers.has('x-wc-webhook-topic')) return 'woocommerce';
  return null;
}

/** Host names a shop connection may be stored under for a delivery's shop header. */
export function shopDomainCandidates(provider: Provider, headers: Headers): string[] {
  let host: string | null = null;
  if (provider === 'shopify') {
    host = headers.get('x-shopify-shop-domain');
  } else {
    const source = headers.get('x-wc-webhook-source');
    if (source) {
      try {
        host = new URL(source).hostname;
      } catch {
        host = null;
      }
    }
  }
  if (!host) return [];
  host = host.trim().toLowerCase().replace(/\.$/, '');
  if (!/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(host) || host.length > 253) return [];
  const candidates = [host];
  if (host.startsWith('www.') && host.indexOf('.', 4) > 0) candidates.push(host.slice(4));
  return candidates;
}

export function signatureHeader(provider: Provider, headers: Headers): string | null {
  return headers.get(provider === 'shopify' ? 'x-shopify-hmac-sha256' : 'x-wc-webhook-signature');
}

export function topicHeader(provider: Provider, headers: Headers): string | null {
  return headers.get(provider === 'shopify' ? 'x-shopify-topic' : 'x-wc-webhook-topic');
}

// ---------------------------------------------------------------------------------------------
// Payload schemas (only the fields Portrait reads; everything else is ignored)

const id = z
  .string()
  .regex(/^\d{1,20}$/, 'an id is a whole number')
  .or(z.number().int().nonnegative().transform(String));
const decimal = z
  .string()
  .regex(/^-?\d{1,12}(\.\d{1,4})?$/, 'an amount is a decimal number')
  .or(z.number().transform(String));
const text = (max: number) => z.string().max(max).nullish();
const timestamp = z.string().min(10).max(40).refine((s) => !Number.isNaN(Date.parse(s.endsWith('Z') || /[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`)), 'not a date');
const currency = z.string().regex(/^[A-Z]{3}$/, 'a currency is an ISO 4217 code');

const shopifyAddress = z
  .object({
    first_name: text(1000),
    last_name: text(1000),
    name: text(2000),
    phone: text(200),
    country_code: text(64),
  })
  .nullish();

const shopifyTransaction = z.object({
  amount: decimal,
  kind: z.string().max(40),
  status: z.string().max(40).nullish(),
});

export const shopifyRefundSchema = z.object({
  id,
  order_id: id,
  created_at: timestamp.nullish(),
  transactions: z.array(shopifyTransaction).max(500).default([]),
});

export const shopifyOrderSchema = z.object({
  id,
  created_at: timestamp,
  processed_at: timestamp.nullish(),
  updated_at: timestamp.nullish(),
  cancelled_at: timestamp.nullish(),
  currency,
  total_price: decimal,
  financial_status: z.string().max(40).nullish(),
  email: text(1000),
  contact_email: text(1000),
  phone: text(200),
  customer: z
    .object({
      id,
      email: text(1000),
      phone: text(200),
      first_name: text(1000),
      last_name: text(1000),
      default_address: shopifyAddress,
    })
    .nullish(),
  billing_address: shopifyAddress,
  shipping_address: shopifyAddress,
  refunds: z.array(shopifyRefundSchema.omit({ order_id: true }).extend({ order_id: id.nullish() })).max(500).default([]),
});

const wooAddress = z
  .object({
    first_name: text(1000),
    last_name: text(1000),
    company: text(1000),
    email: text(1000),
    phone: text(200),
    country: text(64),
  })
  .nullish();

export const wooOrderSchema = z.object({
  id,
  status: z.string().min(1).max(40),
  currency,
  date_created: timestamp.nullish(),
  date_created_gmt: timestamp.nullish(),
  date_modified: timestamp.nullish(),
  date_modified_gmt: timestamp.nullish(),
  total: decimal,
  customer_id: id.nullish(),
  billing: wooAddress,
  shipping: wooAddress,
  refunds: z.array(z.object({ id, total: decimal })).max(500).default([]),
});

export const wooDeletedSchema = z.object({ id });

// ---------------------------------------------------------------------------------------------
// The provider-neutral order private.ingest_order applies

export type OrderStatus = 'paid' | 'pending' | 'cancelled' | 'refunded';

export interface IngestOrder {
  action: 'upsert' | 'refund' | 'delete';
  external_id: string;
  ordered_at?: string;
  total?: string;
  currency?: string;
  status?: OrderStatus;
  refunds: Array<{ id: string; amount: string }>;
  source_updated_at?: string | null;
  customer?: {
    external_id: string | null;
    email: string | null;
    phone: string | null;
    name: string | null;
    country: string | null;
  };
}

export const shopifyTopics = ['orders/create', 'orders/updated', 'orders/paid', 'orders/cancelled', 'orders/edited', 'refunds/create'] as const;
export const wooTopics = ['order.created', 'order.updated', 'order.deleted', 'order.restored'] as const;

export function isSupportedTopic(provider: Provider, topic: string): boolean {
  return (provider === 'shopify' ? (shopifyTopics as readonly string[]) : (wooTopics as readonly string[])).includes(topic);
}

/** A date the shop wrote, as ISO 8601 in UTC. WooCommerce's *_gmt fields carry no zone: they are UTC. */
function utc(value: string | null | undefined): string | null {
  if (!value) return null;
  const zoned = value.endsWith('Z') || /[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
  const time = Date.parse(zoned);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

const nonEmpty = (...values: Array<string | null | undefined>): string | null => {
  for (const v of values) if (typeof v === 'string' && v.trim() !== '') return v.trim();
  return null;
};

function addDecimals(values: string[]): string {
  // Exact sum of decimal strings with up to 4 fractional digits, without floating point.
  let total = 0n;
  for (const v of values) {
    const negative = v.startsWith('-');
    const [whole, fraction = ''] = v.replace(/^-/, '').split('.');
    const units = BigInt(whole!) * 10000n + BigInt((fraction + '0000').slice(0, 4));
    total += negative ? -units : units;
  }
  const negative = total < 0n;
  const abs = negative ? -total : total;
  const fraction = (abs % 10000n).toString().padStart(4, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${abs / 10000n}${fraction ? `.${fraction}` : ''}`;
}

const abs = (v: string) => v.replace(/^-/, '');

function shopifyRefundAmount(refund: { transactions: Array<{ amount: string; kind: string; status?: string | null }> }): string {
  const amounts = refund.transactions
    .filter((t) => t.kind === 'refund' && (t.status ?? 'success') === 'success')
    .map((t) => abs(t.amount));
  return amounts.length ? addDecimals(amounts) : '0';
}

function shopifyStatus(order: z.infer<typeof shopifyOrderSchema>): OrderStatus {
  const financial = order.financial_status ?? '';
  if (financial === 'refunded') return 'refunded';
  if (order.cancelled_at || financial === 'voided') return 'cancelled';
  if (financial === 'paid' || financial === 'partially_refunded') return 'paid';
  return 'pending';
}

function wooStatus(status: string): OrderStatus {
  switch (status) {
    case 'processing':
    case 'completed':
      return 'paid';
    case 'refunded':
      return 'refunded';
    case 'cancelled':
    case 'failed':
    case 'trash':
      return 'cancelled';
    default:
      return 'pending';
  }
}

export type Mapped =
  | { ok: true; order: IngestOrder; resourceId: string; modifiedAt: string | null }
  | { ok: false; error: string };

function zodMessage(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`)
    .join('; ');
}

/** The order a delivery describes, or why it cannot be read. `topic` must be supported. */
export function mapDelivery(provider: Provider, topic: string, payload: unknown): Mapped {
  if (provider === 'shopify' && topic === 'refunds/create') {
    const parsed = shopifyRefundSchema.safeParse(payload);
    if (!parsed.success) return { ok: false, error: zodMessage(parsed.error) };
    const refund = parsed.data;
    return {
      ok: true,
      resourceId: refund.id,
      modifiedAt: utc(refund.created_at),
      order: { action: 'refund', external_id: refund.order_id, refunds: [{ id: refund.id, amount: shopifyRefundAmount(refund) }] },
    };
  }
  if (provider === 'shopify') {
    const parsed = shopifyOrderSchema.safeParse(payload);
    if (!parsed.success) return { ok: false, error: zodMessage(parsed.error) };
    const o = parsed.data;
    const name =
      personName(o.customer?.first_name, o.customer?.last_name) ??
      nonEmpty(o.billing_address?.name, personName(o.billing_address?.first_name, o.billing_address?.last_name));
    const updatedAt = utc(o.updated_at ?? o.created_at);
    return {
      ok: true,
      resourceId: o.id,
      modifiedAt: updatedAt,
      order: {
        action: 'upsert',
        external_id: o.id,
        ordered_at: utc(o.processed_at ?? o.created_at) ?? undefined,
        total: o.total_price,
        currency: o.currency,
        status: shopifyStatus(o),
        refunds: o.refunds.map((r) => ({ id: r.id, amount: shopifyRefundAmount(r) })),
        source_updated_at: updatedAt,
        customer: {
          external_id: o.customer?.id ?? null,
          email: nonEmpty(o.email, o.contact_email, o.customer?.email),
          phone: nonEmpty(o.phone, o.customer?.phone, o.billing_address?.phone, o.shipping_address?.phone),
          name,
          country: nonEmpty(o.billing_address?.country_code, o.shipping_address?.country_code, o.customer?.default_address?.country_code),
        },
      },
    };
  }
  if (topic === 'order.deleted') {
    const parsed = wooDeletedSchema.safeParse(payload);
    if (!parsed.success) return { ok: false, error: zodMessage(parsed.error) };
    return { ok: true, resourceId: parsed.data.id, modifiedAt: null, order: { action: 'delete', external_id: parsed.data.id, refunds: [] } };
  }
  const parsed = wooOrderSchema.safeParse(payload);
  if (!parsed.success) return { ok: false, error: zodMessage(parsed.error) };
  const o = parsed.data;
  const orderedAt = utc(o.date_created_gmt) ?? utc(o.date_created);
  if (!orderedAt) return { ok: false, error: 'date_created_gmt: the order has no creation date' };
  const modifiedAt = utc(o.date_modified_gmt) ?? utc(o.date_modified);
  return {
    ok: true,
    resourceId: o.id,
    modifiedAt,
    order: {
      action: 'upsert',
      external_id: o.id,
      ordered_at: orderedAt,
      total: o.total,
      currency: o.currency,
      status: wooStatus(o.status),
      refunds: o.refunds.map((r) => ({ id: r.id, amount: abs(r.total) })),
      source_updated_at: modifiedAt,
      customer: {
        external_id: o.customer_id && o.customer_id !== '0' ? o.customer_id : null,
        email: nonEmpty(o.billing?.email),
        phone: nonEmpty(o.billing?.phone, o.shipping?.phone),
        name: nonEmpty(personName(o.billing?.first_name, o.billing?.last_name), o.billing?.company),
        country: nonEmpty(o.billing?.country, o.shipping?.country),
      },
    },
  };
}

/**
 * The idempotency key of a delivery. Shopify: its X-Shopify-Webhook-Id, which every retry of a
 * delivery repeats. WooCommerce's delivery id changes with every attempt, so its key is what the
 * delivery is about: shop, topic, resource id and the resource's modification time.
 */
export function eventKey(provider: Provider, headers: Headers, shop: string, topic: string, mapped: { resourceId: string; modifiedAt: string | null }): string {
  if (provider === 'shopify') {
    const webhookId = headers.get('x-shopify-webhook-id')?.trim();
    if (webhookId && /^[A-Za-z0-9._:-]{1,200}$/.test(webhookId)) return `webhook:${webhookId}`;
    return `${shop}:${topic}:${mapped.resourceId}:${mapped.modifiedAt ?? 'unknown'}`;
  }
  const version = mapped.modifiedAt ?? headers.get('x-wc-webhook-delivery-id')?.trim().slice(0, 64) ?? 'unknown';
  return `${shop}:${topic}:${mapped.resourceId}:${version}`.slice(0, 300);
}

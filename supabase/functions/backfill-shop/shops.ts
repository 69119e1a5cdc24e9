// Reading a shop's history through its API, one page at a time, within the rate limits the shops
// document:
//
//   Shopify      Admin GraphQL, POST {base}/admin/api/{version}/graphql.json with
//                X-Shopify-Access-Token. `orders` / `customers` connections paginated with
//                first/after and pageInfo { hasNextPage endCursor }. Cost-based throttle: every
//                answer carries extensions.cost { requestedQueryCost, actualQueryCost,
//                throttleStatus { maximumAvailable, currentlyAvailable, restoreRate } }; a query
//                the bucket cannot pay for is answered with errors[].extensions.code = THROTTLED
//                (and actualQueryCost null). We wait for the bucket to refill before asking again.
//   WooCommerce  REST v3, GET {base}/wp-json/wc/v3/customers and /orders with per_page (≤ 100) and
//                page, HTTP basic auth with the consumer key and secret; X-WP-Total,
//                X-WP-TotalPages and Link (rel="next") tell whether more pages follow. 429 with
//                Retry-After when rate limited.
//
// Runtime-neutral (fetch, zod): the backfill-shop function imports it in Deno.
import { z } from 'zod';
import { personName } from '../../../shared/names.ts';
import { mapDelivery, parseJsonExact, type IngestOrder } from '../_shared/webhooks.ts';

export const SHOPIFY_API_VERSION = '2025-10';

export type Phase = 'customers' | 'orders';

export interface ShopCustomer {
  external_id: string | null;
  email: string | null;
  phone: string | null;
  name: string | null;
  country: string | null;
}

export interface Page {
  items: Array<IngestOrder | ShopCustomer>;
  /** Records that could not be read (skipped, counted). */
  unreadable: number;
  nextCursor: string | null;
  phaseDone: boolean;
}

export interface Connection {
  provider: 'shopify' | 'woocommerce';
  shop_domain: string;
  api_base_url: string;
  api_key: string;
  api_secret: string | null;
}

/** The shop asked us to wait longer than the time left: stop and resume after `until`. */
export class WaitRequired extends Error {
  constructor(readonly until: Date, message: string) {
    super(message);
  }
}

/** The shop answered with something we cannot go on from (an HTTP error, a GraphQL error). */
export class ShopError extends Error {}

export interface Clock {
  deadline: number;
  sleep(ms: number): Promise<void>;
}

async function waitOrStop(clock: Clock, ms: number, why: string): Promise<void> {
  if (Date.now() + ms > clock.deadline) throw new WaitRequired(new Date(Date.now() + ms), why);
  await clock.sleep(ms);
}

const nonEmpty = (...values: Array<string | null | undefined>): string | null => {
  for (const v of values) {
    const t = v?.trim();
    if (t) return t;
  }
  return null;
};

async function errorText(response: Response): Promise<string> {
  const text = (await response.text().catch(() => '')).slice(0, 300);
  return `${response.status} ${response.statusText}${text ? `: ${text}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Shopify

const gid = z.string().regex(/^gid:\/\/shopify\/[A-Za-z]+\/\d{1,20}$/);
const legacyId = (g: string) => g.slice(g.lastIndexOf('/') + 1);
const money = z.object({ shopMoney: z.object({ amount: z.string().regex(/^-?\d{1,12}(\.\d{1,4})?$/), currencyCode: z.string() }) });
const str = z.string().nullish();
const address = z.object({ firstName: str, lastName: str, phone: str, countryCodeV2: str }).nullish();

const shopifyCustomer = z.object({
  id: gid,
  firstName: str,
  lastName: str,
  defaultEmailAddress: z.object({ emailAddress: str }).nullish(),
  defaultPhoneNumber: z.object({ phoneNumber: str }).nullish(),
  defaultAddress: address,
});

const shopifyOrder = z.object({
  id: gid,
  createdAt: z.string(),
  processedAt: str,
  updatedAt: str,
  cancelledAt: str,
  displayFinancialStatus: str,
  currencyCode: z.string().regex(/^[A-Z]{3}$/),
  totalPriceSet: money,
  email: str,
  phone: str,
  customer: shopifyCustomer.nullish(),
  billingAddress: address,
  shippingAddress: address,
  refunds: z.array(z.object({ id: gid, createdAt: str, totalRefundedSet: money })).default([]),
});

const pageInfo = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() });

const graphqlAnswer = z.object({
  data: z.record(z.string(), z.object({ pageInfo, nodes: z.array(z.unknown()) }).nullable()).nullish(),
  errors: z.array(z.object({ message: z.string(), extensions: z.object({ code: z.string().optional() }).passthrough().optional() })).optional(),
  extensions: z
    .object({
      cost: z
        .object({
          requestedQueryCost: z.number().nullish(),
          actualQueryCost: z.number().nullish(),
          throttleStatus: z.object({ maximumAvailable: z.number(), currentlyAvailable: z.number(), restoreRate: z.number() }),
        })
        .optional(),
    })
    .optional(),
});

const CUSTOMER_FIELDS = `id firstName lastName defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber } defaultAddress { countryCodeV2 }`;

export const SHOPIFY_QUERIES: Record<Phase, string> = {
  customers: `query BackfillCustomers($first: Int!, $after: String) {
  customers(first: $first, after: $after, sortKey: ID) {
    pageInfo { hasNextPage endCursor }
    nodes { ${CUSTOMER_FIELDS} }
  }
}`,
  orders: `query BackfillOrders($first: Int!, $after: String) {
  orders(first: $first, after: $after, sortKey: ID) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id createdAt processedAt updatedAt cancelledAt displayFinancialStatus currencyCode email phone
      totalPriceSet { shopMoney { amount currencyCode } }
      customer { ${CUSTOMER_FIELDS} }
      billingAddress { firstName lastName phone countryCodeV2 }
      shippingAddress { phone countryCodeV2 }
      refunds { id createdAt totalRefundedSet { shopMoney { amount currencyCode } } }
    }
  }
}`,
};

function shopifyCustomerOf(c: z.infer<typeof shopifyCustomer>): ShopCustomer {
  return {
    external_id: legacyId(c.id),
    email: nonEmpty(c.defaultEmailAddress?.emailAddress),
    phone: nonEmpty(c.defaultPhoneNumber?.phoneNumber, c.defaultAddress?.phone),
    name: personName(c.firstName, c.lastName),
    country: nonEmpty(c.defaultAddress?.countryCodeV2),
  };
}

function shopifyStatus(o: z.infer<typeof shopifyOrder>): IngestOrder['status'] {
  const financial = (o.displayFinancialStatus ?? '').toUpperCase();
  if (financial === 'REFUNDED') return 'refunded';
  if (o.cancelledAt || financial === 'VOIDED') return 'cancelled';
  if (financial === 'PAID' || financial === 'PARTIALLY_REFUNDED') return 'paid';
  return 'pending';
}

const iso = (s: string | null | undefined) => {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
};

/** An order of the GraphQL Admin API as the provider-neutral order private.ingest_order applies. */
export function shopifyGraphqlOrder(o: z.infer<typeof shopifyOrder>): IngestOrder {
  const customer = o.customer ? shopifyCustomerOf(o.customer) : null;
  const updatedAt = iso(o.updatedAt ?? o.createdAt);
  return {
    action: 'upsert',
    external_id: legacyId(o.id),
    ordered_at: iso(o.processedAt ?? o.createdAt) ?? undefined,
    total: o.totalPriceSet.shopMoney.amount,
    currency: o.currencyCode,
    status: shopifyStatus(o),
    refunds: o.refunds.map((r) => ({ id: legacyId(r.id), amount: r.totalRefundedSet.shopMoney.amount })),
    source_updated_at: updatedAt,
    customer: {
      external_id: customer?.external_id ?? null,
      email: nonEmpty(o.email, customer?.email),
      phone: nonEmpty(o.phone, customer?.phone, o.billingAddress?.phone, o.shippingAddress?.phone),
      name: customer?.name ?? personName(o.billingAddress?.firstName, o.billingAddress?.lastName),
      country: nonEmpty(o.billingAddress?.countryCodeV2, o.shippingAddress?.countryCodeV2, customer?.country),
    },
  };
}

/** Shopify's cost bucket as last reported; queries wait until it can pay for the next one. */
export interface ShopifyBucket {
  available: number;
  restoreRate: number;
  /** The cost Shopify last asked for a query of each phase (its estimate for the next one). */
  requested: Record<Phase, number>;
  at: number;
  throttled: number;
}

export function newBucket(): ShopifyBucket {
  return { available: Infinity, restoreRate: 50, requested: { customers: 0, orders: 0 }, at: Date.now(), throttled: 0 };
}

export async function shopifyPage(connection: Connection, phase: Phase, cursor: string | null, pageSize: number, bucket: ShopifyBucket, clock: Clock): Promise<Page> {
  const url = `${connection.api_base_url.replace(/\/+$/, '')}/admin/api/${SHOPIFY_API_VERSION}/graphql.json`;
  for (;;) {
    // Wait until the bucket, refilled since it was last reported, holds what the last query asked for.
    const refilled = bucket.available + ((Date.now() - bucket.at) / 1000) * bucket.restoreRate;
    if (refilled < bucket.requested[phase]) {
      await waitOrStop(clock, Math.ceil(((bucket.requested[phase] - refilled) / bucket.restoreRate) * 1000), 'Shopify query cost budget exhausted (THROTTLED)');
    }
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-shopify-access-token': connection.api_key },
      body: JSON.stringify({ query: SHOPIFY_QUERIES[phase], variables: { first: pageSize, after: cursor } }),
      signal: AbortSignal.timeout(Math.max(1000, Math.min(30_000, clock.deadline - Date.now() + 5000))),
    });
    if (response.status === 429) {
      // Shopify may also answer a throttled query with 429 and Retry-After.
      bucket.throttled += 1;
      await waitOrStop(clock, retryAfterMs(response.headers.get('retry-after')) ?? 1000, 'Shopify rate limit (429)');
      continue;
    }
    if (!response.ok) throw new ShopError(`Shopify ${phase}: ${await errorText(response)}`);
    const parsed = graphqlAnswer.safeParse(await response.json());
    if (!parsed.success) throw new ShopError(`Shopify ${phase}: unexpected answer (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    const answer = parsed.data;
    const cost = answer.extensions?.cost;
    if (cost) {
      bucket.available = cost.throttleStatus.currentlyAvailable;
      bucket.restoreRate = cost.throttleStatus.restoreRate > 0 ? cost.throttleStatus.restoreRate : 1;
      bucket.requested[phase] = Math.min(cost.requestedQueryCost ?? 0, cost.throttleStatus.maximumAvailable);
      bucket.at = Date.now();
    }
    if (answer.errors?.some((e) => e.extensions?.code === 'THROTTLED')) {
      bucket.throttled += 1;
      if (!cost) await waitOrStop(clock, 1000, 'Shopify query cost budget exhausted (THROTTLED)');
      continue;
    }
    if (answer.errors?.length) throw new ShopError(`Shopify ${phase}: ${answer.errors.map((e) => e.message).join('; ').slice(0, 500)}`);
    const connectionData = answer.data?.[phase];
    if (!connectionData) throw new ShopError(`Shopify ${phase}: the answer has no ${phase}`);
    const items: Page['items'] = [];
    let unreadable = 0;
    for (const node of connectionData.nodes) {
      if (phase === 'customers') {
        const c = shopifyCustomer.safeParse(node);
        if (c.success) items.push(shopifyCustomerOf(c.data));
        else unreadable += 1;
      } else {
        const o = shopifyOrder.safeParse(node);
        if (o.success) items.push(shopifyGraphqlOrder(o.data));
        else unreadable += 1;
      }
    }
    const done = !connectionData.pageInfo.hasNextPage || !connectionData.pageInfo.endCursor;
    return { items, unreadable, nextCursor: done ? null : connectionData.pageInfo.endCursor, phaseDone: done };
  }
}

// ---------------------------------------------------------------------------------------------
// WooCommerce

const wooCustomer = z.object({
  id: z.string().regex(/^\d{1,20}$/),
  email: str,
  first_name: str,
  last_name: str,
  billing: z.object({ phone: str, country: str, email: str, first_name: str, last_name: str, company: str }).partial().nullish(),
  shipping: z.object({ phone: str, country: str }).partial().nullish(),
});

/** Retry-After as milliseconds: delay-seconds or an HTTP date. */
export function retryAfterMs(value: string | null): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

function hasNextLink(link: string | null): boolean {
  return !!link && link.split(',').some((part) => /;\s*rel="?next"?/i.test(part));
}

export async function wooPage(connection: Connection, phase: Phase, cursor: string | null, pageSize: number, clock: Clock): Promise<Page> {
  const page = cursor ? Number(cursor) : 1;
  if (!Number.isInteger(page) || page < 1) throw new ShopError(`WooCommerce ${phase}: the stored cursor ${cursor} is not a page number`);
  const url = new URL(`${connection.api_base_url.replace(/\/+$/, '')}/wp-json/wc/v3/${phase}`);
  url.searchParams.set('per_page', String(Math.min(100, pageSize)));
  url.searchParams.set('page', String(page));
  // Oldest first by id, so orders created while the backfill runs are appended, not shifted in.
  url.searchParams.set('orderby', 'id');
  url.searchParams.set('order', 'asc');
  if (phase === 'customers') url.searchParams.set('role', 'all');
  const auth = `Basic ${btoa(`${connection.api_key}:${connection.api_secret ?? ''}`)}`;
  for (;;) {
    const response = await fetch(url, {
      headers: { accept: 'application/json', authorization: auth },
      signal: AbortSignal.timeout(Math.max(1000, Math.min(30_000, clock.deadline - Date.now() + 5000))),
    });
    if (response.status === 429) {
      await response.body?.cancel();
      await waitOrStop(clock, retryAfterMs(response.headers.get('retry-after')) ?? 5000, 'WooCommerce rate limit (429 Retry-After)');
      continue;
    }
    if (!response.ok) throw new ShopError(`WooCommerce ${phase} page ${page}: ${await errorText(response)}`);
    const body = parseJsonExact(await response.text());
    if (!Array.isArray(body)) throw new ShopError(`WooCommerce ${phase} page ${page}: the answer is not a list`);
    const items: Page['items'] = [];
    let unreadable = 0;
    for (const record of body) {
      if (phase === 'orders') {
        const mapped = mapDelivery('woocommerce', 'order.updated', record);
        if (mapped.ok) items.push(mapped.order);
        else unreadable += 1;
      } else {
        const c = wooCustomer.safeParse(record);
        if (!c.success) {
          unreadable += 1;
          continue;
        }
        items.push({
          external_id: c.data.id === '0' ? null : c.data.id,
          email: nonEmpty(c.data.email, c.data.billing?.email),
          phone: nonEmpty(c.data.billing?.phone, c.data.shipping?.phone),
          name: nonEmpty(personName(c.data.first_name, c.data.last_name), personName(c.data.billing?.first_name, c.data.billing?.last_name), c.data.billing?.company),
          country: nonEmpty(c.data.billing?.country, c.data.shipping?.country),
        });
      }
    }
    const totalPages = Number(response.headers.get('x-wp-totalpages') ?? NaN);
    const more = body.length > 0 && (hasNextLink(response.headers.get('link')) || (Number.isFinite(totalPages) && page < totalPages));
    return { items, unreadable, nextCursor: more ? String(page + 1) : null, phaseDone: !more };
  }
}

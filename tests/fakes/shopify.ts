// A fake Shopify Admin GraphQL API on 127.0.0.1, faithful to what the backfill reads:
//   POST /admin/api/<version>/graphql.json with X-Shopify-Access-Token (401 otherwise),
//   body {query, variables}; the `orders` and `customers` connections with first (1–250) /
//   after and pageInfo { hasNextPage endCursor } (opaque cursors; a cursor that is not one of ours
//   is a GraphQL error), nodes shaped as the Admin API returns them (gid ids, MoneyBag amounts as
//   decimal strings, enum financial statuses);
//   the cost-based throttle: a leaky bucket (maximumAvailable, restoreRate points per second), each
//   query's requestedQueryCost charged up front and the difference to actualQueryCost refunded;
//   a query the bucket cannot pay for gets HTTP 200 with errors[{message: "Throttled",
//   extensions: {code: "THROTTLED"}}] and extensions.cost with actualQueryCost null;
//   and injected faults (a 500 or a GraphQL INTERNAL_SERVER_ERROR for the nth page).
//
// It does not parse GraphQL: it recognises which connection a query asks for and answers with
// every field the backfill's queries select.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SHOPIFY_TOKEN = 'shpat_0123456789abcdef0123456789abcdef';

export interface ShopifyCustomerNode {
  id: string;
  firstName: string | null;
  lastName: string | null;
  defaultEmailAddress: { emailAddress: string } | null;
  defaultPhoneNumber: { phoneNumber: string } | null;
  defaultAddress: { countryCodeV2: string } | null;
}

export interface ShopifyOrderNode {
  id: string;
  createdAt: string;
  processedAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  displayFinancialStatus: string;
  currencyCode: string;
  email: string | null;
  phone: string | null;
  totalPriceSet: { shopMoney: { amount: string; currencyCode: string } };
  customer: ShopifyCustomerNode | null;
  billingAddress: { firstName: string | null; lastName: string | null; phone: string | null; countryCodeV2: string } | null;
  shippingAddress: { phone: string | null; countryCodeV2: string } | null;
  refunds: Array<{ id: string; createdAt: string; totalRefundedSet: { shopMoney: { amount: string; currencyCode: string } } }>;
}

export function shopifyCustomerNode(n: number): ShopifyCustomerNode {
  return {
    id: `gid://shopify/Customer/${7_000_000_000_000 + n}`,
    firstName: 'Mei',
    lastName: `Chen ${n}`,
    defaultEmailAddress: { emailAddress: `mei.chen${n}@example.com` },
    defaultPhoneNumber: n % 2 === 0 ? { phoneNumber: `+1415555${String(1000 + n).padStart(4, '0')}` } : null,
    defaultAddress: { countryCodeV2: 'US' },
  };
}

export function shopifyOrderNode(n: number, customer: ShopifyCustomerNode | null, at: Date): ShopifyOrderNode {
  const when = at.toISOString().replace('.000Z', 'Z');
  const amount = (20 + (n % 11) * 7.25).toFixed(2);
  const refunded = n % 9 === 0;
  return {
    id: `gid://shopify/Order/${5_000_000_000_000 + n}`,
    createdAt: when,
    processedAt: when,
    updatedAt: when,
    cancelledAt: null,
    displayFinancialStatus: refunded ? 'PARTIALLY_REFUNDED' : 'PAID',
    currencyCode: 'USD',
    email: customer?.defaultEmailAddress?.emailAddress ?? `guest${n}@example.com`,
    phone: null,
    totalPriceSet: { shopMoney: { amount, currencyCode: 'USD' } },
    customer,
    billingAddress: { firstName: customer?.firstName ?? 'Guest', lastName: customer?.lastName ?? String(n), phone: null, countryCodeV2: 'US' },
    shippingAddress: { phone: null, countryCodeV2: 'US' },
    refunds: refunded
      ? [{ id: `gid://shopify/Refund/${900_000_000 + n}`, createdAt: when, totalRefundedSet: { shopMoney: { amount: '5.00', currencyCode: 'USD' } } }]
      : [],
  };
}

export interface ShopifyFault {
  resource: 'orders' | 'customers';
  /** The page (1-based, counted by the cursor's position) whose request fails. */
  page: number;
  times: number;
  kind: 'http500' | 'graphql_internal';
}

export interface ShopifyRequest {
  resource: string;
  page: number;
  status: number;
  outcome: 'ok' | 'throttled' | 'fault' | 'error';
  available: number;
}

export interface FakeShopify {
  url: string;
  requests: ShopifyRequest[];
  faults: ShopifyFault[];
  /** Empties the cost bucket now (it refills at restoreRate from here). */
  drain(): void;
  close(): Promise<void>;
}

export interface ThrottleOptions {
  maximumAvailable: number;
  restoreRate: number;
  /** The bucket's level at start (default: full). */
  initiallyAvailable?: number;
}

const encodeCursor = (index: number) => Buffer.from(JSON.stringify({ last_id: index, last_value: index })).toString('base64');
function decodeCursor(cursor: string): number | null {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { last_id?: unknown };
    return typeof value.last_id === 'number' && Number.isInteger(value.last_id) ? value.last_id : null;
  } catch {
    return null;
  }
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeShopify(
  data: { orders: ShopifyOrderNode[]; customers: ShopifyCustomerNode[] },
  throttle: ThrottleOptions = { maximumAvailable: 2000, restoreRate: 100 },
): Promise<FakeShopify> {
  const requests: ShopifyRequest[] = [];
  const faults: ShopifyFault[] = [];
  let available = throttle.initiallyAvailable ?? throttle.maximumAvailable;
  let at = Date.now();
  const level = () => {
    const now = Date.now();
    available = Math.min(throttle.maximumAvailable, available + ((now - at) / 1000) * throttle.restoreRate);
    at = now;
    return available;
  };
  const status = () => ({ maximumAvailable: throttle.maximumAvailable, currentlyAvailable: Math.floor(level()), restoreRate: throttle.restoreRate });

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!/^\/admin\/api\/(\d{4}-\d{2}|unstable)\/graphql\.json$/.test(url.pathname) || req.method !== 'POST') {
      requests.push({ resource: url.pathname, page: 0, status: 404, outcome: 'error', available });
      return send(res, 404, { errors: 'Not Found' });
    }
    if (req.headers['x-shopify-access-token'] !== SHOPIFY_TOKEN) {
      requests.push({ resource: 'auth', page: 0, status: 401, outcome: 'error', available });
      return send(res, 401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    }
    let body: { query?: unknown; variables?: Record<string, unknown> };
    try {
      body = JSON.parse(await readBody(req)) as typeof body;
    } catch {
      return send(res, 400, { errors: { query: 'Required parameter missing or invalid' } });
    }
    const query = typeof body.query === 'string' ? body.query : '';
    const resource = /\borders\s*\(/.test(query) ? 'orders' : /\bcustomers\s*\(/.test(query) ? 'customers' : null;
    if (!resource) {
      return send(res, 200, { errors: [{ message: 'Field is not supported by this fake', extensions: { code: 'undefinedField' } }] });
    }
    const first = body.variables?.first;
    const after = body.variables?.after;
    if (typeof first !== 'number' || !Number.isInteger(first) || first < 1 || first > 250) {
      return send(res, 200, {
        errors: [{ message: 'The first argument must be between 1 and 250.', extensions: { code: 'BAD_REQUEST' } }],
      });
    }
    let start = 0;
    if (after !== null && after !== undefined) {
      const index = typeof after === 'string' ? decodeCursor(after) : null;
      if (index === null) return send(res, 200, { errors: [{ message: 'Invalid cursor for current pagination sort.', extensions: { code: 'BAD_REQUEST' } }] });
      start = index + 1;
    }
    const page = Math.floor(start / first) + 1;
    // The cost: 2 for the connection plus, per node, 1 (plus the nested customer and addresses on orders).
    const perNode = resource === 'orders' ? 4 : 2;
    const requested = 2 + first * perNode;
    if (level() < requested) {
      requests.push({ resource, page, status: 200, outcome: 'throttled', available });
      return send(res, 200, {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: status() } },
      });
    }
    available -= requested;
    const fault = faults.find((f) => f.resource === resource && f.page === page && f.times > 0);
    if (fault) {
      fault.times -= 1;
      requests.push({ resource, page, status: fault.kind === 'http500' ? 500 : 200, outcome: 'fault', available });
      if (fault.kind === 'http500') return send(res, 500, { errors: 'Internal Server Error' });
      return send(res, 200, {
        errors: [{ message: 'Internal error. Looks like something went wrong on our end.', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'fake' } }],
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: status() } },
      });
    }
    const all = resource === 'orders' ? data.orders : data.customers;
    const nodes = all.slice(start, start + first);
    const actual = 2 + nodes.length * perNode;
    available = Math.min(throttle.maximumAvailable, available + (requested - actual));
    const end = start + nodes.length - 1;
    requests.push({ resource, page, status: 200, outcome: 'ok', available });
    return send(res, 200, {
      data: {
        [resource]: {
          pageInfo: { hasNextPage: end < all.length - 1, endCursor: nodes.length ? encodeCursor(end) : null },
          nodes,
        },
      },
      extensions: { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: status() } },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    faults,
    drain() {
      available = 0;
      at = Date.now();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

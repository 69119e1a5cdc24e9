// A fake WooCommerce REST API (v3) on 127.0.0.1, faithful to what the backfill reads:
//   GET /wp-json/wc/v3/orders and /wp-json/wc/v3/customers
//   HTTP basic auth with the consumer key and secret (401 woocommerce_rest_cannot_view otherwise),
//   per_page (1–100, else 400 rest_invalid_param) and page (1-based), orderby / order,
//   X-WP-Total and X-WP-TotalPages headers, a Link header with rel="next" / rel="prev",
//   an empty list past the last page, and injected faults: 429 with Retry-After, a 500.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WooOrderRecord {
  id: number;
  status: string;
  currency: string;
  date_created_gmt: string;
  date_modified_gmt: string;
  total: string;
  customer_id: number;
  billing: Record<string, string>;
  shipping: Record<string, string>;
  refunds: Array<{ id: number; reason: string; total: string }>;
  [field: string]: unknown;
}

export interface WooCustomerRecord {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  role: string;
  username: string;
  billing: Record<string, string>;
  shipping: Record<string, string>;
  date_created_gmt: string;
  date_modified_gmt: string;
  [field: string]: unknown;
}

export interface Fault {
  resource: 'orders' | 'customers';
  page: number;
  /** How many requests for that page get the fault (then it is served normally). */
  times: number;
  status: 429 | 500 | 503;
  retryAfter?: string;
}

export interface WooRequest {
  resource: string;
  page: number;
  perPage: number;
  status: number;
}

export interface FakeWoo {
  url: string;
  requests: WooRequest[];
  faults: Fault[];
  close(): Promise<void>;
}

export const WOO_KEY = 'ck_0123456789abcdef0123456789abcdef01234567';
export const WOO_SECRET = 'cs_0123456789abcdef0123456789abcdef01234567';

/** A WooCommerce order as GET /wp-json/wc/v3/orders lists it (a realistic subset of its fields). */
export function wooOrderRecord(n: number, customer: WooCustomerRecord | null, at: Date): WooOrderRecord {
  const date = at.toISOString().slice(0, 19);
  const total = (10 + (n % 37) * 2.5).toFixed(2);
  return {
    id: 1000 + n,
    parent_id: 0,
    number: String(1000 + n),
    order_key: `wc_order_${n.toString(36).padStart(8, '0')}`,
    created_via: 'checkout',
    version: '9.9.0',
    status: n % 10 === 0 ? 'refunded' : n % 13 === 0 ? 'cancelled' : 'completed',
    currency: 'EUR',
    prices_include_tax: false,
    date_created: date,
    date_created_gmt: date,
    date_modified: date,
    date_modified_gmt: date,
    discount_total: '0.00',
    shipping_total: '0.00',
    cart_tax: '0.00',
    total,
    total_tax: '0.00',
    customer_id: customer?.id ?? 0,
    billing: {
      first_name: customer?.first_name ?? 'Gast',
      last_name: customer?.last_name ?? `Nummer ${n}`,
      company: '',
      address_1: 'Hauptstr. 1',
      city: 'Berlin',
      postcode: '10115',
      country: 'DE',
      email: customer?.email ?? `guest${n}@example.de`,
      phone: customer?.billing.phone ?? '',
    },
    shipping: { first_name: customer?.first_name ?? 'Gast', last_name: customer?.last_name ?? '', country: 'DE', phone: '' },
    payment_method: 'bacs',
    date_paid_gmt: date,
    date_completed_gmt: date,
    line_items: [{ id: n * 10, name: 'Kaffee', product_id: 93, quantity: 1, subtotal: total, total }],
    refunds: n % 10 === 0 ? [{ id: 50_000 + n, reason: '', total: `-${total}` }] : [],
  };
}

export function wooCustomerRecord(n: number): WooCustomerRecord {
  return {
    id: 200 + n,
    date_created_gmt: '2025-01-01T10:00:00',
    date_modified_gmt: '2025-01-01T10:00:00',
    email: `kunde${n}@example.de`,
    first_name: 'Kunde',
    last_name: `Nummer ${n}`,
    role: 'customer',
    username: `kunde${n}`,
    billing: { first_name: 'Kunde', last_name: `Nummer ${n}`, company: '', email: `kunde${n}@example.de`, phone: `+4930${String(1000000 + n)}`, country: 'DE' },
    shipping: { first_name: 'Kunde', last_name: `Nummer ${n}`, country: 'DE', phone: '' },
    is_paying_customer: true,
    avatar_url: 'https://secure.gravatar.com/avatar/0?s=96&d=mm&r=g',
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
}

export async function startFakeWoo(data: { orders: WooOrderRecord[]; customers: WooCustomerRecord[] }): Promise<FakeWoo> {
  const requests: WooRequest[] = [];
  const faults: Fault[] = [];
  const expectedAuth = `Basic ${Buffer.from(`${WOO_KEY}:${WOO_SECRET}`).toString('base64')}`;

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = /^\/wp-json\/wc\/v3\/(orders|customers)\/?$/.exec(url.pathname);
    const record = (status: number, page = 0, perPage = 0) => requests.push({ resource: match?.[1] ?? url.pathname, page, perPage, status });
    if (!match) {
      record(404);
      return send(res, 404, { code: 'rest_no_route', message: 'No route was found matching the URL and request method.', data: { status: 404 } });
    }
    if (req.method !== 'GET') {
      record(404);
      return send(res, 404, { code: 'rest_no_route', message: 'No route was found matching the URL and request method.', data: { status: 404 } });
    }
    if (req.headers.authorization !== expectedAuth) {
      record(401);
      return send(res, 401, { code: 'woocommerce_rest_cannot_view', message: 'Sorry, you cannot list resources.', data: { status: 401 } });
    }
    const resource = match[1] as 'orders' | 'customers';
    const perPage = Number(url.searchParams.get('per_page') ?? '10');
    const page = Number(url.searchParams.get('page') ?? '1');
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
      record(400, page, perPage);
      return send(res, 400, {
        code: 'rest_invalid_param',
        message: 'Invalid parameter(s): per_page',
        data: { status: 400, params: { per_page: 'per_page must be between 1 (inclusive) and 100 (inclusive)' } },
      });
    }
    if (!Number.isInteger(page) || page < 1) {
      record(400, page, perPage);
      return send(res, 400, { code: 'rest_invalid_param', message: 'Invalid parameter(s): page', data: { status: 400, params: { page: 'page must be greater than or equal to 1' } } });
    }
    const fault = faults.find((f) => f.resource === resource && f.page === page && f.times > 0);
    if (fault) {
      fault.times -= 1;
      record(fault.status, page, perPage);
      if (fault.status === 429) return send(res, 429, { code: 'woocommerce_rest_too_many_requests', message: 'Too many requests.', data: { status: 429 } }, { 'retry-after': fault.retryAfter ?? '1' });
      return send(res, fault.status, { code: 'internal_server_error', message: 'There has been a critical error on this website.', data: { status: fault.status } });
    }
    let all: Array<WooOrderRecord | WooCustomerRecord> = resource === 'orders' ? [...data.orders] : [...data.customers];
    const orderby = url.searchParams.get('orderby') ?? (resource === 'orders' ? 'date' : 'name');
    const direction = (url.searchParams.get('order') ?? (resource === 'orders' ? 'desc' : 'asc')) === 'asc' ? 1 : -1;
    if (orderby === 'id') all.sort((a, b) => (a.id - b.id) * direction);
    else all.sort((a, b) => (a.date_created_gmt < b.date_created_gmt ? -1 : a.date_created_gmt > b.date_created_gmt ? 1 : a.id - b.id) * direction);
    const role = url.searchParams.get('role') ?? 'customer';
    if (resource === 'customers' && role !== 'all') all = all.filter((c) => (c as WooCustomerRecord).role === role);
    const total = all.length;
    const totalPages = Math.ceil(total / perPage);
    const slice = all.slice((page - 1) * perPage, page * perPage);
    const link = (p: number) => {
      const u = new URL(`http://${req.headers.host}${url.pathname}`);
      url.searchParams.forEach((v, k) => u.searchParams.set(k, v));
      u.searchParams.set('page', String(p));
      return `<${u.toString()}>`;
    };
    const links: string[] = [];
    if (page > 1 && page <= totalPages + 1) links.push(`${link(page - 1)}; rel="prev"`);
    if (page < totalPages) links.push(`${link(page + 1)}; rel="next"`);
    record(200, page, perPage);
    return send(res, 200, slice, {
      'x-wp-total': String(total),
      'x-wp-totalpages': String(totalPages),
      ...(links.length ? { link: links.join(', ') } : {}),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

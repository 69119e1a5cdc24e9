// WooCommerce admin order pages, on the shop domains the user adds in the options page. Both
// order screens WooCommerce has: the classic one of orders stored as posts
// (`/wp-admin/post.php?post=<id>&action=edit`) and the one of High-Performance Order Storage
// (`/wp-admin/admin.php?page=wc-orders&action=edit&id=<id>`), both → shop_order woocommerce:<id>.
// The page adds the order's customer account (shop_customer woocommerce:<user id>) and the billing
// email and phone, as a fallback for orders the organisation has not received by webhook.
//
// There is no fixed host: the content script is registered at runtime, one origin at a time, for
// the shop domains the user added (features/options/shop-domains.ts), so `matches` is empty and
// `matchesFor(origin)` gives the patterns of one shop.
//
// Selectors are the ids and names of WooCommerce's own order form fields (`#order_data`,
// `customer_user`, `_billing_email`), which plugins and themes rely on and WooCommerce keeps.
// Each selector's example page is a fixture in tests/e2e/fixtures/ (named beside it).
import { createExclusion, nothingOpen, type AdapterContext, type Participants } from './common/participants.ts';
import { RecordIdentifiers } from './common/shop-record.ts';

export const id = 'woocommerce';
export const name = 'WooCommerce admin';
/** Registered at runtime for each shop domain the user adds: see `matchesFor`. */
export const matches = [] as const;
export const registration = 'runtime';

/** The content script's match patterns for one shop origin (WordPress at the root or in a folder). */
export function matchesFor(origin: string): string[] {
  return [`${origin}/wp-admin/*`, `${origin}/*/wp-admin/*`];
}

export const selectors = {
  /** woocommerce-order.html: the order's data panel (both order screens). */
  orderData: '#order_data',
  /** woocommerce-order.html: the classic screen's post type field, `shop_order` for orders. */
  postType: 'input#post_type, input[name="post_type"]',
  /** woocommerce-order.html: the customer account select; its value is the WordPress user id. */
  customer: 'select#customer_user, select[name="customer_user"]',
  /** woocommerce-order.html: the billing fields of the order form. */
  billingEmail: 'input#_billing_email, input[name="_billing_email"]',
  billingPhone: 'input#_billing_phone, input[name="_billing_phone"]',
  billingFirstName: 'input#_billing_first_name, input[name="_billing_first_name"]',
  billingLastName: 'input#_billing_last_name, input[name="_billing_last_name"]',
  /** woocommerce-order.html: the billing address as shown (with mailto: and tel: links). */
  billingAddress: '.order_data_column .address',
  /** woocommerce-order.html: the area the order screen lives in. */
  main: '#wpbody-content',
} as const;

export type WooOrderScreen = 'classic' | 'hpos';

/** The order a WooCommerce admin URL edits, or null. A classic `post.php` URL may edit any post. */
export function orderFromUrl(url: string): { id: string; screen: WooOrderScreen } | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:') return null;
  const page = /\/wp-admin\/(post|admin)\.php$/.exec(parsed.pathname)?.[1];
  const query = parsed.searchParams;
  if (query.get('action') !== 'edit') return null;
  const digits = (value: string | null) => (value && /^\d{1,20}$/.test(value) ? value : null);
  if (page === 'post') {
    const id = digits(query.get('post'));
    return id ? { id, screen: 'classic' } : null;
  }
  if (page === 'admin' && query.get('page') === 'wc-orders') {
    const id = digits(query.get('id'));
    return id ? { id, screen: 'hpos' } : null;
  }
  return null;
}

function fieldValue(document: Document, selector: string): string | null {
  const field = document.querySelector<HTMLInputElement | HTMLSelectElement>(selector);
  const value = field?.value?.trim();
  return value ? value : null;
}

export function participants(document: Document, ctx: AdapterContext): Participants {
  const order = orderFromUrl(document.URL);
  if (!order) return nothingOpen;
  const orderData = document.querySelector(selectors.orderData);
  // post.php edits pages and products too: only an order form is an order.
  if (order.screen === 'classic' && !orderData && fieldValue(document, selectors.postType) !== 'shop_order') return nothingOpen;

  const list = new RecordIdentifiers(createExclusion(ctx.ownAddresses, ctx.internalDomains));
  list.addShopId('shop_order', 'woocommerce', order.id);
  // A guest order has no account: the select is empty (or 0).
  const customerId = fieldValue(document, selectors.customer);
  if (customerId && customerId !== '0') list.addShopId('shop_customer', 'woocommerce', customerId);
  list.addEmail(fieldValue(document, selectors.billingEmail));
  list.addPhone(fieldValue(document, selectors.billingPhone));
  for (const address of document.querySelectorAll(selectors.billingAddress)) list.addContactLinks(address);
  list.setName([fieldValue(document, selectors.billingFirstName), fieldValue(document, selectors.billingLastName)].filter(Boolean).join(' '));
  return list.participants(orderData);
}

export function watchRoots(document: Document): Element[] {
  const root = document.querySelector(selectors.orderData) ?? document.querySelector(selectors.main);
  return root ? [root] : [];
}

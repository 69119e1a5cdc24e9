// Shopify admin (admin.shopify.com): the customer of the order or customer page that is open.
// The ids in the URL are the shop's own (`/store/<shop>/orders/<id>` → shop_order shopify:<id>,
// `/store/<shop>/customers/<id>` → shop_customer shopify:<id>); the page adds the link to the
// order's customer and the addresses and phone numbers it shows for them, as a fallback for
// orders the organisation has not received by webhook. The admin is a single-page app: moving to
// another order changes the URL without a reload, which the page watcher follows.
// Shopify's class names are generated; every selector here is an element, a role or an href.
// Each selector's example page is a fixture in tests/e2e/fixtures/ (named beside it).
import { asSiteUrl } from './common/demo-mode.ts';
import { boundedText, createExclusion, nothingOpen, type AdapterContext, type Participants } from './common/participants.ts';
import { RecordIdentifiers } from './common/shop-record.ts';
import { findIdentifiers } from '../../shared/identity.ts';

export const id = 'shopify';
export const name = 'Shopify admin';
export const matches = ['https://admin.shopify.com/*'] as const;

export const selectors = {
  /** shopify-order.html, shopify-customer.html: the admin's main area (`<main id="AppFrameMain">`). */
  main: 'main, [role="main"]',
  /** shopify-order.html: the link from the order to its customer's page. */
  customerLink: 'a[href*="/customers/"]',
  /** shopify-customer.html: the customer's name, the page's title. */
  title: 'h1',
  /** shopify-order.html: the order's timeline; comments there may name other people. */
  timeline: '[aria-label="Timeline"], [aria-label="时间线"]',
  /** shopify-order.html: headings of the cards about the customer. */
  heading: 'h2, h3, [role="heading"]',
} as const;

/** Headings of the customer cards, in the admin languages we ship (English, Simplified Chinese). */
const customerHeadings = /^(customer|contact information|客户|联系信息)$/i;

export type ShopifyRecord = { kind: 'shop_order' | 'shop_customer'; id: string; store: string };

/** The order or customer a Shopify admin URL shows, or null (lists, settings, other pages). */
export function recordFromUrl(url: string): ShopifyRecord | null {
  let parsed: URL;
  try {
    parsed = asSiteUrl(new URL(url), 'shopify', 'admin.shopify.com');
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' || parsed.hostname !== 'admin.shopify.com') return null;
  const match = /^\/store\/([^/]+)\/(orders|customers)\/(\d{1,20})(?:\/|$)/.exec(parsed.pathname);
  if (!match) return null;
  return { kind: match[2] === 'orders' ? 'shop_order' : 'shop_customer', id: match[3]!, store: match[1]! };
}

/** The customer id in a link to `/store/<shop>/customers/<id>`. */
function customerIdIn(href: string | null): string | null {
  return /\/customers\/(\d{1,20})(?:[/?#]|$)/.exec(href ?? '')?.[1] ?? null;
}

/** The card a customer heading belongs to: its nearest ancestor holding more than the heading. */
function cardOf(heading: Element, main: Element): Element | null {
  let card = heading.parentElement;
  while (card && card !== main && (card.textContent ?? '').trim() === (heading.textContent ?? '').trim()) card = card.parentElement;
  return card === main ? null : card;
}

export function participants(document: Document, ctx: AdapterContext): Participants {
  const record = recordFromUrl(document.URL);
  if (!record) return nothingOpen;
  const list = new RecordIdentifiers(createExclusion(ctx.ownAddresses, ctx.internalDomains));
  list.addShopId(record.kind, 'shopify', record.id);

  const main = document.querySelector(selectors.main);
  if (!main) return list.participants(null);
  const inTimeline = (el: Element) => !!el.closest(selectors.timeline);

  if (record.kind === 'shop_order') {
    for (const link of main.querySelectorAll(selectors.customerLink)) {
      const customerId = customerIdIn(link.getAttribute('href'));
      if (!customerId || inTimeline(link)) continue;
      list.addShopId('shop_customer', 'shopify', customerId);
      list.setName(link.textContent);
    }
  } else {
    list.setName(main.querySelector(selectors.title)?.textContent);
  }

  const before = list.identifiers.length;
  list.addContactLinks(main, inTimeline);
  if (!list.identifiers.slice(before).some((identifier) => identifier.kind === 'email')) {
    // Addresses shown as text: the customer cards first, the rest of the page only without them.
    const cards = [...main.querySelectorAll(selectors.heading)]
      .filter((heading) => customerHeadings.test((heading.textContent ?? '').trim()))
      .map((heading) => cardOf(heading, main))
      .filter((card): card is Element => card !== null);
    for (const scope of cards.length > 0 ? cards : [main]) {
      for (const found of findIdentifiers(boundedText(scope))) {
        if (found.kind === 'email') list.addEmail(found.value);
      }
    }
  }
  return list.participants(main.querySelector(selectors.title) ?? main);
}

export function watchRoots(document: Document): Element[] {
  const main = document.querySelector(selectors.main);
  return main ? [main] : [];
}

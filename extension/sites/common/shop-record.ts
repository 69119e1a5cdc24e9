// What a shop admin page about one order or one customer says about that customer: the shop's ids
// (from the URL and from links to the customer's page), then the addresses and phone numbers the
// page shows for them. All of them name the same person, so the overlay shows the first that
// matches a customer (`mode: 'record'`), not a switcher.
import { normalizeShopId, type ShopProvider } from '../../../shared/identity.ts';
import type { Identifier } from '../../platform/messaging/schemas.ts';
import { emailIn, identifierKey, MAX_PARTICIPANTS, type Participants } from './participants.ts';

/** Longest display name kept from a page. */
const MAX_NAME = 200;
/** Longest phone number text read from a link. */
const MAX_PHONE = 40;

export class RecordIdentifiers {
  private readonly seen = new Set<string>();
  readonly identifiers: Identifier[] = [];
  private customerName: string | null = null;

  constructor(private readonly excluded: (email: string) => boolean) {}

  private push(identifier: Identifier): void {
    const key = identifierKey(identifier);
    if (this.seen.has(key) || this.identifiers.length >= MAX_PARTICIPANTS) return;
    this.seen.add(key);
    this.identifiers.push(identifier);
  }

  /** An order or customer id of the shop, e.g. ('shop_order', 'shopify', '5499000005'). */
  addShopId(kind: 'shop_order' | 'shop_customer', provider: ShopProvider, id: string | null | undefined): void {
    const value = id ? normalizeShopId(provider, id) : null;
    if (value) this.push({ kind, value });
  }

  addEmail(value: string | null | undefined): void {
    const email = emailIn(value);
    if (email && !this.excluded(email)) this.push({ kind: 'email', value: email });
  }

  /** A phone number as the page writes it; the background reads it in the organisation's region. */
  addPhone(value: string | null | undefined): void {
    const text = value?.replace(/\s+/g, ' ').trim() ?? '';
    if (text === '' || text.length > MAX_PHONE || !/\d{4}/.test(text.replace(/\D/g, ''))) return;
    this.push({ kind: 'phone', value: text });
  }

  /** The customer's name as the page shows it (page text: rendered as text only). */
  setName(value: string | null | undefined): void {
    const name = value?.replace(/\s+/g, ' ').trim().slice(0, MAX_NAME);
    if (name && !this.customerName && !name.includes('@')) this.customerName = name;
  }

  /** Emails from `mailto:` links and phones from `tel:` links under `scope`. */
  addContactLinks(scope: ParentNode, skip?: (link: Element) => boolean): void {
    for (const link of scope.querySelectorAll('a[href^="mailto:" i], a[href^="tel:" i]')) {
      if (skip?.(link)) continue;
      const href = link.getAttribute('href') ?? '';
      let target: string;
      try {
        target = decodeURIComponent(href.slice(href.indexOf(':') + 1).split('?')[0] ?? '');
      } catch {
        continue;
      }
      if (/^mailto:/i.test(href)) this.addEmail(target);
      else this.addPhone(target);
    }
  }

  participants(anchor: Element | null): Participants {
    const names: Record<string, string> = {};
    if (this.customerName) for (const identifier of this.identifiers) names[identifierKey(identifier)] = this.customerName;
    return { identifiers: this.identifiers, anchor, mode: 'record', degraded: false, names };
  }
}

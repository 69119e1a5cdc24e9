// Gmail (mail.google.com): the people in the open conversation and in open compose and reply
// windows. Selectors rely on what Gmail has kept stable for years: the `email` attribute on the
// sender (`span.gD`) and recipient (`span.g2`) chips, `data-hovercard-id`, the subject `h2.hP`,
// ARIA roles, and the `name="to"` / `name="cc"` recipient fields of compose. Each selector's example
// page is a fixture in tests/e2e/fixtures/ (named in the comment beside it).
import {
  AddressList,
  createExclusion,
  emailIn,
  nothingOpen,
  scanForAddresses,
  urlHash,
  type AdapterContext,
  type Participants,
} from './common/participants.ts';

export const id = 'gmail';
export const name = 'Gmail';
export const matches = ['https://mail.google.com/*'] as const;

export const selectors = {
  /** gmail-thread.html: the conversation or the list, whichever is shown. */
  main: '[role="main"]',
  /** gmail-thread.html: the conversation's subject. */
  subject: 'h2.hP',
  /** gmail-thread.html: each message (expanded or collapsed) of the conversation. */
  message: '[role="listitem"]',
  /** gmail-thread.html: the sender of an expanded message. */
  sender: 'span.gD[email]',
  /** gmail-thread.html: To and Cc recipients of an expanded message ("to me, Li Wei"). */
  recipient: 'span.g2[email]',
  /** gmail-thread.html: every chip carrying an address (senders of collapsed messages too). */
  person: '[email], [data-hovercard-id*="@"]',
  /** gmail-thread.html: message bodies; markup inside is the sender's, never a participant chip. */
  body: '.a3s, .ii',
  /** gmail-compose.html, gmail-reply.html: the To and Cc fields of a compose or reply window. */
  recipientField: '[name="to"], [name="cc"]',
  /** gmail-compose.html: a new message's window. */
  composeDialog: '[role="dialog"]',
  /** gmail-reply.html: an inline reply inside the conversation. */
  composeRegion: '[role="region"]',
  /** gmail-compose.html: new recipient chips (role=option) and the older span chips. */
  recipientChip: '[data-hovercard-id], [email], input[type="hidden"]',
  /** every fixture: the account button in the header, whose label names the signed-in address. */
  account: 'a[aria-label*="@"][href*="accounts.google.com"]',
} as const;

// A thread id as the last part of the hash: `#inbox/FMfcgzQXJW…` or a legacy hex id.
const THREAD_ID = /^[A-Za-z0-9_-]{16,}$/;

/** True when the URL says a conversation is open, whatever the markup looks like. */
function conversationInUrl(document: Document): boolean {
  const [path = ''] = urlHash(document).split('?');
  const last = path.split('/').pop() ?? '';
  return path.includes('/') && THREAD_ID.test(last);
}

/** The signed-in account as the page shows it (header account button, then the tab title). */
export function accountAddresses(document: Document): string[] {
  const found = new Set<string>();
  for (const link of document.querySelectorAll(selectors.account)) {
    const email = emailIn(link.getAttribute('aria-label'));
    if (email) found.add(email);
  }
  // "Inbox (3) - sam.rep@acme-trading.com - Gmail"
  const parts = document.title.split(' - ');
  if (parts.length >= 3) {
    const email = emailIn(parts[parts.length - 2]);
    if (email) found.add(email);
  }
  return [...found];
}

function composeWindows(document: Document): Element[] {
  const windows = new Set<Element>();
  for (const field of document.querySelectorAll(selectors.recipientField)) {
    // A new message is a dialog (with a region inside); an inline reply is a region of its own.
    const window = field.closest(selectors.composeDialog) ?? field.closest(selectors.composeRegion);
    if (window) windows.add(window);
  }
  return [...windows];
}

function readComposeRecipients(window: Element, list: AddressList): void {
  for (const field of window.querySelectorAll(selectors.recipientField)) {
    // Older compose: a <textarea name="to"> beside the chips in the same table row.
    const scope = field.matches('textarea, input:not([type="hidden"])') ? (field.closest('tr') ?? field.parentElement) : field;
    if (!scope) continue;
    const chips = scope.matches(selectors.recipientChip) ? [scope] : [...scope.querySelectorAll(selectors.recipientChip)];
    for (const chip of chips) {
      if (chip.tagName === 'INPUT') {
        // A hidden input holding "Li Wei <li.wei@example.com>".
        const value = (chip as HTMLInputElement).value;
        list.add(emailIn(value), value.replace(/<[^>]*>/g, '').replace(/"/g, ''));
        continue;
      }
      list.add(
        emailIn(chip.getAttribute('data-hovercard-id')) ?? emailIn(chip.getAttribute('email')),
        chip.getAttribute('data-name') ?? chip.getAttribute('name'),
      );
    }
  }
}

interface ThreadRead {
  anchor: Element | null;
  found: boolean;
}

/**
 * The people of the conversation, latest message first: its sender (or, when the user wrote it,
 * its recipients) is who the conversation is with now. Walks the address chips from the end of the
 * page and stops once the list is full, so a very long conversation costs no more than a short one.
 */
function readThread(main: Element, list: AddressList): ThreadRead {
  const chips = main.querySelectorAll(selectors.person);
  let found = false;
  let group: Element[] = [];
  let groupMessage: Element | null | undefined;

  const readGroup = () => {
    // An expanded message: its sender, then its recipients. A collapsed one: whoever it shows.
    const senders = group.filter((chip) => chip.matches(selectors.sender));
    const recipients = group.filter((chip) => chip.matches(selectors.recipient));
    const people = senders.length + recipients.length > 0 ? [...senders, ...recipients] : group;
    for (const person of people) {
      const address = emailIn(person.getAttribute('email')) ?? emailIn(person.getAttribute('data-hovercard-id'));
      // A chip with an address is the conversation's markup read as intended (sender and recipient
      // classes or not): no fallback, and no "layout not recognised".
      found ||= address !== null;
      list.add(address, person.getAttribute('name'));
    }
    group = [];
  };

  for (let i = chips.length - 1; i >= 0 && !list.full; i--) {
    const chip = chips[i]!;
    // Markup inside a message body is the sender's; chips of a reply window are read separately.
    if (chip.closest(selectors.body) || chip.closest(selectors.recipientField)) continue;
    const message = chip.closest(selectors.message);
    if (message !== groupMessage && group.length > 0) readGroup();
    groupMessage = message;
    group.unshift(chip);
  }
  if (group.length > 0 && !list.full) readGroup();
  const subject = main.querySelector(selectors.subject);
  return { anchor: subject ?? (found ? main : null), found };
}

export function participants(document: Document, ctx: AdapterContext): Participants {
  const excluded = createExclusion([...ctx.ownAddresses, ...accountAddresses(document)], ctx.internalDomains);
  const list = new AddressList(excluded);
  const main = document.querySelector(selectors.main);

  const windows = composeWindows(document);
  for (const window of windows) readComposeRecipients(window, list);

  const threadOpen = conversationInUrl(document) || !!main?.querySelector(selectors.subject);
  const thread = main && threadOpen ? readThread(main, list) : { anchor: null, found: false };

  if (windows.length > 0) {
    return { identifiers: list.identifiers, anchor: windows[0]!, mode: 'compose', degraded: false, names: list.names };
  }
  if (thread.found) {
    return { identifiers: list.identifiers, anchor: thread.anchor, mode: 'thread', degraded: false, names: list.names };
  }
  if (threadOpen) {
    // A conversation is open but its markup is not what we know: read addresses from its text.
    scanForAddresses(main ?? document.body, list);
    return { identifiers: list.identifiers, anchor: null, mode: 'fallback', degraded: true, names: list.names };
  }
  return nothingOpen;
}

export function watchRoots(document: Document): Element[] {
  const main = document.querySelector(selectors.main);
  const roots = composeWindows(document);
  if (main && !roots.some((root) => root.contains(main))) roots.unshift(main);
  return roots.filter((root, i) => !roots.some((other, j) => j !== i && other.contains(root)));
}

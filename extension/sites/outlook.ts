// Outlook on the web (outlook.office.com, outlook.office365.com, outlook.live.com): the people of
// the message in the reading pane and of an open compose form. Outlook's class names are generated
// and change with every release, so every selector here is an ARIA role or label, an element id
// Microsoft documents for its account control, or an attribute carrying the address itself.
// Each selector's example page is a fixture in tests/e2e/fixtures/ (named beside it).
import {
  AddressList,
  createExclusion,
  emailIn,
  nothingOpen,
  scanForAddresses,
  urlPath,
  type AdapterContext,
  type Participants,
} from './common/participants.ts';
import { findIdentifiers } from '../../shared/identity.ts';

export const id = 'outlook';
export const name = 'Outlook';
export const matches = [
  'https://outlook.office.com/*',
  'https://outlook.office365.com/*',
  'https://outlook.live.com/*',
] as const;

// Address well labels as Outlook renders them, in the languages we ship (English, Simplified Chinese).
const fromLabels = ['From', '发件人'];
const toLabels = ['To', '收件人'];
const ccLabels = ['Cc', 'CC', '抄送'];
const wellLabels = [...fromLabels, ...toLabels, ...ccLabels];

// A well's own label at the start of its text ("To: Rep Person"), which is not part of any name.
const leadingLabel = new RegExp(`^\\s*(?:${wellLabels.join('|')})\\s*[:：]`, 'i');

const exactLabel = (labels: string[]) => labels.flatMap((l) => [`[aria-label="${l}"]`, `[aria-label="${l}:"]`]);
const labelPrefix = (labels: string[]) => labels.flatMap((l) => [`[aria-label^="${l}: "]`, `[aria-label^="${l}："]`]);

export const selectors = {
  /** every fixture: the application's main area. */
  main: '[role="main"]',
  /** outlook-reading.html: the reading pane, a labelled region. */
  region: '[role="region"][aria-label]',
  /** outlook-reading.html: From / To / Cc wells, and persona buttons labelled "From: Li Wei …". */
  well: [...exactLabel(wellLabels), ...labelPrefix(wellLabels)].join(', '),
  /** outlook-compose.html: the editable To / Cc wells of a compose form. */
  editableWell: [...exactLabel([...toLabels, ...ccLabels])].flatMap((s) => [`${s}[contenteditable="true"]`, `${s}[role="textbox"]`, `${s}[role="combobox"]`]).join(', '),
  /** both: a persona (button or chip) whose title or label carries the address. */
  persona: '[title*="@"], [aria-label*="@"]',
  /** outlook-reading.html: the message body; markup inside is the sender's, never a persona. */
  body: '[aria-label="Message body"], [role="document"]',
  /** outlook-compose.html: the form around the editable wells. */
  composeForm: '[role="dialog"], [role="form"], form, [role="region"]',
  /** outlook-reading.html: the account control's secondary line (Microsoft's documented id). */
  account: '#mectrl_currentAccount_secondary',
} as const;

const readingPaneLabel = /reading pane|阅读窗格/i;

export function accountAddresses(document: Document): string[] {
  const found: string[] = [];
  for (const el of document.querySelectorAll(selectors.account)) {
    const email = emailIn(el.textContent);
    if (email) found.push(email);
  }
  return found;
}

function readingPane(document: Document): Element | null {
  for (const region of document.querySelectorAll(selectors.region)) {
    if (readingPaneLabel.test(region.getAttribute('aria-label') ?? '')) return region;
  }
  return null;
}

function isEditable(el: Element): boolean {
  return !!el.closest('[contenteditable="true"], [role="textbox"], [role="combobox"]');
}

/** The name a persona shows: its text without the address and the punctuation around it. */
function personaName(persona: Element): string | null {
  const text = (persona.textContent ?? '')
    .slice(0, 300)
    .replace(leadingLabel, '')
    .replace(/[^\s<>()[\]"';,]+@[^\s<>()[\]"';,]+/g, '');
  const name = text.replace(/[<>()[\]"';,]/g, ' ').replace(/\s+/g, ' ').trim();
  return name === '' ? null : name;
}

/** Addresses in a well: its personas' titles and labels, else the well's own (short) text. */
function readWell(well: Element, list: AddressList): void {
  const before = list.identifiers.length;
  const personas = [...well.querySelectorAll(selectors.persona)].filter((persona) => !persona.closest(selectors.body));
  const own = emailIn(well.getAttribute('title')) ?? emailIn(well.getAttribute('aria-label'));
  if (own) list.add(own, personas.length === 0 ? personaName(well) : null);
  for (const persona of personas) {
    list.add(emailIn(persona.getAttribute('title')) ?? emailIn(persona.getAttribute('aria-label')), personaName(persona));
  }
  if (list.identifiers.length === before) {
    for (const found of findIdentifiers((well.textContent ?? '').slice(0, 4_000))) {
      if (found.kind === 'email') list.add(found.value);
    }
  }
}

function messageIsOpen(document: Document, pane: Element | null): boolean {
  // /mail/inbox/id/AAQkAD…, /mail/0/id/…, /mail/deeplink/read/…
  if (/\/mail\/.*(?:\/id\/|deeplink\/read)/.test(urlPath(document))) return true;
  return !!pane?.querySelector('[role="heading"]');
}

export function participants(document: Document, ctx: AdapterContext): Participants {
  const excluded = createExclusion([...ctx.ownAddresses, ...accountAddresses(document)], ctx.internalDomains);
  const list = new AddressList(excluded);
  const main = document.querySelector(selectors.main);
  const scope = main ?? document.body;

  const editableWells = [...scope.querySelectorAll(selectors.editableWell)];
  if (editableWells.length > 0) {
    for (const well of editableWells) readWell(well, list);
    const form = editableWells[0]!.parentElement?.closest(selectors.composeForm) ?? null;
    return { identifiers: list.identifiers, anchor: form, mode: 'compose', degraded: false, names: list.names };
  }

  const pane = readingPane(document);
  const area = pane ?? scope;
  const wells = [...area.querySelectorAll(selectors.well)].filter((well) => !isEditable(well) && !well.closest(selectors.body));
  // Innermost wells only: a "From" container may hold a persona labelled "From: …".
  const outer = wells.filter((well) => !wells.some((other) => other !== well && well.contains(other)));
  for (const well of outer) readWell(well, list);
  if (outer.length > 0) {
    return { identifiers: list.identifiers, anchor: pane ?? outer[0]!, mode: 'thread', degraded: false, names: list.names };
  }
  if (messageIsOpen(document, pane)) {
    scanForAddresses(area, list);
    return { identifiers: list.identifiers, anchor: null, mode: 'fallback', degraded: true, names: list.names };
  }
  return nothingOpen;
}

export function watchRoots(document: Document): Element[] {
  const main = document.querySelector(selectors.main);
  return main ? [main] : [];
}

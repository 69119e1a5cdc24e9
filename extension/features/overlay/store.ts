// The overlay's state, one store per overlay: what the page shows (participants), what the
// background answered (session, portraits, freshness), what the user is doing (selection, expanded,
// writes still on their way). Components read these signals and call the actions; nothing else
// changes them.
import { batch, computed, signal } from '@preact/signals';
import { identifierKey, nothingOpen, type Participants } from '../../sites/common/participants.ts';
import { PageRequestError, type PortraitClient } from '../page-client.ts';
import type { BackgroundPush, Identifier, LookupResult, NoteView, PortraitView, SessionState, TagView, WriteOp } from '../../platform/messaging/schemas.ts';

export type OverlayClient = Pick<PortraitClient, 'lookup' | 'write' | 'tagSuggestions'>;

export interface PageInfo {
  url(): string | null;
  title(): string | null;
}

export interface ParticipantEntry {
  key: string;
  identifier: Identifier;
  /** The name the page shows beside the address (page text). */
  pageName: string | null;
  /** Undefined until the background has answered for this identifier; null when nobody matches. */
  portrait: PortraitView | null | undefined;
}

export type OverlayView =
  | { kind: 'hidden' }
  | { kind: 'loading'; entry: ParticipantEntry }
  | { kind: 'signed-out'; reason: 'signed-out' | 'not-configured' }
  | { kind: 'unavailable' }
  | { kind: 'customer'; entry: ParticipantEntry; portrait: PortraitView }
  | { kind: 'unknown'; entry: ParticipantEntry };

/** A tag as shown: the background's view plus what the user changed and is not confirmed yet. */
export interface TagChip extends TagView {
  removing?: boolean;
}

type WriteState = 'sending' | 'queued' | 'saved';

interface LocalWriteBase {
  id: number;
  key: string;
  state: WriteState;
  /** Lookups started at or after this epoch already include the write. */
  ackEpoch: number | null;
}
export type LocalWrite = LocalWriteBase &
  (
    | { op: 'tag'; tag: string }
    | { op: 'untag'; tag: string }
    | { op: 'note'; body: string; createdAt: string }
    | { op: 'lead' }
  );

type LocalWriteDraft = LocalWrite extends infer W ? (W extends LocalWrite ? Omit<W, 'id' | 'state' | 'ackEpoch'> : never) : never;

export type WriteProblem = 'signed-out' | 'forbidden' | 'failed';

const defaultPage: PageInfo = {
  url: () => (typeof location === 'undefined' ? null : location.href),
  title: () => (typeof document === 'undefined' ? null : document.title || null),
};

// Tag names are unique per organisation case-insensitively.
const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * When the overlay was showing nothing and people appear, an answer within this time is shown
 * straight away, without a "looking up" state first: no flash, and no render and layout of a state
 * the page would hardly see. A slower answer shows the loading state once this time has passed.
 */
export const QUIET_LOADING_MS = 120;

/**
 * One object for "hidden": the view stays the same value while the overlay shows nothing (people
 * appear, a lookup starts), so the overlay is not rendered again until there is something to show.
 */
const hidden: OverlayView = Object.freeze({ kind: 'hidden' });

export function createOverlayStore(client: OverlayClient, page: PageInfo = defaultPage, clock: () => number = Date.now) {
  const participants = signal<Participants>(nothingOpen);
  const session = signal<SessionState | null>(null);
  const results = signal<ReadonlyMap<string, LookupResult>>(new Map());
  const status = signal<'idle' | 'loading' | 'ready' | 'unavailable'>('idle');
  /** When the data shown was fetched from the database (the cache's age, or the answer's time). */
  const fetchedAt = signal<number | null>(null);
  const stale = signal(false);
  const selectedKey = signal<string | null>(null);
  const expanded = signal(false);
  const localWrites = signal<readonly LocalWrite[]>([]);
  const writeProblem = signal<WriteProblem | null>(null);
  const suggestions = signal<ReadonlyArray<{ name: string; color: string | null }>>([]);
  const now = signal(clock());
  /** The browser's network state (`navigator.onLine`, kept current by the content script). */
  const online = signal(typeof navigator === 'undefined' ? true : navigator.onLine !== false);
  /** Writes made here that the background holds until the API answers (its write queue). */
  const waitingToSend = computed(() => localWrites.value.filter((w) => w.state === 'queued').length);
  /** True while a first lookup is young enough to show nothing rather than "looking up". */
  const quiet = signal(false);
  let quietTimer: ReturnType<typeof setTimeout> | undefined;

  let lookupSeq = 0;
  let suggestionSeq = 0;
  let writeSeq = 0;
  let epoch = 0;

  const allEntries = computed<ParticipantEntry[]>(() => {
    const { identifiers, names } = participants.value;
    return identifiers.map((identifier) => {
      const key = identifierKey(identifier);
      return { key, identifier, pageName: names?.[key] ?? null, portrait: results.value.get(key)?.portrait };
    });
  });

  /**
   * On a page about one customer (a shop order), its identifiers are one person: the first that
   * matches a customer; when none does, the first address or phone (to add them as a lead by), else
   * the first identifier. An identifier the answer left out counts as unknown once it is in.
   */
  function oneCustomer(list: ParticipantEntry[]): ParticipantEntry[] {
    if (list.length === 0) return list;
    const answered = status.value === 'ready';
    const settled = list.map((entry) => (entry.portrait === undefined && answered ? { ...entry, portrait: null } : entry));
    const known = settled.find((entry) => entry.portrait);
    if (known) return [known];
    if (settled.some((entry) => entry.portrait === undefined)) return [{ ...settled[0]!, portrait: undefined }];
    return [settled.find((entry) => entry.identifier.kind === 'email' || entry.identifier.kind === 'phone') ?? settled[0]!];
  }

  const entries = computed<ParticipantEntry[]>(() =>
    participants.value.mode === 'record' ? oneCustomer(allEntries.value) : allEntries.value,
  );

  const current = computed<ParticipantEntry | null>(
    () => entries.value.find((entry) => entry.key === selectedKey.value) ?? entries.value[0] ?? null,
  );

  const view = computed<OverlayView>(() => {
    const entry = current.value;
    if (!entry) return hidden;
    const s = session.value;
    if (s && !s.signedIn) return { kind: 'signed-out', reason: s.reason };
    if (status.value === 'unavailable' && entry.portrait === undefined) return { kind: 'unavailable' };
    if (entry.portrait === undefined) return quiet.value ? hidden : { kind: 'loading', entry };
    if (entry.portrait === null) return { kind: 'unknown', entry };
    return { kind: 'customer', entry, portrait: entry.portrait };
  });

  const writesForCurrent = computed(() => localWrites.value.filter((w) => w.key === current.value?.key));

  const tags = computed<TagChip[]>(() => {
    const entry = current.value;
    const chips: TagChip[] = (entry?.portrait?.tags ?? []).map((tag) => ({ ...tag }));
    for (const write of writesForCurrent.value) {
      if (write.op === 'tag' && !chips.some((chip) => sameName(chip.name, write.tag))) {
        chips.push({ id: `local-${write.id}`, name: write.tag, color: null, source: 'manual', pending: true });
      }
      if (write.op === 'untag') {
        for (const chip of chips) if (sameName(chip.name, write.tag)) chip.removing = true;
      }
    }
    return chips;
  });

  const notes = computed<NoteView[]>(() => {
    const local: NoteView[] = writesForCurrent.value.flatMap((write) =>
      write.op === 'note' ? [{ id: `local-${write.id}`, body: write.body, authorName: null, createdAt: write.createdAt, pending: true }] : [],
    );
    const saved = [...(current.value?.portrait?.notes ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return [...local.reverse(), ...saved];
  });

  const leadPending = computed(() => writesForCurrent.value.some((write) => write.op === 'lead'));

  /** Drops local writes the background's data now includes (its view marks queued ones pending). */
  function settleWrites(keys: Set<string>, answeredEpoch: number): void {
    const left = localWrites.value.filter((w) => !(keys.has(w.key) && w.ackEpoch !== null && w.ackEpoch <= answeredEpoch));
    if (left.length !== localWrites.value.length) localWrites.value = left;
  }

  function mergeResults(incoming: readonly LookupResult[], answeredEpoch: number): void {
    const next = new Map(results.value);
    const keys = new Set<string>();
    for (const result of incoming) {
      const key = identifierKey(result.identifier);
      keys.add(key);
      next.set(key, result);
    }
    results.value = next;
    settleWrites(keys, answeredEpoch);
  }

  async function lookup(): Promise<void> {
    const { identifiers } = participants.value;
    if (identifiers.length === 0) {
      status.value = 'idle';
      return;
    }
    const seq = ++lookupSeq;
    const startEpoch = epoch;
    if (identifiers.some((id) => !results.value.has(identifierKey(id)))) status.value = 'loading';
    try {
      const response = await client.lookup(identifiers);
      if (seq !== lookupSeq) return;
      batch(() => {
        quiet.value = false;
        session.value = response.session;
        mergeResults(response.results, startEpoch);
        const age = response.fetchedAt === null ? NaN : Date.parse(response.fetchedAt);
        fetchedAt.value = Number.isNaN(age) ? clock() : age;
        stale.value = response.stale;
        status.value = 'ready';
        now.value = clock();
      });
    } catch (error) {
      if (seq !== lookupSeq) return;
      quiet.value = false;
      if (error instanceof PageRequestError && error.code === 'signed-out') {
        batch(() => {
          session.value = { signedIn: false, reason: 'signed-out' };
          status.value = 'ready';
        });
        return;
      }
      console.warn('Portrait: lookup failed', error);
      status.value = 'unavailable';
    }
  }

  function setParticipants(next: Participants): void {
    const wasHidden = view.peek().kind === 'hidden';
    const before = participants.value.identifiers.map(identifierKey).join(',');
    // One change for the overlay: no "looking up" in between that a render could catch.
    batch(() => {
      participants.value = next;
      if (next.identifiers.map(identifierKey).join(',') === before) return;
      if (selectedKey.value && !next.identifiers.some((id) => identifierKey(id) === selectedKey.value)) {
        selectedKey.value = null;
      }
      if (next.identifiers.length === 0) expanded.value = false;
      clearTimeout(quietTimer);
      if (next.identifiers.length > 0 && wasHidden && session.peek()?.signedIn !== false) {
        quiet.value = true;
        quietTimer = setTimeout(() => (quiet.value = false), QUIET_LOADING_MS);
      } else {
        quiet.value = false;
      }
      void lookup();
    });
  }

  function applyPush(push: BackgroundPush): void {
    // Settings changes are the page watcher's business (features/overlay/start.tsx), not the store's.
    if (push.type === 'portrait/settings-changed') return;
    if (push.type === 'portrait/session-changed') {
      const wasSignedIn = session.value?.signedIn === true;
      batch(() => {
        session.value = push.session;
        if (!push.session.signedIn) {
          results.value = new Map();
          localWrites.value = [];
        }
      });
      if (push.session.signedIn && !wasSignedIn) void lookup();
      return;
    }
    batch(() => {
      mergeResults(push.results, epoch);
      fetchedAt.value = clock();
      stale.value = false;
      now.value = clock();
      if (status.value === 'unavailable' || status.value === 'loading') status.value = 'ready';
    });
  }

  async function write(op: WriteOp, draft: LocalWriteDraft): Promise<boolean> {
    const id = ++writeSeq;
    batch(() => {
      localWrites.value = [...localWrites.value, { ...draft, id, state: 'sending', ackEpoch: null } as LocalWrite];
      writeProblem.value = null;
    });
    try {
      const response = await client.write(op);
      const ackEpoch = ++epoch;
      localWrites.value = localWrites.value.map((w) =>
        w.id === id ? { ...w, state: response.pending ? 'queued' : 'saved', ackEpoch } : w,
      );
      // A landed write shows in the next answer; a queued one arrives later as a push.
      if (!response.pending) void lookup();
      return true;
    } catch (error) {
      console.warn('Portrait: write failed', error);
      batch(() => {
        localWrites.value = localWrites.value.filter((w) => w.id !== id);
        const code = error instanceof PageRequestError ? error.code : 'failed';
        writeProblem.value = code === 'signed-out' || code === 'forbidden' ? code : 'failed';
      });
      return false;
    }
  }

  function addTag(name: string): Promise<boolean> {
    const entry = current.value;
    const tag = name.replace(/\s+/g, ' ').trim();
    if (!entry || tag === '' || tags.value.some((chip) => sameName(chip.name, tag) && !chip.removing)) {
      return Promise.resolve(false);
    }
    return write(
      { op: 'tag', identifier: entry.identifier, tags: [tag], pageUrl: page.url(), pageTitle: page.title() },
      { op: 'tag', key: entry.key, tag },
    );
  }

  function removeTag(tag: string): Promise<boolean> {
    const entry = current.value;
    const customerId = entry?.portrait?.customerId;
    if (!entry || !customerId) return Promise.resolve(false);
    return write({ op: 'untag', customerId, tag }, { op: 'untag', key: entry.key, tag });
  }

  function addNote(text: string): Promise<boolean> {
    const entry = current.value;
    const customerId = entry?.portrait?.customerId;
    const body = text.trim();
    if (!entry || !customerId || body === '') return Promise.resolve(false);
    return write(
      { op: 'note', customerId, body },
      { op: 'note', key: entry.key, body, createdAt: new Date(clock()).toISOString() },
    );
  }

  function addLead(): Promise<boolean> {
    const entry = current.value;
    if (!entry || entry.portrait !== null || leadPending.value) return Promise.resolve(false);
    return write(
      { op: 'lead', identifier: entry.identifier, displayName: entry.pageName, pageUrl: page.url(), pageTitle: page.title() },
      { op: 'lead', key: entry.key },
    );
  }

  async function requestSuggestions(prefix: string): Promise<void> {
    const seq = ++suggestionSeq;
    const text = prefix.trim();
    if (text === '') {
      suggestions.value = [];
      return;
    }
    try {
      const response = await client.tagSuggestions(text);
      if (seq !== suggestionSeq) return;
      suggestions.value = response.tags.filter((tag) => !tags.value.some((chip) => sameName(chip.name, tag.name))).slice(0, 8);
    } catch (error) {
      if (seq === suggestionSeq) suggestions.value = [];
      console.warn('Portrait: tag suggestions failed', error);
    }
  }

  return {
    participants,
    session,
    status,
    fetchedAt,
    stale,
    selectedKey,
    expanded,
    writeProblem,
    suggestions,
    now,
    online,
    waitingToSend,
    entries,
    current,
    view,
    tags,
    notes,
    leadPending,
    setParticipants,
    applyPush,
    lookup,
    addTag,
    removeTag,
    addNote,
    addLead,
    requestSuggestions,
    select(key: string) {
      selectedKey.value = key;
      writeProblem.value = null;
    },
    toggle() {
      expanded.value = !expanded.value;
    },
    collapse() {
      expanded.value = false;
    },
    clearSuggestions() {
      suggestionSeq++;
      suggestions.value = [];
    },
    /** The browser went offline or came back; back online, the page is looked up again. */
    setOnline(value: boolean) {
      if (online.value === value) return;
      online.value = value;
      if (value) void lookup();
    },
    /** Moves relative times ("2 min ago") forward; called by a timer. */
    tick() {
      now.value = clock();
    },
  };
}

export type OverlayStore = ReturnType<typeof createOverlayStore>;

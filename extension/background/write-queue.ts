// Writes (tag, untag, note, stage, lead) go through a queue kept in `storage.local`, so that
// nothing typed while offline or while the service worker is stopped is lost.
//
// - Each write gets its request id once, when it is queued; every attempt sends the same id and
//   the API applies a request id at most once, so a write whose answer was lost (network gone, or
//   the worker stopped after the API committed) is applied exactly once when it is sent again.
// - Writes are sent one at a time in the order they were made (a tag and then its removal must
//   not swap). A write that fails for a passing reason (network, server error, rate limit) waits
//   with exponential backoff and jitter, and the ones behind it wait too; one the API refuses
//   (bad input, no permission) is dropped and recorded as failed.
// - A write that creates a customer (a tag or lead on an unknown identifier) gets a placeholder
//   customer id for the pages to show; later writes made against the placeholder are sent with the
//   real id once the API has answered.
import { z } from 'zod';
import { identifierSchema, writeOpSchema, type Identifier, type PortraitView, type WriteOp } from '../platform/messaging/schemas.ts';
import { systemClock, type Clock } from './clock.ts';
import { defineStorageItem } from '../platform/storage/item.ts';
import type { KeyValueArea } from '../platform/storage/storage.ts';

// Ids are the background's own (request and placeholder ids) or the session's; their form is the
// API's to check, the queue only needs them present.
const id = z.string().min(1);

const queuedWriteSchema = z.object({
  requestId: id,
  write: writeOpSchema,
  orgId: id,
  /** The user who made the write; only their session sends it. */
  userId: id,
  enqueuedAt: z.number(),
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: z.number(),
  lastError: z.string().nullable(),
  /** For a write that may create the customer: the id pages show until the API answers. */
  placeholderCustomerId: id.nullable(),
  /** An identifier of the customer, for the calls that find the customer by one (untag). */
  target: identifierSchema.nullable(),
});
export type QueuedWrite = z.infer<typeof queuedWriteSchema>;

const failedWriteSchema = z.object({
  requestId: id,
  write: writeOpSchema,
  orgId: id,
  message: z.string(),
  at: z.number(),
});
export type FailedWrite = z.infer<typeof failedWriteSchema>;

/** A stored write that no longer matches its shape: never sent, kept for a later version to read. */
const setAsideWriteSchema = z.object({ value: z.unknown(), reason: z.string() });

const queueStateSchema = z.object({
  writes: z.array(queuedWriteSchema),
  /** placeholder customer id → the customer's real id. */
  resolved: z.record(z.string(), id),
  failed: z.array(failedWriteSchema),
  setAside: z.array(setAsideWriteSchema),
});
type QueueState = z.infer<typeof queueStateSchema>;

/**
 * One unreadable write must not cost the others: each stored write is checked on its own, and one
 * that fails its shape is moved to `setAside` (logged) while the rest of the queue is read.
 */
function setAsideUnreadableWrites(stored: unknown): unknown {
  if (!stored || typeof stored !== 'object' || !Array.isArray((stored as { writes?: unknown }).writes)) return stored;
  const state = stored as { writes: unknown[]; setAside?: unknown };
  const writes: unknown[] = [];
  const setAside = Array.isArray(state.setAside) ? [...(state.setAside as unknown[])] : [];
  for (const write of state.writes) {
    const parsed = queuedWriteSchema.safeParse(write);
    if (parsed.success) {
      writes.push(write);
    } else {
      const reason = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
      console.warn('Portrait: a queued write does not match its shape and is kept aside, not sent', reason);
      setAside.push({ value: write, reason });
    }
  }
  return writes.length === state.writes.length ? stored : { ...state, writes, setAside };
}

/**
 * The queue in `storage.local`. Version 1 (the first builds) was `{ writes, resolved, failed }`;
 * version 2 adds `setAside`, the writes a build could not read, so that none is lost or sent wrong.
 */
export const writeQueueItem = defineStorageItem<QueueState>('local:portrait:write-queue', {
  schema: z.preprocess(setAsideUnreadableWrites, queueStateSchema),
  fallback: { writes: [], resolved: {}, failed: [], setAside: [] },
  version: 2,
  migrations: {
    2: (v1) => ({ ...(v1 as object), setAside: [] }),
  },
  unreadable: 'set-aside',
});

export type ApplyOutcome =
  | { ok: true; customerId: string | null; portrait?: PortraitView | null }
  | { ok: false; retry: boolean; message: string };

export type WriteSettlement =
  | { status: 'landed'; customerId: string | null; portrait?: PortraitView | null }
  | { status: 'failed'; message: string };

export const queueStorageKey = writeQueueItem.storageKey;
const maxFailedKept = 20;
const maxResolvedKept = 200;

export interface WriteQueueOptions {
  /** `storage.local`: the queue must outlive the service worker and the browser session. */
  area: KeyValueArea;
  /** Sends one write to the API. */
  apply(write: QueuedWrite): Promise<ApplyOutcome>;
  /** Whether the write can be sent now (its user is signed in). */
  canSend(write: QueuedWrite): boolean | Promise<boolean>;
  /** Told when a write has landed or has been dropped. */
  onSettled?(write: QueuedWrite, settlement: WriteSettlement): void;
  /** Asks to be woken at this time even if the service worker is stopped meanwhile (alarms). */
  wakeAt?(time: number): void;
  clock?: Clock;
  random?: () => number;
  newId?: () => string;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface WriteQueue {
  /** Stores the write with a new request id; resolves once it is in storage. */
  enqueue(write: WriteOp, owner: { orgId: string; userId: string; target?: Identifier | null }): Promise<QueuedWrite>;
  /**
   * Sends due writes in order until the queue is empty or a write has to wait. With `now`, the
   * first write is tried even if its backoff has not run out (the worker just started, the
   * network came back, the user opened the popup).
   */
  drain(options?: { now?: boolean }): Promise<void>;
  /** Waits until the write lands or fails, or `timeoutMs` passes ('pending'). */
  settled(requestId: string, timeoutMs: number): Promise<WriteSettlement | { status: 'pending' }>;
  /** The writes still to send, in order, with placeholder customer ids replaced once known. */
  writes(): Promise<QueuedWrite[]>;
  failed(): Promise<FailedWrite[]>;
  /** The real customer id behind a placeholder, once known. */
  resolveCustomerId(customerId: string): Promise<string>;
  /** Forgets every write (sign-out). */
  clear(): Promise<void>;
}

/** Exponential backoff with "equal jitter": half the delay fixed, half random. */
export function backoffDelay(attempts: number, random: () => number, baseMs: number, maxMs: number): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

function withCustomerId(write: WriteOp, resolved: Record<string, string>): WriteOp {
  if ('customerId' in write && resolved[write.customerId]) {
    return { ...write, customerId: resolved[write.customerId]! };
  }
  return write;
}

/**
 * Freezes the committed state all the way down: what `writes()` and `failed()` hand out shares its
 * objects, and a caller changing them would change the queue without storing it.
 */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** The writes still to send, in order, with placeholder customer ids replaced once known. */
function pendingOf(state: QueueState): QueuedWrite[] {
  return state.writes.map((w) => ({ ...w, write: withCustomerId(w.write, state.resolved) }));
}

export function createWriteQueue(options: WriteQueueOptions): WriteQueue {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const newId = options.newId ?? (() => crypto.randomUUID());
  const baseDelayMs = options.baseDelayMs ?? 1_000;
  const maxDelayMs = options.maxDelayMs ?? 5 * 60_000;

  // The queue's state is kept in memory, with `storage.local` as its durable copy: a started
  // service worker reads it once, every change is written to storage before it takes effect here
  // (and before whoever made it is answered), and reads (every lookup overlays the pending writes
  // on its answer) are served from memory without a storage read or a schema check. This is safe
  // because the background is the queue's only writer: there is one background (one service
  // worker; the extension's pages and content scripts reach the queue through its messages, and
  // the manifest does not ask for a separate incognito background), so what it holds in memory
  // cannot go stale behind its back. A stopped worker loses nothing that was acknowledged: that is
  // in storage, and the next worker starts from it.
  const queueStore = writeQueueItem.in(options.area);
  /** What storage holds, as last read or written by this queue; null until first read. */
  let committed: QueueState | null = null;
  let loading: Promise<QueueState> | null = null;
  function load(): Promise<QueueState> {
    if (committed) return Promise.resolve(committed);
    const read = (loading ??= (async () => {
      const state = await queueStore.getValue();
      // A write set aside while reading is saved so, once (and logged once, by the reader).
      if (state.setAside.length > 0) await queueStore.setValue(state);
      committed ??= deepFreeze(state);
      return committed;
    })());
    read.catch(() => {
      if (loading === read) loading = null;
    });
    return read;
  }

  /** Reads the committed state: from memory once loaded (no storage read, no wait for a change). */
  async function read<T>(view: (state: QueueState) => T): Promise<T> {
    return view(committed ?? (await load()));
  }

  // Every change runs after the previous one, on a copy of the committed state; the copy becomes
  // the committed state only once storage has it, so a failed write changes nothing.
  let lock: Promise<unknown> = Promise.resolve();
  function change<T>(apply: (draft: QueueState) => T): Promise<T> {
    const next = lock.then(async () => {
      const draft = structuredClone(await load());
      const result = apply(draft);
      await queueStore.setValue(draft);
      committed = deepFreeze(draft);
      return result;
    });
    lock = next.catch(() => undefined);
    return next;
  }

  const waiters = new Map<string, Set<(settlement: WriteSettlement) => void>>();
  function settle(write: QueuedWrite, settlement: WriteSettlement): void {
    for (const waiter of waiters.get(write.requestId) ?? []) waiter(settlement);
    waiters.delete(write.requestId);
    options.onSettled?.(write, settlement);
  }

  let retryTimer: unknown = null;
  function retryAt(time: number): void {
    if (retryTimer !== null) clock.clearTimeout(retryTimer);
    retryTimer = clock.setTimeout(() => {
      retryTimer = null;
      void queue.drain();
    }, Math.max(0, time - clock.now()));
    options.wakeAt?.(time);
  }

  /** Sends the first sendable write if it is due; false when the queue has to wait. */
  async function sendNext(now = false): Promise<boolean> {
    const writes = await read(pendingOf);
    // The first write that can be sent now: writes of a user who is not signed in wait without
    // holding up the signed-in user's.
    let head: QueuedWrite | undefined;
    for (const write of writes) {
      if (await options.canSend(write)) {
        head = write;
        break;
      }
    }
    if (!head) return false;
    if (head.nextAttemptAt > clock.now() && !now) {
      retryAt(head.nextAttemptAt);
      return false;
    }

    let outcome: ApplyOutcome;
    try {
      outcome = await options.apply(head);
    } catch (error) {
      outcome = { ok: false, retry: true, message: error instanceof Error ? error.message : String(error) };
    }

    const settlement = await change((state): WriteSettlement | null => {
      const index = state.writes.findIndex((w) => w.requestId === head.requestId);
      const stored = state.writes[index];
      if (!stored) return null;
      if (outcome.ok) {
        state.writes.splice(index, 1);
        if (stored.placeholderCustomerId && outcome.customerId) {
          state.resolved[stored.placeholderCustomerId] = outcome.customerId;
          const keys = Object.keys(state.resolved);
          for (const old of keys.slice(0, Math.max(0, keys.length - maxResolvedKept))) delete state.resolved[old];
        }
        return { status: 'landed', customerId: outcome.customerId, portrait: outcome.portrait ?? null };
      }
      if (outcome.retry) {
        stored.attempts += 1;
        stored.lastError = outcome.message;
        stored.nextAttemptAt = clock.now() + backoffDelay(stored.attempts, random, baseDelayMs, maxDelayMs);
        return null;
      }
      state.writes.splice(index, 1);
      state.failed = [
        ...state.failed,
        { requestId: stored.requestId, write: stored.write, orgId: stored.orgId, message: outcome.message, at: clock.now() },
      ].slice(-maxFailedKept);
      return { status: 'failed', message: outcome.message };
    });

    if (settlement) {
      settle(head, settlement);
      return true;
    }
    // A passing failure: the same write, with the same request id, is tried again later.
    const failed = head;
    await read((state) => {
      const stored = state.writes.find((w) => w.requestId === failed.requestId);
      if (stored) retryAt(stored.nextAttemptAt);
    });
    return false;
  }

  let running: Promise<void> | null = null;
  let again = false;
  let againNow = false;

  const queue: WriteQueue = {
    async enqueue(write, owner) {
      const now = clock.now();
      const queued: QueuedWrite = {
        requestId: newId(),
        write,
        orgId: owner.orgId,
        userId: owner.userId,
        enqueuedAt: now,
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        placeholderCustomerId: write.op === 'tag' || write.op === 'lead' ? newId() : null,
        target: owner.target ?? (write.op === 'tag' || write.op === 'lead' ? write.identifier : null),
      };
      await change((state) => {
        state.writes.push(structuredClone(queued));
      });
      return queued;
    },

    drain(options) {
      if (running) {
        again = true;
        againNow ||= options?.now === true;
        return running;
      }
      running = (async () => {
        let now = options?.now === true;
        try {
          do {
            again = false;
            while (await sendNext(now)) now = false;
            now = againNow;
            againNow = false;
          } while (again);
        } finally {
          running = null;
        }
      })();
      return running;
    },

    settled(requestId, timeoutMs) {
      return new Promise((resolve) => {
        const timer = clock.setTimeout(() => {
          waiters.get(requestId)?.delete(done);
          resolve({ status: 'pending' });
        }, timeoutMs);
        function done(settlement: WriteSettlement) {
          clock.clearTimeout(timer);
          resolve(settlement);
        }
        let set = waiters.get(requestId);
        if (!set) waiters.set(requestId, (set = new Set()));
        set.add(done);
      });
    },

    writes: () => read(pendingOf),
    failed: () => read((state) => [...state.failed]),

    resolveCustomerId: (customerId) => read((state) => state.resolved[customerId] ?? customerId),

    async clear() {
      if (retryTimer !== null) clock.clearTimeout(retryTimer);
      retryTimer = null;
      await change((state) => {
        state.writes = [];
        state.resolved = {};
        state.failed = [];
        state.setAside = [];
      });
    },
  };
  return queue;
}

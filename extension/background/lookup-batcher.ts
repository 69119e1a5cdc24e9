// Many tabs ask about the same people at nearly the same moment (a thread open in two windows,
// Gmail re-rendering). Identifiers asked for within a few milliseconds are collected, each one
// once, and sent as one `customer_context` call per organization; every asker gets its share.
import type { Identifier, PortraitView } from '../platform/messaging/schemas.ts';
import { systemClock, type Clock } from './clock.ts';
import { identifierKey } from './identifiers.ts';

export type FetchBatch = (
  orgId: string,
  identifiers: Identifier[],
) => Promise<Map<string, PortraitView | null>>;

export interface LookupBatcherOptions {
  fetchBatch: FetchBatch;
  /** How long to collect identifiers before calling the API. */
  windowMs?: number;
  /** Most identifiers per call; a full batch is sent at once. */
  maxBatch?: number;
  clock?: Clock;
}

interface Waiting {
  identifier: Identifier;
  promise: Promise<PortraitView | null>;
  resolve(portrait: PortraitView | null): void;
  reject(error: unknown): void;
}

export interface LookupBatcher {
  /** The portrait (or null: not a customer) of each identifier, by identifierKey. */
  load(orgId: string, identifiers: readonly Identifier[]): Promise<Map<string, PortraitView | null>>;
}

export function createLookupBatcher(options: LookupBatcherOptions): LookupBatcher {
  const windowMs = options.windowMs ?? 8;
  const maxBatch = options.maxBatch ?? 50;
  const clock = options.clock ?? systemClock;
  /** Collected, not yet sent, per organization. */
  const collecting = new Map<string, Map<string, Waiting>>();
  /** Sent, not yet answered: a second asker joins the call already under way. */
  const inFlight = new Map<string, Waiting>();
  let timer: unknown = null;

  const flightKey = (orgId: string, key: string) => `${orgId}\u0000${key}`;

  function send(orgId: string, batch: Map<string, Waiting>): void {
    for (const [key, waiting] of batch) inFlight.set(flightKey(orgId, key), waiting);
    const identifiers = [...batch.values()].map((w) => w.identifier);
    const settle = () => {
      for (const key of batch.keys()) inFlight.delete(flightKey(orgId, key));
    };
    options.fetchBatch(orgId, identifiers).then(
      (found) => {
        settle();
        for (const [key, waiting] of batch) waiting.resolve(found.get(key) ?? null);
      },
      (error: unknown) => {
        settle();
        for (const waiting of batch.values()) waiting.reject(error);
      },
    );
  }

  function flush(): void {
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    for (const [orgId, waiting] of collecting) {
      collecting.delete(orgId);
      const entries = [...waiting];
      for (let i = 0; i < entries.length; i += maxBatch) {
        send(orgId, new Map(entries.slice(i, i + maxBatch)));
      }
    }
  }

  function waitFor(orgId: string, identifier: Identifier): Promise<PortraitView | null> {
    const key = identifierKey(identifier);
    const flying = inFlight.get(flightKey(orgId, key));
    if (flying) return flying.promise;
    let batch = collecting.get(orgId);
    if (!batch) collecting.set(orgId, (batch = new Map()));
    const queued = batch.get(key);
    if (queued) return queued.promise;

    let resolve!: Waiting['resolve'];
    let reject!: Waiting['reject'];
    const promise = new Promise<PortraitView | null>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Every asker handles the rejection; this keeps an unawaited copy from being reported.
    promise.catch(() => undefined);
    batch.set(key, { identifier, promise, resolve, reject });
    if (batch.size >= maxBatch) flush();
    else if (timer === null) timer = clock.setTimeout(flush, windowMs);
    return promise;
  }

  return {
    async load(orgId, identifiers) {
      const pending = identifiers.map(
        async (identifier) => [identifierKey(identifier), await waitFor(orgId, identifier)] as const,
      );
      return new Map(await Promise.all(pending));
    },
  };
}

// Serves an embedded PGlite on a Postgres port with @electric-sql/pglite-socket, keeping each
// client's extended-protocol exchange together.
//
// PGlite is one backend. pglite-socket multiplexes clients over it message by message and keeps
// a client to itself only while a transaction is open. Outside a transaction, the Parse / Bind /
// Describe / Execute messages of one client could interleave with another's before its Sync,
// which ends in "bind message supplies N parameters" or "portal does not exist" errors. The queue
// here also stays with a client from its first extended-protocol message until its Sync.
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
  onData: (data: Uint8Array) => void;
}

interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  db: PGlite;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

// Messages of the extended query protocol that leave the exchange open until Sync (or Flush-only).
const extendedProtocol = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));

function keepExchangesTogether(queue: QueryQueue): void {
  let openExchange = false;

  queue.processQueue = async function processQueue(this: QueryQueue) {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const sticky = this.lastHandlerId !== null && (openExchange || this.db.isInTransaction());
        let item: QueuedMessage | undefined;
        if (sticky) {
          const index = this.queue.findIndex((m) => m.handlerId === this.lastHandlerId);
          if (index === -1) break; // wait for the client that holds the backend
          item = this.queue.splice(index, 1)[0];
        } else {
          item = this.queue.shift();
        }
        if (!item) break;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          openExchange = false;
          item.reject(error);
          continue;
        }
        this.lastHandlerId = item.handlerId;
        openExchange = extendedProtocol.has(item.message[0]!);
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };

  const clear = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId: number) => {
    // A client that left in the middle of an exchange no longer holds the backend.
    if (queue.lastHandlerId === handlerId) openExchange = false;
    clear(handlerId);
  };
}

export async function servePglite(db: PGlite, options: { host: string; port: number; maxConnections?: number }): Promise<PGLiteSocketServer> {
  const server = new PGLiteSocketServer({ db, host: options.host, port: options.port, maxConnections: options.maxConnections ?? 100 });
  keepExchangesTogether((server as unknown as { queryQueue: QueryQueue }).queryQueue);
  await server.start();
  return server;
}

// A fresh local stack for browser tests: an in-memory PGlite with the migrations and seed, the
// local API on a free port, and in front of it a TCP relay on the port the extension was built
// for (127.0.0.1:54321). The relay is how a test takes the network away from the extension's
// service worker for real: refused connections, or requests that reach the API and whose answers
// never come back.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { startStack, type Stack } from '../../../supabase/local/stack.ts';

/** What the relay does with connections. */
export type NetworkMode =
  /** Pass everything through. */
  | 'online'
  /** Close every connection at once: the API cannot be reached. */
  | 'offline'
  /** Pass requests to the API but drop its answers: writes happen, nobody hears about them. */
  | 'lose-answers';

export interface TestStack extends Stack {
  /** The URL the extension uses (the relay). */
  apiUrl: string;
  /** The local API behind the relay. */
  directUrl: string;
  network(mode: NetworkMode): void;
}

/** The API the extension was built against (extension/platform/config.ts). */
export const builtApiUrl = (process.env.WXT_SUPABASE_URL || 'http://127.0.0.1:54321').replace(/\/+$/, '');

async function listen(server: Server, port: number, host: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error) => {
          server.off('listening', onListening);
          reject(error);
        };
        const onListening = () => {
          server.off('error', onError);
          resolve();
        };
        server.once('error', onError);
        server.once('listening', onListening);
        server.listen(port, host);
      });
      return;
    } catch (error) {
      // Another run (or `npm start`) holds the port: wait for it rather than fail at once.
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > deadline) {
        throw new Error(`Cannot listen on ${host}:${port} for the browser tests: ${(error as Error).message}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function startRelay(target: { host: string; port: number }) {
  let mode: NetworkMode = 'online';
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (mode === 'offline') {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    const losing = mode === 'lose-answers';
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (losing) client.destroy();
      else client.write(chunk);
    });
  });
  return {
    server,
    setMode(next: NetworkMode) {
      mode = next;
      // Kept-alive connections would carry on in the old mode.
      for (const socket of sockets) socket.destroy();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function startTestStack(options: { functions?: boolean; log?: (line: string) => void } = {}): Promise<TestStack> {
  const built = new URL(builtApiUrl);
  if (!['127.0.0.1', 'localhost'].includes(built.hostname)) {
    throw new Error(`The browser tests need an extension built against the local stack, not ${builtApiUrl}`);
  }
  const stack = await startStack({
    apiPort: 0,
    dbPort: 0,
    seed: true,
    functions: options.functions ?? false,
    bcryptCost: 4,
    log: options.log,
  });
  const direct = new URL(stack.apiUrl);
  const relay = startRelay({ host: direct.hostname, port: Number(direct.port) });
  try {
    await listen(relay.server, Number(built.port || 80), built.hostname, 90_000);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return {
    ...stack,
    apiUrl: builtApiUrl,
    directUrl: stack.apiUrl,
    network: relay.setMode,
    async stop() {
      await relay.close();
      await stack.stop();
    },
  };
}

export interface TestUser {
  userId: string;
  email: string;
  password: string;
}

export interface TestTeam {
  orgId: string;
  orgName: string;
  rep: TestUser;
  customer: { id: string; email: string; name: string };
}

/**
 * An organization with a rep (signed up through the API, as a person would) and one customer
 * known by email, inserted as `postgres`.
 */
export async function createTeam(stack: TestStack, orgName = 'Lotus Trading (e2e)'): Promise<TestTeam> {
  const suffix = Math.random().toString(36).slice(2, 8);
  const rep = { email: `rep.${suffix}@lotus.example`, password: 'correct horse battery', userId: '' };
  const signup = await fetch(`${stack.directUrl}/auth/v1/signup`, {
    method: 'POST',
    headers: { apikey: stack.anonKey, 'content-type': 'application/json' },
    body: JSON.stringify({ email: rep.email, password: rep.password }),
  });
  if (!signup.ok) throw new Error(`Sign-up failed: ${signup.status} ${await signup.text()}`);
  rep.userId = ((await signup.json()) as { user: { id: string } }).user.id;

  const customer = { email: `li.wei.${suffix}@example.com`, name: 'Li Wei', id: '' };
  const [org] = (await stack.db.query<{ id: string }>('insert into public.organizations (name) values ($1) returning id', [orgName])).rows;
  await stack.db.query(`insert into public.members (org_id, user_id, role, display_name) values ($1, $2, 'rep', 'Rei Rep')`, [
    org!.id,
    rep.userId,
  ]);
  const [row] = (
    await stack.db.query<{ id: string }>(
      'insert into public.customers (org_id, display_name, primary_email) values ($1, $2, $3) returning id',
      [org!.id, customer.name, customer.email],
    )
  ).rows;
  customer.id = row!.id;
  // The customers table may already record the primary email as an identity.
  await stack.db.query(`insert into public.customer_identities (org_id, kind, value, customer_id) values ($1, 'email', $2, $3) on conflict do nothing`, [
    org!.id,
    customer.email,
    customer.id,
  ]);
  return { orgId: org!.id, orgName, rep, customer };
}

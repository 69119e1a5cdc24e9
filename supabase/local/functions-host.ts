// Serves every function under supabase/functions from one Deno process, the way the Supabase
// edge runtime routes /<name>/… to a function. Each function calls Deno.serve(handler) when its
// module loads; the handler is captured here instead of opening a port per function.
//
// Run with: deno run --allow-net --allow-env --allow-read --allow-sys functions-host.ts <functions-dir> <port>
/// <reference lib="deno.ns" />

type Handler = (request: Request, info: unknown) => Response | Promise<Response>;

const [functionsDir, portText] = Deno.args;
if (!functionsDir || !portText) {
  console.error('usage: functions-host.ts <functions-dir> <port>');
  Deno.exit(2);
}

const handlers = new Map<string, Handler>();
const failures = new Map<string, string>();
const realServe = Deno.serve.bind(Deno);
let loading: string | null = null;

(Deno as unknown as { serve: (...args: unknown[]) => unknown }).serve = (...args: unknown[]) => {
  const handler = args.find((a) => typeof a === 'function') ??
    (args[0] as { handler?: Handler } | undefined)?.handler ??
    (args[1] as { handler?: Handler } | undefined)?.handler;
  if (!loading || typeof handler !== 'function') throw new Error('Deno.serve called outside a function module');
  handlers.set(loading, handler as Handler);
  return { finished: Promise.resolve(), shutdown: () => Promise.resolve(), ref() {}, unref() {}, addr: { transport: 'tcp', hostname: '127.0.0.1', port: 0 } };
};

const root = new URL(`file://${await Deno.realPath(functionsDir)}/`);
for await (const entry of Deno.readDir(root)) {
  if (!entry.isDirectory || entry.name.startsWith('_') || entry.name.startsWith('.')) continue;
  const index = new URL(`${entry.name}/index.ts`, root);
  try {
    await Deno.stat(index);
  } catch {
    continue;
  }
  loading = entry.name;
  try {
    await import(index.href);
    if (!handlers.has(entry.name)) failures.set(entry.name, 'the module did not call Deno.serve');
  } catch (error) {
    failures.set(entry.name, error instanceof Error ? error.message : String(error));
    console.error(`function ${entry.name} failed to load: ${failures.get(entry.name)}`);
  }
  loading = null;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

realServe({ hostname: '127.0.0.1', port: Number(portText), onListen: () => console.log(`functions ready: ${[...handlers.keys()].join(', ')}`) }, async (request, info) => {
  const url = new URL(request.url);
  if (url.pathname === '/_health') return json(200, { functions: [...handlers.keys()], failures: Object.fromEntries(failures) });
  const name = url.pathname.split('/')[1] ?? '';
  const handler = handlers.get(name);
  if (!handler) {
    if (failures.has(name)) return json(503, { code: 'BOOT_ERROR', message: `Function failed to start: ${failures.get(name)}` });
    return json(404, { code: 'NOT_FOUND', message: 'Requested function was not found' });
  }
  try {
    return await handler(request, info);
  } catch (error) {
    console.error(`function ${name} threw:`, error);
    return json(500, { code: 'WORKER_ERROR', message: 'Function exited due to an error (please check logs)' });
  }
});

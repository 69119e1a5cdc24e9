// Long main-thread tasks of a page's renderer from a DevTools trace, each with whether the
// extension's code ran in it: used by the browser tests and by `npm run bench -- --extension`.
import type { CDPSession } from '@playwright/test';

export interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread (CPU) time: what the task cost, whatever else the machine was doing. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: Record<string, unknown>; fileName?: string };
}

const extensionUrl = /^chrome-extension:\/\//;

function eventUrl(event: TraceEvent): string {
  const data = event.args?.data ?? {};
  const stack = (data.stackTrace as Array<{ url?: string }> | undefined)?.[0]?.url;
  return String(data.url ?? data.scriptName ?? event.args?.fileName ?? stack ?? '');
}

/** Long main-thread tasks of the page's renderer, each with whether the extension's code ran in it. */
export function longTasks(events: TraceEvent[], thresholdMs = 50) {
  const mainThreads = new Set(
    events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
  const onMain = events.filter((e) => mainThreads.has(`${e.pid}:${e.tid}`) && e.ph === 'X');
  const tasks = onMain.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');
  const extensionEvents = onMain.filter((e) => extensionUrl.test(eventUrl(e)));
  const inside = (task: TraceEvent, e: TraceEvent) =>
    e.pid === task.pid && e.tid === task.tid && e.ts >= task.ts && e.ts <= task.ts + (task.dur ?? 0);
  const all = tasks.map((task) => {
    const fromExtension = extensionEvents.filter((e) => inside(task, e));
    return {
      ms: (task.dur ?? 0) / 1000,
      cpuMs: (task.tdur ?? task.dur ?? 0) / 1000,
      extension: fromExtension.length > 0,
      // What ran in the task, for a useful failure message.
      what: onMain
        .filter((e) => e !== task && inside(task, e) && (e.dur ?? 0) > 1_000)
        .map((e) => `${e.name} ${((e.dur ?? 0) / 1000).toFixed(1)} ms (cpu ${((e.tdur ?? 0) / 1000).toFixed(1)}) ${eventUrl(e).split('/').pop() ?? ''}`.trim()),
    };
  });
  return {
    /** Over the threshold in CPU time: wall time also counts whatever else the machine was doing. */
    long: all.filter((task) => task.cpuMs > thresholdMs),
    extensionTasks: all.filter((task) => task.extension),
  };
}

/** Starts a light trace of the page; `stop` ends it and returns its events. */
export async function startTrace(cdp: CDPSession): Promise<{ stop(): Promise<TraceEvent[]> }> {
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...(value as unknown as TraceEvent[])));
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: {
      recordMode: 'recordAsMuchAsPossible',
      // Few categories: heavier tracing (invalidation tracking, V8 internals) slows the page it measures.
      includedCategories: ['toplevel', 'devtools.timeline', 'v8', '__metadata'],
    },
  });
  return {
    async stop() {
      const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.end');
      await complete;
      return events;
    },
  };
}

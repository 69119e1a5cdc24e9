// Keeps a site's participants current while the user moves around a single-page mail app: listens
// for in-page navigation and watches only the adapter's roots (the main area, open compose windows)
// for changes, debounced, and reads the page in an idle callback so a busy page is not slowed down.
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import type { AdapterContext, Participants, SiteAdapter } from '../../sites/common/participants.ts';
import { identifierKey } from '../../sites/common/participants.ts';

/** The parts of WXT's content script context the watcher uses (all cancelled on invalidation). */
export type WatchContext = Pick<ContentScriptContext, 'setTimeout' | 'requestIdleCallback' | 'addEventListener' | 'onInvalidated' | 'isValid'>;

export interface WatchOptions {
  /** Quiet time after the last change before the page is read again. */
  debounceMs?: number;
  /** A page that never stops changing is still read at least this often. */
  maxWaitMs?: number;
  /** Longest wait for an idle moment before reading anyway. */
  idleTimeoutMs?: number;
}

export interface ParticipantsWatcher {
  /** Reads the page again soon (e.g. when settings change). */
  rescan(): void;
  stop(): void;
}

function signature(p: Participants): string {
  return `${p.mode}|${p.degraded}|${p.identifiers.map(identifierKey).join(',')}`;
}

export function watchParticipants(
  ctx: WatchContext,
  document: Document,
  adapter: Pick<SiteAdapter, 'participants' | 'watchRoots'>,
  adapterContext: () => AdapterContext,
  onChange: (participants: Participants) => void,
  // Short enough that the overlay follows within the 150 ms budget (extension/README.md, "Budgets"), long enough that a
  // burst of mail-app updates costs one read.
  { debounceMs = 16, maxWaitMs = 100, idleTimeoutMs = 16 }: WatchOptions = {},
): ParticipantsWatcher {
  let stopped = false;
  let timer: number | undefined;
  let dirtySince: number | null = null;
  let idlePending = false;
  let leading = false;
  let lastLead = -Infinity;
  let last: string | null = null;
  let observed: Element[] = [];
  const observer = new MutationObserver(() => schedule());

  function read(): void {
    idlePending = false;
    if (stopped || !ctx.isValid) return;
    const participants = adapter.participants(document, adapterContext());
    observe();
    const next = signature(participants);
    if (next === last) return;
    last = next;
    onChange(participants);
  }

  function flush(): void {
    timer = undefined;
    dirtySince = null;
    if (idlePending || stopped) return;
    if (leading) {
      leading = false;
      read();
      return;
    }
    idlePending = true;
    ctx.requestIdleCallback(read, { timeout: idleTimeoutMs });
  }

  /**
   * `change`: the page changed (a mutation, a navigation). The watcher's first read and rescans
   * are not changes: they do not use up the immediate read the next change is owed.
   */
  function schedule(delay = debounceMs, change = true): void {
    if (stopped) return;
    const now = Date.now();
    // A change while no read is waiting (a conversation opened) is read at once, in the next task,
    // so the overlay follows within a frame or two; at most one such read per maxWaitMs. Changes
    // made before that read runs are seen by it; later ones are debounced and read when the
    // browser is idle, so a page that keeps changing costs a read or two per maxWaitMs.
    if (timer === undefined && !idlePending && now - lastLead >= maxWaitMs) {
      leading = true;
      if (change) lastLead = now;
      dirtySince = now;
      timer = ctx.setTimeout(flush, 0);
      return;
    }
    if (leading && timer !== undefined) return;
    leading = false;
    dirtySince ??= now;
    if (timer !== undefined) {
      // Keep waiting for quiet unless the page has been changing for longer than maxWaitMs.
      if (now - dirtySince >= maxWaitMs) return;
      clearTimeout(timer);
    }
    timer = ctx.setTimeout(flush, Math.min(delay, Math.max(0, maxWaitMs - (now - dirtySince))));
  }

  /** Watches the adapter's roots; before the app has rendered them, the body until they appear. */
  function observe(): void {
    const roots = adapter.watchRoots(document);
    const targets = roots.length > 0 ? roots : document.body ? [document.body] : [];
    if (targets.length === observed.length && targets.every((el, i) => el === observed[i])) return;
    observer.disconnect();
    for (const target of targets) observer.observe(target, { childList: true, subtree: true });
    observed = targets;
  }

  const onNavigate = () => schedule(50);
  ctx.addEventListener(window, 'hashchange', onNavigate);
  ctx.addEventListener(window, 'popstate', onNavigate);
  ctx.addEventListener(window, 'wxt:locationchange', onNavigate);

  function stop(): void {
    stopped = true;
    observer.disconnect();
    observed = [];
    if (timer !== undefined) clearTimeout(timer);
  }
  ctx.onInvalidated(stop);

  observe();
  schedule(0, false);

  return {
    rescan() {
      last = null;
      schedule(0, false);
    },
    stop,
  };
}

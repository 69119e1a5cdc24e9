// The overlay: a pill with the person's name and stage that expands into their portrait.
// Everything from the page or the database is rendered as text through JSX.
import { useId, useRef, useState } from 'preact/hooks';
import { Frame, createPlacementState, type PlacementState } from './Frame.tsx';
import { getLocale } from '../../platform/i18n/i18n.ts';
import { t } from './texts.ts';
import { CustomerCard } from './CustomerCard.tsx';
import { stageOf, timeAgo } from './format.ts';
import { Pill, entryLabel, identifierLabel } from './Pill.tsx';
import type { OverlayStore, OverlayView } from './store.ts';
import { StageDot } from './ui.tsx';
import { UnknownCard } from './UnknownCard.tsx';

function Switcher({ store }: { store: OverlayStore }) {
  const entries = store.entries.value;
  const current = store.current.value;
  return (
    // A long list of people scrolls on its own, so it never pushes the footer out of the window.
    <nav aria-label={t('switcher')} class="max-h-[96px] shrink-0 overflow-y-auto border-b border-slate-200 px-3 py-2">
      <ul class="flex flex-wrap gap-1">
        {entries.map((entry) => {
          const selected = entry.key === current?.key;
          return (
            <li key={entry.key} class="min-w-0">
              <button
                type="button"
                aria-pressed={selected}
                onClick={() => store.select(entry.key)}
                class={`inline-flex max-w-[150px] items-center gap-1.5 rounded-full px-2 py-0.5 text-xs ring-1 ${selected ? 'bg-sky-50 font-semibold text-sky-900 ring-sky-400' : 'bg-white text-slate-700 ring-slate-300 hover:bg-slate-50'} ov-focus`}
              >
                <StageDot stage={entry.portrait ? stageOf(entry.portrait.stage) : null} />
                <span class="truncate">{entryLabel(entry)}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function SignInPrompt({ reason }: { reason: 'signed-out' | 'not-configured' }) {
  const signedOut = reason === 'signed-out';
  return (
    <div class="flex flex-col gap-1">
      <h2 class="text-base font-semibold">{signedOut ? t('signIn.heading') : t('notConfigured.heading')}</h2>
      <p class="text-slate-600">{signedOut ? t('signIn.body') : t('notConfigured.body')}</p>
    </div>
  );
}

function Freshness({ store }: { store: OverlayStore }) {
  const fetchedAt = store.fetchedAt.value;
  const now = store.now.value;
  const computedAt = store.current.value?.portrait?.computedAt;
  const computed = computedAt ? Date.parse(computedAt) : NaN;
  const waiting = store.waitingToSend.value;
  if (fetchedAt === null) return null;
  return (
    <p data-testid="portrait-card-footer" class="flex shrink-0 flex-wrap gap-x-1 border-t border-slate-200 px-4 py-2 text-xs text-slate-500">
      {store.online.value ? (
        <span>{t('fresh.updated', { time: timeAgo(fetchedAt, now) })}</span>
      ) : (
        // Offline, the data is what was fetched last: say so rather than "updated just now".
        <span role="status" class="font-medium text-amber-800">
          {t('offline.saved', { time: timeAgo(fetchedAt, now) })}
        </span>
      )}
      {waiting > 0 && <span class="text-amber-800">{`· ${t('offline.waiting', { count: waiting })}`}</span>}
      {!Number.isNaN(computed) && <span>{`· ${t('fresh.computed', { time: timeAgo(computed, now) })}`}</span>}
      {store.stale.value && (
        <span role="status" class="inline-flex items-center gap-1 text-amber-700">
          <span aria-hidden="true" class="inline-block size-1.5 animate-pulse rounded-full bg-amber-500" />
          {t('fresh.stale')}
        </span>
      )}
    </p>
  );
}

function WriteProblem({ store }: { store: OverlayStore }) {
  const problem = store.writeProblem.value;
  return problem ? (
    <p role="alert" class="rounded-md bg-rose-50 px-2.5 py-1.5 text-rose-800">
      {t(`write.${problem}`)}
    </p>
  ) : null;
}

function CardBody({ store, view }: { store: OverlayStore; view: OverlayView }) {
  switch (view.kind) {
    case 'customer':
      return <CustomerCard store={store} entry={view.entry} portrait={view.portrait} />;
    case 'unknown':
      return <UnknownCard store={store} entry={view.entry} />;
    case 'signed-out':
      return <SignInPrompt reason={view.reason} />;
    case 'loading':
      return (
        <p role="status" class="text-slate-600">
          {t('loading', { address: identifierLabel(view.entry.identifier) })}
        </p>
      );
    default:
      return (
        <div class="flex flex-col items-start gap-2">
          <p class="text-slate-700">{store.online.value ? t('unavailable') : t('offline.lookup')}</p>
          <button type="button" class="ov-btn-quiet" onClick={() => void store.lookup()}>
            {t('retry')}
          </button>
        </div>
      );
  }
}

export function Overlay({ store, placement }: { store: OverlayStore; placement?: PlacementState }) {
  const [ownPlacement] = useState(() => createPlacementState(undefined));
  const framePlacement = placement ?? ownPlacement;
  const pillRef = useRef<HTMLButtonElement>(null);
  const cardId = useId();
  const view = store.view.value;
  const expanded = store.expanded.value;

  if (view.kind === 'hidden') return null;

  function collapse() {
    store.collapse();
    pillRef.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent) {
    // Inner controls (the tag list) take Escape first and mark it handled.
    if (event.key !== 'Escape' || event.defaultPrevented || !store.expanded.value) return;
    event.preventDefault();
    collapse();
  }

  const showSwitcher = store.entries.value.length > 1 && (view.kind === 'customer' || view.kind === 'unknown' || view.kind === 'loading');
  return (
    <Frame
      placement={framePlacement}
      attributes={{
        onKeyDown,
        // The overlay's language, whatever the page's: screen readers and font choice follow it.
        lang: getLocale(),
        'data-testid': 'portrait-overlay',
        'data-view': view.kind,
      }}
    >
      {({ handle, moveButton }) => (
        <>
          <Pill store={store} view={view} buttonRef={pillRef} controls={cardId} />
          {expanded && (
            // Header, switcher and footer keep their height; only the body scrolls, so the card fits
            // any window (the frame's height is what is left between the pill and the window's edge).
            <section
              id={cardId}
              aria-label={t('region')}
              data-testid="portrait-card"
              class="pointer-events-auto flex max-h-[640px] min-h-0 w-full shrink flex-col overflow-hidden rounded-xl bg-white shadow-2xl ring-1 ring-slate-300"
            >
              <div {...handle} data-testid="portrait-card-header" class="flex shrink-0 cursor-move touch-none items-center justify-between gap-2 border-b border-slate-200 px-4 py-2 select-none">
                <span class="ov-heading">{t('name')}</span>
                <span class="flex items-center gap-1">
                  {moveButton}
                  <button
                    type="button"
                    onClick={collapse}
                    aria-label={t('collapse')}
                    class="inline-flex size-6 items-center justify-center rounded-md text-slate-500 hover:bg-slate-100 hover:text-slate-900 ov-focus"
                  >
                    <span aria-hidden="true">×</span>
                  </button>
                </span>
              </div>
              {store.participants.value.degraded && (
                <p role="note" class="shrink-0 border-b border-amber-200 bg-amber-50 px-4 py-2 text-xs text-amber-900">
                  {t('degraded')}
                </p>
              )}
              {showSwitcher && <Switcher store={store} />}
              <div data-testid="portrait-card-body" class="flex min-h-0 flex-auto flex-col gap-3 overflow-y-auto px-4 py-3">
                <WriteProblem store={store} />
                <CardBody store={store} view={view} />
              </div>
              {(view.kind === 'customer' || view.kind === 'unknown') && <Freshness store={store} />}
            </section>
          )}
        </>
      )}
    </Frame>
  );
}

// The collapsed overlay: one button with the person's name and stage colour.
import type { RefObject } from 'preact';
import { t } from './texts.ts';
import { stageOf } from './format.ts';
import type { OverlayStore, OverlayView, ParticipantEntry } from './store.ts';
import { StageDot } from './ui.tsx';

/** An identifier as people read it: addresses as written, shop ids as "Order 5499000005". */
export function identifierLabel(identifier: ParticipantEntry['identifier']): string {
  if (identifier.kind !== 'shop_order' && identifier.kind !== 'shop_customer') return identifier.value;
  const id = identifier.value.slice(identifier.value.indexOf(':') + 1);
  return t(identifier.kind === 'shop_order' ? 'shop.order' : 'shop.customer', { id });
}

export function entryLabel(entry: ParticipantEntry): string {
  return entry.portrait?.displayName || entry.pageName || identifierLabel(entry.identifier);
}

function pillText(view: OverlayView, online: boolean): { label: string; detail: string | null } {
  switch (view.kind) {
    case 'customer':
      return { label: entryLabel(view.entry), detail: t(`stage.${stageOf(view.portrait.stage)}`) };
    case 'unknown':
      return { label: entryLabel(view.entry), detail: t('unknown.short') };
    case 'loading':
      return { label: entryLabel(view.entry), detail: null };
    case 'signed-out':
      return {
        label: t('name'),
        detail: view.reason === 'signed-out' ? t('signIn.short') : t('notConfigured.short'),
      };
    default:
      return { label: t('name'), detail: !online ? t('offline.short') : t('unavailableShort') };
  }
}

export function Pill({
  store,
  view,
  buttonRef,
  controls,
}: {
  store: OverlayStore;
  view: OverlayView;
  buttonRef: RefObject<HTMLButtonElement | null>;
  controls: string;
}) {
  const expanded = store.expanded.value;
  const more = store.entries.value.length - 1;
  const degraded = store.participants.value.degraded;
  const { label, detail } = pillText(view, store.online.value);
  const stage = view.kind === 'customer' ? stageOf(view.portrait.stage) : null;
  const due = view.kind === 'customer' ? view.portrait.followUp : null;
  const overdue = !!due && Date.parse(due.dueAt) < store.now.value;
  return (
    <button
      ref={buttonRef}
      type="button"
      aria-expanded={expanded}
      aria-controls={expanded ? controls : undefined}
      onClick={() => store.toggle()}
      data-testid="portrait-pill"
      class="pointer-events-auto inline-flex max-w-full items-center gap-2 rounded-full bg-white px-3 py-1.5 text-sm shadow-lg ring-1 ring-slate-300 hover:bg-slate-50 ov-focus"
    >
      <StageDot stage={stage} />
      <span class="min-w-0 truncate font-semibold">{label}</span>
      {detail && <span class="shrink-0 text-slate-600">{detail}</span>}
      {overdue && (
        <span data-testid="portrait-overdue" class="shrink-0 rounded-full bg-rose-100 px-1.5 text-xs font-medium text-rose-800">
          {t('overdue')}
        </span>
      )}
      {more > 0 && (
        <span class="shrink-0 rounded-full bg-slate-100 px-1.5 text-xs text-slate-700">
          <span aria-hidden="true">{t('more', { count: more })}</span>
          <span class="sr-only">{t('moreLabel', { count: more })}</span>
        </span>
      )}
      {degraded && (
        <span class="shrink-0 text-amber-600">
          <span aria-hidden="true">⚠</span>
          <span class="sr-only">{t('degradedShort')}</span>
        </span>
      )}
    </button>
  );
}

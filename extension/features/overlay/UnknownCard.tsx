// An address nobody in the organisation has: add the person as a lead, or tag them (which does too).
// A shop order or account nobody has, with no address on the page, can only be named: a lead
// needs a way to reach the person.
import { t } from './texts.ts';
import { identifierLabel } from './Pill.tsx';
import type { OverlayStore, ParticipantEntry } from './store.ts';
import { TagsSection } from './Tags.tsx';

export function UnknownCard({ store, entry }: { store: OverlayStore; entry: ParticipantEntry }) {
  const pending = store.leadPending.value;
  const shopOnly = entry.identifier.kind === 'shop_order' || entry.identifier.kind === 'shop_customer';
  const label = identifierLabel(entry.identifier);
  return (
    <div class="flex flex-col gap-4">
      <header class="flex flex-col gap-0.5">
        <h2 class="text-base font-semibold break-words">{entry.pageName ?? label}</h2>
        {entry.pageName && <p class="break-all text-slate-600">{label}</p>}
      </header>
      <div class="flex flex-col gap-2">
        <p class="font-semibold">
          {t('unknown.heading')}
        </p>
        {shopOnly ? (
          <p class="text-slate-600">{t('unknown.shopBody')}</p>
        ) : (
          <>
            <p class="text-slate-600">{t('unknown.body')}</p>
            <div>
              <button type="button" class="ov-btn" disabled={pending} onClick={() => void store.addLead()}>
                {pending ? t('unknown.addingLead') : t('unknown.addLead')}
              </button>
            </div>
          </>
        )}
      </div>
      {!shopOnly && <TagsSection store={store} canRemove={false} />}
    </div>
  );
}

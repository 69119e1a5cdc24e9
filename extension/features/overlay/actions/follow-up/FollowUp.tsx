// The open follow-up at the top of the card (with "Done"), and "Follow up" with quick picks and a
// note. Writes go through the background's write queue (offline-safe, applied once).
import { useState } from 'preact/hooks';
import type { FollowUp as ApiFollowUp } from '../../../../../shared/api.ts';
import { getLocale } from '../../../../platform/i18n/i18n.ts';
import type { PortraitView, WriteOp } from '../../../../platform/messaging/schemas.ts';
import { t } from '../texts.ts';
import { dueFor, dueOn, quickPicks, type QuickPick } from './due.ts';

type Write = (write: WriteOp) => Promise<boolean>;

function when(iso: string): string {
  return new Intl.DateTimeFormat(getLocale(), { month: 'short', day: 'numeric', weekday: 'short' }).format(Date.parse(iso));
}

/** The follow-up to show: the customer's earliest open one (timeline), else the pill's (mine). */
export function openFollowUp(
  portrait: PortraitView,
  open: readonly ApiFollowUp[] | null,
): { id: string; dueAt: string; note: string | null; pending?: boolean } | null {
  if (portrait.followUp?.pending) return portrait.followUp;
  const first = open?.[0];
  if (first) return { id: first.id, dueAt: first.due_at, note: first.note };
  return portrait.followUp ?? null;
}

export function OpenFollowUp({
  followUp,
  customerId,
  now,
  write,
}: {
  followUp: NonNullable<ReturnType<typeof openFollowUp>>;
  customerId: string;
  now: number;
  write: Write;
}) {
  const overdue = Date.parse(followUp.dueAt) < now;
  return (
    <div
      data-testid="portrait-open-follow-up"
      class={`flex items-start gap-2 rounded-md px-2 py-1.5 text-sm ring-1 ${overdue ? 'bg-rose-50 text-rose-900 ring-rose-300' : 'bg-orange-50 text-orange-900 ring-orange-200'} ${followUp.pending ? 'ov-pending' : ''}`}
    >
      <div class="min-w-0 flex-1">
        <p class="font-medium">{t(overdue ? 'followUp.overdue' : 'followUp.open', { due: when(followUp.dueAt) })}</p>
        {followUp.note && <p class="break-words text-xs">{followUp.note}</p>}
      </div>
      {followUp.pending ? (
        <span class="text-xs">{t('followUp.pending')}</span>
      ) : (
        <button type="button" class="ov-btn-quiet" onClick={() => void write({ op: 'complete_follow_up', customerId, followUpId: followUp.id })}>
          {t('followUp.done')}
        </button>
      )}
    </div>
  );
}

export function AddFollowUp({ customerId, now, write }: { customerId: string; now: number; write: Write }) {
  const [open, setOpen] = useState(false);
  const [pick, setPick] = useState<QuickPick | 'date'>('tomorrow');
  const [date, setDate] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState(false);
  if (!open) {
    return (
      <button type="button" class="ov-btn-quiet self-start" data-testid="portrait-follow-up" onClick={() => setOpen(true)}>
        {t('followUp.add')}
      </button>
    );
  }
  const dueAt = pick === 'date' ? dueOn(date) : dueFor(pick, now);
  async function save(event: Event) {
    event.preventDefault();
    if (!dueAt) return;
    const ok = await write({ op: 'follow_up', customerId, dueAt, note: note.trim() || null });
    setError(!ok);
    if (ok) {
      setOpen(false);
      setNote('');
    }
  }
  return (
    <form class="flex flex-col gap-2" onSubmit={(event) => void save(event)} aria-label={t('followUp.add')}>
      <fieldset class="flex flex-wrap gap-1.5">
        <legend class="sr-only">{t('followUp.add')}</legend>
        {[...quickPicks, 'date' as const].map((option) => (
          <label key={option} class={`ov-badge cursor-pointer ${pick === option ? 'bg-sky-50 text-sky-900 ring-sky-500' : 'bg-white text-slate-700 ring-slate-300'}`}>
            <input type="radio" name="portrait-follow-up-pick" class="sr-only" checked={pick === option} onChange={() => setPick(option)} />
            {t(option === 'date' ? 'followUp.date' : `followUp.${option}`)}
          </label>
        ))}
      </fieldset>
      {pick === 'date' && (
        <input type="date" class="ov-input" aria-label={t('followUp.date')} value={date} onInput={(e) => setDate(e.currentTarget.value)} />
      )}
      <input
        type="text"
        class="ov-input"
        maxLength={2000}
        placeholder={t('followUp.note')}
        aria-label={t('followUp.note')}
        value={note}
        onInput={(e) => setNote(e.currentTarget.value)}
      />
      {error && <p role="alert" class="text-sm text-rose-700">{t('write.failed')}</p>}
      <div class="flex gap-2">
        <button type="submit" class="ov-btn" disabled={!dueAt}>
          {t('followUp.save')}
        </button>
        <button type="button" class="ov-btn-quiet" onClick={() => setOpen(false)}>
          {t('followUp.cancel')}
        </button>
      </div>
    </form>
  );
}

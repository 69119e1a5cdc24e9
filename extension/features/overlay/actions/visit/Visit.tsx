// "Log a visit" (回访): a satisfaction score on csat5 (default) or nps10, a channel and a comment,
// written through the background's write queue.
import { useState } from 'preact/hooks';
import type { satisfactionScoreRange as apiScoreRange } from '../../../../../shared/api.ts';
import type { WriteOp } from '../../../../platform/messaging/schemas.ts';
import { t } from '../texts.ts';

// shared/api.ts's ranges, typed by them (a different range does not compile) so that zod, which
// that module imports, stays out of this lazily loaded file.
const satisfactionScoreRange: typeof apiScoreRange = { csat5: [1, 5], nps10: [0, 10] };
type Scale = keyof typeof satisfactionScoreRange;
const channels = ['phone', 'mail', 'wechat', 'visit'] as const satisfies ReadonlyArray<Extract<WriteOp, { op: 'visit' }>['channel']>;

export function Visit({ customerId, write }: { customerId: string; write: (write: WriteOp) => Promise<boolean | 'pending'> }) {
  const [open, setOpen] = useState(false);
  const [scale, setScale] = useState<Scale>('csat5');
  const [score, setScore] = useState<number | null>(null);
  const [channel, setChannel] = useState<(typeof channels)[number]>('phone');
  const [comment, setComment] = useState('');
  const [status, setStatus] = useState<'saved' | 'queued' | 'failed' | null>(null);
  if (!open) {
    return (
      <div class="flex flex-col gap-1">
        <button type="button" class="ov-btn-quiet self-start" data-testid="portrait-visit" onClick={() => { setOpen(true); setStatus(null); }}>
          {t('visit')}
        </button>
        {status && status !== 'failed' && <p role="status" class="text-xs text-slate-600">{t(status === 'saved' ? 'visit.saved' : 'visit.queued')}</p>}
      </div>
    );
  }
  const [low, high] = satisfactionScoreRange[scale];
  const scores = Array.from({ length: high - low + 1 }, (_, i) => low + i);
  async function save(event: Event) {
    event.preventDefault();
    if (score === null) return;
    const result = await write({ op: 'visit', customerId, score, scale, channel, comment: comment.trim() || null });
    if (result === false) return setStatus('failed');
    setStatus(result === 'pending' ? 'queued' : 'saved');
    setOpen(false);
    setScore(null);
    setComment('');
  }
  return (
    <form class="flex flex-col gap-2" aria-label={t('visit')} onSubmit={(event) => void save(event)}>
      <label class="flex items-center gap-2 text-sm">
        <span class="text-slate-600">{t('visit.scale')}</span>
        <select
          class="ov-input"
          value={scale}
          onChange={(e) => {
            setScale(e.currentTarget.value === 'nps10' ? 'nps10' : 'csat5');
            setScore(null);
          }}
        >
          <option value="csat5">{t('visit.csat5')}</option>
          <option value="nps10">{t('visit.nps10')}</option>
        </select>
      </label>
      <fieldset class="flex flex-wrap gap-1">
        <legend class="mb-1 text-sm text-slate-600">{t('visit.score')}</legend>
        {scores.map((value) => (
          <label key={value} class={`ov-badge cursor-pointer ${score === value ? 'bg-sky-50 text-sky-900 ring-sky-500' : 'bg-white text-slate-700 ring-slate-300'}`}>
            <input type="radio" name="portrait-visit-score" class="sr-only" checked={score === value} onChange={() => setScore(value)} />
            {value}
          </label>
        ))}
      </fieldset>
      <label class="flex items-center gap-2 text-sm">
        <span class="text-slate-600">{t('visit.channel')}</span>
        <select class="ov-input" value={channel} onChange={(e) => setChannel(channels.find((c) => c === e.currentTarget.value) ?? 'phone')}>
          {channels.map((c) => (
            <option key={c} value={c}>
              {t(`visit.${c}`)}
            </option>
          ))}
        </select>
      </label>
      <textarea
        class="ov-input"
        rows={2}
        maxLength={2000}
        placeholder={t('visit.comment')}
        aria-label={t('visit.comment')}
        value={comment}
        onInput={(e) => setComment(e.currentTarget.value)}
      />
      {status === 'failed' && <p role="alert" class="text-sm text-rose-700">{t('write.failed')}</p>}
      <div class="flex gap-2">
        <button type="submit" class="ov-btn" disabled={score === null}>
          {t('visit.save')}
        </button>
        <button type="button" class="ov-btn-quiet" onClick={() => setOpen(false)}>
          {t('followUp.cancel')}
        </button>
      </div>
    </form>
  );
}

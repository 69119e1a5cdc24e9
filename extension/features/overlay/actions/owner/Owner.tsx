// Who owns the customer (负责人), with Claim when nobody does (reps and admins) and Release for the
// owner (and admins). Writes go through the background's write queue.
import type { MemberRole } from '../../../../../shared/api.ts';
import type { PortraitView, WriteOp } from '../../../../platform/messaging/schemas.ts';
import { t } from '../texts.ts';

export function Owner({
  portrait,
  userId,
  role,
  write,
}: {
  portrait: PortraitView;
  userId: string | null;
  role: MemberRole | null;
  write: (write: WriteOp) => Promise<boolean>;
}) {
  const ownerId = portrait.ownerId ?? null;
  const mine = ownerId !== null && ownerId === userId;
  const name = mine ? t('owner.you') : ownerId ? (portrait.owner ?? '—') : t('owner.none');
  const canClaim = ownerId === null && (role === 'rep' || role === 'admin');
  const canRelease = ownerId !== null && (mine || role === 'admin');
  return (
    <div class="flex flex-wrap items-center gap-2 text-sm" data-testid="portrait-owner">
      <span class="text-slate-500">{t('owner')}</span>
      <span class="font-medium">{name}</span>
      {canClaim && (
        <button type="button" class="ov-btn-quiet" onClick={() => void write({ op: 'claim', customerId: portrait.customerId })}>
          {t('owner.claim')}
        </button>
      )}
      {canRelease && (
        <button
          type="button"
          class="ov-btn-quiet"
          onClick={() => void write({ op: 'release', customerId: portrait.customerId, reason: null })}
        >
          {t('owner.release')}
        </button>
      )}
    </div>
  );
}

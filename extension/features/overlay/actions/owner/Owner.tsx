// Who owns the customer (负责人), with Claim when nobody does (reps and admins), Release for the
// owner (and admins) and "Assign to…" for admins; under it, when the customer will return to the
// pool (公海) unless someone follows up (urgent under three days: red, and said in words). Writes
// go through the background's write queue.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { MemberRole } from '../../../../../shared/api.ts';
import { daysUntilRecycle, recycleIsUrgent, recycleWording } from '../../../../platform/recycle.ts';
import type { PortraitView, WriteOp } from '../../../../platform/messaging/schemas.ts';
import type { MemberView } from '../../schemas.ts';
import { t } from '../texts.ts';

export function RecycleWarning({ recycleAt, now }: { recycleAt: string | null | undefined; now: number }) {
  const days = daysUntilRecycle(recycleAt, now);
  if (days === null) return null;
  const urgent = recycleIsUrgent(days);
  const wording = recycleWording(days);
  return (
    <p
      class={`w-full text-xs ${urgent ? 'font-semibold text-rose-700' : 'text-slate-500'}`}
      data-testid="portrait-recycle"
      data-urgent={urgent ? 'true' : 'false'}
    >
      {t(`owner.recycle.${wording}`, { days })}
    </p>
  );
}

function memberLabel(member: MemberView): string {
  const name = member.displayName ?? member.email ?? member.userId;
  return `${name} (${t(`owner.member.role.${member.role}`)})`;
}

/** An admin's member picker: a labelled select (keyboard reachable as any select) and Assign. */
function AssignPicker({
  ownerId,
  members,
  onAssign,
  onCancel,
}: {
  ownerId: string | null;
  members: () => Promise<MemberView[]>;
  onAssign: (memberId: string) => void;
  onCancel: () => void;
}) {
  const [list, setList] = useState<MemberView[] | 'loading' | 'failed'>('loading');
  const [chosen, setChosen] = useState('');
  const select = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    let alive = true;
    members().then(
      (found) => {
        if (!alive) return;
        setList(found);
        setChosen(found.find((member) => member.userId !== ownerId)?.userId ?? '');
      },
      () => alive && setList('failed'),
    );
    return () => {
      alive = false;
    };
  }, []);
  // Keyboard users land in the list as soon as it is there.
  const ready = Array.isArray(list);
  useEffect(() => {
    if (ready) select.current?.focus();
  }, [ready]);
  if (list === 'loading') return <p class="w-full text-xs text-slate-500">{t('owner.members.loading')}</p>;
  if (list === 'failed') return <p class="w-full text-xs text-rose-700" role="alert">{t('owner.members.failed')}</p>;
  return (
    <form
      class="flex w-full flex-wrap items-center gap-2"
      data-testid="portrait-assign"
      onSubmit={(event) => {
        event.preventDefault();
        if (chosen) onAssign(chosen);
      }}
    >
      <select
        class="ov-input min-w-0 flex-1"
        aria-label={t('owner.assignTo')}
        value={chosen}
        onChange={(event) => setChosen(event.currentTarget.value)}
        ref={select}
      >
        {list.map((member) => (
          <option key={member.userId} value={member.userId} disabled={member.userId === ownerId}>
            {memberLabel(member)}
          </option>
        ))}
      </select>
      <button type="submit" class="ov-btn" disabled={!chosen || chosen === ownerId}>
        {t('owner.assignSave')}
      </button>
      <button type="button" class="ov-btn-quiet" onClick={onCancel}>
        {t('owner.assignCancel')}
      </button>
    </form>
  );
}

export function Owner({
  portrait,
  userId,
  role,
  now,
  write,
  members,
}: {
  portrait: PortraitView;
  userId: string | null;
  role: MemberRole | null;
  now: number;
  write: (write: WriteOp) => Promise<boolean>;
  /** The organization's members, asked when an admin opens "Assign to…". */
  members: () => Promise<MemberView[]>;
}) {
  const [assigning, setAssigning] = useState(false);
  const [failed, setFailed] = useState(false);
  const ownerId = portrait.ownerId ?? null;
  const mine = ownerId !== null && ownerId === userId;
  const name = mine ? t('owner.you') : ownerId ? (portrait.owner ?? '—') : t('owner.none');
  const canClaim = ownerId === null && (role === 'rep' || role === 'admin');
  const canRelease = ownerId !== null && (mine || role === 'admin');
  const canAssign = role === 'admin';
  const send = async (op: WriteOp) => setFailed(!(await write(op)));
  return (
    <div class="flex flex-wrap items-center gap-2 text-sm" data-testid="portrait-owner">
      <span class="text-slate-500">{t('owner')}</span>
      <span class="font-medium">{name}</span>
      {canClaim && (
        <button type="button" class="ov-btn-quiet" onClick={() => void send({ op: 'claim', customerId: portrait.customerId })}>
          {t('owner.claim')}
        </button>
      )}
      {canRelease && (
        <button
          type="button"
          class="ov-btn-quiet"
          onClick={() => void send({ op: 'release', customerId: portrait.customerId, reason: null })}
        >
          {t('owner.release')}
        </button>
      )}
      {canAssign && !assigning && (
        <button type="button" class="ov-btn-quiet" aria-haspopup="listbox" onClick={() => setAssigning(true)}>
          {t('owner.assign')}
        </button>
      )}
      {ownerId !== null && <RecycleWarning recycleAt={portrait.recycleAt} now={now} />}
      {canAssign && assigning && (
        <AssignPicker
          ownerId={ownerId}
          members={members}
          onCancel={() => setAssigning(false)}
          onAssign={(memberId) => {
            setAssigning(false);
            void send({ op: 'assign', customerId: portrait.customerId, memberId });
          }}
        />
      )}
      {failed && (
        <p class="w-full text-xs text-rose-700" role="alert">
          {t('write.failed')}
        </p>
      )}
    </div>
  );
}

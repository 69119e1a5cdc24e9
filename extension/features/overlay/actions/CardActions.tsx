// The card's actions, loaded only when the card opens (README: "The card's actions, loaded when the
// card opens"): the open follow-up, the owner, "Follow up", "Log a visit" and the timeline. It is
// rendered by its own Preact into a host element the card gives it (mount.tsx), and talks to the
// background through its own page client.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CustomerTimeline, MemberRole, TimelineItem } from '../../../../shared/api.ts';
import type { PortraitView, WriteOp } from '../../../platform/messaging/schemas.ts';
import type { PortraitClient } from '../../page-client.ts';
import type { MemberView } from '../schemas.ts';
import { AddFollowUp, OpenFollowUp, openFollowUp } from './follow-up/FollowUp.tsx';
import { Owner } from './owner/Owner.tsx';
import { appendPage } from './timeline/timeline.ts';
import { Timeline } from './timeline/Timeline.tsx';
import { Visit } from './visit/Visit.tsx';

export interface CardActionsProps {
  portrait: PortraitView;
  now: number;
  client: Pick<PortraitClient, 'timeline' | 'write'>;
  /** The organization's members, for an admin's "Assign to…" (a request of the actions' own). */
  members?: () => Promise<MemberView[]>;
}

const noMembers = () => Promise.reject(new Error('No members to assign to'));

/** What, when it changes in the portrait the page shows, means the timeline is out of date. */
export function timelineSignature(portrait: PortraitView): string {
  return [
    portrait.customerId,
    portrait.ownerId ?? '',
    portrait.followUp ? `${portrait.followUp.id}:${portrait.followUp.pending ? 1 : 0}` : '',
    portrait.notes.map((note) => `${note.id}:${note.pending ? 1 : 0}`).join(','),
    portrait.tags.map((tag) => `${tag.name}:${tag.pending ? 1 : 0}`).join(','),
    portrait.stage,
  ].join('|');
}

export function CardActions({ portrait, now, client, members = noMembers }: CardActionsProps) {
  const [items, setItems] = useState<TimelineItem[]>([]);
  const [next, setNext] = useState<CustomerTimeline['next']>(null);
  const [open, setOpen] = useState<CustomerTimeline['open_follow_ups'] | null>(null);
  const [who, setWho] = useState<{ userId: string; role: MemberRole | null } | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const generation = useRef(0);
  const customerId = portrait.customerId;
  const signature = timelineSignature(portrait);

  async function load(more: boolean): Promise<void> {
    const mine = more ? generation.current : ++generation.current;
    setState('loading');
    try {
      const answer = await client.timeline(customerId, more ? next && { before: next.before, beforeKey: next.before_key } : null);
      if (mine !== generation.current) return;
      setItems((shown) => (more ? appendPage(shown, answer.timeline.items) : answer.timeline.items));
      setNext(answer.timeline.next);
      setOpen(answer.timeline.open_follow_ups);
      setWho({ userId: answer.userId, role: answer.role });
      setState('ready');
    } catch {
      if (mine === generation.current) setState('failed');
    }
  }

  // Loaded when the card opens, and again when what the page shows of the customer changes (a
  // queued write landed, another tab changed them).
  useEffect(() => {
    void load(false);
  }, [signature]);

  async function write(op: WriteOp): Promise<boolean | 'pending'> {
    try {
      const answer = await client.write(op);
      if (!answer.pending) void load(false);
      return answer.pending ? 'pending' : true;
    } catch {
      return false;
    }
  }
  const writeOk = async (op: WriteOp) => (await write(op)) !== false;

  const followUp = openFollowUp(portrait, open);
  return (
    <div class="flex flex-col gap-3" data-testid="portrait-card-actions">
      {followUp && <OpenFollowUp followUp={followUp} customerId={customerId} now={now} write={writeOk} />}
      <Owner portrait={portrait} userId={who?.userId ?? null} role={who?.role ?? null} now={now} write={writeOk} members={members} />
      <div class="flex flex-col gap-2">
        <AddFollowUp customerId={customerId} now={now} write={writeOk} />
        <Visit customerId={customerId} write={write} />
      </div>
      <Timeline
        items={items}
        now={now}
        state={state}
        hasMore={next !== null}
        onMore={() => void load(true)}
        onRetry={() => void load(items.length > 0)}
      />
    </div>
  );
}

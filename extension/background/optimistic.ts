// What a portrait will look like once the queued writes land: pages show queued tags, notes and
// stage changes at once, marked pending, and a refresh from the API does not hide them.
import type { Identifier, NoteView, PortraitView, TagView } from '../platform/messaging/schemas.ts';
import { identifierKey } from './identifiers.ts';
import type { QueuedWrite } from './write-queue.ts';

/** A customer that exists only in the queue yet: a lead the user is creating. */
function placeholderPortrait(write: QueuedWrite, identifier: Identifier, displayName: string | null): PortraitView {
  return {
    customerId: write.placeholderCustomerId ?? write.requestId,
    orgId: write.orgId,
    displayName: displayName || identifier.value,
    kind: 'person',
    company: null,
    primaryEmail: identifier.kind === 'email' ? identifier.value : null,
    primaryPhone: identifier.kind === 'phone' ? identifier.value : null,
    location: null,
    owner: null,
    stage: 'lead',
    computedStage: 'lead',
    stageOverride: null,
    stageReason: null,
    stageHistory: [],
    valueTier: 'normal',
    rfmSegment: null,
    rfm: null,
    ticketBand: null,
    isPartner: false,
    isValid: true,
    orderCount: 0,
    netSpend: 0,
    aov: null,
    currency: '',
    lastOrderAt: null,
    tags: [],
    segments: [],
    notes: [],
    studioUrl: null,
    computedAt: null,
  };
}

const sameName = (a: string, b: string) => a.toLocaleLowerCase() === b.toLocaleLowerCase();

function addTags(portrait: PortraitView, names: readonly string[]): PortraitView {
  const tags: TagView[] = [...portrait.tags];
  for (const name of names) {
    if (tags.some((tag) => sameName(tag.name, name))) continue;
    tags.push({ id: `pending:${name}`, name, color: null, source: 'manual', pending: true });
  }
  return { ...portrait, tags };
}

/**
 * The portrait of `identifier` with the queued writes (in queue order) applied. `portrait` null
 * means "not a customer": a queued tag or lead on the identifier makes a pending one.
 */
export function withPendingWrites(
  identifier: Identifier,
  portrait: PortraitView | null,
  writes: readonly QueuedWrite[],
): PortraitView | null {
  const key = identifierKey(identifier);
  let result = portrait;
  for (const queued of writes) {
    const { write } = queued;
    if (write.op === 'tag' || write.op === 'lead') {
      if (identifierKey(write.identifier) !== key) continue;
      if (result && result.orgId !== queued.orgId) continue;
      result ??= placeholderPortrait(queued, identifier, write.displayName ?? null);
      if (write.op === 'tag') result = addTags(result, write.tags);
      continue;
    }
    if (!result || result.customerId !== write.customerId || result.orgId !== queued.orgId) continue;
    switch (write.op) {
      case 'untag':
        result = { ...result, tags: result.tags.filter((tag) => !sameName(tag.name, write.tag)) };
        break;
      case 'note': {
        const note: NoteView = {
          id: queued.requestId,
          body: write.body,
          authorName: null,
          createdAt: new Date(queued.enqueuedAt).toISOString(),
          pending: true,
        };
        result = { ...result, notes: [note, ...result.notes] };
        break;
      }
      case 'follow_up': {
        // A queued follow-up earlier than the one shown becomes the one shown, marked pending.
        const shown = result.followUp;
        if (!shown || write.dueAt < shown.dueAt) {
          result = { ...result, followUp: { id: queued.requestId, dueAt: write.dueAt, note: write.note, pending: true } };
        }
        break;
      }
      case 'complete_follow_up':
        if (result.followUp?.id === write.followUpId) result = { ...result, followUp: null };
        break;
      case 'release':
        result = { ...result, owner: null, ownerId: null };
        break;
      case 'claim':
      case 'assign':
        result = { ...result, ownerId: write.op === 'claim' ? queued.userId : write.memberId };
        break;
      case 'stage':
        result = {
          ...result,
          stageOverride: write.stage,
          stage: write.stage ?? result.computedStage,
        };
        break;
    }
  }
  return result;
}

/** Whether the write concerns what a page shows for this identifier and portrait. */
export function writeConcerns(
  queued: QueuedWrite,
  identifier: Identifier,
  portrait: PortraitView | null,
): boolean {
  const { write } = queued;
  if (write.op === 'tag' || write.op === 'lead') return identifierKey(write.identifier) === identifierKey(identifier);
  return portrait?.customerId === write.customerId;
}

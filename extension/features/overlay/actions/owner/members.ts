// The card actions' own request for the organization's members ("Assign to…"): kept out of
// features/page-client.ts so that the content scripts, whose size is budgeted, do not carry it
// (extension/README.md, the content-script budget). The background checks the message and the
// caller's role; the answer is checked by shape here before use.
import { browser } from 'wxt/browser';
import type { MemberView, MembersRequest } from '../../schemas.ts';

export type SendMembersRequest = (message: MembersRequest) => Promise<unknown>;

const roles = new Set(['admin', 'rep', 'staff']);

function memberOf(value: unknown): MemberView | null {
  if (!value || typeof value !== 'object') return null;
  const m = value as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  if (typeof m.userId !== 'string' || typeof m.role !== 'string' || !roles.has(m.role)) return null;
  return { userId: m.userId, displayName: text(m.displayName), email: text(m.email), role: m.role as MemberView['role'] };
}

export function createMembersRequest(send: SendMembersRequest = (message) => browser.runtime.sendMessage(message)) {
  return async function members(): Promise<MemberView[]> {
    const answer = (await send({ type: 'portrait/members' })) as { ok?: unknown; members?: unknown; message?: unknown } | undefined;
    if (!answer || answer.ok !== true || !Array.isArray(answer.members)) {
      throw new Error(typeof answer?.message === 'string' ? answer.message : 'The members could not be read');
    }
    return answer.members.map(memberOf).filter((member): member is MemberView => member !== null);
  };
}

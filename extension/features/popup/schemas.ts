// The popup's messages: the API's status, the session, the organization and the per-site switches.
import { z } from 'zod';
import { messageLimits, siteIds, type InvitationSummary, type OrgSummary, type SessionState, type SiteId } from '../../platform/messaging/schemas.ts';

export const statusRequestSchema = z.strictObject({ type: z.literal('portrait/status') });
export const popupStateRequestSchema = z.strictObject({ type: z.literal('popup/state') });
export const signInRequestSchema = z.strictObject({
  type: z.literal('account/sign-in'),
  email: z.string().trim().min(3).max(messageLimits.maxEmailLength),
  password: z.string().min(1).max(messageLimits.maxPasswordLength),
});
export const signOutRequestSchema = z.strictObject({ type: z.literal('account/sign-out') });
export const selectOrgRequestSchema = z.strictObject({
  type: z.literal('account/select-org'),
  orgId: z.guid(),
});
/** Accepts (the organization joins the picker) or declines an invitation. */
export const answerInvitationRequestSchema = z.strictObject({
  type: z.literal('account/answer-invitation'),
  invitationId: z.guid(),
  accept: z.boolean(),
});
export const setSiteEnabledRequestSchema = z.strictObject({
  type: z.literal('settings/site'),
  site: z.enum(siteIds),
  enabled: z.boolean(),
});

export type StatusRequest = z.infer<typeof statusRequestSchema>;

export interface StatusResponse {
  ok: true;
  apiUrl: string;
  reachable: boolean;
}

/** Everything the popup shows, in one answer. */
export interface PopupStateResponse {
  ok: true;
  session: SessionState;
  orgs: OrgSummary[];
  /** Open invitations to organizations, to accept or decline (empty when they cannot be read). */
  invitations: InvitationSummary[];
  sites: Record<SiteId, boolean>;
  apiUrl: string;
  /** Writes waiting in the queue (offline, or retrying). */
  pendingWrites: number;
  /** Writes the API refused since the last sign-in; they are not retried. */
  failedWrites: number;
  /** The signed-in user's open follow-ups that are overdue or due later today (my_follow_ups). */
  followUps?: { overdue: DueFollowUpView[]; today: DueFollowUpView[] };
  /** The signed-in user's customers that return to the pool (公海) within a week (my_pool_returns). */
  poolReturns?: PoolReturnView[];
}

/** A customer of the user's that returns to the pool soon, with where clicking it leads. */
export interface PoolReturnView {
  customerId: string;
  customerName: string;
  recycleAt: string;
  /** As for follow-ups: the customer's mail in Gmail, or their Studio row for admins. */
  url: string | null;
}

/** A follow-up in the popup's lists, with where clicking it leads. */
export interface DueFollowUpView {
  id: string;
  customerName: string;
  dueAt: string;
  note: string | null;
  /** The customer's mail in Gmail (a search for their address), or their Studio row for admins. */
  url: string | null;
}

export interface SignInResponse extends Omit<PopupStateResponse, 'ok'> {
  ok: true;
}

export interface PopupResponses {
  'portrait/status': StatusResponse;
  'popup/state': PopupStateResponse;
  'account/sign-in': PopupStateResponse;
  'account/sign-out': PopupStateResponse;
  'account/select-org': PopupStateResponse;
  'settings/site': PopupStateResponse;
  'account/answer-invitation': PopupStateResponse;
}

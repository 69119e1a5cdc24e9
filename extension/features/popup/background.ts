// The popup's messages in the background: the API's status, signing in and out, the organization
// and the per-site switches. Every answer but the status is the popup's whole state.
import { defineFeature } from '../../platform/messaging/front-door.ts';
import { isApiReachable } from '../../background/api-health.ts';
import { ApiFailure } from '../../background/client.ts';
import { broadcastSettings, failed, type BackgroundServices } from '../../background/services.ts';
import {
  answerInvitationRequestSchema,
  popupStateRequestSchema,
  selectOrgRequestSchema,
  setSiteEnabledRequestSchema,
  signInRequestSchema,
  signOutRequestSchema,
  statusRequestSchema,
  type DueFollowUpView,
  type PoolReturnView,
  type PopupStateResponse,
} from './schemas.ts';
import type { MyFollowUp } from '../../background/follow-ups.ts';
import type { SessionState } from '../../platform/messaging/schemas.ts';

/** How far ahead the popup warns of customers returning to the pool. */
export const poolReturnsWithinDays = 7;

/** The customer's mail in Gmail: a search for their address (or phone). */
export function gmailSearchUrl(address: string | null): string | null {
  return address ? `https://mail.google.com/mail/u/0/#search/${encodeURIComponent(address)}` : null;
}

export const popupFeature = defineFeature({
  messages: {
    'portrait/status': { schema: statusRequestSchema, from: 'extension-page' },
    'popup/state': { schema: popupStateRequestSchema, from: 'extension-page' },
    'account/sign-in': { schema: signInRequestSchema, from: 'extension-page' },
    'account/sign-out': { schema: signOutRequestSchema, from: 'extension-page' },
    'account/select-org': { schema: selectOrgRequestSchema, from: 'extension-page' },
    'settings/site': { schema: setSiteEnabledRequestSchema, from: 'extension-page' },
    'account/answer-invitation': { schema: answerInvitationRequestSchema, from: 'extension-page' },
  },
  handlers: (deps: BackgroundServices) => {
    const { session, settings, queue, followUps } = deps;

    /** Overdue and due-today follow-ups; read again now (the popup is when the user looks). */
    async function dueFollowUps(state: SessionState): Promise<PopupStateResponse['followUps']> {
      if (!followUps || !state.signedIn || !state.orgId) return undefined;
      const orgId = state.orgId;
      try {
        await followUps.refresh(orgId);
      } catch (error) {
        await session.noticeFailure(error);
      }
      const context = await session.portraitContext(orgId);
      const view = (row: MyFollowUp): DueFollowUpView => ({
        id: row.follow_up_id,
        customerName: row.display_name ?? row.primary_email ?? row.primary_phone ?? '—',
        dueAt: row.due_at,
        note: row.note,
        url: context.studioUrl?.(row.customer_id) ?? gmailSearchUrl(row.primary_email ?? row.primary_phone),
      });
      const due = followUps.due(orgId);
      return { overdue: due.overdue.map(view), today: due.today.map(view) };
    }

    /** The user's customers returning to the pool within a week; none when they cannot be read. */
    async function poolReturns(state: SessionState): Promise<PopupStateResponse['poolReturns']> {
      if (!state.signedIn || !state.orgId) return undefined;
      const orgId = state.orgId;
      try {
        const [rows, context] = await Promise.all([
          (await session.backend()).myPoolReturns(orgId, poolReturnsWithinDays),
          session.portraitContext(orgId),
        ]);
        return rows
          .map(
            (row): PoolReturnView => ({
              customerId: row.customer_id,
              customerName: row.display_name ?? row.primary_email ?? row.primary_phone ?? '—',
              recycleAt: row.recycle_at,
              url: context.studioUrl?.(row.customer_id) ?? gmailSearchUrl(row.primary_email ?? row.primary_phone),
            }),
          )
          .sort((a, b) => Date.parse(a.recycleAt) - Date.parse(b.recycleAt));
      } catch (error) {
        await session.noticeFailure(error);
        return undefined;
      }
    }

    /** Open invitations; the popup works without them when they cannot be read (offline). */
    async function invitations(signedIn: boolean): Promise<PopupStateResponse['invitations']> {
      if (!signedIn) return [];
      try {
        return await (await session.backend()).myInvitations();
      } catch {
        return [];
      }
    }

    async function popupState(): Promise<PopupStateResponse> {
      const [state, account, current, writes, failedWrites, api] = await Promise.all([
        session.state(),
        session.account(),
        settings.load(),
        queue.writes(),
        queue.failed(),
        settings.api(),
      ]);
      const [open, returning] = await Promise.all([invitations(state.signedIn), poolReturns(state)]);
      return {
        ok: true,
        session: state,
        orgs: state.signedIn ? (account?.orgs ?? []).map(({ id, name, role }) => ({ id, name, role })) : [],
        invitations: open,
        sites: current.sites,
        apiUrl: api.apiUrl,
        pendingWrites: writes.filter((write) => write.userId === account?.userId).length,
        failedWrites: failedWrites.length,
        followUps: await dueFollowUps(state),
        poolReturns: returning,
      };
    }

    return {
      async 'portrait/status'() {
        const api = await settings.api();
        return { ok: true, apiUrl: api.apiUrl, reachable: await isApiReachable(api.apiUrl, api.anonKey, deps.fetch) };
      },

      async 'popup/state'() {
        // The popup is the moment the user looks: pick up organization changes and retry writes.
        void session.refreshOrgs();
        void queue.drain({ now: true });
        return popupState();
      },

      async 'account/sign-in'(message) {
        try {
          await session.signIn(message.email, message.password);
        } catch (error) {
          if (error instanceof ApiFailure && error.kind === 'refused') {
            return { ok: false, error: 'failed', message: error.message };
          }
          return failed(error);
        }
        void queue.drain();
        return popupState();
      },

      async 'account/sign-out'() {
        // The queue belongs to the account: another user must not send its writes.
        await queue.clear();
        await session.signOut();
        return popupState();
      },

      async 'account/select-org'(message) {
        try {
          await session.selectOrg(message.orgId);
        } catch (error) {
          return failed(error);
        }
        return popupState();
      },

      async 'account/answer-invitation'(message) {
        try {
          await (await session.backend()).answerInvitation(message.invitationId, message.accept);
          // The new organization joins the picker at once.
          if (message.accept) await session.refreshOrgs();
        } catch (error) {
          return failed(error);
        }
        return popupState();
      },

      async 'settings/site'(message) {
        await settings.update((current) => ({ ...current, sites: { ...current.sites, [message.site]: message.enabled } }));
        await broadcastSettings(deps);
        return popupState();
      },
    };
  },
});

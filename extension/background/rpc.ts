// The SQL functions the extension calls (supabase/README.md, section 1): arguments checked and answers parsed with the
// schemas in shared/api.ts, answers mapped to the page protocol's view model.
import {
  addFollowUpResultSchema,
  addNoteResultSchema,
  assignCustomerResultSchema,
  claimCustomerResultSchema,
  completeFollowUpResultSchema,
  customerTimelineResultSchema,
  myFollowUpsResultSchema,
  myPoolReturnsResultSchema,
  orgMembersResultSchema,
  poolCustomersResultSchema,
  recordSatisfactionResultSchema,
  releaseCustomerResultSchema,
  customerContextArgsSchema,
  customerContextResultSchema,
  listTagsResultSchema,
  memberAddressesResultSchema,
  myOrgsResultSchema,
  myInvitationsResultSchema,
  acceptInvitationResultSchema,
  declineInvitationResultSchema,
  searchCustomersResultSchema,
  setLifecycleStageResultSchema,
  stageOverviewResultSchema,
  tagCustomerResultSchema,
  untagCustomerResultSchema,
  rpcSchemas,
  satisfactionScoreRange,
  type CustomerTimeline,
  type Portrait,
  type RpcName,
  type RpcResult,
  type StageOverview,
} from '../../shared/api.ts';
import type { Rule } from '../../shared/rules.ts';
import type { InvitationSummary, OrgSummary } from '../platform/messaging/schemas.ts';
import type { Identifier, LifecycleStage, PortraitView, Reason } from '../platform/messaging/schemas.ts';
import type { MemberRole } from '../../shared/enums.ts';
import { identifierKey } from './identifiers.ts';
import type { QueuedWrite } from './write-queue.ts';

export interface TagSuggestion {
  name: string;
  color: string | null;
}

/** A customer found by `search_customers` (typeahead by name, email or phone). */
export interface CustomerMatch {
  customerId: string;
  displayName: string | null;
  email: string | null;
  phone: string | null;
  stage: LifecycleStage | null;
}

/** A member of the organization, as the card's "Assign to…" lists them (org_members). */
export interface OrgMember {
  userId: string;
  displayName: string | null;
  email: string | null;
  role: MemberRole;
}

/** An organization the user belongs to, with the settings the background applies. */
export interface Membership extends OrgSummary {
  currency: string;
  defaultPhoneRegion: string;
  internalDomains: string[];
}

/** What the background knows about the organization a portrait is read in. */
export interface PortraitContext {
  orgId: string;
  currency: string;
  /** Links to Studio are for admins of hosted projects. */
  studioUrl?(customerId: string): string | null;
}

/** A write's result: the customer it touched and their portrait afterwards (when known). */
export interface WriteResult {
  customerId: string | null;
  portrait: PortraitView | null;
}

export type RpcCall = (fn: RpcName, args: Record<string, unknown>) => Promise<unknown>;

/** Thrown when arguments fail the API's own schema: sending them would only be refused. */
export class InvalidArguments extends Error {
  constructor(fn: RpcName, message: string) {
    super(`${fn}: ${message}`);
    this.name = 'InvalidArguments';
  }
}

function checked(fn: RpcName, args: Record<string, unknown>): Record<string, unknown> {
  const parsed = rpcSchemas[fn].args.safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidArguments(fn, issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid arguments');
  }
  return args;
}

function reasonOf(value: unknown): Reason | null {
  if (!value || typeof value !== 'object' || !('code' in value) || typeof value.code !== 'string') return null;
  const { code, ...rest } = value as Record<string, unknown>;
  const values: Record<string, number | string | null> = {};
  for (const [key, v] of Object.entries(rest)) {
    if (typeof v === 'number' || typeof v === 'string' || v === null) values[key] = v;
  }
  return Object.keys(values).length > 0 ? { code: code as string, values } : { code: code as string };
}

/** The API's portrait as the overlay shows it. */
export function toPortraitView(portrait: Portrait, context: PortraitContext): PortraitView {
  const { customer, profile } = portrait;
  const computedStage = profile?.lifecycle_stage ?? 'prospect';
  const rfm =
    profile?.r_score && profile.f_score && profile.m_score
      ? { r: profile.r_score, f: profile.f_score, m: profile.m_score }
      : null;
  return {
    customerId: customer.id,
    orgId: context.orgId,
    displayName:
      customer.display_name ?? customer.primary_email ?? customer.primary_phone ?? portrait.identities[0]?.value ?? '',
    kind: customer.kind,
    company: customer.company?.display_name ?? null,
    primaryEmail: customer.primary_email,
    primaryPhone: customer.primary_phone,
    location: [customer.city, customer.region, customer.country].filter(Boolean).join(', ') || null,
    owner: customer.owner?.display_name ?? null,
    ownerId: customer.owner?.user_id ?? null,
    stage: profile?.effective_stage ?? computedStage,
    computedStage,
    stageOverride: profile?.stage_override ?? null,
    stageReason: reasonOf(profile?.reasons.lifecycle_stage),
    stageHistory: portrait.stage_history.map((change) => ({
      from: change.from_stage,
      to: change.to_stage,
      at: change.changed_at,
      source: change.source,
    })),
    valueTier: profile?.value_tier ?? 'normal',
    rfmSegment: profile?.rfm_segment ?? null,
    rfm,
    ticketBand: profile?.ticket_band ?? null,
    isPartner: customer.is_partner,
    isValid: customer.is_valid,
    orderCount: profile?.order_count ?? 0,
    netSpend: profile?.net_spend ?? 0,
    aov: profile?.aov ?? null,
    currency: context.currency,
    lastOrderAt: profile?.last_order_at ?? null,
    openOrders: (portrait.open_orders ?? []).map((order) => ({ total: order.total, currency: order.currency, at: order.ordered_at })),
    openOrderCount: portrait.open_order_count ?? 0,
    satisfaction: portrait.satisfaction
      ? {
          last: portrait.satisfaction.last_score,
          max: satisfactionScoreRange[portrait.satisfaction.last_scale][1],
          average: portrait.satisfaction.avg_score_100,
          at: portrait.satisfaction.last_at,
        }
      : null,
    recycleAt: portrait.recycle_at ?? null,
    tags: portrait.tags.map((tag) => ({ id: tag.id, name: tag.name, color: tag.colour, source: tag.source })),
    segments: portrait.segments,
    notes: portrait.notes.map((note) => ({
      id: note.id,
      body: note.body,
      authorName: note.author_name,
      createdAt: note.created_at,
    })),
    studioUrl: context.studioUrl?.(customer.id) ?? null,
    computedAt: profile?.computed_at ?? null,
  };
}

/** The index named in a 22023 error about one identifier (`p_identifiers[3] …`). */
function badIdentifierIndex(error: unknown): number | null {
  const message = error instanceof Error ? error.message : '';
  const code = (error as { code?: unknown }).code;
  if (code !== '22023') return null;
  const match = /p_identifiers\[(\d+)\]/.exec(message);
  return match ? Number(match[1]) : null;
}

export function rpcCalls(rpc: RpcCall) {
  async function call<T>(fn: RpcName, args: Record<string, unknown>, parse: (data: unknown) => T): Promise<T> {
    return parse(await rpc(fn, checked(fn, args)));
  }

  return {
    async myOrgs(): Promise<Membership[]> {
      const rows = await call('my_orgs', {}, (data) => myOrgsResultSchema.parse(data));
      return rows.map((row) => ({
        id: row.org_id,
        name: row.name,
        role: row.role,
        currency: row.settings.currency,
        defaultPhoneRegion: row.settings.default_phone_region,
        internalDomains: row.settings.internal_email_domains,
      }));
    },

    /** The invitations addressed to the signed-in user's email that are still open. */
    async myInvitations(): Promise<InvitationSummary[]> {
      const rows = await call('my_invitations', {}, (data) => myInvitationsResultSchema.parse(data));
      return rows.map((row) => ({
        id: row.invitation_id,
        orgId: row.org_id,
        orgName: row.org_name,
        role: row.role,
        invitedBy: row.invited_by_name,
        expiresAt: row.expires_at,
      }));
    },

    /** Accepts (becoming a member) or declines an invitation. */
    async answerInvitation(invitationId: string, accept: boolean): Promise<void> {
      const args = { p_invitation: invitationId };
      if (accept) await call('accept_invitation', args, (data) => acceptInvitationResultSchema.parse(data));
      else await call('decline_invitation', args, (data) => declineInvitationResultSchema.parse(data));
    },

    /**
     * Portraits by identifierKey. An identifier the API cannot read (a phone number not valid in
     * the organization's region) is answered null instead of failing the others.
     */
    async customerContext(
      identifiers: readonly Identifier[],
      context: PortraitContext,
    ): Promise<Map<string, PortraitView | null>> {
      const found = new Map<string, PortraitView | null>();
      let remaining = [...identifiers];
      for (let attempt = 0; remaining.length > 0; attempt++) {
        try {
          const args = customerContextArgsSchema.parse({ p_org: context.orgId, p_identifiers: remaining });
          const rows = customerContextResultSchema.parse(await rpc('customer_context', args));
          for (const row of rows) {
            const identifier = remaining[row.index];
            if (identifier) found.set(identifierKey(identifier), row.portrait ? toPortraitView(row.portrait, context) : null);
          }
          return found;
        } catch (error) {
          const bad = badIdentifierIndex(error);
          if (bad === null || attempt >= 5 || !remaining[bad]) throw error;
          found.set(identifierKey(remaining[bad]!), null);
          remaining = remaining.filter((_, index) => index !== bad);
        }
      }
      return found;
    },

    async listTags(orgId: string): Promise<TagSuggestion[]> {
      const rows = await call('list_tags', { p_org: orgId }, (data) => listTagsResultSchema.parse(data));
      return rows.map((row) => ({ name: row.name, color: row.colour }));
    },

    async memberAddresses(orgId: string): Promise<string[]> {
      return call('member_addresses', { p_org: orgId }, (data) => memberAddressesResultSchema.parse(data));
    },

    /** The Overview page's figures for the UTC days from..to (`YYYY-MM-DD`). */
    async stageOverview(orgId: string, from: string, to: string): Promise<StageOverview> {
      return call('stage_overview', { p_org: orgId, p_from: from, p_to: to }, (data) => stageOverviewResultSchema.parse(data));
    },
    async searchCustomers(orgId: string, query: string, limit: number): Promise<CustomerMatch[]> {
      const rows = await call(
        'search_customers',
        { p_org: orgId, p_query: query, p_limit: limit },
        (data) => searchCustomersResultSchema.parse(data),
      );
      return rows.map((row) => ({
        customerId: row.customer_id,
        displayName: row.display_name,
        email: row.primary_email,
        phone: row.primary_phone,
        stage: row.effective_stage,
      }));
    },

    /** One page of the customer's timeline, newest first (README: "Follow-ups, owners, …"). */
    async customerTimeline(
      orgId: string,
      customerId: string,
      before: { before: string; beforeKey: string } | null,
      limit: number,
    ): Promise<CustomerTimeline> {
      return call(
        'customer_timeline',
        {
          p_org: orgId,
          p_customer: customerId,
          p_limit: limit,
          ...(before ? { p_before: before.before, p_before_key: before.beforeKey } : {}),
        },
        (data) => customerTimelineResultSchema.parse(data),
      );
    },

    /** The signed-in user's open follow-ups due by `until`, earliest first. */
    async myFollowUps(orgId: string, until: string): Promise<RpcResult<'my_follow_ups'>> {
      return call('my_follow_ups', { p_org: orgId, p_until: until }, (data) => myFollowUpsResultSchema.parse(data));
    },

    /** The organization's members, by name (org_members): whom an admin may assign a customer to. */
    async orgMembers(orgId: string): Promise<OrgMember[]> {
      const rows = await call('org_members', { p_org: orgId }, (data) => orgMembersResultSchema.parse(data));
      return rows.map((row) => ({ userId: row.user_id, displayName: row.display_name, email: row.email, role: row.role }));
    },

    /** Customers in the pool (公海), filtered by a segment rule or not at all. */
    async poolCustomers(orgId: string, filter: Rule | null, limit: number): Promise<RpcResult<'pool_customers'>> {
      return call('pool_customers', { p_org: orgId, p_filter: filter, p_limit: limit }, (data) => poolCustomersResultSchema.parse(data));
    },

    /** The signed-in user's customers that return to the pool within `withinDays` days, soonest first. */
    async myPoolReturns(orgId: string, withinDays: number): Promise<RpcResult<'my_pool_returns'>> {
      return call('my_pool_returns', { p_org: orgId, p_within_days: withinDays }, (data) => myPoolReturnsResultSchema.parse(data));
    },

    /** Sends one queued write with its request id. */
    async applyWrite(queued: QueuedWrite, context: PortraitContext): Promise<WriteResult> {
      const { write, requestId } = queued;
      const view = (portrait: Portrait | null) => (portrait ? toPortraitView(portrait, context) : null);
      switch (write.op) {
        case 'tag':
        case 'lead': {
          const result = await call(
            'tag_customer',
            {
              p_org: queued.orgId,
              p_identifier: write.identifier,
              p_tags: write.op === 'tag' ? write.tags : [],
              p_page_url: write.pageUrl,
              p_page_title: write.pageTitle,
              p_request_id: requestId,
              ...(write.displayName ? { p_display_name: write.displayName } : {}),
            },
            (data) => tagCustomerResultSchema.parse(data),
          );
          return { customerId: result.customer_id, portrait: view(result.portrait) };
        }
        case 'untag': {
          if (!queued.target) throw new InvalidArguments('untag_customer', 'no identifier is known for this customer');
          const result = await call(
            'untag_customer',
            { p_org: queued.orgId, p_identifier: queued.target, p_tags: [write.tag], p_request_id: requestId },
            (data) => untagCustomerResultSchema.parse(data),
          );
          return { customerId: result.customer_id, portrait: view(result.portrait) };
        }
        case 'note': {
          const result = await call(
            'add_note',
            { p_org: queued.orgId, p_customer_id: write.customerId, p_body: write.body, p_request_id: requestId },
            (data) => addNoteResultSchema.parse(data),
          );
          return { customerId: write.customerId, portrait: view(result.portrait) };
        }
        case 'follow_up':
        case 'visit': {
          // Both find the customer by an identifier (like tag_customer): one the pages have shown.
          const fn = write.op === 'follow_up' ? 'add_follow_up' : 'record_satisfaction';
          if (!queued.target) throw new InvalidArguments(fn, 'no identifier is known for this customer');
          if (write.op === 'follow_up') {
            const result = await call(
              'add_follow_up',
              {
                p_org: queued.orgId,
                p_identifier: queued.target,
                p_due_at: write.dueAt,
                p_note: write.note,
                p_request_id: requestId,
              },
              (data) => addFollowUpResultSchema.parse(data),
            );
            return { customerId: result.customer_id, portrait: null };
          }
          const result = await call(
            'record_satisfaction',
            {
              p_org: queued.orgId,
              p_identifier: queued.target,
              p_score: write.score,
              p_scale: write.scale,
              p_comment: write.comment,
              p_channel: write.channel,
              p_request_id: requestId,
            },
            (data) => recordSatisfactionResultSchema.parse(data),
          );
          return { customerId: result.customer_id, portrait: null };
        }
        case 'complete_follow_up': {
          await call(
            'complete_follow_up',
            { p_org: queued.orgId, p_follow_up: write.followUpId, p_request_id: requestId },
            (data) => completeFollowUpResultSchema.parse(data),
          );
          return { customerId: write.customerId, portrait: null };
        }
        case 'claim':
        case 'release':
        case 'assign': {
          const base = { p_org: queued.orgId, p_customer: write.customerId, p_request_id: requestId };
          const result =
            write.op === 'claim'
              ? await call('claim_customer', base, (data) => claimCustomerResultSchema.parse(data))
              : write.op === 'release'
                ? await call('release_customer', { ...base, p_reason: write.reason }, (data) =>
                    releaseCustomerResultSchema.parse(data),
                  )
                : await call('assign_customer', { ...base, p_member: write.memberId }, (data) =>
                    assignCustomerResultSchema.parse(data),
                  );
          return { customerId: result.customer_id, portrait: view(result.portrait) };
        }
        case 'stage': {
          const result = await call(
            'set_lifecycle_stage',
            {
              p_org: queued.orgId,
              p_customer_id: write.customerId,
              p_stage: write.stage,
              p_reason: write.reason,
              p_request_id: requestId,
            },
            (data) => setLifecycleStageResultSchema.parse(data),
          );
          return { customerId: result.customer_id, portrait: view(result.portrait) };
        }
      }
    },
  };
}

// The Overview page's message in the background: an organization's stage figures.
import { defineFeature } from '../../platform/messaging/front-door.ts';
import { InvalidArguments } from '../../background/rpc.ts';
import { failed, type BackgroundServices } from '../../background/services.ts';
import type { ErrorResponse } from '../../platform/messaging/schemas.ts';
import type { Rule } from '../../../shared/rules.ts';
import { claimRequestSchema, overviewRequestSchema, poolRequestSchema, type PoolRequest, type PoolResponse } from './schemas.ts';

/** How many pool customers the page lists at once (pool_customers' default page). */
export const poolPage = 50;

/** The segment rule (shared/rules.ts) the pool's stage and tier filters make; null: the whole pool. */
export function poolFilter(stage: PoolRequest['stage'], tier: PoolRequest['tier']): Rule | null {
  const conditions: Rule[] = [];
  if (stage) conditions.push({ field: 'lifecycle_stage', op: 'in', value: [stage] });
  if (tier) conditions.push({ field: 'value_tier', op: 'in', value: [tier] });
  if (conditions.length === 0) return null;
  return conditions.length === 1 ? conditions[0]! : { all: conditions };
}

export const overviewFeature = defineFeature({
  messages: {
    'overview/data': { schema: overviewRequestSchema, from: 'extension-page' },
    'overview/pool': { schema: poolRequestSchema, from: 'extension-page' },
    'overview/claim': { schema: claimRequestSchema, from: 'extension-page' },
  },
  handlers: ({ session, portraits }: BackgroundServices) => ({
    async 'overview/pool'(message): Promise<PoolResponse | ErrorResponse> {
      // The pool is for those who may claim from it: reps and admins (claim_customer checks it again).
      const membership = await session.membership(message.orgId);
      if (!membership) return { ok: false, error: 'forbidden', message: 'You are not a member of this organization' };
      if (membership.role === 'staff') return { ok: false, error: 'forbidden', message: 'The pool is for sales reps and admins' };
      try {
        const rows = await (await session.backend()).poolCustomers(message.orgId, poolFilter(message.stage, message.tier), poolPage);
        return {
          ok: true,
          currency: membership.currency,
          customers: rows.map((row) => ({
            customerId: row.customer_id,
            name: row.display_name ?? row.primary_email ?? row.primary_phone ?? '—',
            email: row.primary_email,
            phone: row.primary_phone,
            stage: row.lifecycle_stage,
            tier: row.value_tier,
            netSpend: row.net_spend,
            orderCount: row.order_count,
            lastOrderAt: row.last_order_at,
            pooledAt: row.pooled_at,
          })),
        };
      } catch (error) {
        if (error instanceof InvalidArguments) return { ok: false, error: 'invalid-message', message: error.message };
        void session.noticeFailure(error);
        return failed(error);
      }
    },

    async 'overview/claim'(message) {
      const membership = await session.membership(message.orgId);
      if (!membership) return { ok: false, error: 'forbidden', message: 'You are not a member of this organization' };
      if (membership.role === 'staff') return { ok: false, error: 'forbidden', message: 'Only sales reps and admins claim customers' };
      return portraits.write({ op: 'claim', customerId: message.customerId }, null, message.orgId);
    },

    async 'overview/data'(message) {
      // The Overview page is for reps and admins (extension/README.md, "Features"); the database checks membership again.
      const membership = await session.membership(message.orgId);
      if (!membership) return { ok: false, error: 'forbidden', message: 'You are not a member of this organization' };
      if (membership.role === 'staff') {
        return { ok: false, error: 'forbidden', message: 'The overview is for sales reps and admins' };
      }
      try {
        const backend = await session.backend();
        return { ok: true, overview: await backend.stageOverview(message.orgId, message.from, message.to) };
      } catch (error) {
        if (error instanceof InvalidArguments) return { ok: false, error: 'invalid-message', message: error.message };
        void session.noticeFailure(error);
        return failed(error);
      }
    },
  }),
});

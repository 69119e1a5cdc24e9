// The Overview page's message: an organization's stage figures over a period.
import { z } from 'zod';
import { apiLimits, lifecycleStages, valueTiers, type StageOverview } from '../../../shared/api.ts';
import type { LifecycleStage, ValueTier, WriteResponse } from '../../platform/messaging/schemas.ts';

/** The Overview page's figures for one organization over the UTC days from..to (`YYYY-MM-DD`). */
export const overviewRequestSchema = z
  .strictObject({
    type: z.literal('overview/data'),
    orgId: z.uuid(),
    from: z.iso.date(),
    to: z.iso.date(),
  })
  .refine((message) => message.from <= message.to, { message: 'from must be on or before to', path: ['from'] })
  .refine((message) => (Date.parse(message.to) - Date.parse(message.from)) / 86_400_000 <= apiLimits.overviewDays, {
    message: `from..to must span at most ${apiLimits.overviewDays} days`,
    path: ['from'],
  });

/** The Overview page's figures (public.stage_overview, checked by the background). */
export interface OverviewResponse {
  ok: true;
  overview: StageOverview;
}

/** The pool (公海): unowned customers of the organization, by lifecycle stage and value tier or all. */
export const poolRequestSchema = z.strictObject({
  type: z.literal('overview/pool'),
  orgId: z.guid(),
  stage: z.enum(lifecycleStages).nullable(),
  tier: z.enum(valueTiers).nullable(),
});

/** Claims a pool customer through the write queue (claim_customer, exactly once). */
export const claimRequestSchema = z.strictObject({
  type: z.literal('overview/claim'),
  orgId: z.guid(),
  customerId: z.guid(),
});

export type PoolRequest = z.infer<typeof poolRequestSchema>;
export type ClaimRequest = z.infer<typeof claimRequestSchema>;

/** A customer in the pool as the Overview page lists them. */
export interface PoolCustomerView {
  customerId: string;
  name: string;
  email: string | null;
  phone: string | null;
  /** The stage shown (the override when there is one). */
  stage: LifecycleStage;
  tier: ValueTier;
  netSpend: number;
  orderCount: number;
  lastOrderAt: string | null;
  /** When they last entered the pool; null: never owned. */
  pooledAt: string | null;
}

export interface PoolResponse {
  ok: true;
  customers: PoolCustomerView[];
  /** The organization's currency, for net spend. */
  currency: string;
}

export interface OverviewResponses {
  'overview/data': OverviewResponse;
  'overview/pool': PoolResponse;
  'overview/claim': WriteResponse;
}

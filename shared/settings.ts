// Organization settings (organizations.settings): the engine's thresholds and the preferences the
// extension reads. The database checks the same shape (private.org_settings_problems in
// supabase/migrations/20261123000310_organization_settings.sql) and holds the same defaults
// (private.default_org_settings); tests/db/settings.test.ts keeps the two sides in step.
//
// Every key is optional when stored: parsing fills in the defaults. Unknown keys are errors, so a
// misspelt threshold cannot silently fall back to its default.
import { z } from 'zod';
import { lifecycleStages, valueTiers } from './enums.ts';
import { phoneRegion } from './identity.ts';

/** A lowercase domain such as `example.com` (the pattern the database checks too). */
export const SETTINGS_DOMAIN_PATTERN = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

const days = (fallback: number) => z.number().int().min(1).max(3650).default(fallback);
const fraction = (fallback: number) => z.number().gt(0).lt(1).default(fallback);

/** Windows of the lifecycle rules (supabase/README.md, section 3), in days, and the order count that makes a customer loyal. */
export const lifecycleSettingsSchema = z.strictObject({
  /** lead = no orders and an event within this many days (else prospect). */
  lead_event_days: days(90),
  /** new = exactly one order, at most this many days ago. */
  new_order_days: days(30),
  /** at_risk = last order more than this many days ago. */
  at_risk_days: days(90),
  /** churned = last order more than this many days ago. */
  churned_days: days(180),
  /** reactivated = more than this many days between the last two orders … */
  reactivated_gap_days: days(180),
  /** … and the latest order at most this many days ago. */
  reactivated_recent_days: days(90),
  /** loyal = at least this many orders. */
  loyal_min_orders: z.number().int().min(2).max(1000).default(4),
});

/** Value tiers by net spend among buyers: at or above these percentiles (percentile_disc). */
export const tierSettingsSchema = z.strictObject({
  super_percentile: fraction(0.99),
  vip_percentile: fraction(0.9),
});

const recycleDays = z.number().int().min(1).max(3650);
const poolLimit = z.number().int().min(1).max(1_000_000).nullable().default(null);

/**
 * The shared pool (公海), everything off by default. An owned customer nobody followed up (no mail
 * event, note or completed follow-up) returns to the pool N days after max(last contact, owned
 * since), N from `recycle_days.by_stage` for the stage shown, else `recycle_days.by_tier` for the
 * value tier; neither: never. Limits apply to reps claiming (admins and assignments are exempt):
 * `max_owned_per_rep` customers owned, `max_claims_per_day` claims in the last 24 hours.
 */
export const poolSettingsSchema = z.strictObject({
  recycle_days: z
    .strictObject({
      by_tier: z.partialRecord(z.enum(valueTiers), recycleDays).default(() => ({})),
      by_stage: z.partialRecord(z.enum(lifecycleStages), recycleDays).default(() => ({})),
    })
    .prefault({}),
  max_owned_per_rep: poolLimit,
  max_claims_per_day: poolLimit,
});

export const orgSettingsSchema = z
  .strictObject({
    /** ISO 4217 code money is shown in. */
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'An ISO 4217 currency code of three capital letters, such as USD')
      .default('USD'),
    /** Region for phone numbers written without a country code (ISO 3166-1 alpha-2). */
    default_phone_region: z
      .string()
      .regex(/^[A-Z]{2}$/, 'An ISO 3166-1 alpha-2 region code of two capital letters, such as US')
      .refine((region) => {
        try {
          return phoneRegion(region) !== null;
        } catch {
          return false;
        }
      }, 'Phone numbers cannot be read in this region')
      .default('US'),
    /** The team's own mail domains; the extension leaves these addresses out of portraits. */
    internal_email_domains: z
      .array(z.string().max(253).regex(SETTINGS_DOMAIN_PATTERN, 'A lowercase domain such as example.com'))
      .max(100)
      .default(() => []),
    lifecycle: lifecycleSettingsSchema.prefault({}),
    tiers: tierSettingsSchema.prefault({}),
    pool: poolSettingsSchema.prefault({}),
  })
  .superRefine((settings, ctx) => {
    if (settings.lifecycle.at_risk_days >= settings.lifecycle.churned_days) {
      ctx.addIssue({
        code: 'custom',
        path: ['lifecycle', 'at_risk_days'],
        message: 'lifecycle.at_risk_days must be less than lifecycle.churned_days',
      });
    }
    if (settings.tiers.vip_percentile >= settings.tiers.super_percentile) {
      ctx.addIssue({
        code: 'custom',
        path: ['tiers', 'vip_percentile'],
        message: 'tiers.vip_percentile must be less than tiers.super_percentile',
      });
    }
  });

/** Settings as stored: any subset of the keys. */
export type OrgSettingsInput = z.input<typeof orgSettingsSchema>;
/** Settings with every default filled in. */
export type OrgSettings = z.output<typeof orgSettingsSchema>;

/** The defaults, as private.default_org_settings() returns them. */
export function defaultOrgSettings(): OrgSettings {
  return orgSettingsSchema.parse({});
}

// The database's enums, as the generated `Constants` of shared/database.types.ts lists them (in
// the enum's order), under the names the TypeScript code uses. Nothing here is written by hand:
// a value added to an enum in a migration reaches every list after `npm run db:types`.
//
// Types-only imports of this module cost nothing; a value import brings `Constants` (a few hundred
// bytes) into the bundle.
import { Constants, type Enums } from './database.types.ts';

const enums = Constants.public.Enums;

export const memberRoles = enums.member_role;
export const customerKinds = enums.customer_kind;
export const companySizes = enums.company_size;
export const lifecycleStages = enums.lifecycle_stage;
export const valueTiers = enums.value_tier;
export const ticketBands = enums.ticket_band;
export const rfmSegments = enums.rfm_segment;
export const tagCategories = enums.tag_category;
export const tagSources = enums.tag_source;
export const stageChangeSources = enums.stage_change_source;
export const identifierKinds = enums.identity_kind;
export const shopProviders = enums.shop_provider;
export const orderStatuses = enums.order_status;
export const orderSources = enums.order_source;
export const eventKinds = enums.event_kind;
export const recomputeKinds = enums.recompute_kind;

export type MemberRole = Enums<'member_role'>;
export type CustomerKind = Enums<'customer_kind'>;
export type CompanySize = Enums<'company_size'>;
export type LifecycleStage = Enums<'lifecycle_stage'>;
export type ValueTier = Enums<'value_tier'>;
export type TicketBand = Enums<'ticket_band'>;
export type RfmSegment = Enums<'rfm_segment'>;
export type TagCategory = Enums<'tag_category'>;
export type TagSource = Enums<'tag_source'>;
export type StageChangeSource = Enums<'stage_change_source'>;
export type IdentifierKind = Enums<'identity_kind'>;
export type ShopProvider = Enums<'shop_provider'>;
export type OrderStatus = Enums<'order_status'>;
export type OrderSource = Enums<'order_source'>;
export type EventKind = Enums<'event_kind'>;
export type RecomputeKind = Enums<'recompute_kind'>;

// Every feature the background serves, registered in one call (background/service.ts). A feature
// brings its messages' schemas, who may send them and its handlers (features/<feature>/background.ts).
import { z } from 'zod';
import type { MessageHandlers, MessageRoutes } from '../platform/messaging/front-door.ts';
import type { BackgroundServices } from '../background/services.ts';
import { optionsFeature } from './options/background.ts';
import { getSettingsRequestSchema, saveApiRequestSchema, savePreferencesRequestSchema, shopDomainRequestSchema } from './options/schemas.ts';
import { overlayFeature } from './overlay/background.ts';
import { pageRequestSchema } from './overlay/schemas.ts';
import { overviewFeature } from './overview/background.ts';
import { overviewRequestSchema } from './overview/schemas.ts';
import { popupFeature } from './popup/background.ts';
import {
  answerInvitationRequestSchema,
  popupStateRequestSchema,
  selectOrgRequestSchema,
  setSiteEnabledRequestSchema,
  signInRequestSchema,
  signOutRequestSchema,
  statusRequestSchema,
} from './popup/schemas.ts';
import { taggerFeature } from './tagger/background.ts';
import { taggerRequestSchema } from './tagger/schemas.ts';

export { pageRequestSchema } from './overlay/schemas.ts';
export { taggerRequestSchema } from './tagger/schemas.ts';

const features = [overlayFeature, taggerFeature, overviewFeature, popupFeature, optionsFeature] as const;

/** Every message type the background accepts, with its schema and who may send it. */
export const messageRoutes: MessageRoutes = Object.assign({}, ...features.map((feature) => feature.messages));

/** The features' messages and handlers, for the front door (platform/messaging/front-door.ts). */
export function registerFeatures(services: BackgroundServices): { routes: MessageRoutes; handlers: MessageHandlers } {
  const handlers: MessageHandlers = Object.assign({}, ...features.map((feature) => feature.handlers(services)));
  return { routes: messageRoutes, handlers };
}

export const extensionPageRequestSchema = z.discriminatedUnion('type', [
  statusRequestSchema,
  popupStateRequestSchema,
  signInRequestSchema,
  signOutRequestSchema,
  selectOrgRequestSchema,
  answerInvitationRequestSchema,
  setSiteEnabledRequestSchema,
  shopDomainRequestSchema,
  getSettingsRequestSchema,
  savePreferencesRequestSchema,
  saveApiRequestSchema,
  overviewRequestSchema,
]);

/** Everything the background accepts, before the sender decides what it may send. */
export const extensionMessageSchema = z.discriminatedUnion('type', [
  ...pageRequestSchema.options,
  ...extensionPageRequestSchema.options,
  ...taggerRequestSchema.options,
]);

export type ExtensionPageRequest = z.infer<typeof extensionPageRequestSchema>;
export type ExtensionMessage = z.infer<typeof extensionMessageSchema>;

// Every feature the background serves, registered with the front door in one call
// (background/service.ts). A feature brings its messages' schemas, who may send them and their
// handlers (features/<feature>/background.ts); nothing here names a message type.
import type { z } from 'zod';
import { messageSchemaOf, type MessageHandlers, type MessageRoutes } from '../platform/messaging/front-door.ts';
import type { BackgroundServices } from '../background/services.ts';
import { optionsFeature } from './options/background.ts';
import { overlayFeature } from './overlay/background.ts';
import { overviewFeature } from './overview/background.ts';
import { popupFeature } from './popup/background.ts';
import { taggerFeature } from './tagger/background.ts';

export { pageRequestSchema } from './overlay/schemas.ts';
export { taggerRequestSchema } from './tagger/schemas.ts';

const features = [overlayFeature, taggerFeature, overviewFeature, popupFeature, optionsFeature] as const;

/** Every message type the background accepts, with its schema and who may send it. */
export const messageRoutes: MessageRoutes = Object.assign({}, ...features.map((feature) => feature.messages));

/** Everything the background accepts, before the sender decides what it may send. */
export const extensionMessageSchema = messageSchemaOf(messageRoutes);

/** The features' messages and handlers, for the front door (platform/messaging/front-door.ts). */
export function registerFeatures(services: BackgroundServices): { routes: MessageRoutes; handlers: MessageHandlers } {
  const handlers: MessageHandlers = Object.assign({}, ...features.map((feature) => feature.handlers(services)));
  return { routes: messageRoutes, handlers };
}

type MessagesOf<F> = F extends { messages: infer R extends MessageRoutes }
  ? { [T in keyof R]: z.infer<R[T]['schema']> }[keyof R]
  : never;

/** Every message the background accepts, as its schema parses it. */
export type ExtensionMessage = MessagesOf<(typeof features)[number]>;

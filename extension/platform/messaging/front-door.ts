// The background's front door: every message is checked for its sender, its size and its shape
// before anything acts on it.
//
// - Another extension (or anything that is not this extension) gets no answer at all.
// - This extension's code on a page Portrait does not support is refused: a content script there
//   would carry that page's wishes.
// - Content scripts on supported sites may send the page protocol (messages routed `from: 'page'`) only; the
//   popup and options pages may send everything.
// - A site the user switched off gets no lookups or writes.
// - The tagging dialog's messages are accepted only from a frame Portrait injected the dialog into
//   after a user gesture; such a frame on a page Portrait does not support may send nothing else.
import { z } from 'zod';
import { messageLimits, type ErrorResponse } from './schemas.ts';
import { classifySender, type MessageSender, type SenderKind, type SenderPolicy } from './sender.ts';

export type { MessageSender } from './sender.ts';

/** A sender that passed the checks. */
export type TrustedSender = Extract<SenderKind, { kind: 'extension-page' | 'content-script' }>;

/**
 * Who may send a message type:
 * - `page`: content scripts on supported sites (the page protocol) and Portrait's own pages;
 * - `extension-page`: Portrait's own pages only (popup, options, Overview);
 * - `dialog`: only a frame Portrait injected the tagging dialog into.
 */
export type Audience = 'page' | 'extension-page' | 'dialog';

/** How the front door treats one message type: its shape and who may send it. */
export interface MessageRoute {
  schema: z.ZodType<{ type: string }>;
  from: Audience;
  /** Still answered for a content script on a site the user switched off. */
  whileSwitchedOff?: boolean;
}

export type MessageRoutes = Record<string, MessageRoute>;

/** A message's handler, given the message as its route's schema parsed it. */
export type MessageHandler<M = never> = (message: M, sender: TrustedSender) => Promise<object>;

export type MessageHandlers = Record<string, MessageHandler<never>>;

export interface MessageHandlerDeps extends SenderPolicy {
  /** Every message type the background accepts (the features' messages, extension/features/index.ts). */
  routes: MessageRoutes;
  handlers: MessageHandlers;
  /** Whether the user left Portrait switched on for a site (per-site switch in the popup). */
  siteEnabled?(siteId: string): Promise<boolean>;
}

function refuse(error: ErrorResponse['error'], message: string): ErrorResponse {
  return { ok: false, error, message };
}

/** The message's size as JSON, or Infinity when it cannot be serialised. */
function jsonSize(message: unknown): number {
  try {
    const text = JSON.stringify(message);
    return text === undefined ? 0 : new TextEncoder().encode(text).length;
  } catch {
    return Infinity;
  }
}

/** One schema for every routed message type, told apart by `type`. */
export function messageSchemaOf(routes: MessageRoutes): z.ZodType<{ type: string }> {
  const schemas = Object.values(routes).map((route) => route.schema);
  return z.discriminatedUnion('type', schemas as unknown as [z.ZodObject<{ type: z.ZodLiteral<string> }>]);
}

/**
 * Returns the answer to a message, or `undefined` when the sender is not this extension: those
 * get no answer at all.
 */
export function createMessageHandler(deps: MessageHandlerDeps) {
  const messageSchema = messageSchemaOf(deps.routes);
  return async function handleMessage(message: unknown, sender: MessageSender): Promise<object | undefined> {
    const from = classifySender(sender, deps);
    if (from.kind === 'foreign') return undefined;
    if (from.kind === 'untrusted') return refuse('forbidden', `Messages are not accepted here: ${from.reason}`);

    if (jsonSize(message) > messageLimits.maxMessageBytes) {
      return refuse('invalid-message', `The message is larger than ${messageLimits.maxMessageBytes} bytes`);
    }
    const parsed = messageSchema.safeParse(message);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return refuse('invalid-message', issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'Invalid message');
    }
    const request = parsed.data;
    const route = deps.routes[request.type]!;

    if (route.from === 'dialog') {
      if (from.kind !== 'content-script' || !from.injected) {
        return refuse('forbidden', `${request.type} is only accepted from the tagging dialog Portrait opened in this frame`);
      }
    } else if (from.kind === 'content-script') {
      if (!from.site) return refuse('forbidden', `${request.type} is not accepted from the tagging dialog`);
      if (route.from !== 'page') {
        return refuse('forbidden', `${request.type} is only accepted from Portrait's own pages`);
      }
      const siteId = from.site?.id;
      if (siteId && !route.whileSwitchedOff && deps.siteEnabled && !(await deps.siteEnabled(siteId))) {
        return refuse('forbidden', 'Portrait is switched off for this site');
      }
    }

    const handler = deps.handlers[request.type] as MessageHandler<typeof request>;
    try {
      return await handler(request, from);
    } catch (error) {
      console.error(`Portrait: ${request.type} failed`, error);
      return refuse('failed', error instanceof Error ? error.message : String(error));
    }
  };
}

/** A feature's messages: each type's route and, given the background's services, its handler. */
export interface Feature<Deps, Routes extends MessageRoutes> {
  messages: Routes;
  handlers(deps: Deps): { [T in keyof Routes]: MessageHandler<z.infer<Routes[T]['schema']>> };
}

/** Declares a feature; typing its handlers by its routes' schemas. */
export function defineFeature<Deps, const Routes extends MessageRoutes>(feature: Feature<Deps, Routes>): Feature<Deps, Routes> {
  return feature;
}

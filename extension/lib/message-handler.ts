// The background's front door: every message is checked for its sender, its size and its shape
// before anything acts on it.
//
// - Another extension (or anything that is not this extension) gets no answer at all.
// - This extension's code on a page Portrait does not support is refused: a content script there
//   would carry that page's wishes.
// - Content scripts on supported sites may send the page protocol (lib/protocol.ts) only; the
//   popup and options pages may send everything.
// - A site the user switched off gets no lookups or writes.
// - The tagging dialog's messages are accepted only from a frame Portrait injected the dialog into
//   after a user gesture; such a frame on a page Portrait does not support may send nothing else.
import {
  extensionMessageSchema,
  messageLimits,
  type ErrorResponse,
  type ExtensionMessage,
} from './message-schemas.ts';
import { classifySender, type MessageSender, type SenderKind, type SenderPolicy } from './background/sender.ts';

export type { MessageSender } from './background/sender.ts';

/** A sender that passed the checks. */
export type TrustedSender = Extract<SenderKind, { kind: 'extension-page' | 'content-script' }>;

type MessageOfType<T extends ExtensionMessage['type']> = Extract<ExtensionMessage, { type: T }>;

export type MessageHandlers = {
  [T in ExtensionMessage['type']]: (message: MessageOfType<T>, sender: TrustedSender) => Promise<object>;
};

export interface MessageHandlerDeps extends SenderPolicy {
  handlers: MessageHandlers;
  /** Whether the user left Portrait switched on for a site (per-site switch in the popup). */
  siteEnabled?(siteId: string): Promise<boolean>;
}

const contentScriptTypes = new Set<ExtensionMessage['type']>([
  'portrait/lookup',
  'portrait/write',
  'portrait/tags',
  'portrait/session',
  'portrait/settings',
]);
/** The tagging dialog's messages (protocol.ts `TaggerRequest`). */
const taggerTypes = new Set<ExtensionMessage['type']>(['tagger/open', 'tagger/resolve', 'tagger/tags', 'tagger/save', 'tagger/close']);
/** What a content script on a switched-off site may still ask. */
const switchedOffTypes = new Set<ExtensionMessage['type']>(['portrait/session', 'portrait/settings']);

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

/**
 * Returns the answer to a message, or `undefined` when the sender is not this extension: those
 * get no answer at all.
 */
export function createMessageHandler(deps: MessageHandlerDeps) {
  return async function handleMessage(message: unknown, sender: MessageSender): Promise<object | undefined> {
    const from = classifySender(sender, deps);
    if (from.kind === 'foreign') return undefined;
    if (from.kind === 'untrusted') return refuse('forbidden', `Messages are not accepted here: ${from.reason}`);

    if (jsonSize(message) > messageLimits.maxMessageBytes) {
      return refuse('invalid-message', `The message is larger than ${messageLimits.maxMessageBytes} bytes`);
    }
    const parsed = extensionMessageSchema.safeParse(message);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return refuse('invalid-message', issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'Invalid message');
    }
    const request = parsed.data;

    if (taggerTypes.has(request.type)) {
      if (from.kind !== 'content-script' || !from.injected) {
        return refuse('forbidden', `${request.type} is only accepted from the tagging dialog Portrait opened in this frame`);
      }
    } else if (from.kind === 'content-script') {
      if (!from.site) return refuse('forbidden', `${request.type} is not accepted from the tagging dialog`);
      if (!contentScriptTypes.has(request.type)) {
        return refuse('forbidden', `${request.type} is only accepted from Portrait's own pages`);
      }
      const siteId = from.site?.id;
      if (siteId && !switchedOffTypes.has(request.type) && deps.siteEnabled && !(await deps.siteEnabled(siteId))) {
        return refuse('forbidden', 'Portrait is switched off for this site');
      }
    }

    const handler = deps.handlers[request.type] as (m: ExtensionMessage, s: TrustedSender) => Promise<object>;
    try {
      return await handler(request, from);
    } catch (error) {
      console.error(`Portrait: ${request.type} failed`, error);
      return refuse('failed', error instanceof Error ? error.message : String(error));
    }
  };
}

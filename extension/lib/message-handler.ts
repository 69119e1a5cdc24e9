import { isApiReachable } from './api-health.ts';
import {
  extensionMessageSchema,
  type ErrorResponse,
  type StatusResponse,
} from './message-schemas.ts';

export interface MessageHandlerDeps {
  runtimeId: string;
  apiUrl: string;
  anonKey: string;
  fetch?: typeof fetch;
}

export interface MessageSender {
  id?: string;
}

export type HandlerResponse = StatusResponse | ErrorResponse;

/**
 * Returns the answer to a message, or `undefined` when the sender is not this extension:
 * those get no answer at all.
 */
export function createMessageHandler(deps: MessageHandlerDeps) {
  return async function handleMessage(
    message: unknown,
    sender: MessageSender,
  ): Promise<HandlerResponse | undefined> {
    if (sender.id !== deps.runtimeId) return undefined;

    const parsed = extensionMessageSchema.safeParse(message);
    if (!parsed.success) return { ok: false, error: 'invalid-message' };

    switch (parsed.data.type) {
      case 'portrait/status':
        return {
          ok: true,
          apiUrl: deps.apiUrl,
          reachable: await isApiReachable(deps.apiUrl, deps.anonKey, deps.fetch),
        };
    }
  };
}

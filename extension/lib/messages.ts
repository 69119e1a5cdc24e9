// Typed messaging from extension pages to the background. Type-only imports keep zod out of the
// bundles that use this module.
import { browser } from 'wxt/browser';
import type {
  ErrorResponse,
  ExtensionMessage,
  ResponseByType,
} from './message-schemas.ts';

export type {
  ErrorResponse,
  ExtensionMessage,
  StatusRequest,
  StatusResponse,
} from './message-schemas.ts';

export type ResponseFor<M extends ExtensionMessage> = ResponseByType[M['type']];

export async function sendMessage<M extends ExtensionMessage>(
  message: M,
): Promise<ResponseFor<M>> {
  const response = (await browser.runtime.sendMessage(message)) as
    | ResponseFor<M>
    | ErrorResponse
    | undefined;
  if (!response) throw new Error(`No answer from the background to ${message.type}`);
  if (!response.ok) throw new Error(`The background refused ${message.type}: ${response.error}`);
  return response;
}

// Typed messaging from extension pages (popup, options) to the background. Type-only imports keep
// zod out of the bundles that use this module.
import { browser } from 'wxt/browser';
import type { ErrorResponse, ExtensionMessage, ResponseByType } from './message-schemas.ts';
import type { PageResponseByType, TaggerResponseByType } from './protocol.ts';

export type {
  ApiCheck,
  ErrorResponse,
  ExtensionMessage,
  Language,
  OrgSummary,
  OverviewResponse,
  PopupStateResponse,
  SaveApiResponse,
  SettingsResponse,
  SettingsView,
  SiteId,
  StatusRequest,
  StatusResponse,
} from './message-schemas.ts';

type AnswerByType = PageResponseByType & ResponseByType & TaggerResponseByType;

export type ResponseFor<M extends ExtensionMessage> = AnswerByType[M['type']];

/** The background refused the message; `code` says why (e.g. `signed-out`, `failed`). */
export class BackgroundError extends Error {
  constructor(
    readonly code: ErrorResponse['error'],
    message: string,
  ) {
    super(message);
    this.name = 'BackgroundError';
  }
}

export async function sendMessage<M extends ExtensionMessage>(message: M): Promise<ResponseFor<M>> {
  const response = (await browser.runtime.sendMessage(message)) as
    | ResponseFor<M>
    | ErrorResponse
    | undefined;
  if (!response) throw new Error(`No answer from the background to ${message.type}`);
  if (!response.ok) {
    throw new BackgroundError(
      response.error,
      response.message ?? `The background refused ${message.type}: ${response.error}`,
    );
  }
  return response;
}

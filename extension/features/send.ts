// Typed messaging from extension pages (popup, options, Overview) to the background, over every
// feature's messages. Type-only imports keep zod out of the bundles that use this module.
import { browser } from 'wxt/browser';
import type { ErrorResponse } from '../platform/messaging/schemas.ts';
import type { PageResponseByType } from './overlay/schemas.ts';
import type { TaggerResponseByType } from './tagger/schemas.ts';
import type { ExtensionMessage } from './index.ts';
import type { OptionsResponses } from './options/schemas.ts';
import type { PageSettingsResponse } from './overlay/schemas.ts';
import type { OverviewResponses } from './overview/schemas.ts';
import type { PopupResponses } from './popup/schemas.ts';

export type { ApiCheck, ErrorResponse, Language, OrgSummary, SettingsView, SiteId } from '../platform/messaging/schemas.ts';
export type { ExtensionMessage } from './index.ts';
export type { SaveApiResponse, SettingsResponse } from './options/schemas.ts';
export type { OverviewResponse } from './overview/schemas.ts';
export type { PopupStateResponse, StatusRequest, StatusResponse } from './popup/schemas.ts';

type AnswerByType = PageResponseByType &
  PopupResponses &
  OptionsResponses &
  OverviewResponses & { 'portrait/settings': PageSettingsResponse } &
  TaggerResponseByType;

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

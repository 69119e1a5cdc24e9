// The page side of the overlay's and the tagging dialog's messages (their schemas.ts): requests to
// the background and its pushes. Types only from the schemas, so no validation library lands in content scripts; the background
// validates what it receives, and pushes are checked here by shape before use.
import { browser } from 'wxt/browser';
import type { BackgroundPush, Identifier, PageErrorResponse, TagSuggestionsResponse, WriteOp, WriteResponse } from '../platform/messaging/schemas.ts';
import { parsePlacement, type Placement } from './overlay/placement.ts';
import type {
  LookupResponse,
  PageRequest,
  PageResponseByType,
  SessionResponse,
  SettingsResponse,
  TimelineRequest,
  TimelineResponse,
} from './overlay/schemas.ts';

/**
 * The background answered with an error, or did not answer at all (`no-answer`: not running, the
 * extension was reloaded, or it does not know the message).
 */
export class PageRequestError extends Error {
  constructor(
    readonly code: PageErrorResponse['error'] | 'no-answer',
    message?: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}${message ? `: ${message}` : ''}`, options);
    this.name = 'PageRequestError';
  }
}

export type PageSettings = Omit<SettingsResponse, 'ok' | 'language' | 'messages'> &
  Partial<Pick<SettingsResponse, 'language'>> & {
    /** The overlay's texts in `locale`, as the background sent them (checked key by key on use). */
    messages: object | null;
  };

export type PagePush = BackgroundPush;

export interface PortraitClient {
  lookup(identifiers: Identifier[]): Promise<LookupResponse>;
  write(write: WriteOp): Promise<WriteResponse>;
  tagSuggestions(prefix: string): Promise<TagSuggestionsResponse>;
  session(): Promise<SessionResponse>;
  settings(): Promise<PageSettings>;
  /** Remembers where the user left the overlay on this site. */
  savePlacement(placement: Placement): Promise<unknown>;
  /** One page of the customer's timeline; `before` is the previous page's `next`. */
  timeline(customerId: string, before: TimelineRequest['before']): Promise<TimelineResponse>;
  /** Calls `listener` for each push from the background; returns the function that stops it. */
  onPush(listener: (push: PagePush) => void): () => void;
}

export type SendMessage = (message: PageRequest) => Promise<unknown>;

const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

export function isPagePush(message: unknown): message is PagePush {
  if (!message || typeof message !== 'object') return false;
  const m = message as Record<string, unknown>;
  if (m.type === 'portrait/settings-changed') return true;
  if (m.type === 'portrait/updated') return Array.isArray(m.results);
  if (m.type === 'portrait/session-changed') {
    return !!m.session && typeof m.session === 'object' && typeof (m.session as { signedIn?: unknown }).signedIn === 'boolean';
  }
  return false;
}

export function createPortraitClient(send: SendMessage = (message) => browser.runtime.sendMessage(message)): PortraitClient {
  async function request<R extends PageRequest>(
    message: R,
  ): Promise<R extends PageRequest ? PageResponseByType[R['type']] : { ok: true } & Record<string, unknown>> {
    let response: unknown;
    try {
      response = await send(message);
    } catch (error) {
      throw new PageRequestError('no-answer', message.type, { cause: error });
    }
    if (!response || typeof response !== 'object') throw new PageRequestError('no-answer', message.type);
    const answer = response as { ok?: unknown; error?: PageErrorResponse['error']; message?: string };
    if (answer.ok !== true) throw new PageRequestError(answer.error ?? 'failed', answer.message);
    return answer as never;
  }

  return {
    lookup: (identifiers) => request({ type: 'portrait/lookup', identifiers }),
    write: (write) => request({ type: 'portrait/write', write }),
    tagSuggestions: (prefix) => request({ type: 'portrait/tags', prefix }),
    session: () => request({ type: 'portrait/session' }),
    savePlacement: (placement) => request({ type: 'portrait/placement', placement }),
    timeline: (customerId, before) => request({ type: 'portrait/timeline', customerId, before }),
    async settings() {
      const answer = await request({ type: 'portrait/settings' });
      return {
        enabled: answer.enabled !== false,
        ownAddresses: stringList(answer.ownAddresses),
        internalDomains: stringList(answer.internalDomains),
        locale: answer.locale === 'zh-CN' ? 'zh-CN' : 'en',
        messages: answer.messages && typeof answer.messages === 'object' ? answer.messages : null,
        placement: parsePlacement(answer.placement),
      };
    },
    onPush(listener) {
      const onMessage = (message: unknown, sender: { id?: string }) => {
        if (sender.id !== browser.runtime.id || !isPagePush(message)) return;
        listener(message);
      };
      browser.runtime.onMessage.addListener(onMessage);
      return () => browser.runtime.onMessage.removeListener(onMessage);
    },
  };
}

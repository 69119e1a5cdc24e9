// Tagging from any page (extension/README.md, "Features"): a context-menu click on a selection or a
// mailto:/tel: link, or the shortcut, hands the tab to Portrait for that moment (activeTab). The
// background reads the frame's URL and document, remembers that frame, and injects the tagging
// dialog into it (scripting). Only that frame — the same document, in browsers that report one —
// may then send the dialog's messages (platform/messaging/front-door.ts checks it through `allows`).
// Tags are written through the persistent write queue like every other write.
import type { Identifier, PageErrorResponse, PortraitView, TagSuggestionsResponse, WriteResponse } from '../../../platform/messaging/schemas.ts';
import type { TaggerCandidate, TaggerCustomer, TaggerOpenResponse, TaggerRequest, TaggerResolution } from '../schemas.ts';
import { systemClock, type Clock } from '../../../background/clock.ts';
import { identifierKey } from '../../../background/identifiers.ts';
import type { PortraitService } from '../../../background/portraits.ts';
import type { SenderFrame } from '../../../platform/messaging/sender.ts';
import type { SessionManager } from '../../../background/session.ts';
import type { SettingsStore } from '../../../background/settings.ts';
import { z } from 'zod';
import { defineStorageItem } from '../../../platform/storage/item.ts';
import type { KeyValueArea } from '../../../platform/storage/storage.ts';
import { readTaggerTarget, type TaggerInput } from './target.ts';

/** A user gesture that asks for the tagging dialog: a context-menu click or the shortcut. */
export interface TaggerGesture {
  tabId: number;
  /** The frame the menu was opened in; the shortcut uses the top frame (0). */
  frameId: number;
  selectionText: string | null;
  linkUrl: string | null;
}

/** What the browser does for the tagger (`scripting.executeScript`). */
export interface TaggerInjector {
  /** Runs a tiny function in the frame: its URL, document and selection. Throws without access. */
  probe(tabId: number, frameId: number): Promise<{ url: string; documentId: string | null; selection: string }>;
  /** Runs the dialog's script in the frame. */
  inject(tabId: number, frameId: number): Promise<void>;
}

const injectedFrameSchema = z.object({
  tabId: z.number().int(),
  frameId: z.number().int(),
  origin: z.string(),
  documentId: z.string().nullable(),
  selectionText: z.string().nullable(),
  linkUrl: z.string().nullable(),
  at: z.number(),
});
export type InjectedFrame = z.infer<typeof injectedFrameSchema>;

/** In `storage.session`, unreadable, dropped (logged): the dialog is opened again. */
export const injectedFramesItem = defineStorageItem<InjectedFrame[]>('session:portrait:tagger-frames', {
  schema: z.array(injectedFrameSchema),
  fallback: [],
  unreadable: 'drop',
});
/** A dialog left open longer than this must be opened again. */
const frameLifetimeMs = 60 * 60_000;
const maxFrames = 20;
const maxNameMatches = 8;

function originOf(url: string): string | null {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/**
 * Frames the dialog was injected into. Kept in `storage.session`: the service worker may be
 * stopped while the dialog is open, and the dialog must still be answered afterwards.
 */
export function createInjectedFrames(options: { area?: KeyValueArea; clock?: Clock } = {}) {
  const clock = options.clock ?? systemClock;
  let frames: InjectedFrame[] = [];
  const stored = options.area ? injectedFramesItem.in(options.area) : null;
  const live = () => frames.filter((frame) => clock.now() - frame.at < frameLifetimeMs);
  const save = () => stored?.setValue(frames).catch(() => undefined);

  function find(sender: SenderFrame): InjectedFrame | null {
    const origin = originOf(sender.url);
    return (
      live().find(
        (frame) =>
          frame.tabId === sender.tabId &&
          frame.frameId === sender.frameId &&
          // The same document where both sides know it (Chrome); otherwise the same origin.
          (frame.documentId && sender.documentId ? frame.documentId === sender.documentId : frame.origin === origin),
      ) ?? null
    );
  }

  return {
    async restore() {
      if (stored) frames = [...(await stored.getValue()), ...frames];
    },
    add(frame: Omit<InjectedFrame, 'at'>) {
      frames = [
        ...live().filter((f) => !(f.tabId === frame.tabId && f.frameId === frame.frameId)),
        { ...frame, at: clock.now() },
      ].slice(-maxFrames);
      void save();
    },
    find,
    allows: (sender: SenderFrame) => find(sender) !== null,
    remove(tabId: number, frameId: number) {
      frames = frames.filter((f) => !(f.tabId === tabId && f.frameId === frameId));
      void save();
    },
    removeTab(tabId: number) {
      if (!frames.some((f) => f.tabId === tabId)) return;
      frames = frames.filter((f) => f.tabId !== tabId);
      void save();
    },
  };
}

export type InjectedFrames = ReturnType<typeof createInjectedFrames>;

export interface TaggerDeps {
  session: SessionManager;
  settings: SettingsStore;
  portraits: PortraitService;
  frames: InjectedFrames;
  injector?: TaggerInjector;
}

/** The page URL recorded with a tag: http(s) only, without credentials or fragment. */
export function provenanceUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (!['http:', 'https:'].includes(parsed.protocol)) return null;
    parsed.username = '';
    parsed.password = '';
    parsed.hash = '';
    const text = parsed.toString();
    return text.length <= 2048 ? text : null;
  } catch {
    return null;
  }
}

function customerOf(portrait: PortraitView | null | undefined): TaggerCustomer | null {
  if (!portrait) return null;
  return {
    customerId: portrait.customerId,
    displayName: portrait.displayName,
    stage: portrait.stage,
    email: portrait.primaryEmail,
    phone: portrait.primaryPhone,
    tags: portrait.tags.map((tag) => tag.name),
  };
}

type Handler<T extends TaggerRequest['type']> = (message: Extract<TaggerRequest, { type: T }>, frame: SenderFrame) => Promise<object>;

export function createTagger(deps: TaggerDeps) {
  const { session, settings, portraits, frames } = deps;

  /** Who the text (or link) may mean, with what the API knows about them. */
  async function resolve(input: TaggerInput): Promise<TaggerResolution | null> {
    const state = await session.state();
    if (!state.signedIn || !state.orgId) return null;
    const orgId = state.orgId;
    const membership = await session.membership(orgId);
    const target = readTaggerTarget(input, membership?.defaultPhoneRegion ?? null);
    const base = { text: target.text, searchedName: null, suggestedName: target.suggestedName, offline: false };

    if (target.identifiers.length > 0) {
      const answer = await portraits.lookup(target.identifiers, null);
      if (!answer.ok) {
        return { ...base, candidates: target.identifiers.map((identifier) => ({ identifier, customer: null })), offline: true };
      }
      // The lookup leaves out the user's own addresses and internal domains: nobody to tag there.
      const found = new Map(answer.results.map((result) => [identifierKey(result.identifier), result.portrait]));
      const candidates: TaggerCandidate[] = target.identifiers
        .filter((identifier) => found.has(identifierKey(identifier)))
        .map((identifier) => ({ identifier, customer: customerOf(found.get(identifierKey(identifier))) }));
      return { ...base, candidates };
    }

    if (target.nameQuery) {
      const searched = { ...base, searchedName: target.nameQuery };
      try {
        const rows = await (await session.backend()).searchCustomers(orgId, target.nameQuery, maxNameMatches);
        const candidates: TaggerCandidate[] = rows.map((row) => {
          const identifier: Identifier | null = row.email
            ? { kind: 'email', value: row.email }
            : row.phone
              ? { kind: 'phone', value: row.phone }
              : null;
          return { identifier, customer: { ...row, displayName: row.displayName ?? row.email ?? row.phone ?? '', tags: [] } };
        });
        return { ...searched, candidates };
      } catch (error) {
        await session.noticeFailure(error);
        return { ...searched, candidates: [], offline: true };
      }
    }
    return { ...base, candidates: [] };
  }

  const handlers: { [T in TaggerRequest['type']]: Handler<T> } = {
    async 'tagger/open'(message, frame): Promise<TaggerOpenResponse> {
      const entry = frames.find(frame);
      const [state, current] = await Promise.all([session.state(), settings.load()]);
      const linkUrl = entry?.linkUrl ?? null;
      const text = entry?.selectionText || message.selection;
      const resolution = state.signedIn && (text.trim() !== '' || linkUrl) ? await resolve({ text, linkUrl }) : null;
      return { ok: true, session: state, language: current.language, linkUrl, resolution };
    },

    async 'tagger/resolve'(message) {
      const resolution = await resolve({ text: message.text });
      if (!resolution) return { ok: false, error: 'signed-out' } satisfies PageErrorResponse;
      return { ok: true, resolution };
    },

    async 'tagger/tags'(message): Promise<TagSuggestionsResponse | PageErrorResponse> {
      return portraits.tagSuggestions(message.prefix);
    },

    async 'tagger/save'(message, frame): Promise<WriteResponse | PageErrorResponse> {
      const displayName = message.displayName?.trim() || null;
      return portraits.write(
        {
          op: 'tag',
          identifier: message.identifier,
          tags: message.tags,
          // The frame's URL as the browser reports it, not as the page says.
          pageUrl: provenanceUrl(frame.url),
          pageTitle: message.pageTitle?.trim() || null,
          ...(displayName ? { displayName } : {}),
        },
        null,
      );
    },

    async 'tagger/close'(_message, frame) {
      frames.remove(frame.tabId, frame.frameId);
      return { ok: true };
    },
  };

  return {
    handlers,
    resolve,

    /**
     * What the context menu and the shortcut do: remember the frame and inject the dialog into it.
     * A frame Portrait may not reach (another origin inside the page) falls back to the top frame.
     */
    async open(gesture: TaggerGesture): Promise<{ ok: true; frameId: number } | { ok: false; message: string }> {
      const injector = deps.injector;
      if (!injector) return { ok: false, message: 'This browser cannot inject the tagging dialog' };
      const tried = gesture.frameId === 0 ? [0] : [gesture.frameId, 0];
      let lastError: unknown = null;
      for (const frameId of tried) {
        try {
          const probe = await injector.probe(gesture.tabId, frameId);
          const origin = originOf(probe.url);
          if (!origin) throw new Error(`Cannot tag on ${probe.url}`);
          frames.add({
            tabId: gesture.tabId,
            frameId,
            origin,
            documentId: probe.documentId,
            selectionText: gesture.selectionText?.trim() || probe.selection.trim() || null,
            linkUrl: gesture.linkUrl,
          });
          await injector.inject(gesture.tabId, frameId);
          return { ok: true, frameId };
        } catch (error) {
          frames.remove(gesture.tabId, frameId);
          lastError = error;
        }
      }
      return { ok: false, message: lastError instanceof Error ? lastError.message : String(lastError) };
    },
  };
}

export type Tagger = ReturnType<typeof createTagger>;

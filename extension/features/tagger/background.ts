// The tagging dialog's messages in the background; the front door accepts them only from a frame
// Portrait injected the dialog into (background/tagger.ts keeps those frames).
import { defineFeature, type TrustedSender } from '../../platform/messaging/front-door.ts';
import type { BackgroundServices } from '../../background/services.ts';
import {
  taggerCloseRequestSchema,
  taggerOpenRequestSchema,
  taggerResolveRequestSchema,
  taggerSaveRequestSchema,
  taggerTagsRequestSchema,
} from './schemas.ts';

/** The frame of the tagging dialog; the front door lets only such frames send its messages. */
function dialogFrame(sender: TrustedSender) {
  if (sender.kind !== 'content-script' || !sender.injected) throw new Error('Not the tagging dialog');
  return { tabId: sender.tabId, frameId: sender.frameId, url: sender.url, documentId: sender.documentId };
}

export const taggerFeature = defineFeature({
  messages: {
    'tagger/open': { schema: taggerOpenRequestSchema, from: 'dialog' },
    'tagger/resolve': { schema: taggerResolveRequestSchema, from: 'dialog' },
    'tagger/tags': { schema: taggerTagsRequestSchema, from: 'dialog' },
    'tagger/save': { schema: taggerSaveRequestSchema, from: 'dialog' },
    'tagger/close': { schema: taggerCloseRequestSchema, from: 'dialog' },
  },
  handlers: ({ tagger }: BackgroundServices) => ({
    'tagger/open': (message, sender) => tagger.handlers['tagger/open'](message, dialogFrame(sender)),
    'tagger/resolve': (message, sender) => tagger.handlers['tagger/resolve'](message, dialogFrame(sender)),
    'tagger/tags': (message, sender) => tagger.handlers['tagger/tags'](message, dialogFrame(sender)),
    'tagger/save': (message, sender) => tagger.handlers['tagger/save'](message, dialogFrame(sender)),
    'tagger/close': (message, sender) => tagger.handlers['tagger/close'](message, dialogFrame(sender)),
  }),
});

// The Overview page's message in the background: an organization's stage figures.
import { defineFeature } from '../../platform/messaging/front-door.ts';
import { InvalidArguments } from '../../background/rpc.ts';
import { failed, type BackgroundServices } from '../../background/services.ts';
import { overviewRequestSchema } from './schemas.ts';

export const overviewFeature = defineFeature({
  messages: {
    'overview/data': { schema: overviewRequestSchema, from: 'extension-page' },
  },
  handlers: ({ session }: BackgroundServices) => ({
    async 'overview/data'(message) {
      // The Overview page is for reps and admins (extension/README.md, "Features"); the database checks membership again.
      const membership = await session.membership(message.orgId);
      if (!membership) return { ok: false, error: 'forbidden', message: 'You are not a member of this organization' };
      if (membership.role === 'staff') {
        return { ok: false, error: 'forbidden', message: 'The overview is for sales reps and admins' };
      }
      try {
        const backend = await session.backend();
        return { ok: true, overview: await backend.stageOverview(message.orgId, message.from, message.to) };
      } catch (error) {
        if (error instanceof InvalidArguments) return { ok: false, error: 'invalid-message', message: error.message };
        void session.noticeFailure(error);
        return failed(error);
      }
    },
  }),
});

// The Overview page's message: an organization's stage figures over a period.
import { z } from 'zod';
import { apiLimits, type StageOverview } from '../../../shared/api.ts';

/** The Overview page's figures for one organization over the UTC days from..to (`YYYY-MM-DD`). */
export const overviewRequestSchema = z
  .strictObject({
    type: z.literal('overview/data'),
    orgId: z.uuid(),
    from: z.iso.date(),
    to: z.iso.date(),
  })
  .refine((message) => message.from <= message.to, { message: 'from must be on or before to', path: ['from'] })
  .refine((message) => (Date.parse(message.to) - Date.parse(message.from)) / 86_400_000 <= apiLimits.overviewDays, {
    message: `from..to must span at most ${apiLimits.overviewDays} days`,
    path: ['from'],
  });

/** The Overview page's figures (public.stage_overview, checked by the background). */
export interface OverviewResponse {
  ok: true;
  overview: StageOverview;
}

export interface OverviewResponses {
  'overview/data': OverviewResponse;
}

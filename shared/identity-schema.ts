// The zod schema for an identifier `{kind, value}` as it crosses a boundary (content script →
// background, background → API, webhook → function). Kept apart from identity.ts so that code
// which must stay free of zod (content scripts) can use the normalisers alone.
import { z } from 'zod';
import { identifierKinds } from './enums.ts';
import { normalizeIdentity, phoneDialString, type Identifier } from './identity.ts';

export const identifierKindSchema = z.enum(identifierKinds);

/**
 * `{kind, value}` whose value can be an identifier of its kind. Phone numbers are only checked for
 * shape here (digits with an optional `+`): reading a national number needs the organisation's
 * default region, which normalizeIdentity / private.normalize_identity apply.
 */
export const identifierSchema = z
  .object({
    kind: identifierKindSchema,
    value: z.string().min(1, 'An identifier needs a value').max(512, 'An identifier is at most 512 characters'),
  })
  .strict()
  .superRefine((identifier, ctx) => {
    const ok = identifier.kind === 'phone' ? phoneDialString(identifier.value) !== null : normalizeIdentity(identifier) !== null;
    if (!ok) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `Not a valid ${identifier.kind.replace('_', ' ')} identifier`,
      });
    }
  }) satisfies z.ZodType<Identifier>;

export type IdentifierInput = z.input<typeof identifierSchema>;

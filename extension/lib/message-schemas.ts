// Runtime validation of extension messages. zod is heavy: only the background imports this module;
// other contexts use the types through `import type`.
import { z } from 'zod';

// Extension pages forbid eval; without this zod probes for it and trips the CSP.
z.config({ jitless: true });

export const statusRequestSchema = z.strictObject({
  type: z.literal('portrait/status'),
});

export const extensionMessageSchema = z.discriminatedUnion('type', [statusRequestSchema]);

export type StatusRequest = z.infer<typeof statusRequestSchema>;
export type ExtensionMessage = z.infer<typeof extensionMessageSchema>;

export interface StatusResponse {
  ok: true;
  apiUrl: string;
  reachable: boolean;
}

export interface ErrorResponse {
  ok: false;
  error: 'invalid-message';
}

export interface ResponseByType {
  'portrait/status': StatusResponse;
}

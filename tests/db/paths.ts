import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const snapshotDir = path.join(root, 'node_modules', '.cache', 'portrait');

export const templateName = (fingerprint: string) => `portrait_template_${fingerprint}`;

/** The maintenance connection on the server of DATABASE_URL (the database it names). */
export function adminUrl(url: string): string {
  return url;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

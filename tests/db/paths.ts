import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const snapshotDir = path.join(root, 'node_modules', '.cache', 'portrait');

export const templateName = (fingerprint: string) => `portrait_template_${fingerprint}`;

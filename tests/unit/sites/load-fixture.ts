// Loads a fixture page from tests/e2e/fixtures into its own happy-dom window at the URL the
// real site would have, so adapters see the same document and location as in the browser.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Window } from 'happy-dom';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');
export const fixturesDir = join(repoRoot, 'tests/e2e/fixtures');

export function fixtureHtml(name: string): string {
  return readFileSync(join(fixturesDir, name), 'utf8');
}

export interface LoadedPage {
  window: Window;
  document: Document;
  close(): Promise<void>;
}

export function loadPage(html: string, url: string): LoadedPage {
  const window = new Window({
    url,
    settings: { disableJavaScriptEvaluation: true, disableJavaScriptFileLoading: true, disableCSSFileLoading: true },
  });
  window.document.write(html);
  const document = window.document as unknown as Document;
  return { window, document, close: () => window.happyDOM.close() };
}

export function loadFixture(name: string, url: string): LoadedPage {
  return loadPage(fixtureHtml(name), url);
}

export const gmailThreadUrl = 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQbfxkKqPGsJwVrdZcQwPzRmNtL';
export const gmailInboxComposeUrl = 'https://mail.google.com/mail/u/0/#inbox?compose=new';
export const gmailInboxUrl = 'https://mail.google.com/mail/u/0/#inbox';
export const outlookReadingUrl =
  'https://outlook.office.com/mail/inbox/id/AAQkADAwATM3ZmYAZS1hNDAxLTRmYTYtMDACLTAwCgAQAFgR%2BmV3d0lMtQ6sOAhL5D0%3D';
export const outlookComposeUrl = 'https://outlook.office.com/mail/deeplink/compose';

export const noSettings = { ownAddresses: [], internalDomains: [] };

export const emails = (ids: ReadonlyArray<{ kind: string; value: string }>) => ids.map((id) => id.value);

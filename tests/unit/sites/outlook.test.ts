import { afterEach, describe, expect, it } from 'vitest';
import * as outlook from '../../../extension/sites/outlook.ts';
import {
  emails,
  fixtureHtml,
  loadFixture,
  loadPage,
  noSettings,
  outlookComposeUrl,
  outlookReadingUrl,
  type LoadedPage,
} from './load-fixture.ts';

let page: LoadedPage | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

function open(name: string, url: string): Document {
  page = loadFixture(name, url);
  return page.document;
}

/** The fixture with every class attribute removed: what a new Outlook release does to them. */
function withoutClasses(name: string): string {
  return fixtureHtml(name).replace(/\sclass="[^"]*"/g, '');
}

describe('outlook adapter', () => {
  it('applies to the three Outlook on the web hosts', () => {
    expect([...outlook.matches].sort()).toEqual([
      'https://outlook.live.com/*',
      'https://outlook.office.com/*',
      'https://outlook.office365.com/*',
    ]);
  });

  describe('outlook-reading.html (reading pane)', () => {
    it('reads the From persona and the To and Cc wells, without the user or the body', () => {
      const result = outlook.participants(open('outlook-reading.html', outlookReadingUrl), noSettings);
      expect(result.mode).toBe('thread');
      expect(result.degraded).toBe(false);
      expect(emails(result.identifiers)).toEqual(['li.wei@example.com', 'maria.garcia@example.com', 'chen.jing@example.org']);
      expect(result.anchor?.getAttribute('aria-label')).toBe('Reading Pane');
    });

    it('a well that is one labelled persona: its "To:" label is not part of the name, and the rep\'s own mailbox is left out', () => {
      const page = open('outlook-to-label.html', outlookReadingUrl);
      const anyone = outlook.participants(page, noSettings);
      expect(anyone.names).toMatchObject({ 'email:rep.person@acme-mail.example': 'Rep Person', 'email:maria.garcia@example.com': 'Maria Garcia' });
      for (const name of Object.values(anyone.names ?? {})) expect(name).not.toMatch(/^(To|收件人)\s*[:：]/);
      // The session's email is among the own addresses the background sends (features/overlay/background.ts).
      const signedIn = outlook.participants(page, { ownAddresses: ['rep.person@acme-mail.example'], internalDomains: [] });
      expect(emails(signedIn.identifiers)).toEqual(['li.wei@example.com', 'maria.garcia@example.com', 'chen.jing@example.org']);
    });

    it('keeps the names the personas show', () => {
      const result = outlook.participants(open('outlook-reading.html', outlookReadingUrl), noSettings);
      expect(result.names).toMatchObject({
        'email:li.wei@example.com': 'Li Wei',
        'email:maria.garcia@example.com': 'Maria Garcia',
        'email:chen.jing@example.org': 'Chen Jing',
      });
    });

    it("finds the signed-in account in Microsoft's account control", () => {
      expect(outlook.accountAddresses(open('outlook-reading.html', outlookReadingUrl))).toEqual(['sam.rep@acme-trading.com']);
    });

    it('does not depend on class names', () => {
      page = loadPage(withoutClasses('outlook-reading.html'), outlookReadingUrl);
      const result = outlook.participants(page.document, noSettings);
      expect(emails(result.identifiers)).toEqual(['li.wei@example.com', 'maria.garcia@example.com', 'chen.jing@example.org']);
    });

    it('leaves out internal domains', () => {
      const result = outlook.participants(open('outlook-reading.html', outlookReadingUrl), {
        ownAddresses: [],
        internalDomains: ['example.com'],
      });
      expect(emails(result.identifiers)).toEqual(['chen.jing@example.org']);
    });

    it('falls back to the reading pane text when its wells are gone', () => {
      const html = fixtureHtml('outlook-reading.html').replace(/aria-label="(To|Cc|From: [^"]*)"/g, 'aria-label="x"');
      page = loadPage(html, outlookReadingUrl);
      const result = outlook.participants(page.document, noSettings);
      expect(result.mode).toBe('fallback');
      expect(result.degraded).toBe(true);
      expect(emails(result.identifiers)).toContain('li.wei@example.com');
      expect(emails(result.identifiers)).not.toContain('sam.rep@acme-trading.com');
    });
  });

  describe('outlook-compose.html (compose form)', () => {
    it('reads the editable To and Cc wells, without the user copied on it', () => {
      const result = outlook.participants(open('outlook-compose.html', outlookComposeUrl), noSettings);
      expect(result.mode).toBe('compose');
      expect(result.degraded).toBe(false);
      expect(emails(result.identifiers)).toEqual(['li.wei@example.com', 'maria.garcia@example.com']);
      expect(result.anchor?.getAttribute('aria-label')).toBe('Compose');
    });

    it('does not depend on class names', () => {
      page = loadPage(withoutClasses('outlook-compose.html'), outlookComposeUrl);
      expect(emails(outlook.participants(page.document, noSettings).identifiers)).toEqual([
        'li.wei@example.com',
        'maria.garcia@example.com',
      ]);
    });

    it('reads no message body text', () => {
      const result = outlook.participants(open('outlook-compose.html', outlookComposeUrl), noSettings);
      expect(emails(result.identifiers)).not.toContain('logistics@carrier.example');
    });
  });

  it('shows nothing on the mailbox with no message open', () => {
    const html = fixtureHtml('outlook-reading.html').replace(/<div role="region" aria-label="Reading Pane"[\s\S]*<\/div>\s*<\/div>\s*<\/div>\s*<\/div>\s*<\/body>/, '</div></div></div></body>');
    page = loadPage(html, 'https://outlook.office.com/mail/inbox');
    expect(outlook.participants(page.document, noSettings)).toMatchObject({ identifiers: [], degraded: false });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import * as gmail from '../../../extension/sites/gmail.ts';
import { bigGmailThread } from '../../e2e/fixtures/big-page.ts';
import { MAX_PARTICIPANTS } from '../../../extension/sites/common/participants.ts';
import {
  emails,
  gmailInboxComposeUrl,
  gmailInboxUrl,
  gmailThreadUrl,
  loadFixture,
  loadPage,
  noSettings,
  type LoadedPage,
} from './load-fixture.ts';

let page: LoadedPage | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

function open(name: string, url = gmailThreadUrl): Document {
  page = loadFixture(name, url);
  return page.document;
}

describe('gmail adapter', () => {
  it('applies to mail.google.com only', () => {
    expect(gmail.matches).toEqual(['https://mail.google.com/*']);
  });

  describe('fallback, only when it is one', () => {
    it('people read from data-hovercard-id chips without the sender and recipient classes: no fallback, no warning', () => {
      const html = `<!doctype html><html><body><div role="main"><h2 class="hP">Quote</h2>
        <div role="listitem"><span data-hovercard-id="li.wei@example.com" name="Li Wei">Li Wei</span>
        to <span data-hovercard-id="chen.jing@example.org" name="Chen Jing">Chen</span></div>
        <div class="a3s">Write to list@example.net or billing@example.net</div></div></body></html>`;
      page = loadPage(html, gmailThreadUrl);
      const result = gmail.participants(page.document, noSettings);
      expect(result.degraded).toBe(false);
      expect(result.mode).toBe('thread');
      expect(emails(result.identifiers)).toEqual(expect.arrayContaining(['li.wei@example.com', 'chen.jing@example.org']));
      expect(emails(result.identifiers)).not.toContain('list@example.net');
    });

    it('a page with many unrelated addresses and no known markup offers at most three, from the reading region', () => {
      const many = Array.from({ length: 25 }, (_, i) => `person${i}@example.com`).join(', ');
      const html = `<!doctype html><html><body><nav>nav.only@example.com</nav><div role="main"><p>Thread</p><p>${many}</p></div></body></html>`;
      page = loadPage(html, gmailThreadUrl);
      const result = gmail.participants(page.document, noSettings);
      expect(result.degraded).toBe(true);
      expect(result.mode).toBe('fallback');
      expect(result.identifiers.length).toBeLessThanOrEqual(3);
      expect(emails(result.identifiers)).toEqual(['person0@example.com', 'person1@example.com', 'person2@example.com']);
    });
  });

  describe('gmail-thread.html (open conversation)', () => {
    it('reads the sender and every recipient, latest message first, without the user', () => {
      const result = gmail.participants(open('gmail-thread.html'), noSettings);
      expect(result.mode).toBe('thread');
      expect(result.degraded).toBe(false);
      expect(emails(result.identifiers)).toEqual([
        'li.wei@example.com',
        'jordan.kim@acme-trading.com',
        'chen.jing@example.org',
        'priya.patel@northwind.example',
      ]);
      expect(result.identifiers.every((id) => id.kind === 'email')).toBe(true);
    });

    it('anchors on the subject and keeps the names the page shows', () => {
      const result = gmail.participants(open('gmail-thread.html'), noSettings);
      expect(result.anchor?.textContent).toBe('Quote for 500 units');
      expect(result.names).toMatchObject({ 'email:li.wei@example.com': 'Li Wei', 'email:priya.patel@northwind.example': 'Priya Patel' });
    });

    it('finds the signed-in account in the header and the tab title', () => {
      expect(gmail.accountAddresses(open('gmail-thread.html'))).toEqual(['sam.rep@acme-trading.com']);
    });

    it('leaves out internal domains and the addresses from settings', () => {
      const result = gmail.participants(open('gmail-thread.html'), {
        ownAddresses: ['Priya.Patel@Northwind.example'],
        internalDomains: ['acme-trading.com'],
      });
      expect(emails(result.identifiers)).toEqual(['li.wei@example.com', 'chen.jing@example.org']);
    });

    it('treats subdomains of an internal domain as internal', () => {
      const result = gmail.participants(open('gmail-thread.html'), { ownAddresses: [], internalDomains: ['example.org', '@northwind.example'] });
      expect(emails(result.identifiers)).toEqual(['li.wei@example.com', 'jordan.kim@acme-trading.com']);
    });

    it('ignores addresses and sender-made chips inside message bodies', () => {
      const result = gmail.participants(open('gmail-thread.html'), noSettings);
      expect(emails(result.identifiers)).not.toContain('spoof@attacker.example');
      expect(emails(result.identifiers)).not.toContain('accounts-payable@example.com');
    });
  });

  describe('gmail-compose.html (new message over the inbox)', () => {
    it('reads the To and Cc chips of the compose window and nothing from the list behind it', () => {
      const result = gmail.participants(open('gmail-compose.html', gmailInboxComposeUrl), noSettings);
      expect(result.mode).toBe('compose');
      expect(result.degraded).toBe(false);
      expect(emails(result.identifiers)).toEqual(['li.wei@example.com', 'maria.garcia@example.com']);
      expect(result.anchor?.getAttribute('role')).toBe('dialog');
      expect(result.names).toMatchObject({ 'email:maria.garcia@example.com': 'Maria Garcia' });
    });

    it('reads no body text: the message body mentions other addresses', () => {
      const result = gmail.participants(open('gmail-compose.html', gmailInboxComposeUrl), noSettings);
      expect(emails(result.identifiers)).not.toContain('orders@acme-trading.com');
    });

    it('watches the main area and the compose window', () => {
      const document = open('gmail-compose.html', gmailInboxComposeUrl);
      const roots = gmail.watchRoots(document);
      expect(roots.map((root) => root.getAttribute('role'))).toEqual(['main', 'dialog']);
    });
  });

  describe('gmail-reply.html (inline reply, older recipient markup)', () => {
    it('reads the reply recipients first, then the conversation, without duplicates or the user', () => {
      const result = gmail.participants(open('gmail-reply.html'), noSettings);
      expect(result.mode).toBe('compose');
      expect(result.degraded).toBe(false);
      expect(emails(result.identifiers)).toEqual(['maria.garcia@example.com', 'li.wei@example.com']);
      expect(result.anchor?.getAttribute('aria-label')).toBe('Reply');
    });

    it('takes names from the hidden recipient values', () => {
      const result = gmail.participants(open('gmail-reply.html'), noSettings);
      expect(result.names?.['email:li.wei@example.com']).toBe('Li Wei');
    });

    it('watches only the main area, which holds the reply', () => {
      const roots = gmail.watchRoots(open('gmail-reply.html'));
      expect(roots.map((root) => root.getAttribute('role'))).toEqual(['main']);
    });
  });

  describe('gmail-changed.html (unknown markup)', () => {
    it('falls back to a text scan of the main area and says it is degraded', () => {
      const result = gmail.participants(open('gmail-changed.html'), noSettings);
      expect(result.mode).toBe('fallback');
      expect(result.degraded).toBe(true);
      expect(result.anchor).toBeNull();
      expect(emails(result.identifiers)).toEqual(['li.wei@example.com', 'chen.jing@example.org']);
    });

    it('shows nothing when no conversation is open', () => {
      const result = gmail.participants(open('gmail-changed.html', gmailInboxUrl), noSettings);
      expect(result).toMatchObject({ identifiers: [], mode: 'thread', degraded: false });
    });
  });

  describe('hostile.html', () => {
    it('reads hostile names as plain strings and normalises odd addresses', () => {
      const result = gmail.participants(open('hostile.html'), noSettings);
      expect(emails(result.identifiers)).toEqual([
        'mallory@example.net',
        'zalgo@example.net',
        'longname@example.org',
        'wang.xiaoming@example.cn',
      ]);
      expect(result.names?.['email:mallory@example.net']).toBe('<img src=x onerror=alert(1)>');
      expect(result.names?.['email:longname@example.org']?.length).toBeLessThanOrEqual(200);
    });
  });

  describe('a 10,000-node conversation with 500 addresses', () => {
    it('stops at the participant limit and stays fast', () => {
      page = loadPage(bigGmailThread(), gmailThreadUrl);
      const started = performance.now();
      const result = gmail.participants(page.document, noSettings);
      const elapsed = performance.now() - started;
      expect(result.identifiers).toHaveLength(MAX_PARTICIPANTS);
      expect(result.mode).toBe('thread');
      // happy-dom is far slower than a browser; this only catches accidental quadratic work.
      expect(elapsed).toBeLessThan(1_000);
    });
  });
});

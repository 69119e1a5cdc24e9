// The demo pages `npm start` serves under <local API>/demo/: copies of the supported sites' pages
// (the same pages the browser tests use, tests/e2e/fixtures/), whose people are the demo data's
// customers. The extension built by `npm start` (the `demo` mode, extension/sites/common/demo.ts) runs its
// content scripts on /demo/<site>/…, so the overlay works there against the local stack.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpError, sendText } from './api/http.ts';

export interface DemoPage {
  /** The adapter's id (extension/sites/<site>.ts): the page lives under /demo/<site>/. */
  site: string;
  title: string;
  /** Path (and the fragment the site's own URLs carry) under the API's origin. */
  href: string;
  /** The page, in tests/e2e/fixtures/. */
  file: string;
  /** Whom to sign in as to see a portrait there. */
  signInAs: string;
}

export const fixturesDir = fileURLToPath(new URL('../../tests/e2e/fixtures/', import.meta.url));

export const demoPages: readonly DemoPage[] = [
  {
    site: 'gmail',
    title: 'Gmail: a conversation with Li Wei (Lotus Tea Co.)',
    href: '/demo/gmail/thread/mail/u/0/#inbox/FMfcgzQbfxkKqPGsJwVrdZcQwPzRmNtL',
    file: 'gmail-thread.html',
    signInAs: 'rep@lotus.test',
  },
  {
    site: 'gmail',
    title: 'Gmail: writing to two people',
    href: '/demo/gmail/compose/mail/u/0/#inbox?compose=new',
    file: 'gmail-compose.html',
    signInAs: 'rep@lotus.test',
  },
  {
    site: 'outlook',
    title: 'Outlook on the web: a conversation in the reading pane',
    href: '/demo/outlook/mail/inbox/id/AAQkADAwATM3ZmYAZS1hNDAxLTRmYTYtMDACLTAwCgAQAFgR',
    file: 'outlook-reading.html',
    signInAs: 'rep@lotus.test',
  },
  {
    site: 'outlook',
    title: 'Outlook on the web: writing a new message',
    href: '/demo/outlook/mail/deeplink/compose',
    file: 'outlook-compose.html',
    signInAs: 'rep@lotus.test',
  },
  {
    site: 'shopify',
    title: 'Shopify admin: an order of Li Wei (Northwind Outfitters)',
    href: '/demo/shopify/store/northwind-outfitters/orders/5499000005',
    file: 'shopify-order.html',
    signInAs: 'rep@northwind.test',
  },
  {
    site: 'shopify',
    title: 'Shopify admin: the customer Maria Garcia (Northwind Outfitters)',
    href: '/demo/shopify/store/northwind-outfitters/customers/9002',
    file: 'shopify-customer.html',
    signInAs: 'rep@northwind.test',
  },
];

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function indexPage(apiUrl: string): string {
  const items = demoPages
    .map((page) => `<li><a href="${escapeHtml(page.href)}">${escapeHtml(page.title)}</a> <small>(sign in as ${escapeHtml(page.signInAs)})</small></li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Portrait demo pages</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem}small{color:#555}</style></head>
<body><h1>Portrait demo pages</h1>
<p>Copies of mail and shop admin pages whose people are customers in the demo data. With the extension that
<code>npm start</code> built (.output/chrome-mv3-demo) loaded and signed in from its toolbar button
(password <code>portrait-demo</code>), each page shows the customer's portrait from the local stack at
${escapeHtml(apiUrl)}.</p>
<ul>
${items}
</ul></body></html>`;
}

const pathOf = (href: string) => href.split('#')[0]!;

/** Answers GET /demo/… with the index or a demo page; 404 for anything else. */
export async function serveDemo(req: IncomingMessage, res: ServerResponse, pathname: string, apiUrl: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, { message: 'Demo pages are read with GET' });
  const headers = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };
  if (pathname === '/demo' || pathname === '/demo/') return sendText(res, 200, indexPage(apiUrl), headers);
  const page = demoPages.find((candidate) => pathOf(candidate.href) === pathname);
  if (!page) throw new HttpError(404, { message: `No demo page at ${pathname}; the list is at /demo/` });
  const html = await readFile(path.join(fixturesDir, page.file), 'utf8');
  return sendText(res, 200, html, headers);
}

import { describe, expect, it } from 'vitest';
import {
  AddressList,
  MAX_PARTICIPANTS,
  boundedText,
  createExclusion,
  emailIn,
  scanForAddresses,
} from '../../../extension/sites/common/participants.ts';
import { loadPage } from './load-fixture.ts';

describe('emailIn', () => {
  it('reads an address from the ways pages write one', () => {
    expect(emailIn('Li.Wei@Example.com')).toBe('li.wei@example.com');
    expect(emailIn('Li Wei <li.wei@example.com>')).toBe('li.wei@example.com');
    expect(emailIn('Google Account: Sam Rep\n(sam.rep@acme-trading.com)')).toBe('sam.rep@acme-trading.com');
    expect(emailIn('From: Li Wei <li.wei+shop@example.com>')).toBe('li.wei+shop@example.com');
  });

  it('returns null for anything else', () => {
    expect(emailIn(null)).toBeNull();
    expect(emailIn('')).toBeNull();
    expect(emailIn('Li Wei')).toBeNull();
    expect(emailIn('@example.com')).toBeNull();
    expect(emailIn(`${'a'.repeat(2_000)}@example.com`)).toBeNull();
  });
});

describe('createExclusion', () => {
  const excluded = createExclusion(['Sam.Rep@Acme-Trading.com', 'not an address'], ['acme.example', '@partner.example.']);

  it('leaves out own addresses, whatever their case', () => {
    expect(excluded('sam.rep@acme-trading.com')).toBe(true);
    expect(excluded('li.wei@example.com')).toBe(false);
  });

  it('leaves out internal domains and their subdomains, not look-alikes', () => {
    expect(excluded('jo@acme.example')).toBe(true);
    expect(excluded('jo@mail.acme.example')).toBe(true);
    expect(excluded('jo@partner.example')).toBe(true);
    expect(excluded('jo@notacme.example')).toBe(false);
    expect(excluded('jo@acme.example.net')).toBe(false);
  });
});

describe('AddressList', () => {
  it('keeps order, drops duplicates and excluded addresses, and stops at the limit', () => {
    const list = new AddressList((email) => email.startsWith('me@'));
    list.add('a@example.com', 'A');
    list.add('me@example.com', 'Me');
    list.add('a@example.com', 'A again');
    list.add(null);
    for (let i = 0; i < 40; i++) list.add(`c${i}@example.com`);
    expect(list.identifiers[0]).toEqual({ kind: 'email', value: 'a@example.com' });
    expect(list.identifiers).toHaveLength(MAX_PARTICIPANTS);
    expect(list.names).toEqual({ 'email:a@example.com': 'A' });
  });

  it('fills in a name seen later for an address met first without one', () => {
    const list = new AddressList(() => false);
    list.add('a@example.com');
    list.add('a@example.com', '  Ada   Lovelace ');
    expect(list.names['email:a@example.com']).toBe('Ada Lovelace');
  });
});

describe('bounded text scan', () => {
  it('reads at most the character budget and skips scripts and styles', async () => {
    const page = loadPage(
      `<main><style>.x{}</style><script>var hidden = "x@script.example"</script><p>${'word '.repeat(50_000)}</p><p>late@example.com</p></main>`,
      'https://mail.google.com/',
    );
    const text = boundedText(page.document.body, 1_000);
    expect(text.length).toBeLessThanOrEqual(1_000);
    expect(text).not.toContain('script.example');
    const list = new AddressList(() => false);
    scanForAddresses(page.document.body, list);
    // The address sits beyond the default budget: a huge page is not read to its end.
    expect(list.identifiers).toEqual([]);
    await page.close();
  });

  it('finds addresses written in odd Unicode', async () => {
    const page = loadPage('<main><p>Write to ｌｉ．ｗｅｉ＠ｅｘａｍｐｌｅ．ｃｏｍ or z\u200Bed@example.net</p></main>', 'https://mail.google.com/');
    const list = new AddressList(() => false);
    scanForAddresses(page.document.body, list);
    expect(list.identifiers.map((id) => id.value)).toEqual(['li.wei@example.com', 'zed@example.net']);
    await page.close();
  });
});

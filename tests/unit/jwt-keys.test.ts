// The local API's token check: a verified token is remembered, but its expiry is checked on every
// use; a token that fails verification is never remembered.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JwtKeys } from '../../supabase/local/keys.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('JwtKeys.verify', () => {
  it('accepts a token again from memory until it expires, then reports it expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-06-01T12:00:00Z'));
    const keys = new JwtKeys();
    const token = await keys.sign({ role: 'authenticated', sub: 'u1' }, 60);
    expect(await keys.verify(token)).toMatchObject({ ok: true, claims: { role: 'authenticated', sub: 'u1' } });
    expect(await keys.verify(token)).toMatchObject({ ok: true, claims: { sub: 'u1' } });
    vi.setSystemTime(new Date('2026-06-01T12:01:01Z'));
    expect(await keys.verify(token)).toMatchObject({ ok: false, reason: 'expired' });
    expect(await keys.verify(token)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('refuses a token signed with another secret or altered, every time', async () => {
    const keys = new JwtKeys();
    const other = new JwtKeys('another-secret-of-at-least-thirty-two-characters');
    const foreign = await other.sign({ role: 'service_role' }, 60);
    expect(await keys.verify(foreign)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await keys.verify(foreign)).toMatchObject({ ok: false, reason: 'invalid' });
    const good = await keys.sign({ role: 'authenticated', sub: 'u2' }, 60);
    expect(await keys.verify(good)).toMatchObject({ ok: true });
    const [header, , signature] = good.split('.');
    const altered = `${header}.${Buffer.from(JSON.stringify({ role: 'service_role', exp: 4102444800 })).toString('base64url')}.${signature}`;
    expect(await keys.verify(altered)).toMatchObject({ ok: false, reason: 'invalid' });
  });
});

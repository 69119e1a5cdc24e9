// The options page's shop domains: the click asks for the one origin's permission before anything
// else, adds the shop only once granted, and says clearly what went wrong otherwise.
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dictionaries } from '../../extension/features/options/texts.ts';
import { ShopDomainsSection, type ShopDomainsApi } from '../../extension/features/options/ShopDomains.tsx';
import { setLocale } from '../../extension/platform/i18n/i18n.ts';
import type { SettingsView } from '../../extension/features/send.ts';

afterEach(() => {
  cleanup();
  setLocale('en');
});

const view = (shopDomains: string[]): SettingsView => ({
  apiUrl: 'http://127.0.0.1:54321',
  anonKey: 'anon-key-0123456789-abcdefghij',
  apiIsDefault: true,
  ownAddresses: [],
  internalDomains: [],
  language: 'auto',
  sites: { gmail: true, outlook: true, shopify: true, woocommerce: true },
  shopDomains,
});

function setup(api: Partial<ShopDomainsApi>, shopDomains: string[] = []) {
  const calls: string[] = [];
  const full: ShopDomainsApi = {
    requestShopPermission: vi.fn(async (origin: string) => {
      calls.push(`permission ${origin}`);
      return true;
    }),
    shopDomain: vi.fn(async (action: 'add' | 'remove', domain: string) => {
      calls.push(`${action} ${domain}`);
      return view(action === 'add' ? [domain] : []);
    }),
    ...api,
  };
  const onSaved = vi.fn();
  const ui = () => <ShopDomainsSection api={full} settings={view(shopDomains)} onSaved={onSaved} inputClass="" buttonClass="" />;
  render(ui());
  return { api: full, calls, onSaved };
}

describe('shop domains on the options page', () => {
  it('asks for the origin’s permission first, then adds the shop', async () => {
    const { calls, onSaved } = setup({});
    fireEvent.input(screen.getByLabelText('Shop address (for example shop.example.com)'), { target: { value: ' Shop.LotusTea.example/wp-admin/ ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add shop' }));
    // The request is made during the click, before any await.
    expect(calls).toEqual(['permission https://shop.lotustea.example']);
    expect((await screen.findByTestId('shop-notice')).textContent).toBe('Added https://shop.lotustea.example. Open or reload an order page there.');
    expect(calls).toEqual(['permission https://shop.lotustea.example', 'add https://shop.lotustea.example']);
    expect(onSaved).toHaveBeenCalledWith(view(['https://shop.lotustea.example']));
  });

  it('adds nothing when the permission is refused', async () => {
    const { api } = setup({ requestShopPermission: vi.fn(async () => false) });
    fireEvent.input(screen.getByLabelText('Shop address (for example shop.example.com)'), { target: { value: 'shop.lotustea.example' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add shop' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Portrait may not read https://shop.lotustea.example without your permission.');
    expect(api.shopDomain).not.toHaveBeenCalled();
  });

  it('refuses what is not a shop’s https address without asking the browser', async () => {
    const { api } = setup({});
    fireEvent.input(screen.getByLabelText('Shop address (for example shop.example.com)'), { target: { value: 'http://shop.lotustea.example' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add shop' }));
    expect((await screen.findByRole('alert')).textContent).toBe('“http://shop.lotustea.example” is not the https address of a shop.');
    expect(api.requestShopPermission).not.toHaveBeenCalled();
  });

  it('shows the background’s refusal', async () => {
    setup({ shopDomain: vi.fn(async () => Promise.reject(new Error('Portrait has no permission to read https://shop.lotustea.example'))) });
    fireEvent.input(screen.getByLabelText('Shop address (for example shop.example.com)'), { target: { value: 'shop.lotustea.example' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add shop' }));
    expect((await screen.findByRole('alert')).textContent).toBe('That did not work: Portrait has no permission to read https://shop.lotustea.example');
  });

  it('lists the shops and removes one', async () => {
    const { calls } = setup({}, ['https://shop.lotustea.example']);
    expect(screen.getByTestId('shop-domains').textContent).toContain('https://shop.lotustea.example');
    fireEvent.click(screen.getByRole('button', { name: 'Remove https://shop.lotustea.example' }));
    expect((await screen.findByTestId('shop-notice')).textContent).toBe('Removed https://shop.lotustea.example.');
    expect(calls).toEqual(['remove https://shop.lotustea.example']);
  });

  it('speaks Simplified Chinese, with every text translated', () => {
    expect(Object.keys(dictionaries['zh-CN']).sort()).toEqual(Object.keys(dictionaries.en).sort());
    setLocale('zh-CN');
    setup({});
    expect(screen.getByRole('heading', { name: '店铺域名' })).toBeTruthy();
    expect(screen.getByRole('button', { name: '添加店铺' })).toBeTruthy();
  });
});

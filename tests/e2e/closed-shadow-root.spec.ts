import { expect, test } from './fixtures.ts';
import { inspectShadowDom } from './helpers/cdp.ts';

test('the CDP helper reads and clicks inside a closed shadow root', async ({ context }) => {
  const page = await context.newPage();
  await page.goto('about:blank');
  await page.evaluate(() => {
    const host = document.createElement('div');
    host.id = 'card-host';
    host.dataset.clicks = '0';
    const root = host.attachShadow({ mode: 'closed' });
    const name = document.createElement('span');
    name.textContent = 'Ada Lovelace';
    const button = document.createElement('button');
    button.textContent = 'Add tag';
    button.addEventListener('click', () => {
      host.dataset.clicks = String(Number(host.dataset.clicks) + 1);
    });
    root.append(name, button);
    document.body.append(host);
  });
  const host = page.locator('#card-host');

  // The page and Playwright's locators see nothing inside a closed root.
  await expect(page.getByRole('button', { name: 'Add tag' })).toHaveCount(0);
  expect(await host.evaluate((el) => el.shadowRoot)).toBeNull();

  const shadow = await inspectShadowDom(page);
  const button = await shadow.find({ tag: 'button', text: 'Add tag' });
  expect(button.inClosedShadowRoot).toBe(true);
  expect(await shadow.findAll({ text: 'Ada Lovelace', inClosedShadowRoot: true })).toHaveLength(1);
  expect(await shadow.findByRole('button', 'Add tag')).toHaveLength(1);

  await shadow.click(button);
  await expect(host).toHaveAttribute('data-clicks', '1');
  await shadow.clickWithMouse(button);
  await expect(host).toHaveAttribute('data-clicks', '2');
  await shadow.detach();
});

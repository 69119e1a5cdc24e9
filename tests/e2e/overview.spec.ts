// The Overview page in real Chromium, against the real local stack, over three years of daily
// stage snapshots: it is opened from the popup, draws every chart, and its tables show exactly the
// database's numbers, in English and in Simplified Chinese. Switching periods is timed with the
// browser's long-task observer.
import { mkdir } from 'node:fs/promises';
import type { BrowserContext, Page } from '@playwright/test';
import type { browser } from 'wxt/browser';
import { expect, test } from './fixtures.ts';
import { createTeam, startTestStack, type TestStack, type TestTeam } from './helpers/stack.ts';
import { longTasks as tracedLongTasks, startTrace } from './helpers/trace.ts';

test.describe.configure({ timeout: 120_000 });

const stages = ['prospect', 'lead', 'new', 'active', 'loyal', 'at_risk', 'churned', 'reactivated'] as const;
const DAY_MS = 86_400_000;
const today = new Date().toISOString().slice(0, 10);
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
/** The first day of the period "n years" ending today. */
const yearsBack = (years: number) => {
  const date = new Date(`${today}T00:00:00Z`);
  date.setUTCFullYear(date.getUTCFullYear() - years);
  return addDays(date.toISOString().slice(0, 10), 1);
};
const threeYearsAgo = yearsBack(3);

let stack: TestStack;
let team: TestTeam;
let staffOrg: string;
const segments = { big: '', east: '' };
/** Markup in a segment name must show as text. */
const hostileName = '华东 VIP <img src=x onerror="window.__pwned=1">';

test.beforeAll(async () => {
  test.setTimeout(240_000);
  stack = await startTestStack();
  team = await createTeam(stack, 'Lotus Overview (e2e)');
  const org = team.orgId;
  segments.big = (await stack.db.query<{ id: string }>(`insert into public.segments (org_id, name, rule) values ($1, 'Big spenders', '{"all": []}') returning id`, [org])).rows[0]!.id;
  segments.east = (await stack.db.query<{ id: string }>(`insert into public.segments (org_id, name, rule) values ($1, $2, '{"all": []}') returning id`, [org, hostileName])).rows[0]!.id;
  // Three years and a few days of daily snapshots, every stage with its own shape over time;
  // moves every day; segment members counted on the last day only (as on backfilled history).
  await stack.db.query(
    `insert into public.stage_snapshots (org_id, day, customers, customers_by_stage, net_revenue_by_stage, members_by_segment, moves, source, as_of)
     select $1, g.day, (select sum(v::integer) from jsonb_each_text(g.by_stage) as e (k, v)), g.by_stage,
            jsonb_build_object(
              'prospect', 0, 'lead', 0,
              'new', (g.by_stage ->> 'new')::integer * 95.5,
              'active', (g.by_stage ->> 'active')::integer * 310.25,
              'loyal', (g.by_stage ->> 'loyal')::integer * 1240,
              'at_risk', (g.by_stage ->> 'at_risk')::integer * 280,
              'churned', (g.by_stage ->> 'churned')::integer * 150,
              'reactivated', (g.by_stage ->> 'reactivated')::integer * 400),
            case when g.day = $3::date then jsonb_build_object($4::text, 321, $5::text, 45) else '{}'::jsonb end,
            jsonb_build_object(
              'new', jsonb_build_object('active', 2 + g.n % 3),
              'active', jsonb_build_object('at_risk', 1 + g.n % 4, 'loyal', g.n % 2),
              'at_risk', jsonb_build_object('churned', g.n % 3),
              'churned', jsonb_build_object('reactivated', case when g.n % 5 = 0 then 1 else 0 end)),
            'backfill', (g.day + 1)::timestamptz
       from (
         select d::date as day, n, jsonb_build_object(
                  'prospect', 400 + n % 50, 'lead', 120 + n / 10, 'new', 30 + (n * 7) % 23, 'active', 200 + n / 3,
                  'loyal', 80 + n / 5, 'at_risk', 60 + n % 40, 'churned', 50 + n / 4, 'reactivated', 5 + n % 9) as by_stage
           from generate_series($2::date, $3::date, interval '1 day') with ordinality as s (d, n)
       ) g`,
    [org, addDays(today, -1100), today, segments.big, segments.east],
  );
  // Another organization where the same user is staff: no overview there.
  staffOrg = (await stack.db.query<{ id: string }>(`insert into public.organizations (name) values ('Peony Staffed (e2e)') returning id`)).rows[0]!.id;
  await stack.db.query(`insert into public.members (org_id, user_id, role) values ($1, $2, 'staff')`, [staffOrg, team.rep.userId]);
});

test.afterAll(async () => {
  await stack?.stop();
});

function sendFrom(page: Page, message: unknown): Promise<unknown> {
  return page.evaluate((m) => (globalThis as unknown as { chrome: typeof browser }).chrome.runtime.sendMessage(m), message);
}

async function signIn(context: BrowserContext, extensionId: string): Promise<Page> {
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await popup.getByLabel('Email').fill(team.rep.email);
  await popup.getByLabel('Password').fill(team.rep.password);
  await popup.getByRole('button', { name: 'Sign in' }).click();
  await expect(popup.getByTestId('signed-in-email')).toHaveText(team.rep.email);
  return popup;
}

/** The database's figures for one day of the team's organization. */
async function snapshot(day: string) {
  const { rows } = await stack.db.query<{ by_stage: Record<string, number>; revenue: Record<string, number> }>(
    'select customers_by_stage as by_stage, net_revenue_by_stage as revenue from public.stage_snapshots where org_id = $1 and day = $2',
    [team.orgId, day],
  );
  return rows[0]!;
}

/** The database's moves over the days from..to, as "from>to" → count (zero counts left out). */
async function movesBetween(from: string, to: string): Promise<Record<string, number>> {
  const { rows } = await stack.db.query<{ key: string; n: number }>(
    `select f.key || '>' || m.key as key, sum((m.value #>> '{}')::integer)::integer as n
       from public.stage_snapshots s, jsonb_each(s.moves) f, jsonb_each(f.value) m
      where s.org_id = $1 and s.day between $2 and $3
      group by 1 having sum((m.value #>> '{}')::integer) > 0`,
    [team.orgId, from, to],
  );
  return Object.fromEntries(rows.map((r) => [r.key, r.n]));
}

/** What the day table shows, by stage, read from the rendered cells' values. */
async function dayTable(page: Page) {
  const table = page.getByTestId('day-table');
  const day = await table.getAttribute('data-day');
  const values = await table.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({
      stage: tr.getAttribute('data-stage'),
      customers: Number(tr.querySelectorAll('td')[0]!.getAttribute('data-value')),
      revenue: Number(tr.querySelectorAll('td')[2]!.getAttribute('data-value')),
      customersText: tr.querySelectorAll('td')[0]!.textContent,
    })),
  );
  return { day: day!, values };
}

/** Pixels of a chart's plot canvas that are neither blank nor white: the drawn areas. */
function paintedPixels(page: Page, testId: string): Promise<number> {
  return page.getByTestId(testId).locator('canvas').first().evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext('2d')!;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3]! > 0 && !(data[i]! > 245 && data[i + 1]! > 245 && data[i + 2]! > 245)) painted++;
    }
    return painted;
  });
}

async function expectTableMatchesDatabase(page: Page): Promise<string> {
  const shown = await dayTable(page);
  const stored = await snapshot(shown.day);
  expect(shown.values.map((v) => v.stage)).toEqual([...stages]);
  for (const row of shown.values) {
    expect(row.customers, `${row.stage} customers on ${shown.day}`).toBe(stored.by_stage[row.stage!]);
    expect(row.revenue, `${row.stage} revenue on ${shown.day}`).toBeCloseTo(stored.revenue[row.stage!]!, 2);
  }
  return shown.day;
}

test('a rep opens the overview from the popup and sees three years of figures, exactly as stored', async ({ context, extensionId }) => {
  const popup = await signIn(context, extensionId);
  const errors: Error[] = [];
  const opened = context.waitForEvent('page');
  await popup.getByRole('button', { name: 'Overview' }).click();
  const page = await opened;
  page.on('pageerror', (error) => errors.push(error));
  await expect(page).toHaveURL(`chrome-extension://${extensionId}/overview.html`);
  await expect(page.getByRole('heading', { name: 'Portrait overview' })).toBeVisible();
  await expect(page.getByTestId('org-select')).toHaveValue(team.orgId);
  // Staff membership elsewhere does not offer that organization.
  await expect(page.getByTestId('org-select').locator('option')).toHaveText([team.orgName]);

  await page.getByRole('button', { name: '3 years' }).click();
  await expect(page.getByTestId('charts')).toHaveAttribute('data-from', threeYearsAgo);
  await expect(page.getByTestId('charts')).toHaveAttribute('data-to', today);
  await expect(page.getByRole('heading', { name: 'Customers per lifecycle stage' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Net revenue by lifecycle stage' })).toBeVisible();

  // Both charts are drawn, and painted: a chart without data would leave its plot blank.
  for (const chart of ['customers-chart', 'revenue-chart']) {
    await expect(page.getByTestId(chart).locator('canvas[role="img"]')).toHaveCount(1);
    expect(await paintedPixels(page, chart), chart).toBeGreaterThan(20_000);
  }

  // The table of the latest day shows the database's numbers for that day.
  expect(await expectTableMatchesDatabase(page)).toBe(today);
  const todayRow = await snapshot(today);
  const total = stages.reduce((sum, stage) => sum + todayRow.by_stage[stage]!, 0);
  await expect(page.getByTestId('customers-summary')).toContainText(`${total.toLocaleString('en')} customers on`);

  // This month's moves, as summed from the database.
  const month = await movesBetween(`${today.slice(0, 8)}01`, today);
  const shownMoves = await page.getByTestId('moves').locator('tbody tr').evaluateAll((trs) =>
    Object.fromEntries(trs.map((tr) => [tr.getAttribute('data-move'), Number(tr.querySelectorAll('td')[2]!.getAttribute('data-value'))])),
  );
  expect(shownMoves).toEqual(month);
  expect(Object.keys(month).length).toBeGreaterThan(2);

  // Segment sizes, names shown as text.
  const segmentRows = page.getByTestId('segments').locator('tbody tr');
  await expect(segmentRows).toHaveCount(2);
  await expect(segmentRows.nth(0)).toContainText('Big spenders');
  await expect(segmentRows.nth(0)).toContainText('321');
  await expect(segmentRows.nth(1).locator('th')).toHaveText(hostileName);
  await expect(segmentRows.nth(1)).toContainText('45');
  expect(await page.locator('img').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  // A click on the chart shows that day's figures in the table, again equal to the database's.
  const plot = page.getByTestId('customers-chart').locator('.u-over');
  const box = (await plot.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.click(box.x + box.width * 0.3, box.y + box.height / 2);
  await expect(page.getByTestId('day-table')).not.toHaveAttribute('data-day', today);
  const picked = await expectTableMatchesDatabase(page);
  expect(picked < addDays(today, -300)).toBe(true);

  await mkdir('test-results', { recursive: true });
  await page.setViewportSize({ width: 1400, height: 1300 });
  await page.getByRole('button', { name: 'Latest day' }).click();
  await page.screenshot({ path: 'test-results/overview-en.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('switching periods re-renders from the database without long tasks', async ({ context, extensionId }) => {
  await signIn(context, extensionId);
  const page = await context.newPage();
  await page.addInitScript(() => {
    const tasks: number[] = [];
    (window as unknown as { __longTasks: number[] }).__longTasks = tasks;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push(entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`chrome-extension://${extensionId}/overview.html`);
  await expect(page.getByTestId('charts')).toHaveAttribute('data-to', today);

  const longTasks = () => page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks.splice(0));
  const switches: Array<{ period: string; from: string; ms: number; longTasks: number[] }> = [];
  const expectations: Array<[string, string]> = [
    ['3 years', threeYearsAgo],
    ['30 days', addDays(today, -29)],
    ['90 days', addDays(today, -89)],
    ['3 years', threeYearsAgo],
    ['1 year', yearsBack(1)],
  ];
  await longTasks();
  // The budget is the page's own work: CPU time per task from a DevTools trace. The page's long-task
  // entries (wall time) also count whatever else the machine was doing; they are logged.
  const cdp = await context.newCDPSession(page);
  const trace = await startTrace(cdp);
  for (const [label, from] of expectations) {
    const started = Date.now();
    await page.getByRole('button', { name: label, exact: true }).click();
    await expect(page.getByTestId('charts')).toHaveAttribute('data-from', from);
    await expect(page.getByTestId('charts')).toHaveAttribute('aria-busy', 'false');
    // Let the frame that draws the new figures finish.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50))));
    switches.push({ period: label, from: (await page.getByTestId('charts').getAttribute('data-from'))!, ms: Date.now() - started, longTasks: await longTasks() });
    expect(await paintedPixels(page, 'customers-chart')).toBeGreaterThan(5_000);
    await expectTableMatchesDatabase(page);
  }
  const { long, extensionTasks } = tracedLongTasks(await trace.stop());
  await cdp.detach();
  const worst = Math.max(0, ...extensionTasks.map((task) => task.cpuMs));
  console.log(`Period switches (wall-time long tasks): ${JSON.stringify(switches)}; longest task ${worst.toFixed(1)} ms CPU`);
  test.info().annotations.push({ type: 'period switches', description: JSON.stringify(switches) });
  expect(extensionTasks.length, 'the trace saw the page run').toBeGreaterThan(0);
  expect(long, `tasks over 50 ms of CPU while switching periods`).toEqual([]);

  // A custom range: the table shows its last day, as stored.
  await page.locator('input[name="from"]').fill(addDays(today, -400));
  await page.locator('input[name="to"]').fill(addDays(today, -200));
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByTestId('charts')).toHaveAttribute('data-from', addDays(today, -400));
  expect(await expectTableMatchesDatabase(page)).toBe(addDays(today, -200));
  // A range the wrong way round is refused on the page, and nothing is asked.
  await page.locator('input[name="from"]').fill(addDays(today, -10));
  await page.locator('input[name="to"]').fill(addDays(today, -20));
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByTestId('range-problem')).toHaveText('Choose a first day on or before the last day.');
  await expect(page.getByTestId('charts')).toHaveAttribute('data-from', addDays(today, -400));
});

test('the overview follows the language setting: 简体中文', async ({ context, extensionId }) => {
  await signIn(context, extensionId);
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/overview.html`);
  await expect(page.getByTestId('charts')).toBeVisible();
  const { settings } = (await sendFrom(page, { type: 'settings/get' })) as { settings: { ownAddresses: string[]; internalDomains: string[] } };
  expect(
    await sendFrom(page, { type: 'settings/preferences', ownAddresses: settings.ownAddresses, internalDomains: settings.internalDomains, language: 'zh-CN' }),
  ).toMatchObject({ ok: true });

  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('heading', { name: 'Portrait 总览' })).toBeVisible();
  await page.getByRole('button', { name: '3 年' }).click();
  await expect(page.getByTestId('charts')).toHaveAttribute('data-from', threeYearsAgo);
  await expect(page.getByRole('heading', { name: '各生命周期阶段的客户数' })).toBeVisible();
  await expect(page.getByRole('heading', { name: '各生命周期阶段的净收入' })).toBeVisible();
  await expect(page.getByRole('heading', { name: '本月阶段流转' })).toBeVisible();
  await expect(page.getByRole('heading', { name: '客户细分规模' })).toBeVisible();
  await expect(page.getByTestId('day-table').locator('tr[data-stage="at_risk"] th')).toHaveText('沉睡客户');
  await expect(page.getByTestId('day-table').locator('tr[data-stage="reactivated"] th')).toHaveText('回流客户');
  // Dates as the locale writes them.
  const [year, month, day] = today.split('-').map(Number);
  await expect(page.getByRole('heading', { name: `${year}年${month}月${day}日的数据` })).toBeVisible();
  for (const chart of ['customers-chart', 'revenue-chart']) {
    expect(await paintedPixels(page, chart), chart).toBeGreaterThan(20_000);
  }
  await expectTableMatchesDatabase(page);
  await page.setViewportSize({ width: 1400, height: 1300 });
  await mkdir('test-results', { recursive: true });
  await page.screenshot({ path: 'test-results/overview-zh-CN.png', fullPage: true });

  // Back to English for the other tests of this profile (each test has its own profile; kept tidy anyway).
  await sendFrom(page, { type: 'settings/preferences', ownAddresses: settings.ownAddresses, internalDomains: settings.internalDomains, language: 'en' });
});

test('staff get no overview: no button in the popup, and the background refuses', async ({ context, extensionId }) => {
  const popup = await signIn(context, extensionId);
  await expect(popup.getByRole('button', { name: 'Overview' })).toBeVisible();
  await popup.getByLabel('Organization').selectOption(staffOrg);
  await expect(popup.getByTestId('active-org')).toContainText('Peony Staffed (e2e)');
  await expect(popup.getByRole('button', { name: 'Overview' })).toHaveCount(0);
  expect(await sendFrom(popup, { type: 'overview/data', orgId: staffOrg, from: addDays(today, -29), to: today })).toEqual({
    ok: false,
    error: 'forbidden',
    message: 'The overview is for sales reps and admins',
  });
  expect(await sendFrom(popup, { type: 'overview/data', orgId: team.orgId, from: addDays(today, -3000), to: today })).toMatchObject({
    ok: false,
    error: 'invalid-message',
  });
});

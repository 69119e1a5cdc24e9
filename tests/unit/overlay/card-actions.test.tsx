// The card's actions (extension/features/overlay/actions/): the timeline's grouping and texts, the
// follow-up's quick picks, and the component against a fake page client — loading on open, paging,
// writes, the owner's buttons, text-only rendering of customer data, both languages.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CustomerTimeline, TimelineItem } from '../../../shared/api.ts';
import { CardActions, timelineSignature } from '../../../extension/features/overlay/actions/CardActions.tsx';
import { dueFor, dueOn } from '../../../extension/features/overlay/actions/follow-up/due.ts';
import { appendPage, dayLabel, groupByDay, itemText } from '../../../extension/features/overlay/actions/timeline/timeline.ts';
import { setLocale } from '../../../extension/platform/i18n/i18n.ts';
import type { WriteOp } from '../../../extension/platform/messaging/schemas.ts';
import type { TimelineResponse } from '../../../extension/features/overlay/schemas.ts';
import { portrait } from './data.ts';
import { daysUntilRecycle, recycleIsUrgent, recycleWording } from '../../../extension/platform/recycle.ts';
import type { MemberView } from '../../../extension/features/overlay/schemas.ts';
import { createMembersRequest } from '../../../extension/features/overlay/actions/owner/members.ts';

const userId = '11111111-1111-4111-8111-111111111111';
const customerId = '22222222-2222-4222-8222-222222222222';
const hostile = '<img src=x onerror=alert(1)>';

afterEach(() => {
  cleanup();
  setLocale('en');
  vi.restoreAllMocks();
});

function note(at: string, id: string, body = 'Called'): TimelineItem {
  return { kind: 'note', at, key: `note:${id}`, by: userId, by_name: 'Rei', note_id: id, body, updated_at: at };
}
const order = (at: string, id: string, extra: Partial<Extract<TimelineItem, { kind: 'order' }>> = {}): TimelineItem => ({
  kind: 'order',
  at,
  key: `order:${id}`,
  by: null,
  by_name: null,
  order_id: id,
  source: 'manual',
  external_id: 'T-1',
  status: 'paid',
  total: 100,
  refunded_amount: 0,
  currency: 'USD',
  ...extra,
});

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('the timeline', () => {
  const now = new Date(2026, 4, 10, 15, 0).getTime();

  it('groups items by local day, newest first, with relative labels', () => {
    const items = [
      note(new Date(2026, 4, 10, 9).toISOString(), id(1)),
      note(new Date(2026, 4, 10, 8).toISOString(), id(2)),
      note(new Date(2026, 4, 9, 20).toISOString(), id(3)),
      note(new Date(2026, 3, 1, 20).toISOString(), id(4)),
    ];
    const groups = groupByDay(items, now);
    expect(groups.map((g) => [g.label, g.items.length])).toEqual([
      ['Today', 2],
      ['Yesterday', 1],
      [dayLabel('2026-04-01', now), 1],
    ]);
    expect(dayLabel('2026-05-07', now)).toBe('3 days ago');
    setLocale('zh-CN');
    expect(dayLabel('2026-05-09', now)).toBe('昨天');
  });

  it('appends a page without repeating an item already shown', () => {
    const first = [note('2026-05-10T10:00:00Z', id(1)), note('2026-05-10T09:00:00Z', id(2))];
    const page = [note('2026-05-10T09:00:00Z', id(2)), note('2026-05-10T08:00:00Z', id(3))];
    expect(appendPage(first, page).map((item) => item.key)).toEqual([`note:${id(1)}`, `note:${id(2)}`, `note:${id(3)}`]);
  });

  it('says refunds as such', () => {
    expect(itemText(order('2026-05-10T10:00:00Z', id(1), { status: 'refunded', total: 50 })).title).toMatch(/refunded/);
    expect(itemText(order('2026-05-10T10:00:00Z', id(1), { refunded_amount: 20 })).title).toMatch(/refunded/);
    expect(itemText(order('2026-05-10T10:00:00Z', id(1))).title).not.toMatch(/refunded/);
  });
});

describe('follow-up quick picks', () => {
  const monday = new Date(2026, 4, 11, 15, 30).getTime();
  it('are at 9:00 local time tomorrow, in three days and next Monday', () => {
    expect(new Date(dueFor('tomorrow', monday))).toEqual(new Date(2026, 4, 12, 9));
    expect(new Date(dueFor('in3', monday))).toEqual(new Date(2026, 4, 14, 9));
    expect(new Date(dueFor('nextWeek', monday))).toEqual(new Date(2026, 4, 18, 9));
    expect(new Date(dueFor('nextWeek', new Date(2026, 4, 16).getTime()))).toEqual(new Date(2026, 4, 18, 9));
    expect(dueOn('2026-06-01')).toBe(new Date(2026, 5, 1, 9).toISOString());
    expect(dueOn('tomorrow')).toBeNull();
  });
});

function fakeClient(pages: CustomerTimeline[], role: TimelineResponse['role'] = 'rep') {
  const writes: WriteOp[] = [];
  const asked: Array<unknown> = [];
  const client = {
    timeline: vi.fn(async (_customerId: string, before: unknown): Promise<TimelineResponse> => {
      asked.push(before);
      const page = before ? pages[1]! : pages[0]!;
      return { ok: true, timeline: page, userId, role };
    }),
    write: vi.fn(async (op: WriteOp) => {
      writes.push(op);
      return { ok: true as const, requestId: id(99), pending: op.op === 'visit' };
    }),
  };
  return { client, writes, asked };
}

const page = (items: TimelineItem[], next: CustomerTimeline['next'] = null): CustomerTimeline => ({
  customer_id: customerId,
  items,
  next,
  open_follow_ups: [],
});

describe('the card actions', () => {
  const now = Date.parse('2026-05-10T12:00:00Z');

  it('loads the timeline when shown, pages with the keyset, and renders customer text as text', async () => {
    const { client, asked } = fakeClient([
      page([note('2026-05-10T10:00:00Z', id(1), hostile)], { before: '2026-05-10T10:00:00Z', before_key: `note:${id(1)}` }),
      page([order('2026-05-01T10:00:00Z', id(2))]),
    ]);
    const view = render(<CardActions portrait={portrait({ customerId, ownerId: null })} now={now} client={client} />);
    await screen.findByText(hostile);
    expect(view.container.querySelector('img')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Show more' }));
    await screen.findByText(/Order T-1/);
    expect(asked).toEqual([null, { before: '2026-05-10T10:00:00Z', beforeKey: `note:${id(1)}` }]);
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();
  });

  it('writes a follow-up for tomorrow, a claim and a visit through the write queue', async () => {
    const { client, writes } = fakeClient([page([])]);
    render(<CardActions portrait={portrait({ customerId, ownerId: null })} now={now} client={client} />);
    await screen.findByText('No activity yet.');
    fireEvent.click(screen.getByRole('button', { name: 'Follow up' }));
    fireEvent.input(screen.getByRole('textbox', { name: 'Note (optional)' }), { target: { value: 'Send samples' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save follow-up' }));
    await waitFor(() => expect(writes).toHaveLength(1));
    expect(writes[0]).toEqual({ op: 'follow_up', customerId, dueAt: dueFor('tomorrow', now), note: 'Send samples' });

    fireEvent.click(screen.getByRole('button', { name: 'Claim' }));
    await waitFor(() => expect(writes[1]).toEqual({ op: 'claim', customerId }));

    fireEvent.click(screen.getByRole('button', { name: 'Log a visit' }));
    fireEvent.click(screen.getByRole('radio', { name: '4' }));
    fireEvent.change(screen.getAllByRole('combobox')[1]!, { target: { value: 'wechat' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save visit' }));
    await waitFor(() => expect(writes[2]).toEqual({ op: 'visit', customerId, score: 4, scale: 'csat5', channel: 'wechat', comment: null }));
    await screen.findByText(/Saved offline/);
  });

  it('offers Release to the owner, not Claim; staff may not claim a pool customer', async () => {
    const owned = fakeClient([page([])]);
    render(<CardActions portrait={portrait({ customerId, ownerId: userId, owner: 'Rei' })} now={now} client={owned.client} />);
    await screen.findByRole('button', { name: 'Release to the pool' });
    expect(screen.queryByRole('button', { name: 'Claim' })).toBeNull();
    cleanup();
    const staff = fakeClient([page([])], 'staff');
    render(<CardActions portrait={portrait({ customerId, ownerId: null })} now={now} client={staff.client} />);
    await screen.findByText('No activity yet.');
    expect(screen.queryByRole('button', { name: 'Claim' })).toBeNull();
  });

  it('shows the open follow-up, overdue when past due, and completes it', async () => {
    const { client, writes } = fakeClient([page([])]);
    render(
      <CardActions
        portrait={portrait({ customerId, followUp: { id: id(5), dueAt: '2026-05-08T09:00:00Z', note: 'Price list' } })}
        now={now}
        client={client}
      />,
    );
    await screen.findByText(/Overdue since/);
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    await waitFor(() => expect(writes[0]).toEqual({ op: 'complete_follow_up', customerId, followUpId: id(5) }));
  });

  it('speaks Chinese', async () => {
    setLocale('zh-CN');
    const { client } = fakeClient([page([])]);
    render(<CardActions portrait={portrait({ customerId, ownerId: null })} now={now} client={client} />);
    await screen.findByText('暂无动态。');
    expect(screen.getByRole('button', { name: '领取' })).toBeTruthy();
    expect(screen.getByRole('button', { name: '记录回访' })).toBeTruthy();
  });

  it('reloads the timeline when what the page shows of the customer changes', () => {
    const base = portrait({ customerId });
    expect(timelineSignature(base)).toBe(timelineSignature({ ...base }));
    expect(timelineSignature({ ...base, ownerId: userId })).not.toBe(timelineSignature(base));
  });
});

describe('returns to the pool in N days', () => {
  const now = new Date(2026, 4, 10, 15, 0).getTime();
  it('counts local calendar days: a time already past and later today are today, the next day tomorrow', () => {
    expect(daysUntilRecycle(null, now)).toBeNull();
    expect(daysUntilRecycle('soon', now)).toBeNull();
    expect(daysUntilRecycle(new Date(2026, 4, 9, 8).toISOString(), now)).toBe(0);
    expect(daysUntilRecycle(new Date(2026, 4, 10, 23, 59).toISOString(), now)).toBe(0);
    expect(daysUntilRecycle(new Date(2026, 4, 11, 0, 1).toISOString(), now)).toBe(1);
    expect(daysUntilRecycle(new Date(2026, 4, 12, 9).toISOString(), now)).toBe(2);
    expect(daysUntilRecycle(new Date(2026, 4, 13, 9).toISOString(), now)).toBe(3);
    expect([0, 1, 2, 3].map(recycleIsUrgent)).toEqual([true, true, true, false]);
    expect([0, 1, 2].map(recycleWording)).toEqual(['today', 'tomorrow', 'days']);
  });
});

const admin = '44444444-4444-4444-8444-444444444444';
const members: MemberView[] = [
  { userId, displayName: 'Rei Rep', email: 'rei@example.com', role: 'rep' },
  { userId: admin, displayName: null, email: 'ada@example.com', role: 'admin' },
  { userId: id(7), displayName: hostile, email: null, role: 'staff' },
];

describe('the owner: Assign to… and the recycle warning', () => {
  const now = new Date(2026, 4, 10, 15, 0).getTime();
  const inDays = (days: number) => new Date(2026, 4, 10 + days, 12, 0).toISOString();

  it('lets an admin pick a member with the keyboard and assigns through the write queue', async () => {
    const { client, writes } = fakeClient([page([])], 'admin');
    const asked = vi.fn(async () => members);
    const view = render(
      <CardActions portrait={portrait({ customerId, ownerId: userId, owner: 'Rei Rep' })} now={now} client={client} members={asked} />,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Assign to…' }));
    const select = (await screen.findByRole('combobox', { name: 'Assign to' })) as HTMLSelectElement;
    await waitFor(() => expect(document.activeElement).toBe(select));
    // The current owner cannot be chosen; the first other member is; names are text.
    const options = [...select.options];
    expect(options.map((o) => [o.textContent, o.disabled])).toEqual([
      ['Rei Rep (sales rep)', true],
      ['ada@example.com (admin)', false],
      [`${hostile} (staff)`, false],
    ]);
    expect(view.container.querySelector('img')).toBeNull();
    expect(select.value).toBe(admin);
    fireEvent.change(select, { target: { value: id(7) } });
    fireEvent.click(screen.getByRole('button', { name: 'Assign' }));
    await waitFor(() => expect(writes).toEqual([{ op: 'assign', customerId, memberId: id(7) }]));
    expect(asked).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('combobox', { name: 'Assign to' })).toBeNull();
  });

  it('offers Assign to… to admins only, and says when the members cannot be loaded', async () => {
    const rep = fakeClient([page([])], 'rep');
    render(<CardActions portrait={portrait({ customerId, ownerId: null })} now={now} client={rep.client} members={async () => members} />);
    await screen.findByRole('button', { name: 'Claim' });
    expect(screen.queryByRole('button', { name: 'Assign to…' })).toBeNull();
    cleanup();
    const adminClient = fakeClient([page([])], 'admin');
    render(<CardActions portrait={portrait({ customerId, ownerId: null })} now={now} client={adminClient.client} members={async () => Promise.reject(new Error('offline'))} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Assign to…' }));
    await screen.findByText('The members could not be loaded.');
    expect(adminClient.writes).toEqual([]);
  });

  it('says when an owned customer returns to the pool: red under three days, today and tomorrow in words', async () => {
    const { client } = fakeClient([page([])]);
    const owned = (days: number) => portrait({ customerId, ownerId: userId, owner: 'Rei', recycleAt: inDays(days) });
    const view = render(<CardActions portrait={owned(5)} now={now} client={client} />);
    const warning = await screen.findByTestId('portrait-recycle');
    expect(warning.textContent).toBe('Returns to the pool in 5 days');
    expect(warning.dataset.urgent).toBe('false');
    view.rerender(<CardActions portrait={owned(2)} now={now} client={client} />);
    expect(screen.getByTestId('portrait-recycle').textContent).toBe('Returns to the pool in 2 days');
    expect(screen.getByTestId('portrait-recycle').dataset.urgent).toBe('true');
    expect(screen.getByTestId('portrait-recycle').className).toMatch(/text-rose-700/);
    view.rerender(<CardActions portrait={owned(1)} now={now} client={client} />);
    expect(screen.getByTestId('portrait-recycle').textContent).toBe('Returns to the pool tomorrow');
    view.rerender(<CardActions portrait={owned(0)} now={now} client={client} />);
    expect(screen.getByTestId('portrait-recycle').textContent).toBe('Returns to the pool today');
    // No warning for a pool customer, nor for an owned one without a rule.
    view.rerender(<CardActions portrait={portrait({ customerId, ownerId: null, recycleAt: null })} now={now} client={client} />);
    expect(screen.queryByTestId('portrait-recycle')).toBeNull();
    view.rerender(<CardActions portrait={portrait({ customerId, ownerId: userId, recycleAt: null })} now={now} client={client} />);
    expect(screen.queryByTestId('portrait-recycle')).toBeNull();
  });

  it('says it in Chinese', async () => {
    setLocale('zh-CN');
    const { client } = fakeClient([page([])], 'admin');
    render(<CardActions portrait={portrait({ customerId, ownerId: userId, recycleAt: inDays(4) })} now={now} client={client} members={async () => members} />);
    expect((await screen.findByTestId('portrait-recycle')).textContent).toBe('4 天后退回公海');
    fireEvent.click(screen.getByRole('button', { name: '分配给…' }));
    expect(await screen.findByRole('combobox', { name: '分配给' })).toBeTruthy();
    expect(screen.getByRole('option', { name: 'ada@example.com (管理员)' })).toBeTruthy();
  });
});

describe("the card actions' members request", () => {
  it('sends portrait/members and keeps only well-formed members', async () => {
    const sent: unknown[] = [];
    const members = createMembersRequest(async (message) => {
      sent.push(message);
      return { ok: true, members: [{ userId, displayName: 'Rei', email: null, role: 'rep' }, { userId: 5, role: 'rep' }, { userId: admin, role: 'owner' }] };
    });
    expect(await members()).toEqual([{ userId, displayName: 'Rei', email: null, role: 'rep' }]);
    expect(sent).toEqual([{ type: 'portrait/members' }]);
    const refused = createMembersRequest(async () => ({ ok: false, error: 'forbidden', message: 'Only admins assign customers' }));
    await expect(refused()).rejects.toThrow('Only admins assign customers');
  });
});

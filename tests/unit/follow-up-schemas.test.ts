// The zod schemas of the follow-up, ownership, satisfaction and timeline calls (shared/api.ts)
// refuse what the database refuses, before a round trip.
import { describe, expect, it } from 'vitest';
import {
  addFollowUpArgsSchema,
  customerTimelineArgsSchema,
  recordSatisfactionArgsSchema,
  releaseCustomerArgsSchema,
  satisfactionChannels,
  satisfactionScales,
} from '../../shared/api.ts';

const org = '00000000-0000-4000-8000-00000000000a';
const id = '00000000-0000-4000-8000-000000001001';
const identifier = { kind: 'email', value: 'ana@example.com' } as const;
const ok = (schema: { safeParse(value: unknown): { success: boolean } }, value: unknown) => schema.safeParse(value).success;

describe('follow-up, ownership, satisfaction and timeline arguments', () => {
  it('takes the closed sets from the database enums', () => {
    expect(satisfactionScales).toEqual(['csat5', 'nps10']);
    expect(satisfactionChannels).toEqual(['phone', 'mail', 'wechat', 'visit']);
  });

  it('accepts scores within their scale and refuses the rest', () => {
    const visit = (p_score: number, p_scale: string) => ({ p_org: org, p_identifier: identifier, p_score, p_scale, p_channel: 'wechat', p_request_id: id });
    expect([1, 5].map((score) => ok(recordSatisfactionArgsSchema, visit(score, 'csat5')))).toEqual([true, true]);
    expect([0, 6].map((score) => ok(recordSatisfactionArgsSchema, visit(score, 'csat5')))).toEqual([false, false]);
    expect([0, 10, 11].map((score) => ok(recordSatisfactionArgsSchema, visit(score, 'nps10')))).toEqual([true, true, false]);
    expect(ok(recordSatisfactionArgsSchema, visit(4, 'stars'))).toBe(false);
    expect(ok(recordSatisfactionArgsSchema, { ...visit(4, 'csat5'), p_channel: 'fax' })).toBe(false);
  });

  it('checks a follow-up the way the database does', () => {
    const followUp = { p_org: org, p_identifier: identifier, p_due_at: '2026-12-06T09:00:00Z', p_note: null, p_request_id: id };
    expect(ok(addFollowUpArgsSchema, followUp)).toBe(true);
    expect(ok(addFollowUpArgsSchema, { ...followUp, p_note: ` ${'n'.repeat(2000)} ` })).toBe(true);
    expect(ok(addFollowUpArgsSchema, { ...followUp, p_note: 'n'.repeat(2001) })).toBe(false);
    expect(ok(addFollowUpArgsSchema, { ...followUp, p_due_at: 'tomorrow' })).toBe(false);
    expect(ok(releaseCustomerArgsSchema, { p_org: org, p_customer: id, p_reason: 'r'.repeat(501), p_request_id: id })).toBe(false);
  });

  it('takes a timeline cursor only as a pair', () => {
    const page = { p_org: org, p_customer: id };
    expect(ok(customerTimelineArgsSchema, { ...page, p_before: '2026-06-01T12:00:00+00:00', p_before_key: `order:${id}` })).toBe(true);
    expect(ok(customerTimelineArgsSchema, { ...page, p_before_key: `order:${id}` })).toBe(false);
    expect(ok(customerTimelineArgsSchema, { ...page, p_before: '2026-06-01T12:00:00+00:00', p_before_key: "x' or 1=1" })).toBe(false);
    expect(ok(customerTimelineArgsSchema, { ...page, p_limit: 101 })).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { eligibility, localTime, withinHours, workingHoursProblems, type WorkingHours } from '../../src/core/routing/reps.js';
import { buildRep, MONDAY_10_BERLIN } from './builders.js';

const at = (iso: string) => Date.parse(iso);
const weekdays = [1, 2, 3, 4, 5];
const berlin: WorkingHours = { timeZone: 'Europe/Berlin', days: weekdays, start: '09:00', end: '17:30' };
const newYork: WorkingHours = { timeZone: 'America/New_York', days: weekdays, start: '09:00', end: '17:30' };

describe('withinHours', () => {
  const cases: [string, WorkingHours, string, boolean][] = [
    ['Berlin in winter (UTC+1): 07:30 UTC is 08:30 local, before the start', berlin, '2026-03-27T07:30:00Z', false],
    ['Berlin in winter: 08:30 UTC is 09:30 local', berlin, '2026-03-27T08:30:00Z', true],
    ['Berlin after the spring change (UTC+2): 07:30 UTC is already 09:30 local', berlin, '2026-03-30T07:30:00Z', true],
    ['Berlin in winter: 15:45 UTC is 16:45 local, still working', berlin, '2026-03-27T15:45:00Z', true],
    ['Berlin in summer: 15:45 UTC is 17:45 local, past the end', berlin, '2026-03-30T15:45:00Z', false],
    ['Berlin after the autumn change (UTC+1 again): 07:30 UTC is 08:30 local', berlin, '2026-10-26T07:30:00Z', false],
    ['the start minute is inside', berlin, '2026-01-05T08:00:00Z', true],
    ['the end minute is outside', berlin, '2026-01-05T16:30:00Z', false],
    ['the minute before the end is inside', berlin, '2026-01-05T16:29:59Z', true],
    ['New York in winter (UTC-5): 13:30 UTC is 08:30 local', newYork, '2026-03-06T13:30:00Z', false],
    ['New York after its spring change (UTC-4): 13:30 UTC is 09:30 local', newYork, '2026-03-09T13:30:00Z', true],
    ['New York changes three weeks before Berlin: on 18 March 13:30 UTC both are working', newYork, '2026-03-18T13:30:00Z', true],
    ['…and Berlin too, at 14:30 local', berlin, '2026-03-18T13:30:00Z', true],
    ['in January the same UTC time is 08:30 in New York', newYork, '2026-01-14T13:30:00Z', false],
    ['the weekday is the local one: Friday 23:30 UTC is Saturday in Berlin', { ...berlin, start: '00:00', end: '24:00' }, '2026-01-09T23:30:00Z', false],
    ['…and Friday evening in New York is still Friday there', { ...newYork, start: '00:00', end: '24:00' }, '2026-01-10T02:00:00Z', true],
    ['a weekend day not listed is outside', berlin, '2026-01-10T10:00:00Z', false],
  ];
  for (const [name, hours, iso, expected] of cases) {
    it(name, () => {
      expect(withinHours(hours, at(iso))).toBe(expected);
    });
  }

  const night: WorkingHours = { timeZone: 'Europe/Berlin', days: [1], start: '22:00', end: '06:00' };
  it('a night shift runs past midnight and belongs to the day it starts on', () => {
    expect(withinHours(night, at('2026-01-05T21:30:00Z'))).toBe(true); // Mon 22:30
    expect(withinHours(night, at('2026-01-06T02:00:00Z'))).toBe(true); // Tue 03:00, Monday's shift
    expect(withinHours(night, at('2026-01-05T02:00:00Z'))).toBe(false); // Mon 03:00 would be Sunday's shift
    expect(withinHours(night, at('2026-01-06T05:00:00Z'))).toBe(false); // Tue 06:00, the end
    expect(withinHours(night, at('2026-01-06T12:00:00Z'))).toBe(false);
  });

  it('a shift whose end equals its start is empty', () => {
    expect(withinHours({ ...berlin, start: '09:00', end: '09:00' }, at('2026-01-05T08:00:00Z'))).toBe(false);
  });

  it('reads the local weekday and minute from Intl', () => {
    expect(localTime('Europe/Berlin', at('2026-03-29T00:59:00Z'))).toEqual({ day: 0, minute: 1 * 60 + 59 });
    expect(localTime('Europe/Berlin', at('2026-03-29T01:00:00Z'))).toEqual({ day: 0, minute: 3 * 60 });
    expect(localTime('Asia/Kolkata', at('2026-01-05T00:00:00Z'))).toEqual({ day: 1, minute: 5 * 60 + 30 });
  });
});

describe('workingHoursProblems', () => {
  it('accepts valid hours', () => {
    expect(workingHoursProblems(berlin)).toEqual([]);
    expect(workingHoursProblems({ ...berlin, end: '24:00' })).toEqual([]);
  });
  it('names an unknown zone, a bad day, a malformed time and an empty shift', () => {
    expect(workingHoursProblems({ timeZone: 'Mars/Olympus', days: [7], start: '9am', end: '9am' }).map((p) => p.field)).toEqual([
      'hours.timeZone',
      'hours.days',
      'hours.start',
      'hours.end',
    ]);
    expect(workingHoursProblems({ ...berlin, end: '09:00' })).toEqual([{ field: 'hours.end', problem: 'equals start, so the rep would never be working' }]);
  });
});

describe('eligibility', () => {
  const now = MONDAY_10_BERLIN;
  it('an available rep with room is eligible', () => {
    expect(eligibility(buildRep(1, { capacity: 5, openLeads: 4, hours: berlin, caps: { hourly: 3 }, pushed: { lastHour: 2, today: 9, thisWeek: 9 } }), now)).toEqual({ eligible: true });
  });

  const cases: [string, Parameters<typeof buildRep>[1], string, string][] = [
    ['a rep who let this lead go is never pushed it back', { excluded: true }, 'handed_back', 'Rep 1 already let this lead go (expired, released or skipped it)'],
    ['a paused rep is skipped', { paused: true }, 'paused', 'Rep 1 is paused by a manager'],
    ['an away rep is skipped', { availability: 'away' }, 'away', 'Rep 1 is away'],
    ['a rep at capacity is skipped with the numbers', { capacity: 5, openLeads: 5 }, 'at_capacity', 'holds 5 open leads, capacity 5'],
    ['a rep at the hourly cap is skipped', { caps: { hourly: 3 }, pushed: { lastHour: 3, today: 3, thisWeek: 3 } }, 'hourly_cap', 'pushed 3 leads in the last hour, hourly cap 3'],
    ['a rep at the daily cap is skipped', { caps: { daily: 10 }, pushed: { lastHour: 0, today: 10, thisWeek: 10 } }, 'daily_cap', 'pushed 10 leads today, daily cap 10'],
    ['a rep at the weekly cap is skipped', { caps: { weekly: 40 }, pushed: { lastHour: 0, today: 0, thisWeek: 40 } }, 'weekly_cap', 'pushed 40 leads this week, weekly cap 40'],
    [
      'a rep outside their hours is skipped with their hours and local time',
      { hours: { timeZone: 'America/New_York', days: weekdays, start: '09:00', end: '17:30' } },
      'outside_hours',
      'outside working hours (Mon,Tue,Wed,Thu,Fri 09:00-17:30 America/New_York; it is Mon 04:00 there)',
    ],
    ['the reason is the first failing check: handed back before away', { excluded: true, availability: 'away', paused: true }, 'handed_back', 'Rep 1 already let this lead go (expired, released or skipped it)'],
    ['paused comes before away and capacity', { paused: true, availability: 'away', capacity: 0 }, 'paused', 'Rep 1 is paused by a manager'],
  ];
  for (const [name, over, reason, detail] of cases) {
    it(name, () => {
      expect(eligibility(buildRep(1, over), now)).toEqual({ eligible: false, reason, detail });
    });
  }

  it('no capacity and no caps mean no limit', () => {
    expect(eligibility(buildRep(1, { capacity: null, openLeads: 10_000, pushed: { lastHour: 999, today: 999, thisWeek: 999 } }), now).eligible).toBe(true);
  });
});

/**
 * list_images' `since` and `until`: a local day or an ISO date-time, each part checked, so a date
 * that is not on the calendar is refused instead of rolled over into the next month.
 */
import { describe, expect, it } from 'vitest';
import { ToolFailure } from '../../src/core/failure.js';
import { parseTime } from '../../src/tools/list-images.js';

describe('parseTime', () => {
  it('reads a day as local time: its first millisecond for since, its last for until', () => {
    expect(parseTime('since', '2026-11-22').getTime()).toBe(new Date(2026, 10, 22).getTime());
    expect(parseTime('until', '2026-11-22').getTime()).toBe(new Date(2026, 10, 23).getTime() - 1);
    expect(parseTime('until', '2028-02-29').getTime()).toBe(new Date(2028, 2, 1).getTime() - 1);
    expect(parseTime('since', ' 2026-12-31 ').getTime()).toBe(new Date(2026, 11, 31).getTime());
  });

  it('reads an ISO date-time: with Z or an offset as given, without one as local time', () => {
    expect(parseTime('since', '2026-11-22T14:05:00Z').getTime()).toBe(Date.UTC(2026, 10, 22, 14, 5));
    expect(parseTime('since', '2026-11-22T14:05:00.25+01:00').getTime()).toBe(Date.UTC(2026, 10, 22, 13, 5, 0, 250));
    expect(parseTime('since', '2026-11-22T14:05-0530').getTime()).toBe(Date.UTC(2026, 10, 22, 19, 35));
    expect(parseTime('until', '2026-11-22T14:05').getTime()).toBe(new Date(2026, 10, 22, 14, 5).getTime());
    expect(parseTime('until', '2026-11-22 23:59:59z').getTime()).toBe(Date.UTC(2026, 10, 22, 23, 59, 59));
  });

  it('refuses what is not on the calendar or the clock, naming the part', () => {
    const refusal = (text: string): string => {
      try {
        parseTime('since', text);
      } catch (error) {
        expect(error).toBeInstanceOf(ToolFailure);
        return (error as ToolFailure).message;
      }
      throw new Error(`${text} was accepted`);
    };
    expect(refusal('2026-13-01')).toMatch(
      /^since "2026-13-01" is not a real date or time \(month 13 does not exist\): use /,
    );
    expect(refusal('2026-02-29')).toContain('(day 29 is not in 2026-02)');
    expect(refusal('1900-02-29')).toContain('(day 29 is not in 1900-02)');
    expect(refusal('2026-06-00')).toContain('(day 0 is not in 2026-06)');
    expect(refusal('2026-11-22T24:00:00Z')).toContain('(hour 24 is past 23)');
    expect(refusal('2026-11-22T12:00:61Z')).toContain('(second 61 is past 59)');
    expect(refusal('2026-11-22T12:00+25:00')).toContain('(offset +25:00 does not exist)');
    for (const odd of ['', 'someday', '1', '2026', '2026-11', '22.11.2026', 'Sun Nov 22 2026', '+002026-11-22'])
      expect(refusal(odd)).toContain('is not a date or time: use "2026-11-22" (YYYY-MM-DD');
  });
});

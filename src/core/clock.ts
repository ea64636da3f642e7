/**
 * Time is a parameter. Everything that needs "now" gets a Clock, so the server,
 * the tests and the simulator agree on what time it is. Times are epoch milliseconds.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: timers in tests fire by `tick`, never by sleeping. */
export class TestClock implements Clock {
  #now: number;
  constructor(start: number | string = '2026-01-05T09:00:00Z') {
    this.#now = typeof start === 'number' ? start : Date.parse(start);
  }
  now(): number {
    return this.#now;
  }
  tick(ms: number): number {
    if (ms < 0) throw new RangeError('TestClock cannot go backwards');
    this.#now += ms;
    return this.#now;
  }
  set(at: number | string): void {
    const next = typeof at === 'number' ? at : Date.parse(at);
    if (next < this.#now) throw new RangeError('TestClock cannot go backwards');
    this.#now = next;
  }
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventQueue, type PoppedEvent } from '../../src/sim/event-queue.js';

describe('EventQueue', () => {
  it('gives events in time order, and events at the same time in the order they were scheduled', () => {
    const q = new EventQueue();
    q.push(30, 1, 1);
    q.push(10, 1, 2);
    q.push(20, 1, 3);
    q.push(10, 1, 4);
    const out: number[] = [];
    const ev: PoppedEvent = { time: 0, kind: 0, a: 0, b: 0 };
    while (q.pop(ev)) out.push(ev.a);
    expect(out).toEqual([2, 4, 3, 1]);
  });

  it('pops exactly what a stable sort by time gives, for any schedule (interleaved pushes and pops)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean()), { maxLength: 400 }), (ops) => {
        const q = new EventQueue();
        const model: { t: number; id: number }[] = [];
        const ev: PoppedEvent = { time: 0, kind: 0, a: 0, b: 0 };
        let id = 0;
        let floor = 0;
        for (const [dt, pop] of ops) {
          if (pop && model.length) {
            model.sort((a, b) => a.t - b.t || a.id - b.id);
            const want = model.shift()!;
            expect(q.pop(ev)).toBe(true);
            expect([ev.time, ev.a]).toEqual([want.t, want.id]);
            floor = want.t;
          } else {
            const t = floor + dt;
            q.push(t, 1, id);
            model.push({ t, id: id++ });
          }
        }
        expect(q.size).toBe(model.length);
      }),
      { numRuns: 200 },
    );
  });
});

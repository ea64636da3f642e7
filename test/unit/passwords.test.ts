import { describe, expect, it } from 'vitest';
import { HASHES_AT_ONCE, hashPassword, limitedHashing, verifyPassword } from '../../src/server/passwords.js';

/** A piece of work the test finishes by hand. */
function gate<T>(value: T) {
  let open!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<T>((resolve, reject) => {
    open = () => resolve(value);
    fail = reject;
  });
  return { done, open, fail };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('password hashing', () => {
  it('runs at most HASHES_AT_ONCE at a time, the rest in arrival order, and a failure frees its turn', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const gates = Array.from({ length: 6 }, (_, i) => gate(i));
    const results = gates.map((g, i) =>
      limitedHashing(async () => {
        started.push(i);
        most = Math.max(most, ++running);
        try {
          return await g.done;
        } finally {
          running--;
        }
      }).catch((err: Error) => err.message),
    );
    await settle();
    expect(started).toEqual([0, 1]); // HASHES_AT_ONCE is 2
    gates[1]!.fail(new Error('boom'));
    await settle();
    expect(started).toEqual([0, 1, 2]);
    for (const g of [gates[0]!, gates[2]!, gates[3]!, gates[4]!, gates[5]!]) {
      g.open();
      await settle();
    }
    expect(await Promise.all(results)).toEqual([0, 'boom', 2, 3, 4, 5]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(HASHES_AT_ONCE);
  });

  it('many sign-ins at once all get their answer', async () => {
    const stored = await hashPassword('correct horse');
    const checks = await Promise.all(['correct horse', 'wrong', 'correct horse', 'Correct horse', 'correct horse'].map((p) => verifyPassword(stored, p)));
    expect(checks).toEqual([true, false, true, false, true]);
  });
});

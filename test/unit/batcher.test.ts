import { describe, expect, it } from 'vitest';
import { Batcher } from '../../src/store/postgres/batcher.js';

/** A batch run the test finishes by hand, to see who waits and who goes together. */
interface Run {
  key: string;
  reqs: string[];
  finish: (out?: (string | Promise<string>)[]) => void;
  fail: (err: unknown) => void;
}

function harness(maxInFlight: number, maxBatch: number, fits?: (b: readonly string[], r: string) => boolean) {
  const runs: Run[] = [];
  const batcher = new Batcher<string, string, string>({
    maxInFlight,
    maxBatch,
    fits,
    run: (key, reqs) =>
      new Promise((resolve, reject) => {
        runs.push({ key, reqs: [...reqs], finish: (out) => resolve(out ?? reqs.map((r) => `${r}!`)), fail: reject });
      }),
  });
  return { batcher, runs };
}

/** The end of this event-loop turn, where the batcher starts what waits. */
const tick = () => new Promise((r) => setImmediate(r));

describe('Batcher', () => {
  it('runs a lone request alone, at the end of the event-loop turn', async () => {
    const { batcher, runs } = harness(2, 10);
    const a = batcher.submit('p', 'a');
    expect(runs).toEqual([]);
    await tick();
    expect(runs.map((r) => r.reqs)).toEqual([['a']]);
    runs[0]!.finish();
    expect(await a).toBe('a!');
  });

  it('spreads the requests of one turn over the free slots; while all run, later ones wait and then go together, in arrival order', async () => {
    const { batcher, runs } = harness(2, 10);
    const all = ['a', 'b', 'c'].map((r) => batcher.submit('p', r));
    await tick();
    expect(runs.map((r) => r.reqs)).toEqual([['a', 'b'], ['c']]);
    all.push(...['d', 'e', 'f'].map((r) => batcher.submit('p', r)));
    await tick();
    expect(runs).toHaveLength(2);
    runs[1]!.finish();
    await tick();
    await tick();
    expect(runs.map((r) => r.reqs)).toEqual([['a', 'b'], ['c'], ['d', 'e', 'f']]);
    runs[0]!.finish();
    runs[2]!.finish();
    expect(await Promise.all(all)).toEqual(['a!', 'b!', 'c!', 'd!', 'e!', 'f!']);
  });

  it('keys are independent lanes', async () => {
    const { batcher, runs } = harness(1, 10);
    void batcher.submit('p', 'a');
    void batcher.submit('q', 'b');
    await tick();
    void batcher.submit('p', 'c');
    await tick();
    expect(runs.map((r) => [r.key, r.reqs])).toEqual([
      ['p', ['a']],
      ['q', ['b']],
    ]);
  });

  it('caps a batch at maxBatch and keeps a request that does not fit for a later batch', async () => {
    const { batcher, runs } = harness(1, 3, (batch, r) => !batch.includes(r));
    const all = [batcher.submit('p', 'x')];
    await tick();
    all.push(...['a', 'a', 'b', 'c', 'd'].map((r) => batcher.submit('p', r)));
    runs[0]!.finish();
    await tick();
    await tick();
    expect(runs[1]!.reqs).toEqual(['a', 'b', 'c']);
    runs[1]!.finish();
    await tick();
    await tick();
    expect(runs[2]!.reqs).toEqual(['a', 'd']);
    runs[2]!.finish();
    expect(await Promise.all(all)).toEqual(['x!', 'a!', 'a!', 'b!', 'c!', 'd!']);
  });

  it('a rejected result rejects only its request; a failed run rejects its whole batch and the lane goes on', async () => {
    const { batcher, runs } = harness(1, 10);
    const first = batcher.submit('p', 'x');
    await tick();
    const batch = ['a', 'b'].map((r) => batcher.submit('p', r));
    runs[0]!.fail(new Error('down'));
    await expect(first).rejects.toThrow('down');
    await tick();
    runs[1]!.finish(['a!', Promise.reject(new Error('b failed'))]);
    await expect(batch[0]).resolves.toBe('a!');
    await expect(batch[1]).rejects.toThrow('b failed');
    const later = batcher.submit('p', 'z');
    await tick();
    expect(runs[2]!.reqs).toEqual(['z']);
    runs[2]!.finish();
    expect(await later).toBe('z!');
  });
});

import { useSyncExternalStore } from 'react';

/** Shared tickers: one interval per period however many components show a clock. */
interface Ticker {
  now: number;
  subs: Set<() => void>;
  timer: ReturnType<typeof setInterval> | undefined;
  /** Stable, so React does not resubscribe on every render. */
  subscribe: (cb: () => void) => () => void;
  getSnapshot: () => number;
}

const tickers = new Map<number, Ticker>();

function ticker(period: number): Ticker {
  const existing = tickers.get(period);
  if (existing) return existing;
  const tk: Ticker = {
    now: Date.now(),
    subs: new Set(),
    timer: undefined,
    subscribe: (cb) => {
      tk.subs.add(cb);
      if (!tk.timer) {
        tk.timer = setInterval(() => {
          tk.now = Date.now();
          tk.subs.forEach((f) => f());
        }, period);
        // The first subscriber after an idle spell may have rendered a stale time.
        if (Date.now() - tk.now >= period) {
          tk.now = Date.now();
          queueMicrotask(() => tk.subs.forEach((f) => f()));
        }
      }
      return () => {
        tk.subs.delete(cb);
        if (tk.subs.size === 0 && tk.timer) {
          clearInterval(tk.timer);
          tk.timer = undefined;
        }
      };
    },
    getSnapshot: () => tk.now,
  };
  tickers.set(period, tk);
  return tk;
}

/** The current time in ms, re-rendering the caller every `period` ms. */
export function useNow(period = 1000): number {
  const tk = ticker(period);
  return useSyncExternalStore(tk.subscribe, tk.getSnapshot);
}

export function msSince(iso: string | null | undefined, now: number): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : now - t;
}

export function msUntil(iso: string | null | undefined, now: number): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t - now;
}

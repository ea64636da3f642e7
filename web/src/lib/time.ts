import { useSyncExternalStore } from 'react';

/** Shared tickers: one interval per period however many components show a clock. */
interface Ticker {
  now: number;
  subs: Set<() => void>;
  timer: ReturnType<typeof setInterval> | undefined;
}

const tickers = new Map<number, Ticker>();

function ticker(period: number): Ticker {
  let tk = tickers.get(period);
  if (!tk) {
    tk = { now: Date.now(), subs: new Set(), timer: undefined };
    tickers.set(period, tk);
  }
  return tk;
}

/** The current time in ms, re-rendering the caller every `period` ms. */
export function useNow(period = 1000): number {
  const tk = ticker(period);
  return useSyncExternalStore(
    (cb) => {
      tk.subs.add(cb);
      if (!tk.timer) {
        tk.now = Date.now();
        tk.timer = setInterval(() => {
          tk.now = Date.now();
          tk.subs.forEach((f) => f());
        }, period);
        queueMicrotask(cb);
      }
      return () => {
        tk.subs.delete(cb);
        if (tk.subs.size === 0 && tk.timer) {
          clearInterval(tk.timer);
          tk.timer = undefined;
        }
      };
    },
    () => tk.now,
  );
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

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api } from '../api/client.js';
import { useLeadStream } from '../api/stream.js';
import type { Pool } from '../api/types.js';
import { peekPools, takePools } from '../lib/first-page.js';

interface PoolsState {
  pools: Pool[] | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

const PoolsContext = createContext<PoolsState | null>(null);

/**
 * The pools the viewer may see, with counts and oldest age. Kept fresh from the live
 * stream (debounced: a burst of events costs one request).
 */
export function PoolsProvider({ children }: { children: ReactNode }) {
  // The early pool list, when it has already come: the first render shows the page, not a spinner.
  const [early] = useState(peekPools);
  const [pools, setPools] = useState<Pool[] | null>(early);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(early === null);
  const ctrl = useRef<AbortController | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = useCallback(() => {
    ctrl.current?.abort();
    const c = new AbortController();
    ctrl.current = c;
    setLoading(true);
    (takePools() ?? api.pools(c.signal)).then(
      ({ items }) => {
        if (c.signal.aborted) return;
        setPools(items);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (c.signal.aborted) return;
        setError(err);
        setLoading(false);
      },
    );
  }, []);

  useEffect(() => {
    // Shown from the early answer: take it (so nobody takes it again) instead of asking.
    if (!(early && takePools())) load();
    return () => {
      ctrl.current?.abort();
      clearTimeout(timer.current);
    };
  }, [load, early]);

  useLeadStream(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(load, 700);
  });

  const value = useMemo(() => ({ pools, error, loading, reload: load }), [pools, error, loading, load]);
  return <PoolsContext.Provider value={value}>{children}</PoolsContext.Provider>;
}

export function usePools(): PoolsState {
  const ctx = useContext(PoolsContext);
  if (!ctx) throw new Error('usePools outside PoolsProvider');
  return ctx;
}

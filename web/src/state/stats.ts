import { useCallback, useEffect, useRef, useState } from 'react';
import { api, isAbort } from '../api/client.js';
import { useLeadStream } from '../api/stream.js';
import { sameId, type MyStats } from '../api/types.js';
import { useAuth } from './auth.js';

/** The rep's own numbers (GET /me/stats), refreshed when the live stream shows their leads moving. */
export function useMyStats(): { stats: MyStats | null; error: unknown; reload: () => void } {
  const { user } = useAuth();
  const [stats, setStats] = useState<MyStats | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [key, setKey] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    const c = new AbortController();
    api.myStats(c.signal).then(
      (s) => {
        setStats(s);
        setError(null);
      },
      (err: unknown) => {
        if (!isAbort(err)) setError(err);
      },
    );
    return () => c.abort();
  }, [key]);

  useEffect(() => () => clearTimeout(timer.current), []);

  const reload = useCallback(() => setKey((k) => k + 1), []);

  useLeadStream((m) => {
    const mine = m.kind === 'resync' || sameId(m.event.ownerId, user?.id) || m.event.type === 'lead.released' || m.event.type === 'lead.expired';
    if (!mine) return;
    clearTimeout(timer.current);
    timer.current = setTimeout(reload, 800);
  });

  return { stats, error, reload };
}

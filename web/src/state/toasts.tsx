import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.js';

export interface ToastInput {
  kind?: 'info' | 'success' | 'error' | 'warning';
  message: string;
  detail?: string;
  /** One button, e.g. Undo. Running it closes the toast without `onTimeout`. */
  action?: { label: string; run: () => void };
  /** ms; errors and toasts with an action stay longer. Paused while hovered or focused. */
  timeoutMs?: number;
  /** Runs when the toast closes by time or by its close button (commit of an undoable action). */
  onTimeout?: () => void;
}

interface Toast extends ToastInput {
  id: number;
}

interface Toaster {
  show: (t: ToastInput) => number;
  dismiss: (id: number) => void;
}

const ToastContext = createContext<Toaster | null>(null);
let nextId = 1;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const pending = useRef(new Map<number, () => void>());

  const remove = useCallback((id: number, commit: boolean) => {
    const fn = pending.current.get(id);
    pending.current.delete(id);
    setToasts((ts) => ts.filter((t) => t.id !== id));
    if (commit && fn) fn();
  }, []);

  const show = useCallback((t: ToastInput) => {
    const id = nextId++;
    if (t.onTimeout) pending.current.set(id, t.onTimeout);
    setToasts((ts) => {
      // Keep the stack short: the oldest plain toast leaves first. A toast with an action
      // (Undo) is never pushed out before its time.
      let next = [...ts, { ...t, id }];
      while (next.length > 3) {
        const i = next.findIndex((x) => !x.action);
        if (i === -1 || i === next.length - 1) break;
        next = next.filter((_, j) => j !== i);
      }
      return next;
    });
    return id;
  }, []);

  // Leaving the page commits what is pending (a release with undo must still happen).
  useEffect(() => {
    const flush = () => {
      pending.current.forEach((fn) => fn());
      pending.current.clear();
    };
    window.addEventListener('pagehide', flush);
    return () => window.removeEventListener('pagehide', flush);
  }, []);

  const value = useMemo(() => ({ show, dismiss: (id: number) => remove(id, true) }), [show, remove]);

  return (
    <ToastContext.Provider value={value}>
      {children}
      <ToastRegion toasts={toasts} remove={remove} />
    </ToastContext.Provider>
  );
}

function ToastRegion({ toasts, remove }: { toasts: Toast[]; remove: (id: number, commit: boolean) => void }) {
  const { t } = useI18n();
  return (
    <section className="toasts" aria-label={t('common.notifications')}>
      <div role="status" aria-live="polite" className="toast-stack">
        {toasts
          .filter((x) => x.kind !== 'error')
          .map((x) => (
            <ToastItem key={x.id} toast={x} remove={remove} />
          ))}
      </div>
      <div role="alert" aria-live="assertive" className="toast-stack">
        {toasts
          .filter((x) => x.kind === 'error')
          .map((x) => (
            <ToastItem key={x.id} toast={x} remove={remove} />
          ))}
      </div>
    </section>
  );
}

function ToastItem({ toast, remove }: { toast: Toast; remove: (id: number, commit: boolean) => void }) {
  const { t } = useI18n();
  const [paused, setPaused] = useState(false);
  const left = useRef(toast.timeoutMs ?? (toast.kind === 'error' ? 8000 : toast.action ? 6000 : 4000));

  useEffect(() => {
    if (paused) return;
    const started = Date.now();
    const timer = setTimeout(() => remove(toast.id, true), left.current);
    return () => {
      clearTimeout(timer);
      left.current = Math.max(1500, left.current - (Date.now() - started));
    };
  }, [paused, remove, toast.id]);

  return (
    <div
      className={`toast toast-${toast.kind ?? 'info'}`}
      onMouseEnter={() => setPaused(true)}
      onMouseLeave={() => setPaused(false)}
      onFocus={() => setPaused(true)}
      onBlur={() => setPaused(false)}
    >
      <div className="toast-text">
        <p>{toast.message}</p>
        {toast.detail ? <p className="toast-detail">{toast.detail}</p> : null}
      </div>
      {toast.action ? (
        <button
          type="button"
          className="btn btn-small btn-ghost"
          onClick={() => {
            const run = toast.action!.run;
            remove(toast.id, false);
            run();
          }}
        >
          {toast.action.label}
        </button>
      ) : null}
      <button type="button" className="icon-btn" aria-label={t('common.dismiss')} onClick={() => remove(toast.id, true)}>
        <span aria-hidden="true">×</span>
      </button>
    </div>
  );
}

export function useToasts(): Toaster {
  const ctx = useContext(ToastContext);
  if (!ctx) throw new Error('useToasts outside ToastProvider');
  return ctx;
}

import { useCallback, useRef } from 'react';
import { api } from '../api/client.js';
import type { Lead } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { describeError } from '../lib/errors.js';
import { useToasts } from '../state/toasts.js';

interface Handlers {
  /** Hide the lead at once (it is on its way back to the pool). */
  onHide: (lead: Lead) => void;
  /** Undo, or the server refused: show it again. */
  onRestore: (lead: Lead) => void;
  /** The server released it. */
  onDone?: (lead: Lead) => void;
}

/** How long Undo is offered before the release is sent (paused while the toast is hovered or focused). */
export const RELEASE_UNDO_MS = 5000;

/**
 * Release with undo instead of "are you sure?": the lead disappears at once, a toast
 * offers Undo for RELEASE_UNDO_MS, and only then is POST /leads/{id}/release sent (also
 * when the page is left or the toast is dismissed: the toast system commits pending
 * actions). Until then the server still shows the lead as held by the rep; tests wait
 * for the release request itself.
 */
export function useRelease(handlers: Handlers): (lead: Lead) => void {
  const i18n = useI18n();
  const toasts = useToasts();
  const ref = useRef(handlers);
  ref.current = handlers;
  const i18nRef = useRef(i18n);
  i18nRef.current = i18n;

  return useCallback(
    (lead: Lead) => {
      const { t } = i18nRef.current;
      const company = lead.company ?? `#${String(lead.id)}`;
      ref.current.onHide(lead);
      toasts.show({
        kind: 'info',
        message: t('act.released', { company }),
        action: { label: t('common.undo'), run: () => ref.current.onRestore(lead) },
        timeoutMs: RELEASE_UNDO_MS,
        onTimeout: () => {
          api.release(lead.id).then(
            () => ref.current.onDone?.(lead),
            (err: unknown) => {
              ref.current.onRestore(lead);
              const shown = describeError(err, i18nRef.current);
              toasts.show({
                kind: 'error',
                message: i18nRef.current.t('act.releaseFailed', { company }),
                detail: [shown.message, shown.unblock].filter(Boolean).join(' '),
              });
            },
          );
        },
      });
    },
    [toasts],
  );
}

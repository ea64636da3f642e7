import { useEffect, useId, useRef } from 'react';
import { useI18n } from '../../i18n/i18n.js';
import { useToasts } from '../../state/toasts.js';

/** A value shown once (a webhook secret, an intake URL or token) with a Copy button. */
export function CopyField({ label, value, autoSelect }: { label: string; value: string; autoSelect?: boolean }) {
  const { t } = useI18n();
  const toasts = useToasts();
  const id = useId();
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (autoSelect) ref.current?.select();
  }, [autoSelect, value]);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input id={id} ref={ref} readOnly value={value} className="mono" onFocus={(e) => e.target.select()} />
        <button
          type="button"
          className="btn btn-small"
          aria-label={`${t('wh.copy')}: ${label}`}
          onClick={() => {
            void navigator.clipboard?.writeText(value).then(
              () => toasts.show({ kind: 'success', message: t('wh.copied') }),
              () => ref.current?.select(),
            );
          }}
        >
          {t('wh.copy')}
        </button>
      </div>
    </div>
  );
}

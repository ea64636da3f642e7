import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { SKIP_REASONS, type SkipReason } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';

/**
 * Why a rep hands a queue lead back: one keystroke (1–6) from a short list, an optional
 * note. Skips are the cherry-pick signal managers see, so the reason is not optional.
 */
export function SkipMenu({ onPick, onCancel, busy }: { onPick: (r: SkipReason, note?: string) => void; onCancel: () => void; busy: boolean }) {
  const { t } = useI18n();
  const id = useId();
  const first = useRef<HTMLButtonElement>(null);
  const [note, setNote] = useState('');

  useEffect(() => first.current?.focus(), []);

  const pick = (r: SkipReason) => {
    if (!busy) onPick(r, note.trim() || undefined);
  };

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onCancel();
      return;
    }
    if ((e.target as HTMLElement).tagName === 'INPUT') return;
    const n = Number(e.key);
    if (Number.isInteger(n) && n >= 1 && n <= SKIP_REASONS.length) {
      e.preventDefault();
      pick(SKIP_REASONS[n - 1]!);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const buttons = Array.from(e.currentTarget.querySelectorAll<HTMLButtonElement>('button[data-reason]'));
      const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
      buttons[(i + (e.key === 'ArrowDown' ? 1 : -1) + buttons.length) % buttons.length]?.focus();
    }
  };

  return (
    <div className="skip-menu" role="group" aria-labelledby={`${id}-title`} onKeyDown={onKey}>
      <p className="field-label" id={`${id}-title`}>
        {t('skip.title')}
      </p>
      <p className="muted small">{t('skip.hint')}</p>
      <ul className="skip-list">
        {SKIP_REASONS.map((r, i) => (
          <li key={r}>
            <button
              type="button"
              ref={i === 0 ? first : undefined}
              data-reason={r}
              className="skip-option"
              disabled={busy}
              aria-keyshortcuts={String(i + 1)}
              onClick={() => pick(r)}
            >
              <kbd aria-hidden="true">{i + 1}</kbd> {t(`skip.${r}`)}
            </button>
          </li>
        ))}
      </ul>
      <div className="field">
        <label htmlFor={`${id}-note`}>{t('skip.note')}</label>
        <input id={`${id}-note`} value={note} maxLength={1000} onChange={(e) => setNote(e.target.value)} autoComplete="off" />
      </div>
      <button type="button" className="btn btn-ghost btn-small" onClick={onCancel}>
        {t('common.cancel')}
      </button>
    </div>
  );
}

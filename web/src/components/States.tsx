import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.js';
import { describeError } from '../lib/errors.js';

export function Loading({ label, compact }: { label?: string; compact?: boolean }) {
  const { t } = useI18n();
  return (
    <div className={compact ? 'state state-compact' : 'state'} role="status">
      <span className="spinner" aria-hidden="true" />
      <span>{label ?? t('common.loading')}</span>
    </div>
  );
}

export function ErrorState({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  const i18n = useI18n();
  const shown = describeError(error, i18n);
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">{title ?? i18n.t('error.title')}</p>
      <p>{shown.message}</p>
      {shown.unblock ? <p className="unblock">{shown.unblock}</p> : null}
      {onRetry ? (
        <button type="button" className="btn" onClick={onRetry}>
          {i18n.t('common.retry')}
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ title, children, icon = '○' }: { title: string; children?: ReactNode; icon?: string }) {
  return (
    <div className="state state-empty">
      <span className="state-icon" aria-hidden="true">
        {icon}
      </span>
      <p className="state-title">{title}</p>
      {children}
    </div>
  );
}

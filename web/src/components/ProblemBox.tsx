import type { ShownError } from '../lib/errors.js';
import { useI18n } from '../i18n/i18n.js';

/** An error for a person: the rule that refused (if any), its message and what would unblock them. */
export function ProblemBox({ error, className = 'form-error' }: { error: ShownError; className?: string }) {
  const { t } = useI18n();
  return (
    <div className={className} role="alert">
      {error.rule ? <p className="problem-rule">{t('rule.refusedBy', { rule: error.rule })}</p> : null}
      <p>{error.message}</p>
      {error.unblock ? (
        <p className="unblock">
          <span className="unblock-label">{t('rule.unblock')}</span> {error.unblock}
        </p>
      ) : null}
    </div>
  );
}

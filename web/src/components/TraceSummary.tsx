import type { DecisionTrace } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { fallbackWords, ruleWhy, skipDetail } from '../lib/trace-words.js';

/** A routing decision in a lead's history, in the reader's language: the rule, why others missed, who was skipped. */
export function TraceSummary({ trace }: { trace: DecisionTrace }) {
  const i18n = useI18n();
  const { t, tx } = i18n;
  const matched = trace.rules.find((r) => r.id === trace.matchedRuleId);
  const fellBack = fallbackWords(trace.outcome, i18n);
  return (
    <details className="trace-summary">
      <summary>{matched ? t('traceView.rule', { name: matched.name }) : t('traceView.noRule')}</summary>
      {fellBack ? (
        <p className="trace-fallback">
          <strong>{t('traceView.fellBack')}</strong> {fellBack}
        </p>
      ) : null}
      {trace.rules.length ? (
        <>
          <p className="trace-h">{t('traceView.rules')}</p>
          <ol className="trace-rules">
            {trace.rules.map((r) => (
              <li key={r.id} className={r.matched ? 'hit' : 'miss'}>
                <span className="trace-mark" aria-hidden="true">
                  {r.matched ? '✓' : '✗'}
                </span>
                <span className="sr-only">{r.matched ? t('traceView.hit') : t('traceView.miss')}: </span>
                <span className="trace-rule-name">{r.name}</span> <span className="trace-why">{ruleWhy(r, i18n)}</span>
              </li>
            ))}
          </ol>
        </>
      ) : null}
      {trace.skipped.length ? (
        <>
          <p className="trace-h">{t('traceView.skipped')}</p>
          <ul className="trace-skipped">
            {trace.skipped.map((s) => (
              <li key={s.userId}>
                <strong>{s.name}</strong> <span className="muted small">{tx(`traceCount.${s.reason}`, s.reason, { n: '' }).trim()}</span> ·{' '}
                <span className="small">{skipDetail(s, i18n)}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </details>
  );
}

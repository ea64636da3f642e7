import type { LeadStatus, PoolMode } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';

export function ModeBadge({ mode }: { mode: PoolMode }) {
  const { t } = useI18n();
  return <span className={`badge badge-mode-${mode}`}>{t(`mode.${mode}`)}</span>;
}

export function StatusBadge({ status }: { status: LeadStatus }) {
  const { tx } = useI18n();
  return <span className={`badge badge-status-${status}`}>{tx(`status.${status}`, status)}</span>;
}

/** Score as a number with a small bar; the bar is decoration, the number is the value. */
export function Score({ value }: { value: number | null | undefined }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  const pct = Math.max(0, Math.min(100, value));
  const tone = value >= 80 ? 'hot' : value >= 50 ? 'warm' : 'cool';
  return (
    <span className={`score score-${tone}`}>
      <span className="score-num">{value}</span>
      <span className="score-bar" aria-hidden="true">
        <span style={{ width: `${pct}%` }} />
      </span>
    </span>
  );
}

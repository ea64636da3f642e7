import type { Lead } from '../api/types.js';
import { clock, useI18n } from '../i18n/i18n.js';
import { msUntil, useNow } from '../lib/time.js';

/** Below this a running lock shows in the warning colour. */
export const WARN_MS = 3 * 60 * 1000;

/**
 * The lock countdown on a held lead: mm:ss, warning colour near the end, and
 * "contacted — no timer" once an activity stopped it.
 */
export function LockTimer({ lead }: { lead: Lead }) {
  const { t } = useI18n();
  if (!lead.lockExpiresAt) {
    if (lead.status === 'contacted') return <span className="timer timer-off">{t('lock.noTimer')}</span>;
    return <span className="timer timer-off">{t('lock.none')}</span>;
  }
  return <RunningTimer expiresAt={lead.lockExpiresAt} claimedAt={lead.claimedAt ?? null} />;
}

function RunningTimer({ expiresAt, claimedAt }: { expiresAt: string; claimedAt: string | null }) {
  const { t } = useI18n();
  const now = useNow(1000);
  // The tick's `now` can be up to a second older than the claim: never show more than the lock's length (15:01 on a 15-minute lock).
  const length = claimedAt ? Date.parse(expiresAt) - Date.parse(claimedAt) : Number.POSITIVE_INFINITY;
  const left = Math.min(msUntil(expiresAt, now) ?? 0, Number.isNaN(length) ? Number.POSITIVE_INFINITY : length);
  if (left <= 0) return <span className="timer timer-expired">{t('lock.expired')}</span>;
  const warn = left <= WARN_MS;
  return (
    <span className={warn ? 'timer timer-warn' : 'timer'}>
      <span className="timer-dot" aria-hidden="true" />
      <time dateTime={`PT${Math.ceil(left / 1000)}S`}>{clock(left)}</time>
      <span className="sr-only"> {t('lock.left')}</span>
    </span>
  );
}

import { ApiError, isAbort } from '../api/client.js';
import type { I18n } from '../i18n/i18n.js';

export interface ShownError {
  code: string;
  message: string;
  /** The fair-play rule that refused, by name ("Hoarding limit"). */
  rule?: string;
  /** What would unblock the rep (from a rule refusal), when the server says. */
  unblock?: string;
}

const LOCALIZED = new Set([
  'LEAD_ALREADY_CLAIMED',
  'CLAIM_BY_ID_IN_QUEUE',
  'NOT_YOUR_LEAD',
  'FORBIDDEN',
  'LEAD_NOT_FOUND',
  'POOL_NOT_FOUND',
  'TOO_MANY_ATTEMPTS',
]);

const RULES = new Set(['RULE_HOARDING_LIMIT', 'RULE_DIVERSITY', 'RULE_DAILY_CAP', 'RULE_DETAIL_VIEW_LIMIT', 'RULE_SKIP_LIMIT']);

/**
 * A fair-play refusal in the user's language: the server's English sentence in English,
 * a translation from the refusal's numbers otherwise (the rule is named either way).
 */
function describeRule(err: ApiError, i18n: Pick<I18n, 't' | 'tx' | 'lang'>): ShownError {
  const d = err.details ?? {};
  const vars: Record<string, string | number> = {};
  for (const k of ['current', 'limit', 'threshold']) {
    const v = d[k];
    if (typeof v === 'number') vars[k] = v;
  }
  const rule = i18n.tx(`rule.${err.code}`, err.code);
  if (i18n.lang === 'en') {
    return { code: err.code, rule, message: err.message, ...(err.unblock ? { unblock: err.unblock } : {}) };
  }
  const message = i18n.tx(`ruleMsg.${err.code}`, err.message, vars);
  const unblock = i18n.tx(`ruleUnblock.${err.code}`, err.unblock ?? '', vars);
  return { code: err.code, rule, message, ...(unblock ? { unblock } : {}) };
}

/** Turns anything thrown by the API client into words for a person. */
export function describeError(err: unknown, i18n: Pick<I18n, 't' | 'tx' | 'lang'>): ShownError {
  if (err instanceof ApiError && RULES.has(err.code)) return describeRule(err, i18n);
  if (err instanceof ApiError) {
    // Rule refusals (RULE_*) and validation problems carry the server's own sentence.
    const message = LOCALIZED.has(err.code)
      ? i18n.tx(`error.${err.code}`, err.message)
      : err.message || i18n.t('error.generic');
    return err.unblock ? { code: err.code, message, unblock: err.unblock } : { code: err.code, message };
  }
  if (err instanceof TypeError) return { code: 'NETWORK', message: i18n.t('error.network') };
  if (isAbort(err)) return { code: 'ABORTED', message: '' };
  return { code: 'UNKNOWN', message: i18n.t('error.generic') };
}

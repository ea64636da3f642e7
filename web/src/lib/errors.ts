import { ApiError, isAbort } from '../api/client.js';
import type { I18n } from '../i18n/i18n.js';

export interface ShownError {
  code: string;
  message: string;
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

/** Turns anything thrown by the API client into words for a person. */
export function describeError(err: unknown, i18n: Pick<I18n, 't' | 'tx'>): ShownError {
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

import { createHash, randomBytes } from 'node:crypto';

/** Session tokens and API keys are random; only their SHA-256 is stored. */
export function newToken(prefix: 'lps' | 'lpk'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Rows of the measurement rollup (migration 7) as both stores read them; PostgreSQL's bigints come as strings. */
import type { ClaimFact, RollupRow } from '../core/metrics-rollup.js';

export const BANDS10 = Array.from({ length: 10 }, (_, k) => `b${k}`);

export function rollupRowFrom(r: Record<string, unknown>): RollupRow {
  const n = (k: string) => Number(r[k] ?? 0);
  return {
    userId: n('user_id'),
    source: String(r.source),
    claims: n('claims'),
    measured: n('measured'),
    pctSum: n('pct_sum'),
    scoreSum: n('score_sum'),
    contacted: n('contacted'),
    expired: n('expired'),
    released: n('released'),
    skipped: n('skipped'),
    converted: n('converted'),
    bands: BANDS10.map(n),
  };
}

export interface ClaimFactRow {
  user_id: number | string;
  source: string;
  claimed_at: number | string;
  lead_created_at: number | string;
  score: number;
  industry: string;
  score_percentile: number | null;
  industry_share: number | null;
  first_contact_at: number | string | null;
  end_reason: string | null;
  outcome: string | null;
}

export function claimFactFrom(r: ClaimFactRow): ClaimFact {
  return {
    userId: Number(r.user_id),
    source: r.source,
    claimedAt: Number(r.claimed_at),
    leadCreatedAt: Number(r.lead_created_at),
    score: r.score,
    industry: r.industry,
    scorePercentile: r.score_percentile,
    industryShare: r.industry_share,
    firstContactAt: r.first_contact_at === null ? null : Number(r.first_contact_at),
    endReason: r.end_reason,
    outcome: r.outcome,
  };
}

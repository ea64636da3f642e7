import type { PoolRules } from './fair-play.js';
import { AGE_BUCKET_LABELS, cherryPickIndex, gini, industryTilt, type DailyDuration, type DurationStats, type MetricsFacts, type RepFacts } from './metrics.js';

export interface RepRow {
  userId: number;
  name: string;
  claims: number;
  cherryPickIndex: number | null;
  industryTilt: number | null;
  scoreBands: number[];
  averageScore: number | null;
  expired: number;
  released: number;
  skipped: number;
  contacted: number;
  converted: number;
  claimToContact: DurationStats;
  refusals: Record<string, number>;
  claimsToday: number;
  minClaimsPerDay: number | null;
  underMinimum: boolean;
}

export interface Overview {
  range: { from: number; to: number; poolId: number | null };
  arrivalToClaim: DurationStats;
  /** Time to claim by day: the chart over time. */
  arrivalToClaimDaily: DailyDuration[];
  claimToContact: DurationStats;
  waiting: { poolId: number; poolName: string; total: number; oldestAt: number | null; buckets: { label: string; count: number }[] }[];
  reps: RepRow[];
  conversionBySource: { source: string; claims: number; contacted: number; converted: number; conversionRate: number | null }[];
  repsUnderMinimum: { userId: number; name: string; claimsToday: number; minimum: number }[];
  reviewWaiting: number;
  fairness: { giniClaims: number; giniScore: number };
}

export interface OverviewInput {
  facts: MetricsFacts;
  range: { from: number; to: number; poolId: number | null };
  reps: { id: number; name: string }[];
  pools: { id: number; name: string; rules: PoolRules }[];
  /** Today's claims per rep and pool. */
  today: { userId: number; poolId: number; claims: number }[];
}

/**
 * The manager's overview. Every rep appears, also those with no claims: a rep who never
 * claims is exactly what the fairness figures must count.
 */
export function buildOverview(input: OverviewInput): Overview {
  const { facts } = input;
  const byRep = new Map<number, RepFacts>(facts.perRep.map((r) => [r.userId, r]));
  const minimums = input.pools.filter((p) => (input.range.poolId === null || p.id === input.range.poolId) && p.rules.minClaimsPerDay !== undefined);
  // A rep meets the minimum of the strictest pool that sets one, counting claims in those pools.
  const minimum = minimums.length ? Math.max(...minimums.map((p) => p.rules.minClaimsPerDay!)) : null;
  const minPools = new Set(minimums.map((p) => p.id));
  const refusals = new Map<number, Record<string, number>>();
  for (const r of facts.refusals) {
    const m = refusals.get(r.userId) ?? {};
    m[r.rule] = (m[r.rule] ?? 0) + r.count;
    refusals.set(r.userId, m);
  }
  const reps: RepRow[] = input.reps.map((u) => {
    const f = byRep.get(u.id);
    const claimsToday = input.today.filter((t) => t.userId === u.id && (minPools.size === 0 || minPools.has(t.poolId))).reduce((a, t) => a + t.claims, 0);
    const industries = f ? Object.fromEntries(Object.entries(f.industries).map(([k, v]) => [k, v.claimed])) : {};
    const expected = f ? Object.fromEntries(Object.entries(f.industries).map(([k, v]) => [k, v.expectedShareSum])) : {};
    return {
      userId: u.id,
      name: u.name,
      claims: f?.claims ?? 0,
      cherryPickIndex: f ? cherryPickIndex(f.meanPercentile, f.measured) : null,
      industryTilt: f && f.measured > 0 ? industryTilt(industries, expected) : null,
      scoreBands: f?.bands ?? Array<number>(10).fill(0),
      averageScore: f && f.claims ? Math.round((f.scoreSum / f.claims) * 10) / 10 : null,
      expired: f?.expired ?? 0,
      released: f?.released ?? 0,
      skipped: f?.skipped ?? 0,
      contacted: f?.contacted ?? 0,
      converted: f?.converted ?? 0,
      claimToContact: f?.claimToContact ?? { count: 0, meanMs: null, p50Ms: null, p90Ms: null },
      refusals: refusals.get(u.id) ?? {},
      claimsToday,
      minClaimsPerDay: minimum,
      underMinimum: minimum !== null && claimsToday < minimum,
    };
  });
  return {
    range: input.range,
    arrivalToClaim: facts.arrivalToClaim,
    arrivalToClaimDaily: facts.arrivalToClaimDaily,
    claimToContact: facts.claimToContact,
    waiting: facts.waiting.map((w) => ({
      poolId: w.poolId,
      poolName: input.pools.find((p) => p.id === w.poolId)?.name ?? String(w.poolId),
      total: w.buckets.reduce((a, n) => a + n, 0),
      oldestAt: w.oldestAt,
      buckets: w.buckets.map((count, i) => ({ label: AGE_BUCKET_LABELS[i]!, count })),
    })),
    reps,
    conversionBySource: facts.bySource.map((s) => ({ ...s, conversionRate: s.claims ? Math.round((s.converted / s.claims) * 1000) / 10 : null })),
    repsUnderMinimum: reps.filter((r) => r.underMinimum).map((r) => ({ userId: r.userId, name: r.name, claimsToday: r.claimsToday, minimum: r.minClaimsPerDay! })),
    reviewWaiting: facts.reviewWaiting,
    fairness: {
      giniClaims: round3(gini(reps.map((r) => r.claims))),
      giniScore: round3(gini(input.reps.map((u) => byRep.get(u.id)?.scoreSum ?? 0))),
    },
  };
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** The per-rep table as CSV, for compensation analysis. */
export function repsCsv(rows: RepRow[]): string {
  const header = ['user_id', 'name', 'claims', 'average_score', 'cherry_pick_index', 'industry_tilt', 'expired', 'released', 'skipped', 'contacted', 'converted', 'claim_to_contact_p50_min', 'claims_today', 'under_minimum'];
  const lines = rows.map((r) =>
    [r.userId, r.name, r.claims, r.averageScore ?? '', r.cherryPickIndex ?? '', r.industryTilt ?? '', r.expired, r.released, r.skipped, r.contacted, r.converted, r.claimToContact.p50Ms === null ? '' : (r.claimToContact.p50Ms / 60_000).toFixed(1), r.claimsToday, r.underMinimum]
      .map(csvCell)
      .join(','),
  );
  return [header.join(','), ...lines].join('\n') + '\n';
}

export function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  // Quote what needs it; neutralise spreadsheet formulas a lead's text could smuggle in.
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

import type { Lead, LeadEvent, Pool, User } from '../core/types.js';
import type { PoolStats } from '../store/store.js';
import type { PoolRules } from '../core/fair-play.js';
import { leadVisibility, type Viewer } from '../core/visibility.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export type LeadJson = Record<string, unknown>;

export function leadJson(l: Lead): LeadJson {
  return {
    id: l.id,
    poolId: l.poolId,
    status: l.status,
    company: l.company,
    industry: l.industry,
    companySize: l.companySize,
    source: l.source,
    score: l.score,
    region: l.region,
    contact: l.contact,
    externalId: l.externalId,
    attributes: l.attributes,
    priority: l.priority,
    createdAt: iso(l.createdAt),
    availableSince: iso(l.availableSince),
    ownerId: l.ownerId,
    claimedAt: iso(l.claimedAt),
    claimSource: l.claimSource,
    lockExpiresAt: iso(l.lockExpiresAt),
    contactedAt: iso(l.contactedAt),
    closedAt: iso(l.closedAt),
    updatedAt: iso(l.updatedAt),
    routing: l.routing,
  };
}

/** A lead as this viewer may see it in this pool, or null when they may not see it at all. */
export function leadViewJson(l: Lead, pool: Pool, viewer: Viewer, opts: { listing?: boolean; rules?: PoolRules } = {}): LeadJson | null {
  const v = leadVisibility(l, pool, viewer, opts);
  if (v.kind === 'none') return null;
  const full = leadJson(l);
  if (v.kind === 'full') return full;
  const out: LeadJson = { id: l.id, poolId: l.poolId, status: l.status };
  for (const f of v.fields) out[f] = full[f];
  return out;
}

export function poolJson(p: Pool, teamRules: PoolRules, stats?: PoolStats): Record<string, unknown> {
  return {
    id: p.id,
    name: p.name,
    mode: p.mode,
    lockTtlSeconds: p.lockTtlSeconds,
    previewFields: p.previewFields,
    isDefault: p.isDefault,
    rules: p.rules,
    effectiveRules: p.rules ?? teamRules,
    escalation: p.escalation,
    access: p.access,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
    ...(stats ? { available: stats.available, oldestAvailableAt: iso(stats.oldestAvailableAt) } : {}),
  };
}

export function userJson(u: User): Record<string, unknown> {
  return { id: u.id, email: u.email, name: u.name, role: u.role, createdAt: iso(u.createdAt), locale: u.locale, timeZone: u.timeZone };
}

export function eventJson(e: LeadEvent): Record<string, unknown> {
  return { ...e, at: iso(e.at) };
}

import type { Lead, Pool, PreviewField, Role } from './types.js';
import type { PoolRules } from './fair-play.js';
import { conditionMatches, type LeadForRouting, type PoolAccess } from './routing/index.js';

export interface Viewer {
  userId: number | null;
  role: Role | 'integration';
  /** A rep's performance tier, for pools with access rules by tier. */
  tier?: string | null;
}

/** How a tier meets a pool, when the pool says (null: as its mode says). */
export function tierAccess(pool: Partial<Pick<Pool, 'access'>>, tier: string | null): PoolAccess | null {
  if (!pool.access || tier === null) return null;
  return pool.access[tier] ?? null;
}

/** How much of a lead a viewer may see: all of it, only the pool's preview fields, or nothing. */
export type Visibility = { kind: 'full' } | { kind: 'preview'; fields: readonly PreviewField[] } | { kind: 'none' };

export function isManager(viewer: Viewer): boolean {
  return viewer.role === 'manager' || viewer.role === 'admin';
}

/**
 * The brief's models, as a rule: a queue shows reps no items (nobody takes #47 while #23
 * waits); a pool shows a preview; cherry-pick shows everything. Owners and managers see all.
 */
export function leadVisibility(
  lead: Pick<Lead, 'ownerId' | 'status'> & Partial<LeadForRouting>,
  pool: Pick<Pool, 'mode' | 'previewFields'> & Partial<Pick<Pool, 'access'>>,
  viewer: Viewer,
  opts: { listing?: boolean; rules?: PoolRules } = {},
): Visibility {
  if (isManager(viewer)) return { kind: 'full' };
  if (viewer.userId !== null && lead.ownerId === viewer.userId) return { kind: 'full' };
  if (lead.status !== 'available') return { kind: 'none' };
  // Performance-based access: a tier's own way into a pool overrides what the mode shows.
  const access = tierAccess(pool, viewer.tier ?? null);
  if (access !== null && pool.mode !== 'queue') {
    if (access === 'none') return { kind: 'none' };
    if (access === 'full') return opts.listing && opts.rules?.detailViewLimit !== undefined ? { kind: 'preview', fields: pool.previewFields } : { kind: 'full' };
    if (access === 'preview') return { kind: 'preview', fields: pool.previewFields };
    return lead.score !== undefined && conditionMatches(access.filter, lead as LeadForRouting, null).matched ? { kind: 'preview', fields: pool.previewFields } : { kind: 'none' };
  }
  switch (pool.mode) {
    case 'cherry_pick':
      // With a detail-view limit, the list shows the preview and each opened lead counts.
      return opts.listing && opts.rules?.detailViewLimit !== undefined ? { kind: 'preview', fields: pool.previewFields } : { kind: 'full' };
    case 'pool':
      return { kind: 'preview', fields: pool.previewFields };
    case 'queue':
      return { kind: 'none' };
  }
}

/** Whether the viewer may list a pool's items (as opposed to its count and oldest age). */
export function mayBrowseItems(pool: Pick<Pool, 'mode'> & Partial<Pick<Pool, 'access'>>, viewer: Viewer): boolean {
  if (isManager(viewer)) return true;
  return pool.mode !== 'queue' && tierAccess(pool, viewer.tier ?? null) !== 'none';
}

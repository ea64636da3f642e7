import type { Lead, Pool, PreviewField, Role } from './types.js';
import type { PoolRules } from './fair-play.js';

export interface Viewer {
  userId: number | null;
  role: Role | 'integration';
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
  lead: Pick<Lead, 'ownerId' | 'status'>,
  pool: Pick<Pool, 'mode' | 'previewFields'>,
  viewer: Viewer,
  opts: { listing?: boolean; rules?: PoolRules } = {},
): Visibility {
  if (isManager(viewer)) return { kind: 'full' };
  if (viewer.userId !== null && lead.ownerId === viewer.userId) return { kind: 'full' };
  if (lead.status !== 'available') return { kind: 'none' };
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
export function mayBrowseItems(pool: Pick<Pool, 'mode'>, viewer: Viewer): boolean {
  return isManager(viewer) || pool.mode !== 'queue';
}

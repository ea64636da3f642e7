/** The pure routing core: rules, named accounts, reps, push strategies, escalation, tiers. */
export * from './rules.js';
export * from './accounts.js';
export * from './reps.js';
export * from './strategies.js';
export * from './route.js';
export * from './escalation.js';
export { TIERS, DEFAULT_TIER_THRESHOLDS, computeTier, poolAccessFor, leadVisibility, type Tier, type PoolAccess, type TierThresholds } from './tiers.js';

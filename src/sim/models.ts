import { SEED_RULES, type PoolRules } from '../core/fair-play.js';
import { SEED_ESCALATION, type EscalationPolicy } from '../core/routing/escalation.js';
import type { RuleSet } from '../core/routing/rules.js';
import type { PoolAccess } from '../core/routing/tiers.js';
import { DEFAULT_LOCK_TTL_SECONDS, type PoolMode } from '../core/types.js';

/**
 * The distribution models, each as the configuration a manager would give Leadpool: pools,
 * a routing rule set, escalation ladders, tier access and the fair-play rules. The simulator
 * runs them through the core exactly as the server would.
 */

export interface SimPoolDef {
  id: number;
  name: string;
  mode: PoolMode;
  lockTtlSeconds: number;
  /** The pool's own rules; null follows the model's team rules. */
  rules: PoolRules | null;
  escalation: EscalationPolicy | null;
  access: Record<string, PoolAccess> | null;
  /**
   * Where a push that found nobody waits for a rep to come free: nobody pulls from it, and the
   * sim routes its leads again whenever a rep becomes eligible (a shift starts, a lead closes).
   */
  holding?: boolean;
}

export type ModelKind = 'push' | 'pull' | 'hybrid' | 'current';

export interface ModelDef {
  id: string;
  label: string;
  kind: ModelKind;
  /** Fair play on (the team rules as given) or off (no rules anywhere). */
  rules: 'on' | 'off';
  pools: SimPoolDef[];
  ruleSet: RuleSet;
  /** The team's default rules, for pools without their own. */
  teamRules: PoolRules;
  /** What a rep's routing team is: everyone in one team `all`, their tier, or the team file's `team`. */
  teamBy: 'all' | 'tier' | 'team';
  /** Named accounts take part in routing (the strategic hybrid, a current configuration). */
  useAccounts: boolean;
  summary: string;
}

export const MODEL_IDS = [
  'push-round-robin',
  'push-weighted',
  'queue-pull',
  'pool-pull',
  'cherry-pick',
  'hybrid-hot-push',
  'hybrid-strategic',
  'hybrid-escalation',
  'hybrid-tiers',
] as const;
export type ModelId = (typeof MODEL_IDS)[number];

const MAIN = 1;
const HOLD = 2;
const TTL = DEFAULT_LOCK_TTL_SECONDS;

function pool(mode: PoolMode, over: Partial<SimPoolDef> = {}): SimPoolDef {
  return { id: MAIN, name: mode === 'queue' ? 'Inbound queue' : 'Inbound pool', mode, lockTtlSeconds: TTL, rules: null, escalation: null, access: null, ...over };
}

/**
 * Pure push: a rep cannot choose when a lead comes, so a pushed lead gets an hour before its
 * lock runs out instead of the 15 minutes a claim gets (with 15 minutes, the night's backlog
 * pushed at the start of a shift mostly expires before the rep can call it, and the measure
 * would be of the lock, not of push).
 */
const PUSH_LOCK_SECONDS = 3600;

const holding = (): SimPoolDef => ({
  id: HOLD,
  name: 'Waiting for a free rep',
  mode: 'queue',
  lockTtlSeconds: PUSH_LOCK_SECONDS,
  rules: null,
  escalation: null,
  access: { top: 'none', standard: 'none', new: 'none' },
  holding: true,
});

/** The hot-lead threshold of the seed. */
export const HOT = 80;

export function buildModel(id: ModelId, rules: 'on' | 'off'): ModelDef {
  const teamRules: PoolRules = rules === 'on' ? SEED_RULES : {};
  const base = { rules, teamRules, useAccounts: false, teamBy: 'all' as const };
  const name = (label: string) => `${label} (fair play ${rules})`;
  switch (id) {
    case 'push-round-robin':
    case 'push-weighted': {
      const strategy = id === 'push-round-robin' ? 'round_robin' : 'weighted';
      return {
        ...base,
        id,
        label: name(id === 'push-round-robin' ? 'Push, round robin' : 'Push, weighted'),
        kind: 'push',
        pools: [holding()],
        ruleSet: { defaultPoolId: HOLD, rules: [{ id: 'push-all', name: 'Push every lead', when: {}, then: { type: 'push_team', team: 'all', strategy, fallbackPoolId: HOLD } }] },
        summary: `every lead is pushed ${strategy === 'weighted' ? 'by weight (tier top 3, standard 2, new 1)' : 'in turn'} to an available rep; nobody free: it waits and goes to the next rep who is`,
      };
    }
    case 'queue-pull':
      return { ...base, id, label: name('Queue pull'), kind: 'pull', pools: [pool('queue')], ruleSet: { defaultPoolId: MAIN, rules: [] }, summary: 'one queue; reps take the front lead when free' };
    case 'pool-pull':
      return { ...base, id, label: name('Pool pull'), kind: 'pull', pools: [pool('pool')], ruleSet: { defaultPoolId: MAIN, rules: [] }, summary: 'one pool; reps browse a preview (score, industry, size) and claim' };
    case 'cherry-pick':
      return {
        ...base,
        id,
        label: name('Cherry-pick'),
        kind: 'pull',
        pools: [pool('cherry_pick', { name: 'Open pool' })],
        ruleSet: { defaultPoolId: MAIN, rules: [] },
        summary: 'one pool with full details before the claim',
      };
    case 'hybrid-hot-push':
      return {
        ...base,
        id,
        label: name(`Hybrid: hot leads (${HOT}+) pushed`),
        kind: 'hybrid',
        pools: [pool('pool')],
        ruleSet: {
          defaultPoolId: MAIN,
          rules: [{ id: 'hot', name: `Score ${HOT}+ pushed`, when: { scoreMin: HOT }, then: { type: 'push_team', team: 'all', strategy: 'round_robin', fallbackPoolId: MAIN, fallbackPriority: 10 } }],
        },
        summary: `score ${HOT}+ pushed round robin at once; the rest into a pool`,
      };
    case 'hybrid-strategic':
      return {
        ...base,
        id,
        label: name('Hybrid: named accounts pushed'),
        kind: 'hybrid',
        useAccounts: true,
        pools: [pool('pool')],
        ruleSet: {
          defaultPoolId: MAIN,
          rules: [{ id: 'accounts', name: 'Named accounts to their owner', when: { namedAccount: true }, then: { type: 'push_owner', fallbackPoolId: MAIN, fallbackPriority: 10 } }],
        },
        summary: 'named accounts and customers pushed to their owner; the rest into a pool',
      };
    case 'hybrid-escalation':
      return {
        ...base,
        id,
        label: name('Hybrid: escalation 30/60'),
        kind: 'hybrid',
        pools: [pool('queue', { escalation: SEED_ESCALATION })],
        ruleSet: { defaultPoolId: MAIN, rules: [] },
        summary: 'a pull queue; unclaimed after 30 min assigned to the next available rep, after 60 min to manager review',
      };
    case 'hybrid-tiers':
      return {
        ...base,
        id,
        label: name('Hybrid: performance tiers'),
        kind: 'hybrid',
        teamBy: 'tier',
        pools: [pool('pool', { access: { top: 'full', standard: { filter: { scoreMax: HOT - 1 } }, new: 'none' } })],
        ruleSet: {
          defaultPoolId: MAIN,
          rules: [{ id: 'new-reps', name: 'Score under 50 pushed to new reps', when: { scoreMax: 49 }, then: { type: 'push_team', team: 'new', strategy: 'round_robin', fallbackPoolId: MAIN } }],
        },
        summary: `top reps cherry-pick the whole pool with full details; standard reps see leads under ${HOT}; new reps get leads under 50 pushed`,
      };
  }
}

/**
 * A running Leadpool's configuration, from its export: `pools` as GET /api/v1/pools gives them
 * (`{ items: [...] }` or the list), `ruleSet` as in GET /api/v1/routing (`{ version: { ruleSet } }`
 * or the rule set itself), `rules` the team's default fair-play rules (GET /api/v1/settings/rules,
 * `{ rules }` or the rules), and optionally `accounts` (named accounts with `ownerName` or `ownerId`).
 */
export interface CurrentConfig {
  pools: SimPoolDef[];
  ruleSet: RuleSet;
  rules: PoolRules;
  accounts: { id: number; name: string; domains: string[]; customer: boolean; owner: string | number }[];
}

export function parseCurrentConfig(doc: unknown): CurrentConfig {
  const o = asRecord(doc, 'the config');
  const rawPools = Array.isArray(o.pools) ? o.pools : asRecord(o.pools, 'pools').items;
  if (!Array.isArray(rawPools) || rawPools.length === 0) throw new Error('config: "pools" must list the pools (GET /api/v1/pools)');
  const pools: SimPoolDef[] = rawPools.map((p, i) => {
    const r = asRecord(p, `pools[${i}]`);
    const mode = r.mode;
    if (mode !== 'queue' && mode !== 'pool' && mode !== 'cherry_pick') throw new Error(`config: pools[${i}].mode must be queue, pool or cherry_pick`);
    if (typeof r.id !== 'number') throw new Error(`config: pools[${i}].id must be a number`);
    return {
      id: r.id,
      name: typeof r.name === 'string' ? r.name : `pool ${r.id}`,
      mode,
      lockTtlSeconds: typeof r.lockTtlSeconds === 'number' ? r.lockTtlSeconds : TTL,
      rules: (r.rules ?? null) as PoolRules | null,
      escalation: (r.escalation ?? null) as EscalationPolicy | null,
      access: (r.access ?? null) as Record<string, PoolAccess> | null,
    };
  });
  const rs = asRecord(o.ruleSet, 'ruleSet');
  const ruleSet = (rs.version !== undefined ? asRecord(asRecord(rs.version, 'ruleSet.version').ruleSet, 'ruleSet.version.ruleSet') : rs) as unknown as RuleSet;
  if (!Array.isArray(ruleSet.rules) || typeof ruleSet.defaultPoolId !== 'number') throw new Error('config: "ruleSet" must be a rule set (GET /api/v1/routing)');
  const ids = new Set(pools.map((p) => p.id));
  if (!ids.has(ruleSet.defaultPoolId)) throw new Error(`config: the rule set's default pool ${ruleSet.defaultPoolId} is not among the pools`);
  const rr = o.rules === undefined ? {} : asRecord(o.rules, 'rules');
  const rules = (rr.rules !== undefined ? rr.rules : rr) as PoolRules;
  const accounts = Array.isArray(o.accounts)
    ? o.accounts.map((a, i) => {
        const r = asRecord(a, `accounts[${i}]`);
        return {
          id: typeof r.id === 'number' ? r.id : i + 1,
          name: String(r.name ?? ''),
          domains: Array.isArray(r.domains) ? r.domains.map(String) : [],
          customer: r.customer === true,
          owner: typeof r.ownerName === 'string' ? r.ownerName : Number(r.ownerId),
        };
      })
    : [];
  return { pools, ruleSet, rules, accounts };
}

export function currentModel(config: CurrentConfig, rules: 'on' | 'off'): ModelDef {
  return {
    id: 'current',
    label: `Current configuration (fair play ${rules})`,
    kind: 'current',
    rules,
    pools: config.pools.map((p) => (rules === 'on' ? p : { ...p, rules: null })),
    ruleSet: config.ruleSet,
    teamRules: rules === 'on' ? config.rules : {},
    teamBy: 'team',
    useAccounts: config.accounts.length > 0,
    summary: `${config.pools.length} pool(s) and ${config.ruleSet.rules.length} routing rule(s) from the export`,
  };
}

function asRecord(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`config: ${what} must be an object`);
  return v as Record<string, unknown>;
}

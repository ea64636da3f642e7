import type { Action, Condition, DecisionTrace, PoolAccess } from '../api/types.js';
import type { I18n } from '../i18n/i18n.js';

type Words = Pick<I18n, 't' | 'tx' | 'number'>;

function list(values: string[], w: Words): string {
  if (values.length <= 1) return values.join('');
  return `${values.slice(0, -1).join(', ')} ${w.t('rw.or')} ${values[values.length - 1]}`;
}

/** A condition in words: "score 80–100 and industry is Software or SaaS"; an empty one matches every lead. */
export function conditionWords(c: Condition, w: Words): string {
  const parts: string[] = [];
  if (c.scoreMin !== undefined && c.scoreMax !== undefined) parts.push(w.t('rw.scoreBetween', { lo: c.scoreMin, hi: c.scoreMax }));
  else if (c.scoreMin !== undefined) parts.push(w.t('rw.scoreMin', { lo: c.scoreMin }));
  else if (c.scoreMax !== undefined) parts.push(w.t('rw.scoreMax', { hi: c.scoreMax }));
  if (c.industry?.length) parts.push(w.t('rw.industry', { v: list(c.industry, w) }));
  if (c.companySize?.length) parts.push(w.t('rw.size', { v: list(c.companySize, w) }));
  if (c.source?.length) parts.push(w.t('rw.source', { v: list(c.source, w) }));
  if (c.region?.length) parts.push(w.t('rw.region', { v: list(c.region, w) }));
  if (c.namedAccount === true) parts.push(w.t('rw.named'));
  if (c.namedAccount === false) parts.push(w.t('rw.notNamed'));
  if (c.existingCustomer === true) parts.push(w.t('rw.customer'));
  if (c.existingCustomer === false) parts.push(w.t('rw.notCustomer'));
  const attrs = Object.keys(c.attributes ?? {});
  if (attrs.length) parts.push(w.t('rw.attributes', { names: attrs.join(', ') }));
  return parts.length ? parts.join(` ${w.t('rw.and')} `) : w.t('rw.every');
}

export function strategyWords(s: string, w: Words): string {
  return w.tx(`strategy.${s}`, s);
}

/** An action in words: "push to team Inbound (round robin); if nobody can take it: Inbound queue, priority 5". */
export function actionWords(a: Action, poolName: (id: number) => string, w: Words): string {
  const prio = (p: number | undefined) => (p ? w.t('rw.priority', { p }) : '');
  switch (a.type) {
    case 'push_owner':
      return w.t('rw.pushOwner', { pool: poolName(a.fallbackPoolId), prio: prio(a.fallbackPriority) });
    case 'push_team':
      return w.t('rw.pushTeam', { team: a.team, strategy: strategyWords(a.strategy, w), pool: poolName(a.fallbackPoolId), prio: prio(a.fallbackPriority) });
    case 'pool':
      return w.t('rw.pool', { pool: poolName(a.poolId), prio: prio(a.priority) });
    case 'review':
      return w.t('rw.review', { pool: poolName(a.poolId) });
  }
}

/** Where a decision sent the lead, in words. */
export function outcomeWords(o: DecisionTrace['outcome'], poolName: (id: number) => string, w: Words): string {
  switch (o.kind) {
    case 'pushed':
      return w.t('trace.pushedTo', { name: o.name });
    case 'review':
      return w.t('trace.reviewIn', { pool: poolName(o.poolId) });
    case 'pool':
      return o.priority ? w.t('trace.intoPoolPrio', { pool: poolName(o.poolId), p: o.priority }) : w.t('trace.intoPool', { pool: poolName(o.poolId) });
  }
}

export function accessWords(a: PoolAccess | undefined, w: Words): string {
  if (a === undefined) return w.t('access.default');
  if (typeof a === 'string') return w.t(`access.${a}`);
  return w.t('access.filterOf', { cond: conditionWords(a.filter, w) });
}

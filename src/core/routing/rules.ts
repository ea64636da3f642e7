import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { COMPANY_SIZES, type CompanySize } from '../types.js';
import type { FieldProblem } from '../errors.js';
import { schemaProblems } from '../schema-problems.js';
import type { NamedAccount } from './accounts.js';

/**
 * The routing rule set: an ordered list of rules, the first enabled rule whose condition
 * matches a lead decides what happens to it; no match sends the lead to the default pool.
 * The rule set is data (stored, versioned, exported as a file), so this module holds its
 * schema, its validation and the condition matcher, and nothing else.
 */

/** What routing knows about a lead. `Lead` (types.ts) and a parsed `LeadInput` both fit. */
export interface LeadForRouting {
  score: number;
  industry: string;
  companySize: CompanySize;
  source: string;
  region: string;
  company: string;
  contact: { email?: string | null | undefined };
  /** Custom fields from the integration. Left out = none. */
  attributes?: Record<string, unknown> | undefined;
}

export type AttributeTest = string | number | boolean | { in: (string | number)[] } | { gte?: number; lte?: number };

/**
 * A rule's condition. Every field that is present must hold (AND); a field left out is not
 * tested, so an empty condition matches every lead.
 *
 * Text comparisons (industry, source, region, string attributes) ignore case and surrounding
 * spaces: "SaaS " matches "saas". Company sizes are exact enum values.
 */
export interface Condition {
  /** Inclusive lower bound on the score. */
  scoreMin?: number;
  /** Inclusive upper bound on the score. */
  scoreMax?: number;
  /** The lead's industry is one of these. */
  industry?: string[];
  companySize?: CompanySize[];
  source?: string[];
  /** Region / territory. */
  region?: string[];
  /** true: the lead matched a named account; false: it matched none. */
  namedAccount?: boolean;
  /** true: the matched account is a customer (no match counts as not a customer); false: it is not. */
  existingCustomer?: boolean;
  /**
   * Custom attributes, each by name:
   * - a string, number or boolean: equal to it (strings ignoring case; `5` does not equal `"5"`);
   * - `{ in: [...] }`: equal to one of the values;
   * - `{ gte, lte }`: a number (or numeric string) within the inclusive bounds.
   * A missing attribute never matches.
   */
  attributes?: Record<string, AttributeTest>;
}

export const PUSH_STRATEGIES = ['round_robin', 'weighted', 'least_loaded'] as const;
export type PushStrategy = (typeof PUSH_STRATEGIES)[number];

export type Action =
  /** Push to the matched named account's owner; no account, or an ineligible owner, falls back to the pool. */
  | { type: 'push_owner'; fallbackPoolId: number; /** Queue priority of a fallen-back lead. Default 0. */ fallbackPriority?: number }
  /** Push to a rep of `team` chosen by `strategy`; nobody eligible falls back to the pool. */
  | { type: 'push_team'; team: string; strategy: PushStrategy; fallbackPoolId: number; /** Default 0. */ fallbackPriority?: number }
  /** Into a pool or queue. `priority` default 0; higher is served first in a queue. */
  | { type: 'pool'; poolId: number; priority?: number }
  /** To manager review: the lead waits in `poolId` with status `review`. */
  | { type: 'review'; poolId: number };

export interface RoutingRule {
  /** Stable id, unique in the set; traces and events refer to it. */
  id: string;
  name: string;
  /** Default true. A disabled rule is listed in traces as skipped, never matched. */
  enabled?: boolean;
  when: Condition;
  then: Action;
}

export interface RuleSet {
  /** Evaluated in order; the first enabled match wins. */
  rules: RoutingRule[];
  /** Where a lead goes when no rule matches. */
  defaultPoolId: number;
}

// ---------------------------------------------------------------------------------------
// Schema

const Name = Type.String({ minLength: 1, maxLength: 100 });
const Names = Type.Array(Name, { minItems: 1, maxItems: 200 });
const PoolId = Type.Integer({ minimum: 1 });
const Priority = Type.Integer({ minimum: 0, maximum: 1000 });

const AttributeIn = Type.Object(
  { in: Type.Array(Type.Union([Type.String({ maxLength: 200 }), Type.Number()]), { minItems: 1, maxItems: 200 }) },
  { additionalProperties: false },
);
const AttributeRange = Type.Object({ gte: Type.Optional(Type.Number()), lte: Type.Optional(Type.Number()) }, { additionalProperties: false });
const AttributeTestSchema = Type.Union([Type.String({ maxLength: 200 }), Type.Number(), Type.Boolean(), AttributeIn, AttributeRange]);

export const ConditionSchema = Type.Object(
  {
    scoreMin: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    scoreMax: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    industry: Type.Optional(Names),
    companySize: Type.Optional(Type.Array(Type.Enum([...COMPANY_SIZES]), { minItems: 1 })),
    source: Type.Optional(Names),
    region: Type.Optional(Names),
    namedAccount: Type.Optional(Type.Boolean()),
    existingCustomer: Type.Optional(Type.Boolean()),
    attributes: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 100 }), AttributeTestSchema)),
  },
  { additionalProperties: false, description: 'All present fields must hold; an empty condition always matches.' },
);

const ACTION_BRANCHES = {
  push_owner: Type.Object(
    {
      type: Type.Literal('push_owner'),
      fallbackPoolId: PoolId,
      fallbackPriority: Type.Optional(Priority),
    },
    { additionalProperties: false, description: "Push to the named account's owner." },
  ),
  push_team: Type.Object(
    {
      type: Type.Literal('push_team'),
      team: Name,
      strategy: Type.Enum([...PUSH_STRATEGIES]),
      fallbackPoolId: PoolId,
      fallbackPriority: Type.Optional(Priority),
    },
    { additionalProperties: false, description: 'Push to a rep of the team, chosen by the strategy.' },
  ),
  pool: Type.Object(
    { type: Type.Literal('pool'), poolId: PoolId, priority: Type.Optional(Priority) },
    { additionalProperties: false, description: 'Put into a pool or queue.' },
  ),
  review: Type.Object(
    { type: Type.Literal('review'), poolId: PoolId },
    { additionalProperties: false, description: 'Send to manager review in the pool.' },
  ),
} as const;
const ACTION_TYPES = Object.keys(ACTION_BRANCHES) as Action['type'][];

export const ActionSchema = Type.Union(Object.values(ACTION_BRANCHES));

export const RoutingRuleSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 100 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    enabled: Type.Optional(Type.Boolean({ description: 'Default true.' })),
    when: ConditionSchema,
    then: ActionSchema,
  },
  { additionalProperties: false },
);

export const RuleSetSchema = Type.Object(
  {
    rules: Type.Array(RoutingRuleSchema, { maxItems: 1000 }),
    defaultPoolId: PoolId,
  },
  { additionalProperties: false, $id: 'RoutingRuleSet' },
);

// The hand-written interfaces carry the documentation; this keeps them and the schema in step.
type Assert<T extends true> = T;
export type _SchemaFitsType = Assert<Static<typeof RuleSetSchema> extends RuleSet ? true : false>;

const checkRuleSet = Compile(RuleSetSchema);
// For readable errors: a failed union reports every branch, so on failure the rule set is
// checked again with each action against the one branch its `type` names.
const checkSkeleton = Compile(
  Type.Object(
    {
      rules: Type.Array(
        Type.Object(
          {
            id: RoutingRuleSchema.properties.id,
            name: RoutingRuleSchema.properties.name,
            enabled: RoutingRuleSchema.properties.enabled,
            when: Type.Object(
              { ...ConditionSchema.properties, attributes: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 100 }), Type.Unknown())) },
              { additionalProperties: false },
            ),
            then: Type.Object({ type: Type.Enum(ACTION_TYPES) }),
          },
          { additionalProperties: false },
        ),
        { maxItems: 1000 },
      ),
      defaultPoolId: PoolId,
    },
    { additionalProperties: false },
  ),
);
const checkAction = Object.fromEntries(Object.entries(ACTION_BRANCHES).map(([k, s]) => [k, Compile(s)])) as Record<
  Action['type'],
  ReturnType<typeof Compile>
>;
const checkAttribute = Compile(AttributeTestSchema);

export type Validated<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

/**
 * Validates a rule set: its shape (the schema), then what the schema cannot say: pools and
 * teams that exist, `scoreMin` not above `scoreMax`, ranges with a bound, unique rule ids.
 * Problems name the field as `rules[3].then.poolId`.
 */
export function validateRuleSet(input: unknown, known: { poolIds: number[]; teams: string[] }): Validated<RuleSet> {
  if (!checkRuleSet.Check(input)) return { ok: false, problems: shapeProblems(input) };
  const set = input as RuleSet;
  const problems: FieldProblem[] = [];
  const pools = new Set(known.poolIds);
  const teams = new Set(known.teams);
  const pool = (field: string, id: number) => {
    if (!pools.has(id)) problems.push({ field, problem: `pool ${id} does not exist` });
  };
  pool('defaultPoolId', set.defaultPoolId);
  const seen = new Map<string, number>();
  set.rules.forEach((rule, i) => {
    const at = `rules[${i}]`;
    const first = seen.get(rule.id);
    if (first !== undefined) problems.push({ field: `${at}.id`, problem: `"${rule.id}" is already the id of rules[${first}]` });
    else seen.set(rule.id, i);
    const w = rule.when;
    if (w.scoreMin !== undefined && w.scoreMax !== undefined && w.scoreMin > w.scoreMax) {
      problems.push({ field: `${at}.when.scoreMin`, problem: `${w.scoreMin} is above scoreMax ${w.scoreMax}, so the rule can never match` });
    }
    for (const [name, test] of Object.entries(w.attributes ?? {})) {
      if (typeof test === 'object' && !('in' in test)) {
        const field = `${at}.when.attributes.${name}`;
        if (test.gte === undefined && test.lte === undefined) problems.push({ field, problem: 'a range needs gte, lte or both' });
        else if (test.gte !== undefined && test.lte !== undefined && test.gte > test.lte) {
          problems.push({ field: `${field}.gte`, problem: `${test.gte} is above lte ${test.lte}, so the rule can never match` });
        }
      }
    }
    const a = rule.then;
    switch (a.type) {
      case 'push_owner':
        pool(`${at}.then.fallbackPoolId`, a.fallbackPoolId);
        break;
      case 'push_team':
        if (!teams.has(a.team)) problems.push({ field: `${at}.then.team`, problem: `team "${a.team}" is not known` });
        pool(`${at}.then.fallbackPoolId`, a.fallbackPoolId);
        break;
      case 'pool':
      case 'review':
        pool(`${at}.then.poolId`, a.poolId);
        break;
    }
  });
  return problems.length ? { ok: false, problems } : { ok: true, value: set };
}

function shapeProblems(input: unknown): FieldProblem[] {
  const problems = schemaProblems([...checkSkeleton.Errors(input)]);
  const rules = isRecord(input) && Array.isArray(input.rules) ? input.rules : [];
  rules.forEach((rule: unknown, i) => {
    if (!isRecord(rule)) return;
    const then = rule.then;
    if (isRecord(then) && typeof then.type === 'string' && then.type in checkAction) {
      const check = checkAction[then.type as Action['type']];
      if (!check.Check(then)) problems.push(...schemaProblems([...check.Errors(then)], `rules[${i}].then`));
    }
    const attrs = isRecord(rule.when) ? rule.when.attributes : undefined;
    if (isRecord(attrs)) {
      for (const [name, test] of Object.entries(attrs)) {
        if (!checkAttribute.Check(test)) {
          problems.push({
            field: `rules[${i}].when.attributes.${name}`,
            problem: 'must be a string, number or boolean to equal, { in: [values] }, or { gte, lte } with numbers',
          });
        }
      }
    }
  });
  // The skeleton accepts what the full schema refuses only inside unions; never answer "ok: false" with no reason.
  return problems.length ? problems : [{ field: '(body)', problem: 'is not a valid rule set' }];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------
// Matching

/**
 * Language-free reasons in a decision trace, next to the English sentence (`why`): a UI shows
 * `code` with `params` in the reader's language and falls back to `why` for traces stored
 * before codes existed. `params` carry data only (numbers, names, rendered value lists).
 */
export const CONDITION_CODES = [
  'rule_disabled',
  'no_conditions',
  'all_held',
  'score_below',
  'score_above',
  'score_at_least',
  'score_at_most',
  'industry_in',
  'industry_not_in',
  'size_in',
  'size_not_in',
  'source_in',
  'source_not_in',
  'region_in',
  'region_not_in',
  'no_named_account',
  'named_account',
  'customer',
  'not_customer',
  'no_account_not_customer',
  'not_existing_customer',
  'attribute_missing',
  'attribute_equal',
  'attribute_not_equal',
  'attribute_in',
  'attribute_not_in',
  'attribute_not_number',
  'attribute_below',
  'attribute_above',
  'attribute_between',
] as const;
export type ConditionCode = (typeof CONDITION_CODES)[number];
export type TraceParams = Record<string, string | number>;
export interface TraceReason {
  code: ConditionCode;
  params?: TraceParams;
}
export interface ConditionResult {
  matched: boolean;
  why: string;
  code: ConditionCode;
  params?: TraceParams;
  /** On a match: each condition that held, in the order tested (the parts of `why`). */
  held?: TraceReason[];
}

/**
 * Whether a lead (and the named account it matched, if any) meets a condition, with the
 * reason in words for the decision trace. Fields are tested in a fixed order (score,
 * industry, size, source, region, named account, customer, attributes by name); a miss
 * names the first field that failed ("score 72 < 80"), a match lists every tested field.
 */
export function conditionMatches(c: Condition, lead: LeadForRouting, account: NamedAccount | null): ConditionResult {
  const held: string[] = [];
  const parts: TraceReason[] = [];
  if (c.scoreMin !== undefined) {
    if (!(lead.score >= c.scoreMin)) return miss(`score ${lead.score} < ${c.scoreMin}`, 'score_below', { value: lead.score, min: c.scoreMin });
    held.push(`score ${lead.score} >= ${c.scoreMin}`);
    parts.push({ code: 'score_at_least', params: { value: lead.score, min: c.scoreMin } });
  }
  if (c.scoreMax !== undefined) {
    if (!(lead.score <= c.scoreMax)) return miss(`score ${lead.score} > ${c.scoreMax}`, 'score_above', { value: lead.score, max: c.scoreMax });
    held.push(`score ${lead.score} <= ${c.scoreMax}`);
    parts.push({ code: 'score_at_most', params: { value: lead.score, max: c.scoreMax } });
  }
  if (c.industry !== undefined) {
    if (!textIn(lead.industry, c.industry)) return miss(`industry "${lead.industry}" not in ${list(c.industry)}`, 'industry_not_in', { value: lead.industry, list: list(c.industry) });
    held.push(`industry "${lead.industry}" in ${list(c.industry)}`);
    parts.push({ code: 'industry_in', params: { value: lead.industry, list: list(c.industry) } });
  }
  if (c.companySize !== undefined) {
    if (!c.companySize.includes(lead.companySize)) {
      return miss(`company size ${lead.companySize} not in ${list(c.companySize)}`, 'size_not_in', { value: lead.companySize, list: list(c.companySize) });
    }
    held.push(`company size ${lead.companySize} in ${list(c.companySize)}`);
    parts.push({ code: 'size_in', params: { value: lead.companySize, list: list(c.companySize) } });
  }
  if (c.source !== undefined) {
    if (!textIn(lead.source, c.source)) return miss(`source "${lead.source}" not in ${list(c.source)}`, 'source_not_in', { value: lead.source, list: list(c.source) });
    held.push(`source "${lead.source}" in ${list(c.source)}`);
    parts.push({ code: 'source_in', params: { value: lead.source, list: list(c.source) } });
  }
  if (c.region !== undefined) {
    if (!textIn(lead.region, c.region)) return miss(`region "${lead.region}" not in ${list(c.region)}`, 'region_not_in', { value: lead.region, list: list(c.region) });
    held.push(`region "${lead.region}" in ${list(c.region)}`);
    parts.push({ code: 'region_in', params: { value: lead.region, list: list(c.region) } });
  }
  if (c.namedAccount !== undefined) {
    if (c.namedAccount && !account) return miss('no named account matched', 'no_named_account');
    if (!c.namedAccount && account) return miss(`named account "${account.name}" matched`, 'named_account', { account: account.name });
    held.push(account ? `named account "${account.name}" matched` : 'no named account matched');
    parts.push(account ? { code: 'named_account', params: { account: account.name } } : { code: 'no_named_account' });
  }
  if (c.existingCustomer !== undefined) {
    const customer = account?.customer === true;
    if (c.existingCustomer !== customer) {
      if (!account) return miss('not an existing customer (no named account matched)', 'no_account_not_customer');
      return customer
        ? miss(`"${account.name}" is an existing customer`, 'customer', { account: account.name })
        : miss(`"${account.name}" is not a customer`, 'not_customer', { account: account.name });
    }
    held.push(customer ? `"${account!.name}" is an existing customer` : 'not an existing customer');
    parts.push(customer ? { code: 'customer', params: { account: account!.name } } : { code: 'not_existing_customer' });
  }
  if (c.attributes !== undefined) {
    for (const name in c.attributes) {
      const r = attributeMatches(name, c.attributes[name]!, lead.attributes?.[name]);
      if (!r.matched) return r;
      held.push(r.why);
      parts.push(r.params ? { code: r.code, params: r.params } : { code: r.code });
    }
  }
  return held.length ? { matched: true, why: held.join(', '), code: 'all_held', held: parts } : { matched: true, why: 'no conditions: matches every lead', code: 'no_conditions' };
}

// Module-level, not a closure per call: under tsx (esbuild keepNames) every named closure is
// wrapped in a defineProperty call when it is created. Closures here and in routeLead made a
// decision in bench/routing-core.ts cost about 80 µs instead of 15.
function miss(why: string, code: ConditionCode, params?: TraceParams): ConditionResult {
  return params ? { matched: false, why, code, params } : { matched: false, why, code };
}

function hit(why: string, code: ConditionCode, params: TraceParams): ConditionResult {
  return { matched: true, why, code, params };
}

function attributeMatches(name: string, test: AttributeTest, value: unknown): ConditionResult {
  if (value === undefined || value === null) return miss(`attribute ${name} is missing`, 'attribute_missing', { name });
  const shown = typeof value === 'string' ? `"${value}"` : String(value);
  if (typeof test !== 'object') {
    const p = { name, value: shown, expected: show(test) };
    return equalValue(value, test) ? hit(`attribute ${name} ${shown} = ${show(test)}`, 'attribute_equal', p) : miss(`attribute ${name} ${shown} != ${show(test)}`, 'attribute_not_equal', p);
  }
  if ('in' in test) {
    const p = { name, value: shown, list: list(test.in) };
    return test.in.some((t) => equalValue(value, t))
      ? hit(`attribute ${name} ${shown} in ${list(test.in)}`, 'attribute_in', p)
      : miss(`attribute ${name} ${shown} not in ${list(test.in)}`, 'attribute_not_in', p);
  }
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) return miss(`attribute ${name} ${shown} is not a number`, 'attribute_not_number', { name, value: shown });
  if (test.gte !== undefined && !(n >= test.gte)) return miss(`attribute ${name} ${n} < ${test.gte}`, 'attribute_below', { name, value: n, min: test.gte });
  if (test.lte !== undefined && !(n <= test.lte)) return miss(`attribute ${name} ${n} > ${test.lte}`, 'attribute_above', { name, value: n, max: test.lte });
  const bounds = [test.gte !== undefined ? `>= ${test.gte}` : '', test.lte !== undefined ? `<= ${test.lte}` : ''].filter(Boolean).join(' and ');
  return hit(`attribute ${name} ${n} ${bounds}`, 'attribute_between', {
    name,
    value: n,
    ...(test.gte !== undefined ? { min: test.gte } : {}),
    ...(test.lte !== undefined ? { max: test.lte } : {}),
  });
}

/** Same type and value; strings ignoring case and surrounding spaces. */
function equalValue(value: unknown, test: string | number | boolean): boolean {
  if (typeof test === 'string') return typeof value === 'string' && fold(value) === fold(test);
  return value === test;
}

const foldedCache = new WeakMap<readonly string[], Set<string>>();
function textIn(value: string, options: readonly string[]): boolean {
  let set = foldedCache.get(options);
  if (set === undefined) {
    set = new Set(options.map(fold));
    foldedCache.set(options, set);
  }
  return set.has(fold(value));
}

function fold(s: string): string {
  return s.trim().toLowerCase();
}

function show(v: string | number | boolean): string {
  return typeof v === 'string' ? `"${v}"` : String(v);
}

// Rule sets are long-lived objects evaluated for every lead: the rendered list of a condition's
// values (and its case-folded set) is cached per array, so a trace line costs no join after the
// first lead. This assumes a rule set is not mutated in place once routed; replacing it (PUT)
// makes new arrays.
const listCache = new WeakMap<readonly unknown[], string>();
function list(values: readonly (string | number)[]): string {
  let s = listCache.get(values);
  if (s === undefined) {
    s = `[${values.join(', ')}]`;
    listCache.set(values, s);
  }
  return s;
}

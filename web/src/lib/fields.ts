import { ApiError } from '../api/client.js';
import type { FieldProblem } from '../api/types.js';

/**
 * The fields a 400 names, keyed by their path with `prefix` taken off
 * ("ruleSet.rules[2].then.poolId" → "rules[2].then.poolId"). Several problems on one field
 * are joined. Empty for any other error.
 */
export function fieldProblems(err: unknown, prefix = ''): Record<string, string> {
  if (!(err instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const f of err.fields) {
    const key = prefix && f.field.startsWith(prefix) ? f.field.slice(prefix.length) : f.field;
    out[key] = out[key] ? `${out[key]}; ${f.problem}` : f.problem;
  }
  return out;
}

/** The problem for a field, or for anything under it ("hours" also finds "hours.start"). */
export function problemAt(problems: Record<string, string>, ...fields: string[]): string | undefined {
  const hits: string[] = [];
  for (const f of fields) {
    for (const [k, v] of Object.entries(problems)) {
      if (k === f || k.startsWith(`${f}.`) || k.startsWith(`${f}[`)) hits.push(v);
    }
  }
  return hits.length ? [...new Set(hits)].join('; ') : undefined;
}

export type { FieldProblem };

import type { FieldProblem } from './errors.js';

/** The shape both Ajv (Fastify) and TypeBox report schema errors in. */
export interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string | undefined;
}

/**
 * Turns JSON-schema errors into one plain problem per field ("score: must be at most 100"),
 * dropping the noise union branches produce.
 */
export function schemaProblems(errors: readonly SchemaError[], root = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // A failed union reports each branch and then itself; the enum-like summary is enough.
    // A union of literals reports each branch; a lone literal is a real problem to name.
    if (e.keyword === 'const' && errors.some((o) => o.instancePath === e.instancePath && o.keyword === 'anyOf')) continue;
    if (e.keyword === 'type' && e.params.type === 'null') continue; // the null branch of an optional field
    if (e.keyword === 'anyOf' && errors.some((o) => o !== e && o.instancePath === e.instancePath && o.keyword !== 'anyOf')) continue;
    let field = joinPath(root, e.instancePath.split('/').filter(Boolean).map(decodePointer));
    let problem: string;
    switch (e.keyword) {
      case 'required': {
        const missing = (e.params.missingProperty ?? (e.params.requiredProperties as string[] | undefined)?.join(', ')) as string;
        field = joinPath(field, [missing]);
        problem = 'is required';
        break;
      }
      case 'additionalProperties': {
        const extra = (e.params.additionalProperty ?? (e.params.additionalProperties as string[] | undefined)?.join(', ')) as string;
        field = joinPath(field, [extra]);
        problem = 'is not a known field';
        break;
      }
      case 'boolean':
        // TypeBox reports an unknown property as `schema is false` at its own path.
        problem = 'is not a known field';
        break;
      case 'maximum':
        problem = `must be at most ${String(e.params.limit)}`;
        break;
      case 'minimum':
        problem = `must be at least ${String(e.params.limit)}`;
        break;
      case 'minLength':
        problem = Number(e.params.limit) === 1 ? 'must not be empty' : `must be at least ${String(e.params.limit)} characters`;
        break;
      case 'maxLength':
        problem = `must be at most ${String(e.params.limit)} characters`;
        break;
      case 'maxItems':
        problem = `must have at most ${String(e.params.limit)} items`;
        break;
      case 'minItems':
        problem = `must have at least ${String(e.params.limit)} items`;
        break;
      case 'const':
        problem = `must be ${JSON.stringify(e.params.allowedValue)}`;
        break;
      case 'enum':
        problem = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      case 'type':
        problem = `must be ${article(String(e.params.type))}`;
        break;
      case 'format':
        problem = `must be a valid ${String(e.params.format)}`;
        break;
      case 'pattern':
        problem = `has the wrong form`;
        break;
      default:
        problem = e.message ?? e.keyword;
    }
    if (!field) field = root || '(body)';
    const key = `${field}|${problem}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field, problem });
  }
  return out;
}

/** `leads`, `3`, `score` becomes `leads[3].score`. */
function joinPath(base: string, parts: string[]): string {
  let out = base;
  for (const p of parts) out = /^\d+$/.test(p) ? `${out}[${p}]` : out ? `${out}.${p}` : p;
  return out;
}

function decodePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

function article(type: string): string {
  const t = type.split(',')[0] ?? type;
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

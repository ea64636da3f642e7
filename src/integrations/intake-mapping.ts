import { parseLeadInput, type LeadInput } from '../core/lead-input.js';
import type { FieldProblem } from '../core/errors.js';
import { LEAD_FIELD_PATHS, type IntakeSource } from '../store/integration-store.js';

/**
 * A web form's post turned into a lead: pure, so every rule here is tested without HTTP.
 *
 * - A form field named in the source's mapping goes to its lead field; a form field already
 *   named like a lead field (`company`, `contact.email`, …) goes there by itself; anything
 *   else is ignored and reported back (`ignored`), never guessed at.
 * - Two form fields mapped to one lead field are joined with a space (first and last name).
 * - Text is trimmed; an empty field counts as left out; digits sent as text for score and
 *   priority are numbers (a form sends only text).
 * - The source's defaults fill what the post left out; `source` defaults to the source's name.
 * - Problems name the form field the value came from, e.g. `punkte (score): must be at most 100`.
 */

const INTEGER_FIELDS = new Set(['score', 'priority']);
const KNOWN = new Set<string>(LEAD_FIELD_PATHS);
export const ATTRIBUTE_FIELD = /^attributes\.[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;

export function isLeadFieldPath(path: string): boolean {
  return KNOWN.has(path) || ATTRIBUTE_FIELD.test(path);
}

export type IntakeFields = Record<string, unknown>;

export type Mapped = { ok: true; input: LeadInput; ignored: string[] } | { ok: false; problems: FieldProblem[]; ignored: string[] };

/** A JSON body's fields, nested objects flattened to dotted names (`person.email`). */
export function flattenJson(value: unknown): IntakeFields | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const out: IntakeFields = {};
  const walk = (obj: Record<string, unknown>, prefix: string, depth: number) => {
    for (const [k, v] of Object.entries(obj)) {
      const name = prefix ? `${prefix}.${k}` : k;
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && depth < 5) walk(v as Record<string, unknown>, name, depth + 1);
      else out[name] = v;
    }
  };
  walk(value as Record<string, unknown>, '', 0);
  return out;
}

/** A form-encoded body's fields; a repeated field keeps its first value. */
export function formFields(raw: string): IntakeFields {
  const out: IntakeFields = {};
  for (const [k, v] of new URLSearchParams(raw)) if (!(k in out)) out[k] = v;
  return out;
}

export function mapIntake(source: Pick<IntakeSource, 'name' | 'mapping' | 'defaults' | 'poolId'>, fields: IntakeFields): Mapped {
  const values = new Map<string, unknown>();
  const origin = new Map<string, string>();
  const ignored: string[] = [];
  for (const [formField, raw] of Object.entries(fields)) {
    const target = source.mapping[formField] ?? (isLeadFieldPath(formField) ? formField : undefined);
    if (target === undefined) {
      ignored.push(formField);
      continue;
    }
    const v = typeof raw === 'string' ? raw.trim() : raw;
    if (v === '' || v === null || v === undefined) continue;
    const prior = values.get(target);
    values.set(target, typeof prior === 'string' && typeof v === 'string' ? `${prior} ${v}` : v);
    origin.set(target, origin.has(target) ? `${origin.get(target)}+${formField}` : formField);
  }
  for (const [field, v] of Object.entries(source.defaults)) if (!values.has(field)) values.set(field, v);
  if (!values.has('source')) values.set('source', source.name);
  for (const f of INTEGER_FIELDS) {
    const v = values.get(f);
    if (typeof v === 'string' && /^-?\d{1,9}$/.test(v)) values.set(f, Number(v));
  }

  const lead: Record<string, unknown> = {};
  const contact: Record<string, unknown> = {};
  const attributes: Record<string, unknown> = {};
  for (const [path, v] of values) {
    if (path.startsWith('contact.')) contact[path.slice('contact.'.length)] = v;
    else if (path.startsWith('attributes.')) attributes[path.slice('attributes.'.length)] = v;
    else lead[path] = v;
  }
  lead.contact = contact;
  if (Object.keys(attributes).length) lead.attributes = attributes;
  if (source.poolId !== null) lead.poolId = source.poolId;

  const parsed = parseLeadInput(lead);
  if (parsed.ok) return { ok: true, input: parsed.value, ignored };
  // TypeBox names several missing fields in one problem ("company, industry"): one each here.
  const split = parsed.problems.flatMap((p) =>
    p.problem === 'is required' && p.field.includes(', ') ? p.field.split(', ').map((f) => ({ field: f, problem: p.problem })) : [p],
  );
  const problems = split.map((p) => {
    const from = origin.get(p.field);
    if (from) return { field: `${from} (${p.field})`, problem: p.problem };
    if (p.problem === 'is required') return { field: p.field, problem: 'is required: map a form field to it or give the source a default' };
    return p;
  });
  return { ok: false, problems, ignored };
}

/** What the dedupe looks for: the email or the externalId the lead would get. */
export function dedupeKey(by: IntakeSource['dedupeBy'], input: LeadInput): string | null {
  return by === 'email' ? (input.contact.email ?? null) : (input.externalId ?? null);
}

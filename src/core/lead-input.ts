import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { COMPANY_SIZES } from './types.js';
import { schemaProblems } from './schema-problems.js';
import type { FieldProblem } from './errors.js';

/**
 * What a client sends to create a lead. One schema serves the HTTP routes (validation and
 * OpenAPI) and the CSV importer, so a bad row and a bad request get the same words.
 */
export const ContactInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 320 }), Type.Null()])),
    phone: Type.Optional(Type.Union([Type.String({ maxLength: 50 }), Type.Null()])),
  },
  { additionalProperties: false },
);

export const LeadInput = Type.Object(
  {
    company: Type.String({ minLength: 1, maxLength: 200 }),
    industry: Type.String({ minLength: 1, maxLength: 100 }),
    companySize: Type.Enum([...COMPANY_SIZES]),
    source: Type.String({ minLength: 1, maxLength: 100 }),
    score: Type.Integer({ minimum: 0, maximum: 100 }),
    region: Type.String({ minLength: 1, maxLength: 100 }),
    contact: ContactInput,
    externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    poolId: Type.Optional(Type.Integer({ minimum: 1 })),
    priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, description: 'Higher is served first in a queue. Default 0.' })),
    attributes: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.Unknown())),
  },
  { additionalProperties: false, $id: 'LeadInput' },
);
export type LeadInput = Static<typeof LeadInput>;

const check = Compile(LeadInput);

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

/** Validates an unknown value as a lead (used where there is no HTTP layer to do it). */
export function parseLeadInput(value: unknown): Parsed<LeadInput> {
  if (check.Check(value)) return { ok: true, value: normaliseLeadInput(value) };
  return { ok: false, problems: schemaProblems([...check.Errors(value)]) };
}

/** Trims text, lower-cases emails: the same company typed twice is the same company. */
export function normaliseLeadInput(input: LeadInput): LeadInput {
  return {
    ...input,
    company: input.company.trim(),
    industry: input.industry.trim(),
    source: input.source.trim(),
    region: input.region.trim(),
    contact: {
      name: input.contact.name.trim(),
      email: input.contact.email ? input.contact.email.trim().toLowerCase() : null,
      phone: input.contact.phone ? input.contact.phone.trim() : null,
    },
  };
}

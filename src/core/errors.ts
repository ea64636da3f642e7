/**
 * A catalogue of stable error codes, each with its HTTP status. Clients switch on `code`;
 * `message` is for a person; `details` names fields and numbers.
 */
export const ERRORS = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  BAD_CURSOR: 400,
  BAD_CSV: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  RULE_HOARDING_LIMIT: 403,
  RULE_DIVERSITY: 403,
  RULE_DAILY_CAP: 403,
  RULE_DETAIL_VIEW_LIMIT: 403,
  RULE_SKIP_LIMIT: 403,
  CLAIM_BY_ID_IN_QUEUE: 403,
  NOT_YOUR_LEAD: 403,
  NOT_FOUND: 404,
  POOL_NOT_FOUND: 404,
  LEAD_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  LEAD_ALREADY_CLAIMED: 409,
  LEAD_NOT_CLAIMABLE: 409,
  INVALID_TRANSITION: 409,
  DUPLICATE: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_ATTEMPTS: 429,
  SIMULATIONS_BUSY: 429,
  INTERNAL: 500,
} as const;
export type ErrorCode = keyof typeof ERRORS;

export interface FieldProblem {
  field: string;
  problem: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.status = ERRORS[code];
    this.details = details;
  }
  toJSON(): { error: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { error: this.code, message: this.message }
      : { error: this.code, message: this.message, details: this.details };
  }
}

export function validationError(problems: FieldProblem[]): AppError {
  const first = problems[0];
  const message =
    problems.length === 1 && first
      ? `${first.field}: ${first.problem}`
      : `${problems.length} problems: ${problems.map((p) => `${p.field}: ${p.problem}`).join('; ')}`;
  return new AppError('VALIDATION_FAILED', message, { fields: problems });
}

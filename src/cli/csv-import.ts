import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { parseLeadInput, type LeadInput } from '../core/lead-input.js';
import type { FieldProblem } from '../core/errors.js';

/** CSV header (case and spacing ignored) → lead field. Anything else goes into attributes. */
const DEFAULT_HEADERS: Record<string, string> = {
  company: 'company',
  companyname: 'company',
  industry: 'industry',
  companysize: 'companySize',
  size: 'companySize',
  source: 'source',
  score: 'score',
  region: 'region',
  territory: 'region',
  contactname: 'contact.name',
  name: 'contact.name',
  contactemail: 'contact.email',
  email: 'contact.email',
  contactphone: 'contact.phone',
  phone: 'contact.phone',
  externalid: 'externalId',
  id: 'externalId',
  priority: 'priority',
};

const norm = (h: string) => h.toLowerCase().replace(/[\s_\-.]/g, '');

export interface RowError {
  line: number;
  problems: FieldProblem[];
}

export interface CsvMapping {
  /** header → field (company, industry, companySize, source, score, region, contact.name, contact.email, contact.phone, externalId, priority, attributes.X) */
  [header: string]: string;
}

/** `--map "Firma=company,Branche=industry"` */
export function parseMapping(spec: string | undefined): CsvMapping {
  const out: CsvMapping = {};
  if (!spec) return out;
  for (const part of spec.split(',')) {
    const [h, f] = part.split('=').map((s) => s.trim());
    if (!h || !f) throw new Error(`--map: "${part}" is not HEADER=field`);
    out[norm(h)] = f;
  }
  return out;
}

function fieldFor(header: string, mapping: CsvMapping): string {
  const n = norm(header);
  return mapping[n] ?? DEFAULT_HEADERS[n] ?? `attributes.${header.trim()}`;
}

function toInput(record: Record<string, string>, headers: string[], fields: string[], poolId: number | undefined): Record<string, unknown> {
  const lead: Record<string, unknown> = {};
  const contact: Record<string, unknown> = {};
  const attributes: Record<string, unknown> = {};
  headers.forEach((h, i) => {
    const raw = record[h];
    const field = fields[i]!;
    if (raw === undefined) return;
    const v = raw.trim();
    if (field.startsWith('contact.')) {
      if (v !== '') contact[field.slice(8)] = v;
    } else if (field.startsWith('attributes.')) {
      if (v !== '') attributes[field.slice(11)] = v;
    } else if (field === 'score' || field === 'priority') {
      if (v !== '') lead[field] = /^-?\d+$/.test(v) ? Number(v) : v;
    } else if (field === 'externalId') {
      if (v !== '') lead[field] = v;
    } else {
      lead[field] = v;
    }
  });
  lead.contact = contact;
  if (Object.keys(attributes).length) lead.attributes = attributes;
  if (poolId !== undefined) lead.poolId = poolId;
  return lead;
}

export interface ScanResult {
  rows: number;
  errors: RowError[];
  headers: string[];
  fields: string[];
}

/**
 * Reads the file once and checks every row, keeping nothing but the errors: a file with a
 * million rows is validated in bounded memory. `onRow` receives each good row in order.
 */
export async function scanCsv(
  file: string,
  opts: { mapping?: CsvMapping; poolId?: number; onRow?: (lead: LeadInput, line: number) => void | Promise<void>; onProgress?: (rows: number) => void },
): Promise<ScanResult> {
  const parser = createReadStream(file).pipe(
    parse({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: false, info: true, trim: false }),
  );
  const errors: RowError[] = [];
  let headers: string[] = [];
  let fields: string[] = [];
  let rows = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      if (rows === 0) {
        headers = Object.keys(item.record);
        fields = headers.map((h) => fieldFor(h, opts.mapping ?? {}));
      }
      rows++;
      const parsed = parseLeadInput(toInput(item.record, headers, fields, opts.poolId));
      if (!parsed.ok) errors.push({ line: item.info.lines, problems: parsed.problems });
      else if (errors.length === 0 && opts.onRow) await opts.onRow(parsed.value, item.info.lines);
      if (rows % 10_000 === 0) opts.onProgress?.(rows);
    }
  } catch (err) {
    const e = err as { code?: string; lines?: number; message: string };
    errors.push({ line: e.lines ?? rows + 1, problems: [{ field: '(row)', problem: e.message.replace(/^Invalid Record Length: /, '') }] });
  }
  return { rows, errors, headers, fields };
}

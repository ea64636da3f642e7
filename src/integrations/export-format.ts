import { csvCell } from '../core/metrics-report.js';
import type { LeadEvent } from '../core/types.js';
import type { MetricsRange, Store } from '../store/store.js';
import type { IntegrationStore, LeadExportRow } from '../store/integration-store.js';

/**
 * The export files, shared by GET /api/v1/exports/* and `leadpool export`: CSV with a header
 * row, or JSON as one object per line (NDJSON: a file of any size can be read a line at a
 * time). Both are produced a page at a time, so memory stays flat at any size.
 */
export type ExportFormat = 'csv' | 'json';
export type ExportKind = 'leads' | 'events';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The lead's result, when it has one. */
const OUTCOMES = new Set(['qualified', 'disqualified', 'converted']);

/** One lead as a CRM wants it: flat, with its claim, its rep and its outcome. */
export function leadRecord(r: LeadExportRow): Record<string, unknown> {
  const l = r.lead;
  return {
    id: l.id,
    externalId: l.externalId,
    company: l.company,
    industry: l.industry,
    companySize: l.companySize,
    source: l.source,
    score: l.score,
    region: l.region,
    poolId: l.poolId,
    pool: r.poolName,
    status: l.status,
    priority: l.priority,
    contactName: l.contact.name,
    contactEmail: l.contact.email,
    contactPhone: l.contact.phone,
    createdAt: iso(l.createdAt),
    claimSource: l.claimSource,
    claimedAt: iso(l.claimedAt),
    ownerId: l.ownerId,
    ownerEmail: r.ownerEmail,
    ownerName: r.ownerName,
    contactedAt: iso(l.contactedAt),
    outcome: OUTCOMES.has(l.status) ? l.status : null,
    closedAt: iso(l.closedAt),
    updatedAt: iso(l.updatedAt),
    attributes: l.attributes,
  };
}

/** The CSV columns, in the order of leadRecord's keys (a test holds them together). */
export const LEAD_COLUMNS = [
  'id', 'externalId', 'company', 'industry', 'companySize', 'source', 'score', 'region', 'poolId', 'pool', 'status', 'priority',
  'contactName', 'contactEmail', 'contactPhone', 'createdAt', 'claimSource', 'claimedAt', 'ownerId', 'ownerEmail', 'ownerName',
  'contactedAt', 'outcome', 'closedAt', 'updatedAt', 'attributes',
] as const;

/** The same columns as GET /api/v1/exports/events.csv. */
export const EVENT_COLUMNS = ['id', 'type', 'at', 'lead_id', 'pool_id', 'actor_kind', 'actor_id', 'actor_name', 'reason', 'data'];

export function eventRecord(e: LeadEvent): Record<string, unknown> {
  return { ...e, at: iso(e.at) };
}

function eventCsvLine(e: LeadEvent): string {
  return [e.id, e.type, iso(e.at), e.leadId, e.poolId, e.actorKind, e.actorId, e.actorName, e.reason, e.data].map(csvCell).join(',') + '\n';
}

function leadCsvLine(r: LeadExportRow): string {
  const rec = leadRecord(r);
  return LEAD_COLUMNS.map((c) => csvCell(rec[c])).join(',') + '\n';
}

export const EXPORT_PAGE = 2000;

export interface ExportSource {
  store: Store;
  /** Needed for leads; null only for a store without an IntegrationStore. */
  integrations: IntegrationStore | null;
}

/**
 * The export as text chunks (one page each), with `onRows` told the running count.
 * Consumers pull: nothing is read from the database faster than it is written out.
 */
export function exportChunks(src: ExportSource, kind: ExportKind, format: ExportFormat, range: MetricsRange, onRows?: (n: number) => void): AsyncGenerator<string> {
  if (kind === 'events') return formatExport({ kind, pages: src.store.eventPages(range, EXPORT_PAGE) }, format, onRows);
  if (!src.integrations) throw new Error('this store has no lead export');
  return formatExport({ kind, pages: src.integrations.leadExportPages(range, EXPORT_PAGE) }, format, onRows);
}

/**
 * What the server sends: the store's own stream of the text when it has one (SQLite formats
 * on a worker thread), else the chunks made here.
 */
export function exportStream(src: ExportSource, kind: ExportKind, format: ExportFormat, range: MetricsRange): AsyncIterable<string> {
  if (kind === 'leads' && !src.integrations) throw new Error('this store has no lead export');
  return src.store.exportStream?.(kind, format, range) ?? exportChunks(src, kind, format, range);
}

export type ExportPages =
  | { kind: 'events'; pages: Iterable<LeadEvent[]> | AsyncIterable<LeadEvent[]> }
  | { kind: 'leads'; pages: Iterable<LeadExportRow[]> | AsyncIterable<LeadExportRow[]> };

/** Pages of rows as the export's text: the header, then each page in pieces. */
export async function* formatExport(src: ExportPages, format: ExportFormat, onRows?: (n: number) => void): AsyncGenerator<string> {
  let n = 0;
  if (src.kind === 'events') {
    if (format === 'csv') yield EVENT_COLUMNS.join(',') + '\n';
    const line = format === 'csv' ? eventCsvLine : (e: LeadEvent) => JSON.stringify(eventRecord(e)) + '\n';
    for await (const page of src.pages) {
      yield* pieces(page, line);
      n += page.length;
      onRows?.(n);
    }
    return;
  }
  if (format === 'csv') yield LEAD_COLUMNS.join(',') + '\n';
  const line = format === 'csv' ? leadCsvLine : (r: LeadExportRow) => JSON.stringify(leadRecord(r)) + '\n';
  for await (const page of src.pages) {
    yield* pieces(page, line);
    n += page.length;
    onRows?.(n);
  }
}

/**
 * A page as text in pieces of PIECE_ROWS rows (~50-100 KB): the stream buffers up to 16
 * chunks, and strings this size stay out of V8's large-object space.
 */
const PIECE_ROWS = 250;

function* pieces<T>(page: T[], line: (row: T) => string): Generator<string> {
  for (let i = 0; i < page.length; i += PIECE_ROWS) yield page.slice(i, i + PIECE_ROWS).map(line).join('');
}

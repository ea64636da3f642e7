import type { Statement } from 'better-sqlite3';
import { eventFromRow, leadFromRow, type EventRow, type LeadRow } from '../rows.js';
import type { LeadEvent } from '../../core/types.js';
import type { LeadExportRow } from '../integration-store.js';
import type { MetricsRange } from '../store.js';

/**
 * The pages of the exports on SQLite, shared by the stores (in process) and the export worker
 * (its own connection). Keyset on the rowid: each page is a short walk from where the last one
 * ended, so the millionth row costs what the first did, and only one page is ever in memory.
 * Each page is its own statement: no read transaction stays open for the whole export (that
 * would keep the WAL from starting over while it runs).
 */
export const EVENT_PAGE_SQL = `SELECT * FROM events WHERE id > ? AND at >= ? AND at < ? AND (? IS NULL OR pool_id = ?) ORDER BY id LIMIT ?`;

export const LEAD_EXPORT_PAGE_SQL = `SELECT l.*, p.name AS pool_name, u.email AS owner_email, u.name AS owner_name
  FROM leads l JOIN pools p ON p.id = l.pool_id LEFT JOIN users u ON u.id = l.owner_id
 WHERE l.id > ? AND l.created_at >= ? AND l.created_at < ? AND (? IS NULL OR l.pool_id = ?)
 ORDER BY l.id LIMIT ?`;

type Prepare = (sql: string) => Statement;

/** The history in [from, to), a page at a time. */
export function* eventPagesFrom(prepare: Prepare, range: MetricsRange, pageSize: number): Generator<LeadEvent[]> {
  const page = prepare(EVENT_PAGE_SQL);
  for (let after = 0; ; ) {
    const rows = (page.all(after, range.from, range.to, range.poolId ?? null, range.poolId ?? null, pageSize) as EventRow[]).map(eventFromRow);
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    yield rows;
    if (rows.length < pageSize) return;
  }
}

/** The leads created in [from, to) with their pool and rep, a page at a time. */
export function* leadExportPagesFrom(prepare: Prepare, range: MetricsRange, pageSize: number): Generator<LeadExportRow[]> {
  const page = prepare(LEAD_EXPORT_PAGE_SQL);
  for (let after = 0; ; ) {
    const rows = page.all(after, range.from, range.to, range.poolId ?? null, range.poolId ?? null, pageSize) as (LeadRow & {
      pool_name: string;
      owner_email: string | null;
      owner_name: string | null;
    })[];
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    yield rows.map((r) => ({ lead: leadFromRow(r), poolName: r.pool_name, ownerEmail: r.owner_email, ownerName: r.owner_name }));
    if (rows.length < pageSize) return;
  }
}

/** Pages as the stores hand them out: the event loop serves other requests between two pages. */
export async function* betweenRequests<T>(pages: Generator<T>): AsyncGenerator<T> {
  for (const page of pages) {
    yield page;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

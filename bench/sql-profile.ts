/**
 * Which SQL statements a store call runs, how often and for how long: wraps the store's
 * `db.prepare` so every statement it prepares from then on counts and times its executions.
 * Statements are prepared lazily and cached by the store, so wrap a FRESH store before its
 * first call. For diagnosis only (a Proxy per call costs ~1 µs).
 */
import type Database from 'better-sqlite3';
import { performance } from 'node:perf_hooks';

export interface SqlStat {
  sql: string;
  calls: number;
  ms: number;
  rows: number;
}

export class SqlProfile {
  readonly stats = new Map<string, SqlStat>();

  constructor(db: Database.Database) {
    const target = db as unknown as { prepare: (sql: string) => object };
    const orig = target.prepare.bind(db);
    const stats = this.stats;
    target.prepare = (sql: string) => {
      const st = orig(sql) as Record<string | symbol, unknown>;
      return new Proxy(st, {
        get(t, p) {
          const v = Reflect.get(t, p, t);
          if (p === 'get' || p === 'all' || p === 'run') {
            return (...a: unknown[]) => {
              const t0 = performance.now();
              const out = (v as (...x: unknown[]) => unknown).apply(t, a);
              let s = stats.get(sql);
              if (!s) stats.set(sql, (s = { sql, calls: 0, ms: 0, rows: 0 }));
              s.calls++;
              s.ms += performance.now() - t0;
              s.rows += Array.isArray(out) ? out.length : out === undefined ? 0 : 1;
              return out;
            };
          }
          return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(t) : v;
        },
      });
    };
  }

  reset(): void {
    this.stats.clear();
  }

  snapshot(): SqlStat[] {
    return [...this.stats.values()].map((s) => ({ ...s }));
  }
}

export const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim();

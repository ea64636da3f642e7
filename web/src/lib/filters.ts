import { FACET_KEYS, type FacetKey, type Lead, type SortKey, type SortOrder } from '../api/types.js';

export interface Filters {
  industry: string[];
  companySize: string[];
  source: string[];
  region: string[];
  minScore: string;
  maxScore: string;
  maxAgeMinutes: string;
  q: string;
  sort: SortKey;
  order: SortOrder;
}

export const DEFAULT_ORDER: Record<SortKey, SortOrder> = { score: 'desc', age: 'desc', company: 'asc' };

export const EMPTY_FILTERS: Filters = {
  industry: [],
  companySize: [],
  source: [],
  region: [],
  minScore: '',
  maxScore: '',
  maxAgeMinutes: '',
  q: '',
  sort: 'score',
  order: 'desc',
};

export const MAX_AGE_CHOICES = [
  { minutes: 15, key: 'age.m15' },
  { minutes: 60, key: 'age.h1' },
  { minutes: 240, key: 'age.h4' },
  { minutes: 1440, key: 'age.d1' },
  { minutes: 10080, key: 'age.d7' },
] as const;

const SIZE_ORDER = ['1-10', '11-50', '51-200', '201-1000', '1001-5000', '5000+'];

export function sortFacetValues(key: FacetKey, values: string[]): string[] {
  if (key === 'companySize') {
    const rank = (v: string) => {
      const i = SIZE_ORDER.indexOf(v);
      return i === -1 ? SIZE_ORDER.length : i;
    };
    return [...values].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  }
  return [...values].sort((a, b) => a.localeCompare(b));
}

function isNumText(v: string): boolean {
  return v.trim() !== '' && Number.isFinite(Number(v));
}

export function hasActiveFilters(f: Filters): boolean {
  return (
    FACET_KEYS.some((k) => f[k].length > 0) ||
    isNumText(f.minScore) ||
    isNumText(f.maxScore) ||
    isNumText(f.maxAgeMinutes) ||
    f.q.trim() !== ''
  );
}

/** Query parameters for GET /pools/{id}/leads (without limit and cursor). */
export function filtersToParams(f: Filters): URLSearchParams {
  const p = new URLSearchParams();
  for (const k of FACET_KEYS) for (const v of f[k]) p.append(k, v);
  if (isNumText(f.minScore)) p.set('minScore', String(Number(f.minScore)));
  if (isNumText(f.maxScore)) p.set('maxScore', String(Number(f.maxScore)));
  if (isNumText(f.maxAgeMinutes)) p.set('maxAgeMinutes', String(Number(f.maxAgeMinutes)));
  const q = f.q.trim();
  if (q) p.set('q', q);
  p.set('sort', f.sort);
  p.set('order', f.order);
  return p;
}

export function filtersFromSearch(search: string): Filters {
  const p = new URLSearchParams(search);
  const sortRaw = p.get('sort');
  const sort: SortKey = sortRaw === 'age' || sortRaw === 'company' || sortRaw === 'score' ? sortRaw : EMPTY_FILTERS.sort;
  const orderRaw = p.get('order');
  const order: SortOrder = orderRaw === 'asc' || orderRaw === 'desc' ? orderRaw : DEFAULT_ORDER[sort];
  return {
    industry: p.getAll('industry'),
    companySize: p.getAll('companySize'),
    source: p.getAll('source'),
    region: p.getAll('region'),
    minScore: p.get('minScore') ?? '',
    maxScore: p.get('maxScore') ?? '',
    maxAgeMinutes: p.get('maxAgeMinutes') ?? '',
    q: p.get('q') ?? '',
    sort,
    order,
  };
}

/** When the lead arrived (what "age" and the server's age sort and filter count from). */
export function arrivedAt(lead: Lead): number | null {
  const iso = lead.createdAt;
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/**
 * Whether a lead that just became available belongs in the current list: true/false,
 * or null when the lead lacks a field a filter needs (then the caller refetches).
 */
export function matchesFilters(lead: Lead, f: Filters, now: number): boolean | null {
  for (const k of FACET_KEYS) {
    if (f[k].length === 0) continue;
    const v = lead[k];
    if (v === undefined) return null;
    if (v === null || !f[k].includes(v)) return false;
  }
  if (isNumText(f.minScore) || isNumText(f.maxScore)) {
    if (lead.score === undefined) return null;
    if (lead.score === null) return false;
    if (isNumText(f.minScore) && lead.score < Number(f.minScore)) return false;
    if (isNumText(f.maxScore) && lead.score > Number(f.maxScore)) return false;
  }
  if (isNumText(f.maxAgeMinutes)) {
    const at = arrivedAt(lead);
    if (at === null) return null;
    if ((now - at) / 60000 > Number(f.maxAgeMinutes)) return false;
  }
  const q = f.q.trim().toLowerCase();
  if (q) {
    if (lead.company === undefined) return null;
    const name = (lead.company ?? '').toLowerCase();
    if (q.length <= 2 ? !name.startsWith(q) : !name.includes(q)) return false;
  }
  return true;
}

function compare(a: Lead, b: Lead, sort: SortKey): number | null {
  switch (sort) {
    case 'score': {
      if (a.score === undefined || b.score === undefined) return null;
      return (a.score ?? -1) - (b.score ?? -1);
    }
    case 'age': {
      const ta = arrivedAt(a);
      const tb = arrivedAt(b);
      if (ta === null || tb === null) return null;
      return tb - ta; // older (earlier arrival) = larger age
    }
    case 'company': {
      if (a.company === undefined || b.company === undefined) return null;
      return (a.company ?? '').localeCompare(b.company ?? '', undefined, { sensitivity: 'base' });
    }
  }
}

/** Where a new lead goes in the loaded list for the current sort; null when it cannot tell. */
export function insertionIndex(items: Lead[], lead: Lead, sort: SortKey, order: SortOrder): number | null {
  for (let i = 0; i < items.length; i++) {
    const c = compare(lead, items[i]!, sort);
    if (c === null) return null;
    if ((order === 'asc' ? c : -c) < 0) return i;
  }
  return items.length;
}

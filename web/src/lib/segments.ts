/**
 * "My segments": a short list of saved filter sets per user, kept in this browser.
 * Short on purpose (teams drown in personal views otherwise).
 */
export const MAX_SEGMENTS = 8;

export interface Segment {
  name: string;
  /** The filters as browse query parameters (filtersToParams). */
  query: string;
}

const key = (userId: string) => `leadpool.segments.${userId}`;

export function loadSegments(userId: string): Segment[] {
  try {
    const raw = localStorage.getItem(key(userId));
    const list = raw ? (JSON.parse(raw) as unknown) : [];
    if (!Array.isArray(list)) return [];
    return list
      .filter((s): s is Segment => !!s && typeof s === 'object' && typeof (s as Segment).name === 'string' && typeof (s as Segment).query === 'string')
      .slice(0, MAX_SEGMENTS);
  } catch {
    return [];
  }
}

export function saveSegments(userId: string, list: Segment[]): void {
  try {
    localStorage.setItem(key(userId), JSON.stringify(list.slice(0, MAX_SEGMENTS)));
  } catch {
    /* storage full or private mode: the list lasts for this page */
  }
}

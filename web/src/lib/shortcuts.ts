import { useEffect, useRef } from 'react';

/**
 * One-key shortcuts, as in the best triage UIs (j/k, c, n, s, r, l, g then h/p/m, /, ?).
 * One keydown listener on the window; views register their keys while they are mounted and
 * the most recently mounted handler of a key wins (a page's `r` over nothing global).
 * Never fires while typing in a field, with Ctrl/Alt/Meta, while a modal dialog is open, or
 * when the user turned shortcuts off.
 */
export type ShortcutMap = Record<string, (e: KeyboardEvent) => void>;

const STORAGE_KEY = 'leadpool.shortcuts';
const layers: { map: { current: ShortcutMap } }[] = [];
let pendingG = false;
let gTimer: ReturnType<typeof setTimeout> | undefined;
/** A second key after `g` must come within this time. */
const SEQUENCE_MS = 1500;

export function shortcutsEnabled(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEY) !== 'off';
  } catch {
    return true;
  }
}

export function setShortcutsEnabled(on: boolean): void {
  try {
    localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
  } catch {
    /* private mode: for this page only */
  }
}

/** Typing in a field, or a key meant for a focused control (a select's letters, a button's Enter). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(type);
  }
  return false;
}

function lookup(key: string): ((e: KeyboardEvent) => void) | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const f = layers[i]!.map.current[key];
    if (f) return f;
  }
  return undefined;
}

function onKeyDown(e: KeyboardEvent): void {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
  // Esc leaves the search box for the list, so j/k work again without the mouse.
  if (e.key === 'Escape' && e.target instanceof HTMLInputElement && e.target.type === 'search') {
    const main = e.target.closest('main');
    const row = main?.querySelector<HTMLElement>('tr[data-row-id].is-active') ?? main?.querySelector<HTMLElement>('tr[data-row-id]');
    e.target.blur();
    (row ?? main)?.focus();
    return;
  }
  if (isTypingTarget(e.target)) return;
  if (document.querySelector('dialog[open]:modal')) return;
  if (!shortcutsEnabled() && e.key !== '?') return;
  let key = e.key;
  if (pendingG) {
    pendingG = false;
    clearTimeout(gTimer);
    key = `g ${e.key}`;
  } else if (e.key === 'g' && Object.keys(collectKeys()).some((k) => k.startsWith('g '))) {
    pendingG = true;
    gTimer = setTimeout(() => (pendingG = false), SEQUENCE_MS);
    e.preventDefault();
    return;
  }
  // Enter belongs to the focused control (rows open on Enter themselves).
  if (key === 'Enter' || key === ' ') return;
  const f = lookup(key);
  if (!f) return;
  e.preventDefault();
  f(e);
}

function collectKeys(): ShortcutMap {
  const all: ShortcutMap = {};
  for (const l of layers) Object.assign(all, l.map.current);
  return all;
}

if (typeof window !== 'undefined') window.addEventListener('keydown', onKeyDown);

/** Registers `map` while the component is mounted; the handlers may change every render. */
export function useShortcuts(map: ShortcutMap): void {
  const ref = useRef(map);
  ref.current = map;
  useEffect(() => {
    const layer = { map: ref };
    layers.push(layer);
    return () => {
      const i = layers.indexOf(layer);
      if (i >= 0) layers.splice(i, 1);
    };
  }, []);
}

/** The table row that has focus (or contains it) in `body`, else the one marked active. */
export function currentRow(body: HTMLElement | null): HTMLElement | null {
  if (!body) return null;
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement.closest<HTMLElement>('tr[data-row-id]') : null;
  if (focused && body.contains(focused)) return focused;
  return body.querySelector<HTMLElement>('tr[data-row-id].is-active');
}

/** j/k: focus the next or previous row of `body` (the first one when none is current); returns its id. */
export function moveRow(body: HTMLElement | null, delta: 1 | -1): string | null {
  if (!body) return null;
  const rows = Array.from(body.querySelectorAll<HTMLElement>('tr[data-row-id]'));
  if (rows.length === 0) return null;
  const cur = currentRow(body);
  const i = cur ? rows.indexOf(cur) : -1;
  const next = rows[i < 0 ? 0 : Math.max(0, Math.min(rows.length - 1, i + delta))]!;
  next.focus();
  next.scrollIntoView({ block: 'nearest' });
  return next.dataset.rowId ?? null;
}

import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { StreamEvent } from './types.js';

/**
 * One EventSource for the whole app (cookie auth), fanned out to subscribers.
 * After a reconnect subscribers get a `resync` message: events may have been missed,
 * so views refetch what they show.
 */
export type StreamMessage = { kind: 'event'; event: StreamEvent } | { kind: 'resync' };
export type StreamStatus = 'idle' | 'connecting' | 'live' | 'offline';

type Listener = (m: StreamMessage) => void;

const listeners = new Set<Listener>();
const statusListeners = new Set<() => void>();
let source: EventSource | null = null;
let status: StreamStatus = 'idle';
let hadError = false;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let wanted = false;
const seen: string[] = [];
const seenSet = new Set<string>();

function setStatus(s: StreamStatus): void {
  if (s === status) return;
  status = s;
  statusListeners.forEach((f) => f());
}

function emit(m: StreamMessage): void {
  listeners.forEach((f) => {
    try {
      f(m);
    } catch (err) {
      console.error('stream listener failed', err);
    }
  });
}

function remember(eventId: string): boolean {
  if (seenSet.has(eventId)) return false;
  seenSet.add(eventId);
  seen.push(eventId);
  if (seen.length > 500) seenSet.delete(seen.shift()!);
  return true;
}

function connect(): void {
  if (!wanted || source) return;
  setStatus('connecting');
  const es = new EventSource('/api/v1/stream', { withCredentials: true });
  source = es;
  es.addEventListener('open', () => {
    setStatus('live');
    if (hadError) emit({ kind: 'resync' });
    hadError = false;
  });
  es.addEventListener('lead', (e) => {
    let data: StreamEvent;
    try {
      data = JSON.parse((e as MessageEvent<string>).data) as StreamEvent;
    } catch {
      return;
    }
    if (data.eventId !== undefined && data.eventId !== null && !remember(String(data.eventId))) return;
    emit({ kind: 'event', event: data });
  });
  es.addEventListener('error', () => {
    hadError = true;
    if (es.readyState === EventSource.CLOSED) {
      // The browser gave up (e.g. a 4xx/5xx answer): try again ourselves, slowly.
      es.close();
      source = null;
      setStatus('offline');
      clearTimeout(retryTimer);
      retryTimer = setTimeout(connect, 5000);
    } else {
      setStatus('connecting');
    }
  });
}

export function startStream(): void {
  wanted = true;
  connect();
}

export function stopStream(): void {
  wanted = false;
  clearTimeout(retryTimer);
  source?.close();
  source = null;
  hadError = false;
  setStatus('idle');
}

export function subscribeStream(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Calls `handler` for every stream message while the component is mounted. */
export function useLeadStream(handler: Listener): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => subscribeStream((m) => ref.current(m)), []);
}

function subscribeStatus(cb: () => void): () => void {
  statusListeners.add(cb);
  return () => statusListeners.delete(cb);
}

const getStatus = () => status;

export function useStreamStatus(): StreamStatus {
  return useSyncExternalStore(subscribeStatus, getStatus);
}

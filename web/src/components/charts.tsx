import { useLayoutEffect, useRef, useState, type ReactNode, type RefObject } from 'react';

/**
 * Hand-made SVG charts for small aggregates (a few dozen marks each): drawn at the
 * container's real pixel width so text stays readable from phone to desktop. Every mark
 * has a <title> (the number on hover and for assistive tech) and a data-value.
 */

function useWidth<T extends HTMLElement>(fallback = 480): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [w, setW] = useState(fallback);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setW(Math.max(200, Math.floor(el.getBoundingClientRect().width)));
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, w];
}

export interface Bar {
  key: string;
  label: string;
  value: number | null;
  /** Hover text; defaults to "label: value". */
  title?: string;
  tone?: string;
  /** Shown instead of the value when value is null. */
  emptyText?: string;
}

const LABEL_W = 130;
const ROW_H = 26;

/** Horizontal bars, one per row, with an optional reference line (e.g. 50 = neutral). */
export function HBarChart({
  bars,
  max,
  format,
  refLine,
  refLabel,
  label,
}: {
  bars: Bar[];
  max?: number;
  format: (n: number) => string;
  refLine?: number;
  refLabel?: string;
  label: string;
}) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const labelW = Math.min(LABEL_W, Math.floor(width * 0.35));
  const longest = Math.max(3, ...bars.map((b) => (b.value === null ? (b.emptyText ?? '—') : format(b.value)).length));
  const valueW = Math.min(140, 12 + longest * 7);
  const plotW = Math.max(40, width - labelW - valueW - 8);
  const top = refLine !== undefined ? 18 : 4;
  const height = top + bars.length * ROW_H + 4;
  const m = max ?? Math.max(1, ...bars.map((b) => b.value ?? 0));
  const x = (v: number) => labelW + (Math.max(0, v) / m) * plotW;
  return (
    <div ref={ref} className="chart">
      <svg width={width} height={height} role="img" aria-label={label} className="chart-svg">
        {bars.map((b, i) => {
          const y = top + i * ROW_H;
          const text = b.value === null ? (b.emptyText ?? '—') : format(b.value);
          return (
            <g key={b.key} className={`chart-row ${b.tone ?? ''}`} data-value={b.value ?? ''}>
              <title>{b.title ?? `${b.label}: ${text}`}</title>
              <text x={labelW - 8} y={y + ROW_H / 2 + 4} textAnchor="end" className="chart-label">
                {truncate(b.label, Math.floor(labelW / 7))}
              </text>
              <rect x={labelW} y={y + 5} width={plotW} height={ROW_H - 10} className="chart-track" rx={3} />
              {b.value !== null && b.value > 0 ? (
                <rect x={labelW} y={y + 5} width={Math.max(2, x(b.value) - labelW)} height={ROW_H - 10} className="chart-bar" rx={3} />
              ) : null}
              <text x={labelW + plotW + 6} y={y + ROW_H / 2 + 4} className={b.value === null ? 'chart-value muted' : 'chart-value'}>
                {text}
              </text>
            </g>
          );
        })}
        {refLine !== undefined ? (
          <g className="chart-ref">
            <line x1={x(refLine)} x2={x(refLine)} y1={top - 4} y2={height - 2} />
            <text x={x(refLine)} y={11} textAnchor="middle">
              {refLabel ?? format(refLine)}
            </text>
          </g>
        ) : null}
      </svg>
    </div>
  );
}

export interface Stack {
  key: string;
  label: string;
  segments: number[];
  total?: number;
}

/** Horizontal stacked bars (e.g. claims per rep split by score band), with a legend. */
export function StackedBarChart({
  stacks,
  segmentLabels,
  format,
  label,
}: {
  stacks: Stack[];
  segmentLabels: string[];
  format: (n: number) => string;
  label: string;
}) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const labelW = Math.min(LABEL_W, Math.floor(width * 0.35));
  const valueW = 44;
  const plotW = Math.max(40, width - labelW - valueW - 8);
  const height = stacks.length * ROW_H + 4;
  const totals = stacks.map((s) => s.segments.reduce((a, n) => a + n, 0));
  const m = Math.max(1, ...totals);
  return (
    <div ref={ref} className="chart">
      <Legend labels={segmentLabels} />
      <svg width={width} height={height} role="img" aria-label={label} className="chart-svg">
        {stacks.map((s, i) => {
          const y = i * ROW_H;
          let x = labelW;
          const total = totals[i]!;
          return (
            <g key={s.key} className="chart-row" data-value={total}>
              <title>
                {`${s.label}: ${format(total)}` + s.segments.map((n, j) => `\n${segmentLabels[j]}: ${format(n)}`).join('')}
              </title>
              <text x={labelW - 8} y={y + ROW_H / 2 + 4} textAnchor="end" className="chart-label">
                {truncate(s.label, Math.floor(labelW / 7))}
              </text>
              <rect x={labelW} y={y + 5} width={plotW} height={ROW_H - 10} className="chart-track" rx={3} />
              {s.segments.map((n, j) => {
                if (n <= 0) return null;
                const w = (n / m) * plotW;
                const r = <rect key={j} x={x} y={y + 5} width={w} height={ROW_H - 10} className={`chart-seg seg-${j}`} />;
                x += w;
                return r;
              })}
              <text x={labelW + plotW + 6} y={y + ROW_H / 2 + 4} className="chart-value">
                {format(total)}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

/** Vertical bars over ordered buckets (age histogram). */
export function Histogram({
  buckets,
  format,
  label,
  toneOf,
}: {
  buckets: { label: string; count: number }[];
  format: (n: number) => string;
  label: string;
  toneOf?: (i: number) => string;
}) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const height = 150;
  const bottom = 22;
  const top = 16;
  const n = buckets.length;
  const gap = 4;
  const bw = Math.max(6, (width - gap * (n - 1)) / n);
  const m = Math.max(1, ...buckets.map((b) => b.count));
  const showEvery = bw < 30 ? 2 : 1;
  return (
    <div ref={ref} className="chart">
      <svg width={width} height={height} role="img" aria-label={label} className="chart-svg">
        <line x1={0} x2={width} y1={height - bottom} y2={height - bottom} className="chart-axis" />
        {buckets.map((b, i) => {
          const h = (b.count / m) * (height - bottom - top);
          const x = i * (bw + gap);
          return (
            <g key={b.label} className={`chart-col ${toneOf?.(i) ?? ''}`} data-value={b.count}>
              <title>{`${b.label}: ${format(b.count)}`}</title>
              <rect x={x} y={top} width={bw} height={height - bottom - top} className="chart-hit" />
              {b.count > 0 ? <rect x={x} y={height - bottom - h} width={bw} height={Math.max(1, h)} className="chart-bar" rx={2} /> : null}
              {b.count > 0 ? (
                <text x={x + bw / 2} y={height - bottom - h - 4} textAnchor="middle" className="chart-value">
                  {format(b.count)}
                </text>
              ) : null}
              {i % showEvery === 0 ? (
                <text x={x + bw / 2} y={height - 6} textAnchor="middle" className="chart-label chart-label-small">
                  {b.label}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
    </div>
  );
}

export function Legend({ labels }: { labels: string[] }) {
  return (
    <ul className="legend" aria-hidden="true">
      {labels.map((l, j) => (
        <li key={l}>
          <span className={`legend-swatch seg-${j}`} />
          {l}
        </li>
      ))}
    </ul>
  );
}

/** A KPI tile: a big number, what it is, and a line of context. */
export function Tile({ label, value, sub, tone, children }: { label: string; value: string; sub?: string; tone?: 'ok' | 'warn' | 'bad'; children?: ReactNode }) {
  return (
    <div className={`tile${tone ? ` tile-${tone}` : ''}`}>
      <p className="tile-label">{label}</p>
      <p className="tile-value">{value}</p>
      {sub ? <p className="tile-sub muted small">{sub}</p> : null}
      {children}
    </div>
  );
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, Math.max(1, n - 1))}…`;
}

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

export function Legend({ labels, classes }: { labels: string[]; classes?: string[] }) {
  return (
    <ul className="legend" aria-hidden="true">
      {labels.map((l, j) => (
        <li key={l}>
          <span className={`legend-swatch ${classes?.[j] ?? `seg-${j}`}`} />
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

export interface LineSeries {
  key: string;
  label: string;
  /** One value per x; null = no data that day (the line breaks). */
  values: (number | null)[];
  className: string;
}

/**
 * Lines over ordered x values (days) with a y grid. Hovering a column shows every series'
 * value there (and each column has a <title> for assistive tech and plain hover).
 */
export function LineChart({
  xs,
  series,
  formatX,
  formatY,
  label,
  extra,
}: {
  xs: number[];
  series: LineSeries[];
  formatX: (x: number) => string;
  formatY: (y: number) => string;
  label: string;
  /** One more line of text per column for the hover (e.g. "12 claims"). */
  extra?: (i: number) => string;
}) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const [hover, setHover] = useState<number | null>(null);
  const height = 190;
  const left = 64;
  const right = 12;
  const top = 12;
  const bottom = 24;
  const plotW = Math.max(40, width - left - right);
  const plotH = height - top - bottom;
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = niceMax(Math.max(1, ...all));
  const n = xs.length;
  const step = n > 1 ? plotW / (n - 1) : 0;
  const xAt = (i: number) => (n > 1 ? left + i * step : left + plotW / 2);
  const yAt = (v: number) => top + plotH - (v / max) * plotH;
  const ticks = [0, max / 4, max / 2, (3 * max) / 4, max];
  const labelEvery = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(plotW / 64))));
  const colW = n > 1 ? step : plotW;
  const readout = hover !== null ? [formatX(xs[hover]!), ...series.map((s) => `${s.label} ${s.values[hover] === null ? '—' : formatY(s.values[hover]!)}`), ...(extra ? [extra(hover)] : [])] : null;
  return (
    <div ref={ref} className="chart line-chart">
      <div className="line-chart-head">
        <Legend labels={series.map((s) => s.label)} classes={series.map((s) => s.className)} />
        <p className="chart-readout small" aria-hidden="true">
          {readout ? readout.join(' · ') : '\u00a0'}
        </p>
      </div>
      <svg width={width} height={height} role="img" aria-label={label} className="chart-svg" onMouseLeave={() => setHover(null)}>
        {ticks.map((v) => (
          <g key={v} className="chart-grid-line">
            <line x1={left} x2={left + plotW} y1={yAt(v)} y2={yAt(v)} />
            <text x={left - 6} y={yAt(v) + 4} textAnchor="end" className="chart-label chart-label-small">
              {formatY(v)}
            </text>
          </g>
        ))}
        {hover !== null ? <line className="chart-cursor" x1={xAt(hover)} x2={xAt(hover)} y1={top} y2={top + plotH} /> : null}
        {series.map((s) => (
          <g key={s.key} className={`chart-line ${s.className}`}>
            <path d={linePath(s.values, xAt, yAt)} />
            {s.values.map((v, i) =>
              v === null ? null : <circle key={i} cx={xAt(i)} cy={yAt(v)} r={hover === i ? 4.5 : n > 40 ? 0 : 3} />,
            )}
          </g>
        ))}
        {xs.map((x, i) => (
          <g key={x} className="chart-day" data-values={series.map((s) => s.values[i] ?? '').join(',')} onMouseEnter={() => setHover(i)}>
            <title>{[formatX(x), ...series.map((s) => `${s.label}: ${s.values[i] === null ? '—' : formatY(s.values[i]!)}`), ...(extra ? [extra(i)] : [])].join('\n')}</title>
            <rect x={xAt(i) - colW / 2} y={top} width={colW} height={plotH} className="chart-hit" />
            {i % labelEvery === 0 || i === n - 1 ? (
              <text x={xAt(i)} y={height - 6} textAnchor={n === 1 ? 'middle' : i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle'} className="chart-label chart-label-small">
                {formatX(x)}
              </text>
            ) : null}
          </g>
        ))}
      </svg>
    </div>
  );
}

function linePath(values: (number | null)[], x: (i: number) => number, y: (v: number) => number): string {
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  return d;
}

/** A round upper bound for an axis: 1, 2 or 5 times a power of ten (in the value's unit). */
function niceMax(v: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

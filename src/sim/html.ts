import type { ModelResult } from './engine.js';
import { key, type SimulationReport } from './report.js';

/**
 * The report as one self-contained HTML file: no scripts, no external assets, inline SVG
 * charts. Every bar and line carries a <title>, so hovering shows the exact number.
 */
export function renderHtml(report: SimulationReport): string {
  const r = report.results;
  const i = report.inputs;
  const charts = [
    bars('Speed to first contact, median (minutes, lower is better)', r, (x) => x.speedToContactMin.median ?? 0, (v) => `${fmt(v)} min`),
    bars('Contacted within an hour (share of all leads)', r, (x) => x.contactedWithin1h, pct),
    bars('Coverage: leads ever worked', r, (x) => x.coverage, pct),
    bars('Fairness: Gini of leads per rep (lower is fairer)', r, (x) => x.fairness.giniLeads, (v) => v.toFixed(2)),
    bars('Cherry-pick index (50 takes what comes)', r, (x) => x.cherryPickIndex.team ?? 0, (v) => fmt(v)),
    bars('Lock expiries', r, (x) => x.lockExpiries, (v) => String(Math.round(v))),
    bars('Expected conversions', r, (x) => x.conversions.expected, (v) => fmt(v)),
  ].join('\n');
  const series = lines('Mean age of waiting leads (minutes), over the run', r);
  const table = resultTable(r);
  const pv = report.pushVsPull;
  const label = (k: string | null) => esc(r.find((x) => key(x) === k)?.model.label ?? '—');
  const pvRows = pv.rows
    .map((row) => `<tr><th>${esc(row.factor)}</th><td>${esc(row.seedPush)}</td><td>${esc(row.seedPull)}</td><td>${esc(row.push)}</td><td>${esc(row.pull)}</td><td>${esc(row.verdict)}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Leadpool simulation (seed ${report.seed})</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px auto;max-width:1150px;padding:0 16px;color:#1d2433}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
.muted{color:#5b6478} .rec{background:#eef6ee;border:1px solid #9ccc9c;border-radius:8px;padding:12px 16px}
.rec li{margin:4px 0} table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #e3e6ec;padding:4px 6px;text-align:right;vertical-align:top} th:first-child,td:first-child{text-align:left}
.pv td,.pv th{text-align:left} .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:8px 24px}
svg text{font:12px system-ui,sans-serif;fill:#1d2433} .bar:hover{opacity:.75}
</style></head><body>
<h1>Leadpool simulation</h1>
<p class="muted">Seed ${report.seed} · ${esc(i.stream)} · ${i.leads.toLocaleString('en')} leads (score ${i.scoreMean} ± ${i.scoreSd}, ${pct(i.hotShare)} hot) · ${esc(i.team)}: ${i.reps} reps, ${i.leadsPerRepPerDay} leads per rep per day</p>
<div class="rec"><strong>Recommendation: ${esc(report.recommendation.headline)}</strong>
<ul>${report.recommendation.reasons.map((x) => `<li>${esc(x)}</li>`).join('')}</ul></div>
<h2>Side by side</h2>
<div class="charts">${charts}</div>
<h2>Queue age over time</h2>
${series}
<h2>All numbers</h2>
${table}
<h2>Push vs pull, measured</h2>
<p class="muted">Best push model: ${label(pv.bestPush)} · best pull model: ${label(pv.bestPull)}</p>
<table class="pv"><tr><th>factor</th><th>seed: push</th><th>seed: pull</th><th>measured push</th><th>measured pull</th><th>so</th></tr>
${pvRows}</table>
<h2>Models</h2>
<ul>${r.map((x) => `<li><strong>${esc(x.model.label)}</strong>: ${esc(x.model.summary)}</li>`).join('')}</ul>
</body></html>
`;
}

const COLORS = ['#3b6fd8', '#d8823b', '#3ba66b', '#b03bd8', '#d83b5b', '#3bb5c4', '#8a8f3b', '#6b4f2b', '#5b5bd8', '#c43b9a'];
const color = (i: number) => COLORS[i % COLORS.length]!;

function bars(title: string, results: ModelResult[], value: (r: ModelResult) => number, show: (v: number) => string): string {
  const rowH = 20;
  const labelW = 280;
  const barW = 200;
  const h = results.length * rowH + 28;
  const max = Math.max(1e-9, ...results.map(value));
  const rows = results
    .map((r, i) => {
      const v = value(r);
      const w = Math.max(1, (v / max) * barW);
      const y = 24 + i * rowH;
      return `<g class="bar"><title>${esc(r.model.label)}: ${esc(show(v))}</title><text x="0" y="${y + 13}">${esc(short(r.model.label))}</text>` +
        `<rect x="${labelW}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${color(i)}" rx="2"/>` +
        `<text x="${(labelW + w + 6).toFixed(1)}" y="${y + 13}">${esc(show(v))}</text></g>`;
    })
    .join('');
  return `<svg viewBox="0 0 ${labelW + barW + 70} ${h}" width="100%" role="img" aria-label="${esc(title)}"><text x="0" y="14" font-weight="600">${esc(title)}</text>${rows}</svg>`;
}

function lines(title: string, results: ModelResult[]): string {
  const W = 1100;
  const H = 300;
  const left = 50;
  const top = 10;
  const w = W - left - 230;
  const h = H - top - 30;
  const n = Math.max(1, ...results.map((r) => r.series.meanAgeMin.length));
  const max = Math.max(1, ...results.flatMap((r) => r.series.meanAgeMin));
  const x = (i: number) => left + (i / Math.max(1, n - 1)) * w;
  const y = (v: number) => top + h - (v / max) * h;
  const every = results[0]?.series.everyMinutes ?? 60;
  const start = Date.parse(results[0]?.series.startAt ?? '1970-01-01T00:00:00Z');
  const when = (i: number) => new Date(start + (i + 1) * every * 60_000).toISOString().slice(0, 16).replace('T', ' ');
  const paths = results
    .map((r, k) => {
      const pts = r.series.meanAgeMin.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      const step = Math.max(1, Math.ceil(r.series.meanAgeMin.length / 60));
      const dots = r.series.meanAgeMin
        .map((v, i) => (i % step === 0 ? `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${color(k)}" opacity="0.01"><title>${esc(short(r.model.label))} at ${when(i)} UTC: mean age ${fmt(v)} min, ${fmt(r.series.waiting[i] ?? 0)} waiting</title></circle>` : ''))
        .join('');
      const ly = top + 14 + k * 16;
      return `<g><title>${esc(r.model.label)}</title><polyline points="${pts}" fill="none" stroke="${color(k)}" stroke-width="1.5"/>${dots}` +
        `<rect x="${W - 220}" y="${ly - 9}" width="10" height="10" fill="${color(k)}"/><text x="${W - 205}" y="${ly}">${esc(short(r.model.label))}</text></g>`;
    })
    .join('');
  const axis = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<line x1="${left}" x2="${left + w}" y1="${y(max * f).toFixed(1)}" y2="${y(max * f).toFixed(1)}" stroke="#e3e6ec"/><text x="${left - 6}" y="${(y(max * f) + 4).toFixed(1)}" text-anchor="end">${fmt(max * f)}</text>`)
    .join('');
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(title)}">${axis}<text x="${left}" y="${H - 6}">${esc(when(-1))} UTC</text><text x="${left + w}" y="${H - 6}" text-anchor="end">${esc(when(n - 1))} UTC</text>${paths}</svg>
<p class="muted">${esc(title)}; each point averages ${every / 60} hour(s). Hover a line's points for the numbers.</p>`;
}

function resultTable(results: ModelResult[]): string {
  const head = ['model', 'median min', 'p90 min', '≤5 min', '≤1 h', 'worked', 'aged out', 'queue age', 'Gini', 'Gini hot', 'Gini quality', 'cherry-pick', 'expiries', 'refusals', 'review', 'exp. conv.', 'conversions'];
  const rows = results.map((r) =>
    [
      esc(r.model.label),
      fmt(r.speedToContactMin.median),
      fmt(r.speedToContactMin.p90),
      pct(r.contactedWithin5m),
      pct(r.contactedWithin1h),
      pct(r.coverage),
      String(r.leftToAgeOut),
      fmt(r.ageInQueueMin.median),
      r.fairness.giniLeads.toFixed(2),
      r.fairness.giniHotLeads.toFixed(2),
      r.fairness.giniQuality.toFixed(2),
      fmt(r.cherryPickIndex.team),
      String(r.lockExpiries),
      String(Object.values(r.refusals).reduce((a, b) => a + b, 0)),
      String(r.managerReview.sentToReview),
      fmt(r.conversions.expected),
      String(r.conversions.realized),
    ]
      .map((c) => `<td>${c}</td>`)
      .join(''),
  );
  return `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r}</tr>`).join('\n')}</table>`;
}

function short(label: string): string {
  return label.replace(' (fair play on)', ' · fp on').replace(' (fair play off)', ' · fp off');
}

function pct(v: number): string {
  return `${Math.round(v * 1000) / 10}%`;
}

function fmt(v: number | null): string {
  if (v === null) return '—';
  return Math.abs(v) >= 100 ? String(Math.round(v)) : String(Math.round(v * 10) / 10);
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

import { generateDemoLeads, generateDemoLeadsIter } from './src/demo/demo-leads.ts';
import { parseLeadInput } from './src/core/lead-input.ts';

const N = 200_000;
const leads = generateDemoLeads(N, 42);
let bad = 0;
for (const l of leads) { const r = parseLeadInput(l); if (!r.ok) { if (bad++ < 5) console.log(JSON.stringify(l), r.problems); } }
console.log('invalid', bad, 'of', N);
const count = (f: (l: any) => string) => { const m = new Map<string, number>(); for (const l of leads) m.set(f(l), (m.get(f(l)) ?? 0) + 1); return [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${(100 * v / N).toFixed(1)}%`).join(', '); };
console.log('INDUSTRY', count(l => l.industry));
console.log('SIZE', count(l => l.companySize));
console.log('SOURCE', count(l => l.source));
console.log('REGION', count(l => l.region));
console.log('COUNTRY', count(l => l.attributes.country));
const hot = leads.filter(l => l.score >= 80).length / N;
console.log('score>=80', (100 * hot).toFixed(2) + '%');
const hist = new Array(11).fill(0); for (const l of leads) hist[Math.floor(l.score / 10)]++;
console.log('hist', hist.map((v, i) => `${i * 10}:${(100 * v / N).toFixed(1)}`).join(' '));
const mean = (a: number[]) => (a.reduce((s, x) => s + x, 0) / a.length).toFixed(1);
for (const src of ['Referral', 'Webinar', 'Website form', 'Cold list']) { const a = leads.filter(l => l.source === src).map(l => l.score); console.log(src, 'mean', mean(a), 'hot', (100 * a.filter(x => x >= 80).length / a.length).toFixed(1) + '%'); }
for (const sz of ['1-10', '5000+']) { const a = leads.filter(l => l.companySize === sz).map(l => l.score); console.log(sz, 'mean', mean(a)); }
for (const k of [300, 500, 1000, 10000]) console.log('distinct companies in', k, new Set(leads.slice(0, k).map(l => l.company)).size);
console.log('distinct companies in all', new Set(leads.map(l => l.company)).size);
console.log('null phones', leads.filter(l => l.contact.phone === null).length / N);
for (const l of leads.slice(0, 8)) console.log(l.company, '|', l.industry, '|', l.companySize, '|', l.source, '|', l.score, '|', l.region, '|', l.contact.name, '|', l.contact.email, '|', l.contact.phone, '|', JSON.stringify(l.attributes), l.externalId);
const a = JSON.stringify(generateDemoLeads(1000, 7)), b = JSON.stringify(generateDemoLeads(1000, 7)), c = JSON.stringify(generateDemoLeads(1000, 8));
console.log('deterministic', a === b, 'seeds differ', a !== c);
let maxLen = 0, maxLabel = 0; for (const l of leads) { maxLen = Math.max(maxLen, l.company.length); maxLabel = Math.max(maxLabel, l.contact.email!.split("@")[1]!.split(".")[0]!.length); } console.log("max company len", maxLen, "max label", maxLabel);
for (let rep = 0; rep < 3; rep++) {
  const t0 = performance.now(); let n = 0, s = 0;
  for (const l of generateDemoLeadsIter(1_000_000, rep)) { n++; s += l.score; }
  console.log('1M streamed', (performance.now() - t0).toFixed(0), 'ms', n, s / n);
}
{ const t0 = performance.now(); const arr = generateDemoLeads(1_000_000, 99); console.log('1M array', (performance.now() - t0).toFixed(0), 'ms', arr.length, 'distinct companies', new Set(arr.map(l => l.company)).size); }

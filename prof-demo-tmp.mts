import { generateDemoLeads, generateDemoLeadsIter } from './src/demo/demo-leads.ts';
for (let r = 0; r < 2; r++) {
let t0 = performance.now(); let n = 0;
for (const l of generateDemoLeadsIter(1_000_000, r)) { n += l.score; }
console.log('1M streamed', (performance.now() - t0).toFixed(0), 'ms', n);
}
let t0 = performance.now();
const arr = generateDemoLeads(1_000_000, 1);
console.log('1M array', (performance.now() - t0).toFixed(0), 'ms', arr.length);

/** Server memory: VmRSS (now) and VmHWM (peak) of the server child from /proc/<pid>/status. */
import { fmt, type ServerChild } from './lib.js';

export interface MemoryResult {
  rssMb: number;
  peakRssMb: number;
  after: string;
}

export function serverMemory(server: ServerChild, after: string): MemoryResult {
  const m = server.memory();
  console.log(`  server RSS after ${after}: ${fmt(m.rssMb, 0)} MB (peak ${fmt(m.hwmMb, 0)} MB)`);
  return { rssMb: m.rssMb, peakRssMb: m.hwmMb, after };
}

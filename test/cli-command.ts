import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function newestIn(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestIn(p) : statSync(p).mtimeMs);
  }
  return newest;
}

let cached: string[] | null = null;

/**
 * Node arguments that run the `leadpool` CLI in a child process (tests, and benches through bench/lib.ts). The compiled build when it is
 * newer than every source file (`npm test` builds first), so a child starts in about a second
 * instead of compiling the sources on the way, which took 10-20 s on a loaded machine; else
 * the sources through tsx, so a test never runs stale code.
 */
export function leadpoolCommand(): string[] {
  if (cached) return cached;
  let built = 0;
  try {
    built = statSync(join(ROOT, 'dist', 'cli', 'main.js')).mtimeMs;
  } catch {
    /* not built */
  }
  cached = built > newestIn(join(ROOT, 'src')) ? [join(ROOT, 'bin', 'leadpool.js')] : ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')];
  return cached;
}

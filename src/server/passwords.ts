import { hash, verify } from '@node-rs/argon2';

/**
 * Argon2id with the library's defaults (19 MiB, 2 passes): the OWASP minimum for argon2id.
 *
 * Each hash or check holds its 19 MiB while it runs, on libuv's thread pool (4 threads). Ten
 * sign-ins arriving together ran four at a time and took the server's RSS from 258 MB to 334 MB;
 * the work is CPU-bound, so more at once than there are cores finishes none sooner. At most
 * HASHES_AT_ONCE run; the rest wait their turn (in arrival order), and the pool keeps threads
 * free for file reads meanwhile.
 */
export const HASHES_AT_ONCE = 2;

let running = 0;
const waiting: (() => void)[] = [];

/** Runs `work` when fewer than HASHES_AT_ONCE others are running (exported for its test). */
export async function limitedHashing<T>(work: () => Promise<T>): Promise<T> {
  if (running >= HASHES_AT_ONCE) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await work();
  } finally {
    // Hand the slot straight to the next in line, or give it back.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

export function hashPassword(password: string): Promise<string> {
  return limitedHashing(() => hash(password));
}

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (!stored) return false;
  try {
    return await limitedHashing(() => verify(stored, password));
  } catch {
    return false;
  }
}

/**
 * A hash to verify against when the account does not exist, so a wrong email costs the
 * same time as a wrong password and does not reveal which accounts exist.
 */
let decoy: Promise<string> | null = null;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword('not-a-real-password-' + Math.random());
  return decoy;
}

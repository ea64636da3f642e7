/**
 * A claimant with its OWN database connection, run as a worker thread or as a child
 * process by claim-race-connections.test.ts. It opens `new SqliteStore(file)` on the shared
 * file (no migrate: the parent did that) and claims through the real store methods.
 *
 * Commands (one reply each):
 *   init      { file, userId, name }         -> { type: 'ready' }
 *   race      { leadIds, barrier }           -> { type: 'raced', results }   (threads: one SharedArrayBuffer barrier per lead)
 *   claimOne  { leadId }                     -> { type: 'claimed', result }  (processes: the parent's broadcast is the start signal)
 *   naiveRace { leadIds, barrier }           -> { type: 'raced', results }   a deliberately BROKEN claim (read, then write
 *                                               without the lock or the status re-check): the control that shows the
 *                                               harness does catch double winners
 *   drain     { poolId }                     -> { type: 'drained', ids, errors }
 *   close                                    -> { type: 'closed' }
 */
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { AppError } from '../../src/core/errors.js';
import type { UserActor } from '../../src/store/store.js';

export interface ClaimResult {
  leadId: number;
  userId: number;
  ok: boolean;
  /** AppError code, or `UNEXPECTED: message` for anything else (e.g. SQLITE_BUSY). */
  code: string | null;
  ownerId: number | null;
  /** Wall-clock microsecond-ish timestamps around the store call, comparable across threads and processes. */
  t0: number;
  t1: number;
}

type Msg =
  | { type: 'init'; file: string; userId: number; name: string }
  | { type: 'race'; leadIds: number[]; barrier: SharedArrayBuffer; parties: number }
  | { type: 'naiveRace'; leadIds: number[]; barrier: SharedArrayBuffer; parties: number }
  | { type: 'claimOne'; leadId: number }
  | { type: 'drain'; poolId: number }
  | { type: 'close' };

const send: (m: unknown) => void = parentPort ? (m) => parentPort!.postMessage(m) : (m) => process.send!(m);

let store: SqliteStore | null = null;
let actor: UserActor | null = null;

const wall = () => performance.timeOrigin + performance.now();

function codeOf(err: unknown): string {
  if (err instanceof AppError) return err.code;
  return `UNEXPECTED: ${(err as Error)?.message ?? String(err)}`;
}

async function claimOne(leadId: number): Promise<ClaimResult> {
  const t0 = wall();
  try {
    const { lead } = await store!.claim(leadId, actor!, Date.now());
    return { leadId, userId: actor!.userId, ok: true, code: null, ownerId: lead.ownerId, t0, t1: wall() };
  } catch (err) {
    return { leadId, userId: actor!.userId, ok: false, code: codeOf(err), ownerId: null, t0, t1: wall() };
  }
}

/** The bug the real claim avoids: check in one statement, write in another, no lock held between. */
function naiveClaim(leadId: number): ClaimResult {
  const t0 = wall();
  const db = store!.db;
  const row = db.prepare('SELECT status FROM leads WHERE id = ?').get(leadId) as { status: string };
  if (row.status !== 'available') return { leadId, userId: actor!.userId, ok: false, code: 'LEAD_ALREADY_CLAIMED', ownerId: null, t0, t1: wall() };
  const spinUntil = wall() + 1; // a millisecond of "application logic" between the check and the write
  while (wall() < spinUntil);
  db.prepare(`UPDATE leads SET status = 'claimed', owner_id = ? WHERE id = ?`).run(actor!.userId, leadId);
  return { leadId, userId: actor!.userId, ok: true, code: null, ownerId: actor!.userId, t0, t1: wall() };
}

/** A reusable barrier over [arrived, generation]: the last to arrive opens it for everyone. */
function awaitBarrier(a: Int32Array, parties: number): void {
  const gen = Atomics.load(a, 1);
  if (Atomics.add(a, 0, 1) === parties - 1) {
    Atomics.store(a, 0, 0);
    Atomics.add(a, 1, 1);
    Atomics.notify(a, 1);
  } else {
    while (Atomics.load(a, 1) === gen) Atomics.wait(a, 1, gen, 5000);
  }
}

async function handle(m: Msg): Promise<void> {
  switch (m.type) {
    case 'init':
      store = new SqliteStore(m.file);
      actor = { kind: 'user', userId: m.userId, role: 'rep', name: m.name };
      send({ type: 'ready' });
      return;
    case 'race': {
      const a = new Int32Array(m.barrier);
      const results: ClaimResult[] = [];
      for (const id of m.leadIds) {
        awaitBarrier(a, m.parties);
        results.push(await claimOne(id));
      }
      send({ type: 'raced', results });
      return;
    }
    case 'naiveRace': {
      const a = new Int32Array(m.barrier);
      const results: ClaimResult[] = [];
      for (const id of m.leadIds) {
        awaitBarrier(a, m.parties);
        results.push(naiveClaim(id));
      }
      send({ type: 'raced', results });
      return;
    }
    case 'claimOne':
      send({ type: 'claimed', result: await claimOne(m.leadId) });
      return;
    case 'drain': {
      const ids: number[] = [];
      const errors: string[] = [];
      for (;;) {
        try {
          const r = await store!.claimNext(m.poolId, actor!, Date.now());
          if (!r) break;
          if (r.lead.ownerId !== actor!.userId) errors.push(`lead ${r.lead.id} came back with owner ${r.lead.ownerId}`);
          ids.push(r.lead.id);
        } catch (err) {
          errors.push(codeOf(err));
          if (errors.length > 20) break;
        }
      }
      send({ type: 'drained', ids, errors });
      return;
    }
    case 'close':
      await store?.close();
      store = null;
      send({ type: 'closed' });
      if (!parentPort) process.disconnect(); // a child process then exits by itself
      return;
  }
}

// Messages are handled one at a time, in order.
let chain = Promise.resolve();
const onMessage = (m: Msg) => {
  chain = chain.then(() => handle(m)).catch((err) => send({ type: 'error', message: String((err as Error)?.stack ?? err) }));
};
if (parentPort) parentPort.on('message', onMessage);
else process.on('message', (m) => onMessage(m as Msg));

// A separate process with its own database connection, for races across connections.
// Usage (forked with --import tsx): argv = dbFile, userId, leadIds (comma-separated), startAtMs
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { AppError } from '../../src/core/errors.js';

const [file, userId, ids, startAt] = process.argv.slice(2);
const store = new SqliteStore(file!);
const actor = { kind: 'user' as const, userId: Number(userId), role: 'rep' as const, name: `rep ${userId}` };
while (Date.now() < Number(startAt)) {
  /* spin until the shared start moment, so every process claims at once */
}
const results: string[] = [];
for (const id of ids!.split(',').map(Number)) {
  try {
    await store.claim(id, actor, Date.now());
    results.push('ok');
  } catch (err) {
    results.push(err instanceof AppError ? err.code : String(err));
  }
}
await store.close();
process.send!(results, () => process.exit(0));

import { Command, InvalidArgumentError, Option } from 'commander';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { systemClock } from '../core/clock.js';
import { ROLES, API_KEY_SCOPES, POOL_MODES, type Actor, type Role, type ApiKeyScope, type PoolMode } from '../core/types.js';
import type { LeadInput } from '../core/lead-input.js';
import { openStore } from '../store/open-store.js';
import { hashPassword } from '../server/passwords.js';
import { newToken, tokenHash } from '../server/tokens.js';
import { DEMO_ADMIN, DEMO_MANAGER, DEMO_PASSWORD, DEMO_REPS } from '../demo/seed-demo.js';
import { parseMapping, scanCsv } from './csv-import.js';
import { fileStamp, insertCheckedCsv } from './csv-pipeline.js';
import { exportCommand } from './export-command.js';
import { registerSimulateCommand } from './simulate-command.js';
import { progressClear, progressLine } from './progress.js';

const CLI: Actor = { kind: 'system', name: 'leadpool CLI' };

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number`);
  return n;
};

const program = new Command()
  .name('leadpool')
  .description('Self-hosted lead distribution: pools, queues, atomic claims, fair play.')
  .showHelpAfterError();

const dataOption = () => new Option('--data <dir>', 'folder of the SQLite database').default('./data').env('LEADPOOL_DATA');
const databaseOption = () =>
  new Option('--database <url>', 'postgres://… to run on PostgreSQL (several instances may share it) instead of SQLite').env('DATABASE_URL');

program
  .command('serve')
  .description('run the server and its web UI')
  .addOption(new Option('--port <n>', 'port to listen on').default(3000).env('PORT').argParser(int('--port')))
  .addOption(new Option('--host <host>', 'address to listen on').default('127.0.0.1').env('HOST'))
  .addOption(dataOption())
  .addOption(databaseOption())
  .option('--no-demo', 'do not seed the demo team into an empty database')
  .addOption(new Option('--log-level <level>', 'pino log level').default('info').env('LOG_LEVEL'))
  // Without the flag, serve reads LEADPOOL_WEBHOOK_ALLOW_PRIVATE=1 itself (commander would take "0" as set).
  .option('--webhook-allow-private', 'let webhooks target loopback, private and link-local addresses (local receivers); or LEADPOOL_WEBHOOK_ALLOW_PRIVATE=1')
  .addOption(
    new Option('--integration-retention-days <n>', 'days delivered/dead webhook deliveries and intake-log entries are kept').default(30).env('LEADPOOL_INTEGRATION_RETENTION_DAYS').argParser((v) => {
        const n = int('--integration-retention-days')(v);
        if (n < 1) throw new InvalidArgumentError('--integration-retention-days must be at least 1');
        return n;
      }),
  )
  .action(async (o: { port: number; host: string; data: string; database?: string; demo: boolean; logLevel: string; webhookAllowPrivate?: boolean; integrationRetentionDays: number }) => {
    // The server (Fastify, the routes, the schedulers) loads only for this command: the others start in a fraction of the time.
    const { serve } = await import('../server/serve.js');
    const running = await serve({
      port: o.port,
      host: o.host,
      dataDir: resolve(o.data),
      database: o.database,
      demo: o.demo,
      logLevel: o.logLevel,
      ...(o.webhookAllowPrivate ? { allowPrivateWebhooks: true } : {}),
      integrationRetentionDays: o.integrationRetentionDays,
    });
    const lines = [
      '',
      `Leadpool is running at ${running.url}`,
      running.store.kind === 'postgres' ? `  data:   PostgreSQL (${(o.database ?? process.env.DATABASE_URL ?? '').replace(/\/\/[^@/]*@/, '//')})` : `  data:   ${resolve(o.data)} (SQLite)`,
      `  API:    ${running.url}/api/openapi.json`,
      ...running.warnings.map((w) => `  warning: ${w}`),
    ];
    if (running.seeded || o.demo) {
      lines.push('', `Demo logins (password "${DEMO_PASSWORD}"):`, `  manager  ${DEMO_MANAGER}`, `  reps     ${DEMO_REPS[0]} … ${DEMO_REPS[DEMO_REPS.length - 1]}`, `  admin    ${DEMO_ADMIN}`);
    }
    console.log(lines.join('\n') + '\n');
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      await running.stop();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

program
  .command('import')
  .description('import leads from a CSV file: any bad row imports nothing')
  .argument('<file>', 'CSV file with a header row')
  .requiredOption('--pool <name>', 'pool to put the leads into')
  .option('--map <spec>', 'header mapping, e.g. "Firma=company,Branche=industry,Punkte=score"')
  .option('--dry-run', 'only check the file')
  .addOption(dataOption())
  .addOption(databaseOption())
  .action(async (file: string, o: { pool: string; map?: string; dryRun?: boolean; data: string; database?: string }) => {
    await stat(file).catch(() => fail(`${file}: no such file`));
    const store = await openStore(resolve(o.data), o.database);
    try {
      const pool = await store.getPoolByName(o.pool);
      if (!pool) {
        const names = (await store.listPools()).map((p) => p.name);
        fail(`--pool: there is no pool named "${o.pool}" (${names.length ? `pools: ${names.join(', ')}` : 'no pools yet: add one with leadpool pool add --name NAME'})`);
      }
      const progress = (verb: string) => (n: number) => progressLine(`${verb} ${n.toLocaleString('en')} rows…`);
      const mapping = parseMapping(o.map);
      const stamp = await fileStamp(file);
      const check = await scanCsv(file, { mapping, poolId: pool.id, onProgress: progress('checked') });
      progressClear();
      if (check.errors.length) {
        console.error(`${file}: ${check.errors.length} bad row(s) of ${check.rows}; nothing was imported.`);
        for (const e of check.errors.slice(0, 1000)) console.error(`  line ${e.line}: ${e.problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`);
        if (check.errors.length > 1000) console.error(`  … and ${check.errors.length - 1000} more`);
        process.exitCode = 1;
        return;
      }
      const mapped = check.headers.map((h, i) => `${h}→${check.fields[i]}`).join(', ');
      if (o.dryRun) {
        console.log(`${file}: all ${check.rows} rows are valid (dry run: nothing imported).\ncolumns: ${mapped}`);
        return;
      }
      // Second pass: the file is known good; insert in 5,000-row transactions with progress,
      // while a worker thread reads the next batch.
      let created = 0;
      let existing = 0;
      const started = Date.now();
      const second = await insertCheckedCsv(file, stamp, {
        mapping,
        poolId: pool.id,
        batchSize: 5000,
        insert: async (batch) => {
          const r = await store.insertLeads(batch, pool.id, CLI, systemClock.now());
          created += r.created.length;
          existing += r.existing.length;
          progressLine(`importing: ${(created + existing).toLocaleString('en')} of ${check.rows.toLocaleString('en')} rows done (${Math.round(((created + existing) / check.rows) * 100)}%)`);
        },
      }).catch((err: Error) => fail(err.message));
      if (second.errors.length) {
        progressClear();
        const e = second.errors[0]!;
        fail(
          `${file} changed while it was imported: line ${e.line} no longer passes (${e.problems.map((p) => `${p.field} ${p.problem}`).join('; ')}). ` +
            `${created} lead(s) were imported before it; run the import again (rows with an externalId are not imported twice).`,
        );
      }
      const secs = (Date.now() - started) / 1000;
      progressClear();
      console.log(`${file}: ${created} lead(s) imported into "${pool.name}", ${existing} already present (same externalId), in ${secs.toFixed(1)} s.`);
    } finally {
      await store.close();
    }
  });

const user = program.command('user').description('manage people');
user
  .command('add')
  .description('add a person who can sign in')
  .requiredOption('--email <email>')
  .requiredOption('--name <name>')
  .addOption(new Option('--role <role>').choices([...ROLES]).default('rep'))
  .option('--password <password>', 'at least 8 characters; a random one is generated and printed if left out')
  .addOption(dataOption())
  .addOption(databaseOption())
  .action(async (o: { email: string; name: string; role: Role; password?: string; data: string; database?: string }) => {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(o.email)) fail('--email: not an email address');
    if (o.password !== undefined && o.password.length < 8) fail('--password: must be at least 8 characters');
    const password = o.password ?? randomBytes(9).toString('base64url');
    const store = await openStore(resolve(o.data), o.database);
    try {
      const u = await store.createUser({ email: o.email.toLowerCase(), name: o.name, role: o.role, passwordHash: await hashPassword(password) }, CLI, systemClock.now());
      console.log(`added ${u.role} ${u.email} (id ${u.id})${o.password ? '' : `, password: ${password}`}`);
    } catch (err) {
      fail((err as Error).message);
    } finally {
      await store.close();
    }
  });

const apikey = program.command('apikey').description('manage API keys for integrations');
apikey
  .command('create')
  .description('create an API key; it is printed once')
  .requiredOption('--name <name>')
  .addOption(new Option('--scope <scope>', 'ingest keys may only feed leads in').choices([...API_KEY_SCOPES]).default('ingest'))
  .addOption(dataOption())
  .addOption(databaseOption())
  .action(async (o: { name: string; scope: ApiKeyScope; data: string; database?: string }) => {
    const store = await openStore(resolve(o.data), o.database);
    try {
      const key = newToken('lpk');
      const k = await store.createApiKey({ name: o.name, scope: o.scope, keyHash: tokenHash(key), prefix: key.slice(0, 10) }, CLI, systemClock.now());
      console.log(`API key ${k.id} "${k.name}" (${k.scope}): ${key}\nSend it as: Authorization: Bearer ${key}`);
    } finally {
      await store.close();
    }
  });

const pool = program.command('pool').description('manage pools and queues');
pool
  .command('add')
  .description('add a pool; the first one is the default pool (leads sent without a pool and not routed go there)')
  .requiredOption('--name <name>')
  .addOption(
    new Option('--mode <mode>', 'queue: reps take the next lead; pool: reps browse a preview and claim; cherry_pick: reps browse full details').choices([...POOL_MODES]).default('pool'),
  )
  .option('--lock-ttl <seconds>', 'how long a claim holds a lead without activity (30 to 604800)', int('--lock-ttl'), 900)
  .addOption(dataOption())
  .addOption(databaseOption())
  .action(async (o: { name: string; mode: PoolMode; lockTtl: number; data: string; database?: string }) => {
    if (o.lockTtl < 30 || o.lockTtl > 7 * 86400) fail('--lock-ttl: must be between 30 and 604800 seconds');
    if (!o.name.trim()) fail('--name: must not be empty');
    const store = await openStore(resolve(o.data), o.database);
    try {
      if (await store.getPoolByName(o.name.trim())) fail(`--name: there is a pool named "${o.name.trim()}" already`);
      const { pool: p } = await store.createPool({ name: o.name.trim(), mode: o.mode, lockTtlSeconds: o.lockTtl }, CLI, systemClock.now());
      console.log(`added ${p.mode} "${p.name}" (id ${p.id}, lock ${p.lockTtlSeconds} s${p.isDefault ? ', the default pool' : ''})`);
    } finally {
      await store.close();
    }
  });
pool
  .command('list')
  .description('list the pools')
  .addOption(dataOption())
  .addOption(databaseOption())
  .action(async (o: { data: string; database?: string }) => {
    const store = await openStore(resolve(o.data), o.database);
    try {
      const pools = await store.listPools();
      if (!pools.length) console.log('no pools yet: add one with leadpool pool add --name NAME [--mode queue|pool|cherry_pick]');
      for (const p of pools) console.log(`${String(p.id).padStart(4)}  ${p.mode.padEnd(11)}  ${p.name}${p.isDefault ? '  (default)' : ''}`);
    } finally {
      await store.close();
    }
  });

const routing = program.command('routing').description('the routing rule set as a readable file');
routing
  .command('export')
  .description('write the rule set in force (with pool names beside their ids) to FILE, or stdout with -')
  .argument('<file>')
  .addOption(dataOption())
  .action(async (file: string, o: { data: string }) => {
    const store = await openStore(resolve(o.data));
    try {
      const current = await store.getRouting();
      if (!current) fail('no rule set has been saved yet');
      const pools = Object.fromEntries((await store.listPools()).map((p) => [p.id, p.name]));
      const doc = { version: current.version, note: current.note, pools, ruleSet: current.ruleSet };
      const text = JSON.stringify(doc, null, 2) + '\n';
      if (file === '-') process.stdout.write(text);
      else {
        await writeFile(file, text);
        console.log(`rule set version ${current.version} (${current.ruleSet.rules.length} rules) written to ${file}`);
      }
    } finally {
      await store.close();
    }
  });
routing
  .command('import')
  .description('validate FILE and make it the rule set in force (a bad rule changes nothing)')
  .argument('<file>')
  .option('--note <text>', 'why, kept with the version')
  .addOption(dataOption())
  .action(async (file: string, o: { data: string; note?: string }) => {
    let doc: { ruleSet?: unknown };
    try {
      doc = JSON.parse(await readFile(file, 'utf8')) as { ruleSet?: unknown };
    } catch (err) {
      fail(`${file}: not a JSON rule set file (${(err as Error).message})`);
    }
    const store = await openStore(resolve(o.data));
    try {
      const { checkRuleSet } = await import('../server/routes/routing-routes.js');
      const ruleSet = await checkRuleSet(store, doc.ruleSet ?? doc, 'ruleSet').catch((err: unknown) => {
        const fields = ((err as { details?: { fields?: { field: string; problem: string }[] } }).details?.fields ?? []).map((f) => `  ${f.field}: ${f.problem}`);
        fail(`${file}: the rule set is not valid; nothing changed\n${fields.join('\n')}`);
      });
      const { version } = await store.putRouting(ruleSet, o.note ?? `imported from ${file}`, CLI, systemClock.now());
      console.log(`rule set version ${version.version} (${ruleSet.rules.length} rules) is now in force`);
    } finally {
      await store.close();
    }
  });

program
  .command('migrate')
  .description('apply database migrations (serve does this too)')
  .addOption(dataOption())
  .addOption(databaseOption())
  .action(async (o: { data: string; database?: string }) => {
    const store = await openStore(resolve(o.data), o.database);
    await store.close();
    console.log('database is up to date');
  });

program.addCommand(exportCommand());
registerSimulateCommand(program);

function fail(message: string): never {
  console.error(`leadpool: ${message}`);
  process.exit(2);
}

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`leadpool: ${(err as Error).message}`);
  process.exit(1);
});

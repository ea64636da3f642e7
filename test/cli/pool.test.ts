/**
 * `leadpool pool add | list`: a fresh database (`leadpool migrate`, or `serve --no-demo`) has
 * no pools, and an import needs one.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';
import { leadpoolCommand } from '../cli-command.js';

describe('leadpool pool', () => {
  let dir: string;
  const leadpool = (...args: string[]) => spawnSync(process.execPath, [...leadpoolCommand(), ...args, '--data', dir], { encoding: 'utf8', cwd: process.cwd() });
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds pools (the first is the default), lists them, and an import can then use one', () => {
    const none = leadpool('pool', 'list');
    expect(none.status).toBe(0);
    expect(none.stdout).toMatch(/no pools yet: add one with leadpool pool add/);

    const csv = join(dir, 'leads.csv');
    writeFileSync(csv, 'Company,Industry,Size,Source,Score,Region,Name\nFirma GmbH,Software,11-50,Webinar,64,DACH-Süd,Anna\n');
    const early = leadpool('import', csv, '--pool', 'Inbound');
    expect(early.status).not.toBe(0);
    expect(early.stderr).toMatch(/--pool: there is no pool named "Inbound" \(no pools yet: add one with leadpool pool add/);

    const a = leadpool('pool', 'add', '--name', 'Inbound', '--mode', 'queue', '--lock-ttl', '600');
    expect(a.stderr).toBe('');
    expect(a.stdout).toMatch(/^added queue "Inbound" \(id \d+, lock 600 s, the default pool\)/);
    const b = leadpool('pool', 'add', '--name', 'Enterprise', '--mode', 'cherry_pick');
    expect(b.stdout).toMatch(/^added cherry_pick "Enterprise" \(id \d+, lock 900 s\)\n$/);

    const list = leadpool('pool', 'list');
    expect(list.stdout.trim().split('\n').map((l) => l.trim().split(/\s{2,}/))).toEqual([
      [expect.stringMatching(/^\d+$/), 'queue', 'Inbound', '(default)'],
      [expect.stringMatching(/^\d+$/), 'cherry_pick', 'Enterprise'],
    ]);

    const imported = leadpool('import', csv, '--pool', 'Inbound');
    expect(imported.status).toBe(0);
    expect(imported.stdout).toMatch(/1 lead\(s\) imported into "Inbound"/);
    // Piped, the progress line is not drawn: stderr holds nothing but problems.
    expect(imported.stderr).toBe('');
  });

  it('refuses a bad mode, a lock time out of range and a name taken, naming the option', () => {
    expect(leadpool('pool', 'add', '--name', 'X', '--mode', 'fifo').stderr).toMatch(/--mode <mode>' argument 'fifo' is invalid/);
    expect(leadpool('pool', 'add', '--name', 'X', '--lock-ttl', '5').stderr).toMatch(/--lock-ttl: must be between 30 and 604800 seconds/);
    expect(leadpool('pool', 'add', '--name', 'X').status).toBe(0);
    const again = leadpool('pool', 'add', '--name', 'X');
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/--name: there is a pool named "X" already/);
  });
});

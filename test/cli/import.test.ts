import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { SYSTEM, tempDir } from '../helpers.js';
import { leadpoolCommand } from '../cli-command.js';

const HEADER = 'Company,Industry,Company Size,Source,Score,Region,Contact Name,Email,Phone,External ID,Campaign';
const row = (i: number, over: Partial<Record<'score' | 'size' | 'company' | 'email', string>> = {}) =>
  [over.company ?? `Firma ${i} GmbH`, 'Software', over.size ?? '11-50', 'Webinar', over.score ?? '64', 'DACH-Süd', `Person ${i}`, over.email ?? `p${i}@firma${i}.de`, '+49 89 1234', `crm-${i}`, 'Q3'].join(',');

function leadpool(args: string[]) {
  return spawnSync(process.execPath, [...leadpoolCommand(), ...args], { encoding: 'utf8', cwd: process.cwd() });
}

describe('leadpool import', () => {
  let dir: string;
  let dbFile: string;
  beforeEach(async () => {
    dir = tempDir();
    dbFile = join(dir, 'leadpool.db');
    const store = new SqliteStore(dbFile);
    await store.migrate();
    await store.createPool({ name: 'Webinar leads', mode: 'pool' }, SYSTEM, Date.now());
    await store.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function count(): Promise<{ leads: number; events: number }> {
    const store = new SqliteStore(dbFile);
    const leads = (store.db.prepare('SELECT COUNT(*) AS n FROM leads').get() as { n: number }).n;
    const events = (store.db.prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'lead.created'").get() as { n: number }).n;
    await store.close();
    return { leads, events };
  }

  it('imports a good file into the named pool, maps headers, keeps unknown columns as attributes', async () => {
    const csv = join(dir, 'good.csv');
    writeFileSync(csv, [HEADER, row(1), row(2), row(3)].join('\n') + '\n');
    const r = leadpool(['import', csv, '--pool', 'Webinar leads', '--data', dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3 lead\(s\) imported into "Webinar leads"/);
    expect(await count()).toEqual({ leads: 3, events: 3 });
    const store = new SqliteStore(dbFile);
    const lead = (await store.getLeads([1]))[0]!;
    await store.close();
    expect(lead).toMatchObject({ company: 'Firma 1 GmbH', score: 64, externalId: 'crm-1', attributes: { Campaign: 'Q3' }, contact: { email: 'p1@firma1.de' } });
  });

  it('a file with bad rows imports nothing and names every bad line with its reason', async () => {
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, [HEADER, row(1), row(2, { score: '500' }), row(3), row(4, { size: 'huge', company: '' }), row(5, { email: 'not-an-email' })].join('\n') + '\n');
    const r = leadpool(['import', csv, '--pool', 'Webinar leads', '--data', dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/3 bad row\(s\) of 5; nothing was imported/);
    expect(r.stderr).toMatch(/line 3: score must be at most 100/);
    expect(r.stderr).toMatch(/line 5: .*company must not be empty/);
    expect(r.stderr).toMatch(/line 5: .*companySize must be one of/);
    expect(r.stderr).toMatch(/line 6: contact.email must be a valid email/);
    expect(await count()).toEqual({ leads: 0, events: 0 });
  });

  it('--dry-run checks without importing; importing twice never makes two leads of one externalId', async () => {
    const csv = join(dir, 'good.csv');
    writeFileSync(csv, [HEADER, row(1), row(2)].join('\n') + '\n');
    const dry = leadpool(['import', csv, '--pool', 'Webinar leads', '--data', dir, '--dry-run']);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/all 2 rows are valid/);
    expect(await count()).toEqual({ leads: 0, events: 0 });
    expect(leadpool(['import', csv, '--pool', 'Webinar leads', '--data', dir]).status).toBe(0);
    const again = leadpool(['import', csv, '--pool', 'Webinar leads', '--data', dir]);
    expect(again.stdout).toMatch(/0 lead\(s\) imported .* 2 already present/);
    expect(await count()).toEqual({ leads: 2, events: 2 });
  });

  it('a custom header mapping reads a German export; an unknown pool is named', async () => {
    const csv = join(dir, 'de.csv');
    writeFileSync(csv, 'Firma;Branche;Größe;Quelle;Punkte;Region;Ansprechpartner\nMüller Logistik GmbH;Logistics;51-200;Messe;71;DACH-West;Jana Müller\n'.replace(/;/g, ','));
    const unknown = leadpool(['import', csv, '--pool', 'Nope', '--data', dir]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/--pool: there is no pool named "Nope"/);
    const r = leadpool(['import', csv, '--pool', 'Webinar leads', '--data', dir, '--map', 'Firma=company,Branche=industry,Größe=companySize,Quelle=source,Punkte=score,Ansprechpartner=contact.name']);
    expect(r.status, r.stderr).toBe(0);
    expect(await count()).toEqual({ leads: 1, events: 1 });
  });

  it('a row with the wrong number of columns is reported with its line', async () => {
    const csv = join(dir, 'ragged.csv');
    writeFileSync(csv, [HEADER, row(1), 'Only,three,columns'].join('\n') + '\n');
    const r = leadpool(['import', csv, '--pool', 'Webinar leads', '--data', dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/line 3:/);
    expect(await count()).toEqual({ leads: 0, events: 0 });
  });
});

import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../core/errors.js';
import type { LeadInput } from '../../core/lead-input.js';
import { parseMapping, scanCsv, type CsvMapping } from '../../cli/csv-import.js';
import { errorResponses } from '../schemas.js';
import { announce } from './announce.js';

/** A CSV upload may be large (a million rows is about 150 MB; 50 MB is ~300k rows). */
export const IMPORT_BODY_LIMIT = 50 * 1024 * 1024;
const BATCH = 1000;
/** The error report names at most this many bad rows (the count says how many there were). */
const MAX_REPORTED = 1000;

const ImportQuerystring = Type.Object(
  {
    pool: Type.Integer({ minimum: 1, description: 'The pool (id) the leads go into.' }),
    dryRun: Type.Optional(Type.Boolean({ default: false, description: 'Only check the file; import nothing.' })),
    map: Type.Optional(
      Type.String({ minLength: 1, maxLength: 2000, description: 'Header mapping as in the CLI, e.g. "Firma=company,Branche=industry,Punkte=score".' }),
    ),
  },
  { additionalProperties: false },
);

const ImportResult = Type.Object({
  created: Type.Integer({ description: 'Leads stored.' }),
  existing: Type.Integer({ description: 'Rows whose externalId was already stored (not duplicated).' }),
  rows: Type.Integer({ description: 'Data rows in the file.' }),
  dryRun: Type.Boolean(),
  columns: Type.Array(Type.Object({ header: Type.String(), field: Type.String() }), { description: 'How each CSV header was read.' }),
});

/**
 * CSV import over HTTP, the same two passes as `leadpool import`: every row is checked
 * first and any bad row imports nothing (400 BAD_CSV naming each bad line and field);
 * a good file is inserted in 1,000-row transactions.
 */
export async function importRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, clock } = app.ctx;

  // Scoped to this plugin: the rest of the API still takes JSON only.
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body));

  app.post(
    '/imports',
    {
      config: { access: 'manager' },
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ['leads'],
        summary: 'Import leads from a CSV file (managers): any bad row imports nothing',
        description:
          'Send the file as the body with Content-Type text/csv. A header row is required; headers are matched like the CLI (Company, Industry, Company Size, Source, Score, Region, Contact Name, Email, Phone, External ID, Priority; anything else becomes an attribute). With dryRun=true the file is only checked. A file with bad rows answers 400 BAD_CSV with details.errors [{line, problems: [{field, problem}]}] and details.rows.',
        consumes: ['text/csv'],
        querystring: ImportQuerystring,
        body: Type.String({ description: 'The CSV text.' }),
        response: { 200: ImportResult, ...errorResponses(400, 403, 404, 413, 415) },
      },
    },
    async (req) => {
      const { pool: poolId, dryRun = false } = req.query;
      const pool = await store.getPool(poolId);
      if (!pool) throw new AppError('POOL_NOT_FOUND', `There is no pool ${poolId}.`, { field: 'pool', poolId });
      let mapping: CsvMapping;
      try {
        mapping = parseMapping(req.query.map);
      } catch (err) {
        const problem = (err as Error).message.replace(/^--map: /, '');
        throw new AppError('VALIDATION_FAILED', `map: ${problem}`, { fields: [{ field: 'map', problem }] });
      }
      const text = req.body;
      if (text.trim() === '') throw new AppError('BAD_CSV', 'The file is empty: send a header row and at least one lead.', { errors: [], rows: 0 });

      const dir = await mkdtemp(join(tmpdir(), 'leadpool-import-'));
      const file = join(dir, 'upload.csv');
      try {
        await writeFile(file, text, 'utf8');
        // First pass: check every row, keep only the errors.
        const check = await scanCsv(file, { mapping, poolId: pool.id });
        const columns = check.headers.map((header, i) => ({ header, field: check.fields[i]! }));
        if (check.errors.length) {
          throw new AppError(
            'BAD_CSV',
            `${check.errors.length} bad row(s) of ${check.rows}; nothing was imported.`,
            { errors: check.errors.slice(0, MAX_REPORTED), badRows: check.errors.length, rows: check.rows },
          );
        }
        if (check.rows === 0) throw new AppError('BAD_CSV', 'The file has a header but no leads.', { errors: [], rows: 0 });
        if (dryRun) return { created: 0, existing: 0, rows: check.rows, dryRun: true, columns };

        // Second pass: the file is known good; insert in 1,000-row transactions.
        let batch: LeadInput[] = [];
        let created = 0;
        let existing = 0;
        const flush = async () => {
          if (!batch.length) return;
          const r = await store.insertLeads(batch, pool.id, req.actor!, clock.now());
          created += r.created.length;
          existing += r.existing.length;
          batch = [];
        };
        await scanCsv(file, {
          mapping,
          poolId: pool.id,
          onRow: async (lead) => {
            batch.push(lead);
            if (batch.length === BATCH) await flush();
          },
        });
        await flush();
        if (created) announce(app);
        return { created, existing, rows: check.rows, dryRun: false, columns };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
}

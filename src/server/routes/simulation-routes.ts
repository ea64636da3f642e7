import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { AppError } from '../../core/errors.js';
import { buildSimJob, SimulationBody } from '../sim-inputs.js';
import { SimulationRuns, SIM_RUN_STATUSES, type SimRun } from '../sim-runs.js';
import { errorResponses } from '../schemas.js';

const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const RunParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

const Progress = Type.Object({
  fraction: Type.Number({ minimum: 0, maximum: 1, description: 'Share of the whole run done.' }),
  leadsSimulated: Type.Integer({ description: 'Leads simulated so far, over every model run.' }),
  model: Nullable(Type.String({ description: 'The model run now, as the report labels it.' })),
  modelIndex: Type.Integer({ description: 'Which model run (from 0).' }),
  models: Type.Integer({ description: 'Model runs in all (fair play "both" runs each model twice).' }),
});

const Inputs = Type.Object({
  stream: Type.Enum(['synthetic', 'history']),
  days: Type.Integer(),
  leadsPerDay: Nullable(Type.Number()),
  leads: Nullable(Type.Integer({ description: 'History: the leads found.' })),
  team: Type.Enum(['preset', 'current']),
  reps: Type.Integer(),
  models: Type.Array(Type.String({ description: 'Model ids, as in the request.' })),
  fairPlay: Type.Enum(['on', 'off', 'both']),
  seed: Type.Integer(),
});

const RunSummary = Type.Object({
  id: Type.String(),
  status: Type.Enum([...SIM_RUN_STATUSES]),
  createdAt: DateTime,
  startedAt: Nullable(DateTime),
  finishedAt: Nullable(DateTime),
  createdBy: Type.String(),
  inputs: Inputs,
  progress: Progress,
  error: Nullable(Type.String()),
});

const Recommendation = Type.Object({
  model: Type.String(),
  label: Type.String(),
  headline: Type.String({ description: 'In English; `notes` carry the same, language-free.' }),
  reasons: Type.Array(Type.String()),
  notes: Type.Array(Type.Record(Type.String(), Type.Unknown()), {
    description:
      'The headline and then each reason as data: {code: headline|against|fair_play|short_of_hands|cherry_picking|manager_review, ...numbers}; pairs are [recommended, other]; models by key "id:rules".',
  }),
});

const RunOut = Type.Object({
  ...RunSummary.properties,
  report: Nullable(
    Type.Record(Type.String(), Type.Unknown(), {
      description: 'When done: the report `leadpool simulate --format json` prints for the same inputs (version, seed, inputs, results per model, pushVsPull, recommendation).',
    }),
  ),
  recommendation: Nullable(Recommendation),
});

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

function summaryJson(r: SimRun) {
  return {
    id: r.id,
    status: r.status,
    createdAt: iso(r.createdAt)!,
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    createdBy: r.createdBy,
    inputs: r.inputs,
    progress: r.progress,
    error: r.error,
  };
}

function runJson(r: SimRun) {
  return { ...summaryJson(r), report: r.report as unknown as Record<string, unknown> | null, recommendation: r.report?.recommendation ?? null };
}

/**
 * "What if" from the manager's console: the simulator (docs/simulator.md) run in the
 * background over this team's reps, configuration and leads. Runs live in this process's
 * memory (see SimulationRuns).
 */
export async function simulationRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, clock } = app.ctx;
  const runs = new SimulationRuns({ now: () => clock.now() });
  app.addHook('onClose', async () => runs.close());

  app.post(
    '/simulations',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['simulation'],
        summary: 'Start a "what if" run comparing distribution models (managers); poll GET /simulations/{id}',
        description: `Runs in a worker thread; ${runs.limits.maxActive} runs may be running or waiting at once (429 SIMULATIONS_BUSY beyond).`,
        body: SimulationBody,
        response: { 202: RunOut, ...errorResponses(400, 403, 429) },
      },
    },
    async (req, reply) => {
      const { job, inputs } = await buildSimJob(store, req.body, clock.now());
      const run = runs.start(job, inputs, req.actor?.kind === 'user' || req.actor?.kind === 'api_key' ? req.actor.name : 'system');
      void reply.header('location', `/api/v1/simulations/${run.id}`);
      return reply.status(202).send(runJson(run));
    },
  );

  app.get(
    '/simulations',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['simulation'],
        summary: 'Recent "what if" runs, newest first (without their reports)',
        response: { 200: Type.Object({ items: Type.Array(RunSummary) }), ...errorResponses(403) },
      },
    },
    async () => ({ items: runs.list().map(summaryJson) }),
  );

  app.get(
    '/simulations/:id',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['simulation'],
        summary: "A run's status and progress; when done, the report and its recommendation",
        params: RunParams,
        response: { 200: RunOut, ...errorResponses(400, 403, 404) },
      },
    },
    async (req) => {
      const run = runs.get(req.params.id);
      if (!run) throw new AppError('NOT_FOUND', `No simulation run ${req.params.id} (runs are kept in memory until the server restarts).`);
      return runJson(run);
    },
  );

  app.delete(
    '/simulations/:id',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['simulation'],
        summary: 'Cancel a queued or running run',
        params: RunParams,
        response: { 200: RunOut, ...errorResponses(400, 403, 404, 409) },
      },
    },
    async (req) => runJson(runs.cancel(req.params.id)),
  );
}

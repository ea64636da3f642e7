import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import Fastify, { type FastifyInstance, type FastifyError, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, validationError } from '../core/errors.js';
import { schemaProblems, type SchemaError } from '../core/schema-problems.js';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/store.js';
import { makeAuthenticator } from './auth.js';
import { EventHub } from './hub.js';
import { PoolStatsCache } from './pool-stats-cache.js';
import { SHARED_SCHEMAS } from './schemas.js';
import { authRoutes } from './routes/auth-routes.js';
import { poolRoutes } from './routes/pool-routes.js';
import { leadRoutes } from './routes/lead-routes.js';
import { meRoutes } from './routes/me-routes.js';
import { adminRoutes } from './routes/admin-routes.js';
import { streamRoutes } from './routes/stream-routes.js';
import { systemRoutes } from './routes/system-routes.js';
import { settingsRoutes } from './routes/settings-routes.js';
import { metricsRoutes } from './routes/metrics-routes.js';
import { routingRoutes } from './routes/routing-routes.js';
import { importRoutes } from './routes/import-routes.js';
import { integrationRoutes } from './routes/integration-routes.js';
import { simulationRoutes } from './routes/simulation-routes.js';
import { allowPrivateFromEnv } from '../integrations/private-addresses.js';

// ajv-formats is CommonJS with a default export object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export interface AppOptions {
  store: Store;
  clock: Clock;
  /** pino options, or false for silence (tests). Default: info to stdout. */
  logger?: FastifyServerOptions['logger'];
  /** Built web UI to serve at `/`; skipped when the folder does not exist. */
  webRoot?: string;
  /** How long a sign-in lasts. Default 12 hours. */
  sessionTtlMs?: number;
  /** How often the live hub looks for changes made by other processes. Default 1000 ms. */
  hubPollMs?: number;
  /** Accept webhook URLs on loopback, private and link-local addresses. Default: LEADPOOL_WEBHOOK_ALLOW_PRIVATE. */
  allowPrivateWebhooks?: boolean;
}

export interface AppContext {
  store: Store;
  clock: Clock;
  hub: EventHub;
  auth: ReturnType<typeof makeAuthenticator>;
  poolStats: PoolStatsCache;
  sessionTtlMs: number;
  /** Closers of open event streams, ended before the server closes. */
  openStreams: Set<() => void>;
  allowPrivateWebhooks: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
  }
}

export type App = FastifyInstance;

/** Builds the HTTP app without listening, so tests drive it with `app.inject()`. */
export async function buildApp(opts: AppOptions): Promise<App> {
  const app = Fastify({
    logger: opts.logger ?? { level: 'info' },
    bodyLimit: 8 * 1024 * 1024, // a 1,000-lead batch with attributes fits with room
  }).withTypeProvider<TypeBoxTypeProvider>();

  const hub = new EventHub(opts.store);
  const ctx: AppContext = {
    store: opts.store,
    clock: opts.clock,
    hub,
    auth: makeAuthenticator(opts.store, () => opts.clock.now()),
    poolStats: new PoolStatsCache(opts.store),
    openStreams: new Set(),
    sessionTtlMs: opts.sessionTtlMs ?? 12 * 3600_000,
    allowPrivateWebhooks: opts.allowPrivateWebhooks ?? allowPrivateFromEnv(),
  };
  app.decorate('ctx', ctx);
  app.decorateRequest('actor', null);

  for (const s of SHARED_SCHEMAS) app.addSchema(s);
  // Query strings and path parameters are text, so they are coerced ("50" is 50, ?a=x is
  // ['x']); JSON bodies are not: a score of "50", true or null is an error, not a number.
  const validators = { body: makeAjv(false), text: makeAjv('array') };
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? validators.body : validators.text).compile(schema));
  // A POST without a body is an empty object, so a missing required field is named as such.
  app.addHook('preValidation', async (req) => {
    if (req.body === undefined && (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH')) req.body = {};
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Leadpool API',
        version: '1',
        description: 'Lead distribution: pools and queues, atomic claims with lock timers, and the full history of every lead.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A session token from POST /api/v1/auth/login, or an API key (lpk_…).' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'leadpool_session' },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(cookie);

  app.setErrorHandler((err: FastifyError & { validation?: SchemaError[]; validationContext?: string }, req, reply) => {
    const body = toAppError(err);
    if (body.status >= 500) req.log.error({ err }, 'request failed');
    if (body.code === 'TOO_MANY_ATTEMPTS' && typeof body.details?.retryAfterSeconds === 'number') {
      void reply.header('retry-after', String(body.details.retryAfterSeconds));
    }
    void reply.status(body.status).send(body.toJSON());
  });

  app.addHook('onRequest', async (req, reply) => {
    // Unknown routes get their 404 whoever asks; known ones check who is asking first.
    if (req.url.startsWith('/api/v1/') && req.routeOptions.url !== undefined) await ctx.auth.hook(req, reply);
  });

  await app.register(systemRoutes);
  await app.register(authRoutes, { prefix: '/api/v1' });
  await app.register(poolRoutes, { prefix: '/api/v1' });
  await app.register(leadRoutes, { prefix: '/api/v1' });
  await app.register(meRoutes, { prefix: '/api/v1' });
  await app.register(adminRoutes, { prefix: '/api/v1' });
  await app.register(streamRoutes, { prefix: '/api/v1' });
  await app.register(settingsRoutes, { prefix: '/api/v1' });
  await app.register(metricsRoutes, { prefix: '/api/v1' });
  await app.register(routingRoutes, { prefix: '/api/v1' });
  await app.register(importRoutes, { prefix: '/api/v1' });
  await app.register(integrationRoutes, { prefix: '/api/v1' });
  await app.register(simulationRoutes, { prefix: '/api/v1' });

  const webRoot = opts.webRoot;
  const hasWeb = webRoot !== undefined && existsSync(join(webRoot, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, {
      root: webRoot,
      wildcard: false,
      index: ['index.html'],
      // The build leaves brotli and gzip copies beside each file: sent as they are, no work per request.
      preCompressed: true,
      // Scripts and styles carry a hash of their content in the name, so a browser keeps them for
      // good; the page that names them is checked every time (a 304 when unchanged).
      setHeaders: (reply, path) => {
        void reply.header('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  app.setNotFoundHandler((req, reply) => {
    // The web UI routes on the client: any non-API GET gets its page. A missing file under
    // /assets is a 404, though: a page left open across an upgrade asking for the old build's
    // script must not be handed HTML as JavaScript.
    if (hasWeb && req.method === 'GET' && !req.url.startsWith('/api/') && !req.url.startsWith('/assets/')) return reply.sendFile('index.html');
    return reply.status(404).send(new AppError('NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0]}.`).toJSON());
  });

  app.addHook('onReady', async () => {
    await hub.start(opts.hubPollMs);
  });
  app.addHook('preClose', async () => {
    // Open event streams would hold close() forever.
    hub.stop();
    for (const close of ctx.openStreams) close();
    ctx.openStreams.clear();
  });
  return app as unknown as App;
}

function makeAjv(coerceTypes: false | 'array'): Ajv {
  const ajv = new Ajv({
    allErrors: true, // name every bad field at once, not only the first
    removeAdditional: false, // an unknown field is an error, not silently dropped
    coerceTypes,
    useDefaults: true,
    strict: false, // TypeBox adds its own annotations
  });
  addFormats(ajv);
  return ajv;
}

function toAppError(err: FastifyError & { validation?: SchemaError[]; validationContext?: string }): AppError {
  if (err instanceof AppError) return err;
  if (err.validation) {
    const where = err.validationContext === 'body' ? '' : err.validationContext === 'querystring' ? '' : (err.validationContext ?? '');
    return validationError(schemaProblems(err.validation, where));
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('MALFORMED_JSON', `The body is not valid JSON: ${err.message}`, { field: '(body)' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', `The body is too large for this route: ${err.message}`);
  }
  if (err instanceof SyntaxError) return new AppError('MALFORMED_JSON', `The body is not valid JSON: ${err.message}`, { field: '(body)' });
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return new AppError(err.statusCode === 404 ? 'NOT_FOUND' : 'VALIDATION_FAILED', err.message);
  }
  return new AppError('INTERNAL', 'Something went wrong on our side; it has been logged.', undefined, { cause: err });
}

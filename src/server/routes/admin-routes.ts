import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { AppError } from '../../core/errors.js';
import { ApiKeyBody, IdParams, NewApiKeyBody, NewUserBody, errorResponses } from '../schemas.js';
import { hashPassword } from '../passwords.js';
import { newToken, tokenHash } from '../tokens.js';
import { userJson } from '../views.js';

export async function adminRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, clock } = app.ctx;

  app.get(
    '/users',
    { config: { access: 'manager' }, schema: { tags: ['users'], summary: 'Everyone on the team (managers)', response: { 200: Type.Object({ items: Type.Array(Type.Ref('User')) }) } } },
    async () => ({ items: (await store.listUsers()).map(userJson) }),
  );

  app.post(
    '/users',
    {
      config: { access: 'manager' },
      schema: { tags: ['users'], summary: 'Add a person (managers add reps; admins anyone)', body: NewUserBody, response: { 201: Type.Ref('User'), ...errorResponses(400, 403, 409) } },
    },
    async (req, reply) => {
      const actor = req.actor!;
      if (req.body.role !== 'rep' && !(actor.kind === 'user' && actor.role === 'admin') && !(actor.kind === 'api_key' && actor.scope === 'full')) {
        throw new AppError('FORBIDDEN', 'Only an admin can add managers and admins.', { field: 'role' });
      }
      const user = await store.createUser(
        { email: req.body.email.trim().toLowerCase(), name: req.body.name.trim(), role: req.body.role, passwordHash: await hashPassword(req.body.password) },
        actor,
        clock.now(),
      );
      return reply.status(201).send(userJson(user));
    },
  );

  const keyJson = (k: { id: number; name: string; scope: string; prefix: string; createdAt: number; revokedAt: number | null }) => ({
    ...k,
    createdAt: new Date(k.createdAt).toISOString(),
    revokedAt: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString(),
  });

  app.get(
    '/api-keys',
    { config: { access: 'admin' }, schema: { tags: ['api keys'], summary: 'API keys for integrations (admins)', response: { 200: Type.Object({ items: Type.Array(Type.Ref('ApiKey')) }) } } },
    async () => ({ items: (await store.listApiKeys()).map(keyJson) }),
  );

  app.post(
    '/api-keys',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['api keys'],
        summary: 'Create an API key; the key itself is shown once, in this response',
        body: NewApiKeyBody,
        response: { 201: Type.Object({ key: Type.String(), apiKey: Type.Ref('ApiKey') }), ...errorResponses(400, 403) },
      },
    },
    async (req, reply) => {
      const key = newToken('lpk');
      const apiKey = await store.createApiKey({ name: req.body.name, scope: req.body.scope, keyHash: tokenHash(key), prefix: key.slice(0, 10) }, req.actor!, clock.now());
      return reply.status(201).send({ key, apiKey: keyJson(apiKey) });
    },
  );

  app.delete(
    '/api-keys/:id',
    { config: { access: 'admin' }, schema: { tags: ['api keys'], summary: 'Revoke an API key', params: IdParams, response: { 200: Type.Ref('ApiKey'), ...errorResponses(403, 404) } } },
    async (req) => {
      const k = await store.revokeApiKey(req.params.id, req.actor!, clock.now());
      if (!k) throw new AppError('NOT_FOUND', `There is no API key ${req.params.id}.`);
      app.ctx.auth.forgetAll();
      return keyJson(k);
    },
  );
}

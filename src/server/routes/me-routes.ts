import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { AppError } from '../../core/errors.js';
import { userActor } from '../auth.js';
import { leadJson, userJson } from '../views.js';

export async function meRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = app.ctx;

  app.get('/me', { schema: { tags: ['me'], summary: 'Who you are signed in as', response: { 200: Type.Object({ user: Type.Ref('User') }) } } }, async (req) => {
    const user = await store.getUser(userActor(req).userId);
    if (!user) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.');
    return { user: userJson(user) };
  });

  app.get(
    '/me/leads',
    { schema: { tags: ['me'], summary: 'Every lead you hold or have worked, newest claim first', response: { 200: Type.Object({ items: Type.Array(Type.Ref('Lead')) }) } } },
    async (req) => ({ items: (await store.leadsOwnedBy(userActor(req).userId)).map(leadJson) }),
  );
}

import type { FastifyInstance } from 'fastify';
import Type from 'typebox';

export async function systemRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/api/health',
    { schema: { hide: true, response: { 200: Type.Object({ status: Type.Literal('ok'), store: Type.String() }) } } as never },
    async () => ({ status: 'ok' as const, store: app.ctx.store.kind }),
  );
  app.get('/api/openapi.json', { schema: { hide: true } as never }, async () => app.swagger());
}

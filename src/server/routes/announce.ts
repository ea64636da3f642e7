import type { FastifyInstance } from 'fastify';

/** Tell live clients something changed; the hub reads what from the history. */
export function announce(app: FastifyInstance): void {
  app.ctx.hub.poke();
}

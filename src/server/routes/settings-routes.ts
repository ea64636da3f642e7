import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { SEED_RULES } from '../../core/fair-play.js';
import { PoolRulesBody, errorResponses } from '../schemas.js';

export async function settingsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, clock } = app.ctx;

  app.get(
    '/settings/rules',
    {
      schema: {
        tags: ['fair play'],
        summary: "The team's default fair-play rules (pools without their own follow them)",
        response: { 200: Type.Object({ rules: Type.Ref('PoolRules'), seedDefaults: Type.Ref('PoolRules') }) },
      },
    },
    async () => ({ rules: await store.getTeamRules(), seedDefaults: SEED_RULES }),
  );

  app.put(
    '/settings/rules',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['fair play'],
        summary: "Replace the team's default fair-play rules (managers); a rule left out is off",
        body: PoolRulesBody,
        response: { 200: Type.Object({ rules: Type.Ref('PoolRules') }), ...errorResponses(400, 403) },
      },
    },
    async (req) => {
      const { rules } = await store.setTeamRules(req.body, req.actor!, clock.now());
      return { rules };
    },
  );
}

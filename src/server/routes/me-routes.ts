import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { AppError, validationError } from '../../core/errors.js';
import { errorResponses } from '../schemas.js';
import { userActor } from '../auth.js';
import { leadJson, userJson } from '../views.js';

export async function meRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = app.ctx;

  app.get('/me', { schema: { tags: ['me'], summary: 'Who you are signed in as', response: { 200: Type.Object({ user: Type.Ref('User') }) } } }, async (req) => {
    const user = await store.getUser(userActor(req).userId);
    if (!user) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.');
    const rep = user.role === 'rep' ? await store.getRep(user.id) : null;
    return { user: { ...userJson(user), ...(rep ? { team: rep.team, tier: rep.tier, availability: rep.availability } : {}) } };
  });

  app.patch(
    '/me',
    {
      schema: {
        tags: ['me'],
        summary: 'Your preferences: language and time zone of the web UI (null: the browser decides)',
        body: Type.Object(
          {
            locale: Type.Optional(Type.Union([Type.Enum(['en', 'de']), Type.Null()])),
            timeZone: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Type.Object({ user: Type.Ref('User') }), ...errorResponses(400) },
      },
    },
    async (req) => {
      const tz = req.body.timeZone;
      if (tz) {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
        } catch {
          throw validationError([{ field: 'timeZone', problem: `"${tz}" is not a time zone (use an IANA name like Europe/Berlin)` }]);
        }
      }
      return { user: userJson(await store.setUserPreferences(userActor(req).userId, req.body)) };
    },
  );

  app.get(
    '/me/leads',
    { schema: { tags: ['me'], summary: 'Every lead you hold or have worked, newest claim first', response: { 200: Type.Object({ items: Type.Array(Type.Ref('Lead')) }) } } },
    async (req) => ({ items: (await store.leadsOwnedBy(userActor(req).userId)).map(leadJson) }),
  );
}

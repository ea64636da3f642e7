import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { AppError } from '../../core/errors.js';
import { LoginBody, errorResponses } from '../schemas.js';
import { SESSION_COOKIE } from '../auth.js';
import { decoyHash, verifyPassword } from '../passwords.js';
import { newToken, tokenHash } from '../tokens.js';
import { userJson } from '../views.js';

/** Failed sign-ins allowed per window, per account and per client address. */
export const LOGIN_LIMITS = { windowMs: 15 * 60_000, perAccount: 5, perAddress: 30 };

export async function authRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, clock } = app.ctx;

  app.post(
    '/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in; returns a bearer token and sets an HttpOnly session cookie',
        security: [],
        body: LoginBody,
        response: { 200: Type.Object({ token: Type.String(), user: Type.Ref('User'), expiresAt: Type.String() }), ...errorResponses(400, 401, 429) },
      },
    },
    async (req, reply) => {
      const now = clock.now();
      const email = req.body.email.trim().toLowerCase();
      const keys = [`account:${email}`, `address:${req.ip}`];
      const since = now - LOGIN_LIMITS.windowMs;
      const [byAccount, byAddress] = await Promise.all(keys.map((k) => store.countLoginFailures(k, since)));
      if (byAccount! >= LOGIN_LIMITS.perAccount || byAddress! >= LOGIN_LIMITS.perAddress) {
        throw new AppError('TOO_MANY_ATTEMPTS', 'Too many failed sign-ins; wait a few minutes and try again.', {
          retryAfterSeconds: Math.ceil(LOGIN_LIMITS.windowMs / 1000),
        });
      }
      const user = await store.findUserByEmail(email);
      const ok = user ? await verifyPassword(user.passwordHash, req.body.password) : (await verifyPassword(await decoyHash(), req.body.password), false);
      if (!user || !ok) {
        await store.recordLoginFailure(keys, now);
        throw new AppError('INVALID_CREDENTIALS', 'Wrong email or password.', { field: 'password' });
      }
      await store.clearLoginFailures(keys[0]!);
      const token = newToken('lps');
      const expiresAt = now + app.ctx.sessionTtlMs;
      await store.createSession({ tokenHash: tokenHash(token), userId: user.id, expiresAt }, now);
      void reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: req.protocol === 'https',
        path: '/',
        maxAge: Math.floor(app.ctx.sessionTtlMs / 1000),
      });
      return { token, user: userJson(user), expiresAt: new Date(expiresAt).toISOString() };
    },
  );

  app.post(
    '/auth/logout',
    { config: { access: 'public' }, schema: { tags: ['auth'], summary: 'End this session', response: { 204: Type.Null() } } },
    async (req, reply) => {
      const header = req.headers.authorization;
      const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : req.cookies[SESSION_COOKIE];
      if (token && token.startsWith('lps_')) {
        await store.deleteSession(tokenHash(token));
        app.ctx.auth.forget(token);
      }
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );
}

import http from 'node:http';
import https from 'node:https';
import { guardedLookup, literalRefusal } from './private-addresses.js';

export interface PostOutcome {
  statusCode: number;
  /** The first `excerptBytes` of the response body (the rest is not read), or null when empty. */
  excerpt: string | null;
}

/**
 * One webhook POST over node:http(s), with the address check of private-addresses.ts in the
 * socket's own lookup (fetch cannot be given one without an extra dependency). Redirects are
 * not followed: a redirect is an answer, and following it would send the signed body
 * somewhere the manager never registered. Rejects on a refused address, a network error or
 * when `signal` aborts.
 */
export function postWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  opts: { signal: AbortSignal; allowPrivate: boolean; excerptBytes: number },
): Promise<PostOutcome> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(target);
    } catch (err) {
      return reject(err as Error);
    }
    const refused = literalRefusal(url, opts.allowPrivate);
    if (refused) return reject(refused);
    const data = Buffer.from(body, 'utf8');
    const req = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(data.length) },
      signal: opts.signal,
      lookup: guardedLookup(opts.allowPrivate),
      agent: false, // a fresh connection per attempt: each one is resolved and checked again
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let ended = false;
      const done = () => {
        if (ended) return;
        ended = true;
        res.destroy();
        const text = Buffer.concat(chunks).subarray(0, opts.excerptBytes).toString('utf8');
        resolve({ statusCode: res.statusCode ?? 0, excerpt: text.length ? text : null });
      };
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        size += c.length;
        if (size >= opts.excerptBytes) done();
      });
      res.on('end', done);
      res.on('error', (err) => (size > 0 ? done() : reject(err)));
    });
    req.end(data);
  });
}

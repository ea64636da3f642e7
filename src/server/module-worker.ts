import { Worker, type ResourceLimits } from 'node:worker_threads';

/**
 * Starts a worker thread on a module next to `from` (pass `import.meta.url`), by its name
 * without extension. Built, that is the .js file. Run from the TypeScript sources (tests, the
 * bench) it is the .ts file, which a worker cannot load by itself: its loader hooks are not
 * inherited, so the worker registers the TypeScript loader first.
 */
export function startModuleWorker(from: string, name: string, workerData: unknown, opts: { resourceLimits?: ResourceLimits } = {}): Worker {
  if (!from.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, from), { workerData, ...opts });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL(`./${name}.ts`, from).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`, { eval: true, workerData, ...opts });
}

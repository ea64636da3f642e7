import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { build, defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const WEB = join(import.meta.dirname, 'web');

/**
 * web/src/boot-inline.ts, built on its own and inlined at the top of index.html: the first API
 * requests leave as the browser reads the page, not after the app's scripts have loaded
 * (web/src/lib/boot.ts). Build only; on the development server the app sends them itself.
 */
function inlineBootScript(): Plugin {
  return {
    name: 'leadpool:inline-boot-script',
    apply: 'build',
    async transformIndexHtml(html) {
      const out = await build({
        configFile: false,
        root: WEB,
        logLevel: 'warn',
        publicDir: false,
        build: {
          write: false,
          minify: true,
          lib: { entry: join(WEB, 'src', 'boot-inline.ts'), formats: ['iife'], name: 'leadpoolBoot' },
        },
      });
      const chunk = (Array.isArray(out) ? out : [out]).flatMap((o) => ('output' in o ? o.output : [])).find((c) => c.type === 'chunk');
      if (!chunk || chunk.type !== 'chunk') throw new Error('the boot script did not build');
      // Right after the charset (which must stay in the first 1024 bytes), before the stylesheet:
      // an inline script after a stylesheet waits for it to load.
      const at = /<meta charset="[^"]*"\s*\/?>/i.exec(html);
      if (!at) throw new Error('index.html: no <meta charset> to put the boot script after');
      const end = at.index + at[0].length;
      return `${html.slice(0, end)}\n    <script>${chunk.code.trim().replace(/<\/script/gi, '<\\/script')}</script>${html.slice(end)}`;
    },
  };
}

/**
 * Brotli and gzip copies of every text file of the build beside it: the server sends the one
 * the browser takes, as it is (no compression work per request).
 */
function precompress(): Plugin {
  return {
    name: 'leadpool:precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      const dir = options.dir;
      if (!dir) return;
      for (const name of Object.keys(bundle)) {
        if (!/\.(js|css|html|svg|json)$/.test(name)) continue;
        const file = join(dir, name);
        const data = readFileSync(file);
        if (data.length < 1024) continue;
        writeFileSync(`${file}.br`, brotliCompressSync(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: data.length } }));
        writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
      }
    },
  };
}

// The web UI lives in web/ and is served by the Leadpool server from dist/web
// (with an SPA fallback to index.html). In development, `npx vite` proxies /api
// to a server running on port 3000.
export default defineConfig({
  root: 'web',
  plugins: [react(), inlineBootScript(), precompress()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': {
        target: 'http://127.0.0.1:3000',
        changeOrigin: false,
      },
    },
  },
});

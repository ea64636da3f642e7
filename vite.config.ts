import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The web UI lives in web/ and is served by the Leadpool server from dist/web
// (with an SPA fallback to index.html). In development, `npx vite` proxies /api
// to a server running on port 3000.
export default defineConfig({
  root: 'web',
  plugins: [react()],
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

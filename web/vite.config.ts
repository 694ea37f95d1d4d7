import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The web UI: `vite build web` writes web/dist, which `cohort serve` serves (src/server/serve.ts,
 * DEFAULT_STATIC_DIR). `vite web` is a dev server that forwards /api to a `cohort serve` on port 8080.
 */
export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The server's CSP allows only its own scripts: no inline module preload polyfill.
    modulePreload: { polyfill: false },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});

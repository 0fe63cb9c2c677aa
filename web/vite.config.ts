// Builds the dashboard into static files that `switchboard serve` serves at /.
// scripts/build.sh runs `npm run build -- --outDir <build>/web`; the server's
// default web root is web/ beside the binary.
import { defineConfig } from 'vite';

export default defineConfig({
  // Preact's JSX runtime without a plugin: esbuild compiles TSX directly.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    // The server sends Content-Security-Policy default-src 'self': no inline
    // scripts or styles, so never inline assets as data: URLs either.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2020',
  },
  server: {
    // `npm run dev` against a running `switchboard serve` (default port, or SWITCHBOARD_URL).
    proxy: { '/api': process.env.SWITCHBOARD_URL || 'http://127.0.0.1:8080' },
  },
});

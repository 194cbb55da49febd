// The HTTP headers the site should be served with, in one place: `npm run dev` and
// `npm run preview` send them, and the build writes them as `_headers` (the format of
// Netlify and Cloudflare Pages) for hosts that honour such a file.
//
// - COOP + COEP: cross-origin isolation, so WASM can use several threads.
// - A Content-Security-Policy as a header: unlike the page's <meta> policy it also covers
//   the inference worker (which does all the fetching) and can forbid framing
//   (frame-ancestors cannot be set by a meta tag; 'self', since lesson steps on /learn/ show
//   the app's own tokenizer and position pages in a frame, and no other site may). It repeats the meta policy's
//   connect-src from svelte.config.js; script-src stays with the meta policy, whose hashes
//   of SvelteKit's inline bootstrap differ per page.

import type { Plugin } from 'vite';
import config from '../svelte.config.js';

const quote = (s: string) => (/^(self|none|unsafe-inline|wasm-unsafe-eval|strict-dynamic)$/.test(s) ? `'${s}'` : s);
const connect = ((config.kit?.csp?.directives as Record<string, string[]> | undefined)?.['connect-src'] ?? ['self']).map(quote).join(' ');

export const SITE_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Content-Security-Policy': `connect-src ${connect}; frame-ancestors 'self'; object-src 'none'; base-uri 'self'; form-action 'self'`,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** `_headers` for static hosts: every path gets the site headers. */
export function headersFile(headers: Record<string, string> = SITE_HEADERS): string {
  return ['/*', ...Object.entries(headers).map(([k, v]) => `  ${k}: ${v}`), ''].join('\n');
}

type Middleware = (req: unknown, res: { setHeader(k: string, v: string): void }, next: () => void) => void;

/**
 * `vite preview` serves the prerendered pages from SvelteKit's middleware, which runs before
 * Vite applies `preview.headers`: the headers never arrived (and WASM ran on one thread).
 * This plugin adds a middleware first, so every response carries them, in dev and preview.
 */
export function siteHeaders(headers: Record<string, string> = SITE_HEADERS): Plugin {
  // Returns nothing: a function returned from these hooks would run as a late middleware.
  const use = (server: { middlewares: { use(f: Middleware): unknown } }): void => {
    server.middlewares.use((_req, res, next) => {
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      next();
    });
  };
  return { name: 'site-headers', configureServer: use, configurePreviewServer: use };
}

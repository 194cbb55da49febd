// Issue 19, item 8: the headers the site needs (isolation for WASM threads, a CSP that also
// covers the worker and forbids framing) are sent by dev/preview and written for static hosts.
import { describe, expect, it } from 'vitest';
import config from '../../svelte.config.js';
import { headersFile, siteHeaders, SITE_HEADERS } from '../../tools/headers';

describe('site headers', () => {
  it('the header CSP forbids framing by other sites and repeats the page policy’s connect-src', () => {
    const csp = SITE_HEADERS['Content-Security-Policy'];
    // Only the app's own pages may frame it (a lesson step shows /tokenize/ or /positions/).
    expect(csp).toContain("frame-ancestors 'self'");
    const connect = (config.kit!.csp!.directives as Record<string, string[]>)['connect-src'];
    expect(csp).toContain(`connect-src ${connect.map((s) => (s === 'self' ? "'self'" : s)).join(' ')};`);
    expect(SITE_HEADERS['Cross-Origin-Embedder-Policy']).toBe('require-corp');
  });

  it('the plugin puts every header on every response, before other middleware, in dev and preview', () => {
    const plugin = siteHeaders();
    for (const hook of ['configureServer', 'configurePreviewServer'] as const) {
      const added: ((req: unknown, res: { setHeader(k: string, v: string): void }, next: () => void) => void)[] = [];
      const returned = (plugin[hook] as (s: unknown) => unknown)({ middlewares: { use: (f: (typeof added)[number]) => void added.push(f) } });
      // A returned function would be installed after SvelteKit's middleware, which answers first.
      expect(returned, hook).toBeUndefined();
      expect(added).toHaveLength(1);
      const set: Record<string, string> = {};
      let nexted = false;
      added[0]({}, { setHeader: (k, v) => void (set[k] = v) }, () => void (nexted = true));
      expect(set).toEqual(SITE_HEADERS);
      expect(nexted).toBe(true);
    }
  });

  it('_headers gives every path the same headers', () => {
    const file = headersFile();
    expect(file.split('\n')[0]).toBe('/*');
    for (const [k, v] of Object.entries(SITE_HEADERS)) expect(file).toContain(`  ${k}: ${v}\n`);
  });
});

// The inference worker does all the fetching (model files, onnxruntime's wasm), and the
// page's <meta> Content-Security-Policy does not reach it: a fetch from the worker to
// another local port got through while the page's own was blocked. So the worker checks
// every URL itself against the same list as the page's connect-src (svelte.config.js):
// the app's own origin, the Hugging Face Hub and its file CDNs.

import { AtlasError } from '../errors';

/** https hosts of the Hub and its CDNs, as in the page's connect-src. */
const HUB_HOST = /^(huggingface\.co|[a-z0-9-]+(\.[a-z0-9-]+)*\.(huggingface\.co|hf\.co))$/;

/** Whether the worker may fetch `url`: own origins (the app, a same-origin Hub mirror), the Hub, or local data. */
export function fetchAllowed(url: string, ownOrigins: readonly string[], base?: string): boolean {
  let u: URL;
  try {
    u = new URL(url, base);
  } catch {
    return false;
  }
  if (u.protocol === 'blob:' || u.protocol === 'data:') return true;
  if (ownOrigins.includes(u.origin)) return true;
  return u.protocol === 'https:' && u.port === '' && HUB_HOST.test(u.hostname);
}

type FetchScope = { fetch: typeof fetch };

/** Replaces `scope.fetch` with one that refuses other origins, before and after redirects. */
export function guardFetch(scope: FetchScope, ownOrigins: readonly string[]): void {
  const inner = scope.fetch.bind(scope);
  const refuse = (url: string) =>
    new AtlasError('download-failed', `The app does not connect to ${url.slice(0, 120)}: only to its own site and the Hugging Face Hub.`, 'Use an embedded model, a Hub model or your own files.');
  scope.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    // Relative URLs resolve against the worker's own address.
    if (!fetchAllowed(url, ownOrigins, globalThis.location?.href)) throw refuse(url);
    const response = await inner(input, init);
    // A redirect (the Hub sends files to its CDNs) must land on an allowed host too.
    if (response.url && !fetchAllowed(response.url, ownOrigins)) {
      await response.body?.cancel().catch(() => undefined);
      throw refuse(response.url);
    }
    return response;
  };
}

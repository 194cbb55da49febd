// Issue 19, item 8: the worker fetches only from the app's origin and the Hub (its CSP does not reach it).
import { describe, expect, it } from 'vitest';
import { fetchAllowed, guardFetch } from '../../src/lib/runtime/fetch-guard';
import { AtlasError } from '../../src/lib/errors';

const OWN = ['http://127.0.0.1:4173'];

describe('the worker fetch guard', () => {
  it('allows the own origin, the Hub and its CDNs, and local data', () => {
    for (const url of [
      'http://127.0.0.1:4173/models/tiny-gpt2/config.json',
      'https://huggingface.co/gpt2/resolve/main/config.json',
      'https://cdn-lfs.huggingface.co/repos/x',
      'https://cas-bridge.xethub.hf.co/xet-bridge-us/x',
      'blob:http://127.0.0.1:4173/1234',
    ])
      expect(fetchAllowed(url, OWN), url).toBe(true);
    expect(fetchAllowed('/ort/ort-wasm.mjs', OWN, 'http://127.0.0.1:4173/_app/worker.js')).toBe(true);
  });

  it('refuses another local port, other hosts and look-alikes', () => {
    for (const url of [
      'http://127.0.0.1:9999/secret',
      'http://localhost:4173/x',
      'https://evil.example/x',
      'https://huggingface.co.evil.example/x',
      'https://evilhuggingface.co/x',
      'http://huggingface.co/x',
      'https://huggingface.co:8443/x',
      'not a url',
    ])
      expect(fetchAllowed(url, OWN), url).toBe(false);
  });

  it('guardFetch refuses before connecting, and after a redirect to a host not allowed', async () => {
    const asked: string[] = [];
    const scope = {
      fetch: (async (input: RequestInfo | URL) => {
        const url = String(input);
        asked.push(url);
        const redirected = url.endsWith('/redirect') ? 'http://127.0.0.1:9999/elsewhere' : url;
        return Object.defineProperty(new Response('ok'), 'url', { value: redirected });
      }) as typeof fetch,
    };
    guardFetch(scope, OWN);
    await expect(scope.fetch('http://127.0.0.1:9999/secret')).rejects.toBeInstanceOf(AtlasError);
    expect(asked).toEqual([]);
    expect(await (await scope.fetch('http://127.0.0.1:4173/models/x')).text()).toBe('ok');
    await expect(scope.fetch('http://127.0.0.1:4173/redirect')).rejects.toThrow(/does not connect to http:\/\/127\.0\.0\.1:9999/);
  });
});

/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
// Offline support: on install, keep the whole app — pages, scripts, onnxruntime's wasm
// and the embedded models — in Cache Storage, then serve the app's own files from there.
// After one visit the app works with the network off (a classroom with bad Wi-Fi).
// Hub downloads are not touched here: the inference worker keeps those in its own cache.

import { build, files, prerendered, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `atlas-app-${version}`;
// Relative to the service worker's own URL, so the site works from any sub-folder.
const scope = new URL(sw.registration.scope);
const ASSETS = [...build, ...files, ...prerendered].map((p) => new URL(p.replace(/^\//, ''), scope).href);

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(ASSETS);
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith('atlas-app-') && key !== CACHE) await caches.delete(key);
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== scope.origin) return;
  event.respondWith(
    (async () => {
      // The app's own files never change within a version: cache first, network for the rest.
      const hit = await (await caches.open(CACHE)).match(request, { ignoreSearch: true });
      return hit ?? fetch(request);
    })(),
  );
});

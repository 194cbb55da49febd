// Registers the service worker (offline copy of the app) only once the first visit has what
// it came for. Its install downloads every file of the app — both onnxruntime builds and the
// embedded models, about 74 MB — and on a first visit that competed with the page's own
// downloads and compiles for the same cores: measured here, the first heatmap came 0.5–0.9 s
// later with it registered at start (bench/browser.ts, first visit).

import { FIRST_HEATMAP_MARK } from './components/views/heatmap-options';
import { oldLoadPath } from './load-path';

/** Pages without a model (lessons, the tokenizer) register this long after their load event. */
export const REGISTER_AFTER_LOAD_MS = 3000;
/** Pages running a model wait for its first heatmap, but no longer than this after load (a slow GPU, an error). */
export const REGISTER_AT_THE_LATEST_MS = 30_000;

export function registerServiceWorkerWhenIdle(url: string, options: RegistrationOptions): void {
  if (!('serviceWorker' in navigator)) return;
  let done = false;
  let observer: PerformanceObserver | undefined;
  const register = () => {
    if (done) return;
    done = true;
    observer?.disconnect();
    navigator.serviceWorker.register(url, options).catch(() => undefined);
  };
  if (oldLoadPath() || performance.getEntriesByName(FIRST_HEATMAP_MARK).length) return register();
  try {
    observer = new PerformanceObserver((list) => {
      if (list.getEntriesByName(FIRST_HEATMAP_MARK).length) setTimeout(register, 0);
    });
    observer.observe({ type: 'mark' });
  } catch {
    observer = undefined;
  }
  // A page that started the inference worker (its mark) is about to draw a heatmap.
  const later = () => setTimeout(() => (performance.getEntriesByName('atlas:worker-created').length ? setTimeout(register, REGISTER_AT_THE_LATEST_MS - REGISTER_AFTER_LOAD_MS) : register()), REGISTER_AFTER_LOAD_MS);
  if (document.readyState === 'complete') later();
  else addEventListener('load', later, { once: true });
}

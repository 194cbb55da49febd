import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // A static site: every page is prerendered, so `build/` can be served from any
    // host (or a school laptop) with no server code.
    adapter: adapter({ pages: 'build', assets: 'build', fallback: undefined, strict: true }),
    // Relative asset paths let the site run from a sub-folder of any host.
    paths: { relative: true },
    // Registered by the root layout once the first picture is drawn (src/lib/offline.ts).
    serviceWorker: { register: false },
    // Fragments like #b=qkv are page state (a lesson, a view), not element ids; a real missing id still fails the build.
    prerender: {
      handleMissingId: ({ id, message }) => {
        if (!id.includes('=')) throw new Error(message);
      },
    },
    // No inline or third-party scripts: SvelteKit hashes its own inline bootstrap into a
    // <meta> CSP. WASM compilation needs 'wasm-unsafe-eval'. The only other origin the
    // page may contact is the Hugging Face Hub (and its file CDNs), when a user asks for
    // a Hub model; with the embedded models it contacts nothing but its own origin.
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self', 'wasm-unsafe-eval'],
        'worker-src': ['self', 'blob:'],
        'connect-src': ['self', 'https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co'],
        'img-src': ['self', 'data:', 'blob:'],
        'style-src': ['self', 'unsafe-inline'],
        'font-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
      },
    },
  },
};

export default config;

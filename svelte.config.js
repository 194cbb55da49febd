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
  },
};

export default config;

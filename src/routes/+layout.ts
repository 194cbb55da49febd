// Every page is prerendered into static HTML; the app then runs fully client-side.
export const prerender = true;
export const ssr = true;
export const trailingSlash = 'always';

// A small static file server for the browser tests: serves the built app from
// 127.0.0.1 with the cross-origin isolation headers that WASM threads need, and logs
// every request so tests can assert what the page asked for.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export interface StaticServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, path: string) => void;

/**
 * Serves `rootDir` at '/', each `mounts` prefix ('/__harness/') from its own folder, and
 * each `handlers` prefix ('/__hub') with its own handler (given the path after the prefix).
 */
export async function startStaticServer(rootDir: string, port = 0, mounts: Record<string, string> = {}, handlers: Record<string, Handler> = {}): Promise<StaticServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname);
    const handled = Object.keys(handlers).find((h) => url.pathname.startsWith(h + '/'));
    if (handled) return handlers[handled](req, res, url.pathname.slice(handled.length));
    const mount = Object.keys(mounts).find((m) => url.pathname.startsWith(m));
    const root = resolve(mount ? mounts[mount] : rootDir);
    const rel = mount ? url.pathname.slice(mount.length - 1) : url.pathname;
    let path = normalize(join(root, decodeURIComponent(rel)));
    if (!path.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (statSync(path).isDirectory()) path = join(path, 'index.html');
      const size = statSync(path).size;
      res.writeHead(200, {
        'Content-Type': MIME[extname(path)] ?? 'application/octet-stream',
        'Content-Length': String(size),
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
        'Cache-Control': 'no-cache',
      });
      createReadStream(path).pipe(res);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('static server has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

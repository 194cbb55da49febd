// A stand-in for the Hugging Face Hub on 127.0.0.1, serving the Hub's URL layout from
// folders on disk, so downloads can be tested without internet:
//   GET|HEAD /<id>/resolve/<revision>/<file>     (Content-Length, Range, 404 for unknown ids/files)
//   GET      /api/models/<id>/tree/<revision>    (file list with sizes, as the Hub's API gives)
// Faults can be injected per file: cut the connection after N bytes, or delay each chunk.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface HubFaults {
  /** Close the connection after this many body bytes of files whose name matches. */
  cutAfter?: { file: RegExp; bytes: number };
  /** Milliseconds to wait between 64 kB chunks (to test progress and cancel). */
  chunkDelayMs?: number;
  /** Send files whose name matches without Content-Length (chunked), as streaming servers do. */
  noLength?: RegExp;
}

export interface MockHub {
  url: string;
  requests: string[];
  faults: HubFaults;
  close(): Promise<void>;
  /** The request handler, to mount under a prefix of another server. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): void;
}

const CHUNK = 64 * 1024;

/** `repos` maps Hub ids ("gpt2", "google/flan-t5-small") to folders; only revision "main" exists. */
export function mockHubHandler(repos: Record<string, string>, faults: HubFaults, requests: string[]) {
  return (req: IncomingMessage, res: ServerResponse, path: string): void => {
    requests.push(`${req.method} ${path}`);
    const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': 'Content-Length, Content-Range' };
    const api = path.match(/^\/api\/models\/(.+)\/tree\/([^/]+)$/);
    if (api) {
      const dir = repos[decodeURIComponent(api[1])];
      if (!dir || api[2] !== 'main') return void res.writeHead(404, cors).end('{"error":"Repository not found"}');
      const list = readdirSync(dir).map((f) => ({ type: 'file', path: f, size: statSync(join(dir, f)).size }));
      res.writeHead(200, { ...cors, 'Content-Type': 'application/json' }).end(JSON.stringify(list));
      return;
    }
    const m = path.match(/^\/(.+)\/resolve\/([^/]+)\/([^/]+)$/);
    const dir = m ? repos[decodeURIComponent(m[1])] : undefined;
    const file = m && dir ? join(dir, decodeURIComponent(m[3])) : '';
    if (!m || !dir || m[2] !== 'main' || !existsSync(file)) {
      res.writeHead(404, { ...cors, 'X-Error-Code': m && dir ? 'EntryNotFound' : 'RepoNotFound' }).end('Entry not found');
      return;
    }
    const bytes = readFileSync(file);
    let start = 0;
    let end = bytes.length;
    const range = req.headers.range?.match(/^bytes=(\d+)-(\d*)$/);
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Number(range[2]) + 1 : bytes.length;
    }
    const headers = { ...cors, 'Content-Type': 'application/octet-stream', 'Content-Length': String(end - start), 'Accept-Ranges': 'bytes' };
    if (range) res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end - 1}/${bytes.length}` });
    else if (faults.noLength?.test(m[3])) {
      const { 'Content-Length': _, ...chunked } = headers;
      res.writeHead(200, chunked);
    } else res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    const cut = faults.cutAfter && faults.cutAfter.file.test(m[3]) ? faults.cutAfter.bytes : Infinity;
    let at = start;
    const pump = () => {
      if (at >= end) return void res.end();
      const next = Math.min(end, at + CHUNK);
      if (next - start > cut) {
        res.write(bytes.subarray(at, start + cut));
        res.socket?.destroy();
        return;
      }
      res.write(bytes.subarray(at, next));
      at = next;
      if (faults.chunkDelayMs) setTimeout(pump, faults.chunkDelayMs);
      else setImmediate(pump);
    };
    pump();
  };
}

export async function startMockHub(repos: Record<string, string>, faults: HubFaults = {}): Promise<MockHub> {
  const requests: string[] = [];
  const handle = mockHubHandler(repos, faults, requests);
  const server = createServer((req, res) => handle(req, res, new URL(req.url ?? '/', 'http://x').pathname));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('mock hub has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    faults,
    handle,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

// The page's handle on the tokenizer worker: promise-based calls over postMessage.

import { AtlasError, type ErrorInfo } from '../errors';
import type { TokenizerEntry } from './catalog';
import type { Request, Response, TokenizerInfo } from './protocol';
import type { TokenizedText } from './types';
import type { WordTrace } from './word-trace';

type Pending = { resolve: (r: Response) => void; reject: (e: Error) => void };
// Distributive Omit, so each member of the Request union keeps its own fields.
type RequestBody = Request extends infer R ? (R extends Request ? Omit<R, 'req'> : never) : never;

export class TokenizerClient {
  private worker: Worker;
  private next = 1;
  private pending = new Map<number, Pending>();

  constructor() {
    this.worker = new Worker(new URL('./tokenize.worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (e: MessageEvent<Response>) => {
      const p = this.pending.get(e.data.req);
      if (!p) return;
      this.pending.delete(e.data.req);
      if (e.data.type === 'error') p.reject(new AtlasError(e.data.error.code === 'internal' ? 'bad-tokenizer' : e.data.error.code, e.data.error.message, e.data.error.hint));
      else p.resolve(e.data);
    };
    this.worker.onerror = (e) => {
      for (const p of this.pending.values()) p.reject(new Error(e.message || 'The tokenizer worker failed.'));
      this.pending.clear();
    };
  }

  private call(body: RequestBody): Promise<Response> {
    const req = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(req, { resolve, reject });
      this.worker.postMessage({ ...body, req } as Request);
    });
  }

  async load(entry: TokenizerEntry): Promise<TokenizerInfo> {
    const r = await this.call({ type: 'load', id: entry.id, tokenizerUrl: entry.tokenizerUrl, configUrl: entry.configUrl });
    if (r.type !== 'loaded') throw new Error('unexpected reply');
    return r.info;
  }

  async tokenize(ids: string[], text: string): Promise<{ results: Record<string, TokenizedText>; ms: Record<string, number>; errors: Record<string, ErrorInfo> }> {
    const r = await this.call({ type: 'tokenize', ids, text });
    if (r.type !== 'tokenized') throw new Error('unexpected reply');
    return { results: r.results, ms: r.ms, errors: r.errors };
  }

  async trace(id: string, word: string): Promise<WordTrace | null> {
    const r = await this.call({ type: 'trace', id, word });
    if (r.type !== 'traced') throw new Error('unexpected reply');
    return r.trace;
  }

  destroy(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new AtlasError('cancelled', 'The page was closed.'));
    this.pending.clear();
  }
}

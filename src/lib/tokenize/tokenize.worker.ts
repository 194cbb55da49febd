// The tokenizer worker: loads tokenizers and tokenizes off the main thread, so typing
// stays smooth with long texts.

import { toErrorInfo, type ErrorInfo } from '../errors';
import { fetchTokenizerFiles } from './catalog';
import { loadTokenizer, type LoadedTokenizer } from './load';
import { tokenizeText } from './tokenize';
import { mergeRanksOf, traceWord } from './word-trace';
import type { Request, Response, TokenizerInfo } from './protocol';
import type { TokenizedText } from './types';

const loaded = new Map<string, Promise<LoadedTokenizer>>();

function info(t: LoadedTokenizer): TokenizerInfo {
  return {
    id: t.id,
    algorithm: t.algorithm,
    byteLevel: t.byteLevel,
    continuingPrefix: t.continuingPrefix,
    metaspace: t.metaspace,
    byteFallback: t.byteFallback,
    unkToken: t.unkToken,
    vocabSize: t.vocabSize,
    mergeCount: mergeRanksOf(t)?.count ?? 0,
  };
}

const post = (r: Response) => (self as unknown as Worker).postMessage(r);

self.onmessage = async (e: MessageEvent<Request>) => {
  const m = e.data;
  try {
    if (m.type === 'load') {
      let p = loaded.get(m.id);
      if (!p) {
        p = fetchTokenizerFiles({ id: m.id, description: '', tokenizerUrl: m.tokenizerUrl, configUrl: m.configUrl }).then(
          ({ json, config }) => loadTokenizer(m.id, json, config),
        );
        loaded.set(m.id, p);
        p.catch(() => loaded.delete(m.id));
      }
      post({ type: 'loaded', req: m.req, info: info(await p) });
    } else if (m.type === 'tokenize') {
      const results: Record<string, TokenizedText> = {};
      const ms: Record<string, number> = {};
      const errors: Record<string, ErrorInfo> = {};
      for (const id of m.ids) {
        const t = await loaded.get(id);
        if (!t) continue;
        const t0 = performance.now();
        // One tokenizer failing on a text (e.g. the library's stack on a huge Unigram word) must not blank the others.
        try {
          results[id] = tokenizeText(t, m.text);
        } catch (err) {
          errors[id] = toErrorInfo(err);
        }
        ms[id] = performance.now() - t0;
      }
      post({ type: 'tokenized', req: m.req, results, ms, errors });
    } else if (m.type === 'trace') {
      const t = await loaded.get(m.id);
      post({ type: 'traced', req: m.req, trace: t ? traceWord(t, m.word) : null });
    }
  } catch (err) {
    post({ type: 'error', req: m.req, error: toErrorInfo(err) });
  }
};

// Loads tokenizers for the unit tests from inside the repo: the shipped ones in
// static/models/ and the hand-made fixtures in tests/fixtures/.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadTokenizer, type LoadedTokenizer } from '../../src/lib/tokenize/load';

const cache = new Map<string, LoadedTokenizer>();

export function loadFrom(dir: string, id: string): LoadedTokenizer {
  const key = `${dir}#${id}`;
  let t = cache.get(key);
  if (!t) {
    const json = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
    const cfgPath = join(dir, 'tokenizer_config.json');
    const config = existsSync(cfgPath) ? JSON.parse(readFileSync(cfgPath, 'utf8')) : {};
    cache.set(key, (t = loadTokenizer(id, json, config)));
  }
  return t;
}

export const model = (id: string): LoadedTokenizer => loadFrom(join('static/models', id), id);
export const unigramFixture = (): LoadedTokenizer => loadFrom('tests/fixtures/unigram-tiny', 'unigram-tiny');

/** Every tokenizer in static/models/ (tiny-* ones included once they are there) plus the fixture. */
export function allTokenizers(): LoadedTokenizer[] {
  const ids = readdirSync('static/models', { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join('static/models', d.name, 'tokenizer.json')))
    .map((d) => d.name)
    .sort();
  return [...ids.map(model), unigramFixture()];
}

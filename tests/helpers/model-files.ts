// A random checkpoint's files in the form the app's loader takes (as if fetched or dropped).
import { checkpointFiles, type RandomCheckpoint } from './random-checkpoint';
import type { ModelFiles } from '../../src/lib/runtime/load';

export function filesOf(cp: RandomCheckpoint): ModelFiles {
  const f = checkpointFiles(cp);
  const json = (name: string) => (f.has(name) ? JSON.parse(new TextDecoder().decode(f.get(name))) : undefined);
  return {
    config: json('config.json'),
    tokenizer: json('tokenizer.json'),
    tokenizerConfig: json('tokenizer_config.json'),
    weights: [{ name: 'model.safetensors', bytes: f.get('model.safetensors')! }],
  };
}

// Issue 19, items 4 and 14: the trace CLI on hostile or mistyped input ends with one clear
// line naming the file or pattern at fault — never a hang, a bare SyntaxError, an ENOENT
// stack trace, a read outside the model folder or a Hub request for a mistyped path.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { traceFromJSON } from '../../src/lib/trace/json';

const root = mkdtempSync(join(tmpdir(), 'atlas-cli-hostile-'));

/** Runs the CLI; a hang is cut at `timeout` ms (spawnSync then reports the signal). */
function cli(args: string[], timeout = 60_000, env: Record<string, string> = {}) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'tools/trace.ts', ...args], {
    encoding: 'utf8',
    timeout,
    // A mistyped path must not reach the Hub: point it at a port where nothing listens.
    env: { ...process.env, ATLAS_HUB_ENDPOINT: 'http://127.0.0.1:9', ATLAS_CACHE_DIR: join(root, 'cache'), ...env },
  });
  return { status: r.status, signal: r.signal, stderr: r.stderr, stdout: r.stdout, ms: Date.now() - t0 };
}

/** A copy of tiny-gpt2's folder with some files replaced (or removed, with null). */
function modelDir(name: string, replace: Record<string, string | null> = {}): string {
  const dir = join(root, name);
  cpSync('static/models/tiny-gpt2', dir, { recursive: true });
  for (const [f, content] of Object.entries(replace)) {
    if (content === null) rmSync(join(dir, f));
    else writeFileSync(join(dir, f), content);
  }
  return dir;
}

describe('trace CLI on hostile input', { timeout: 120_000 }, () => {
  it('the whole of tokenizing has a time budget too (not only each regex): past it the CLI stops and says so', () => {
    const file = join(root, 'long-text.txt');
    writeFileSync(file, 'The quick brown fox jumps over the lazy dog. '.repeat(4000));
    // 180 k characters: far more than 40 ms of byte-level BPE, far less than the 30 s default.
    const slow = cli(['--model', 'static/models/tiny-gpt2', '--text-file', file, '--truncate'], 60_000, { ATLAS_TOKENIZE_BUDGET_MS: '40' });
    expect(slow.status).toBe(1);
    expect(slow.stderr).toMatch(/Tokenizing did not finish within 40 ms: the tokenizer of tiny-gpt2 is too slow on this text/);
    const ok = cli(['--model', 'static/models/tiny-gpt2', '--text-file', file, '--truncate', '--out', join(root, 'long-text.json')]);
    expect(ok.status, ok.stderr).toBe(0);
  });

  it('a tokenizer regex that backtracks without end is stopped, named, and the CLI exits', () => {
    const tokenizer = JSON.parse(readFileSync('static/models/tiny-gpt2/tokenizer.json', 'utf8'));
    tokenizer.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: '(a+)+$' }, behavior: 'Isolated', invert: false }, tokenizer.pre_tokenizer] };
    const dir = modelDir('backtracking', { 'tokenizer.json': JSON.stringify(tokenizer) });
    const r = cli(['--model', dir, '--text', 'a'.repeat(48) + '!'], 40_000);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('(a+)+$');
    expect(r.stderr).toContain('pre_tokenizer Split');
    expect(r.ms).toBeLessThan(30_000);
    // The same model on ordinary text still runs.
    const ok = cli(['--model', dir, '--text', 'a cat and a hat']);
    expect(ok.status).toBe(0);
  });

  it('a pattern that only hangs on the normalized text (Lowercase first) is caught too', () => {
    const tokenizer = JSON.parse(readFileSync('static/models/tiny-gpt2/tokenizer.json', 'utf8'));
    tokenizer.normalizer = { type: 'Lowercase' };
    tokenizer.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: '(a+)+$' }, behavior: 'Isolated', invert: false }, tokenizer.pre_tokenizer] };
    const dir = modelDir('backtracking-lowercase', { 'tokenizer.json': JSON.stringify(tokenizer) });
    const r = cli(['--model', dir, '--text', 'A'.repeat(48) + '!'], 40_000);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('(a+)+$');
  });

  it('a broken config.json is named, not a bare SyntaxError', () => {
    const r = cli(['--model', modelDir('broken-config', { 'config.json': '{"model_type": "gpt2",' }), '--text', 'x']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: .*config\.json is not valid JSON/m);
    expect(r.stderr).not.toMatch(/SyntaxError|    at /);
  });

  it('a missing tokenizer.json is named, not an ENOENT stack trace', () => {
    const r = cli(['--model', modelDir('no-tokenizer', { 'tokenizer.json': null }), '--text', 'x']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: .*has no tokenizer\.json/m);
    expect(r.stderr).not.toMatch(/ENOENT|    at /);
  });

  it('a shard index that points outside the model folder is refused', () => {
    const outside = join(root, 'outside.safetensors');
    cpSync('static/models/tiny-gpt2/model.safetensors', outside);
    const index = JSON.stringify({ weight_map: { 'transformer.wte.weight': '../outside.safetensors' } });
    const dir = modelDir('escaping-index', { 'model.safetensors.index.json': index, 'model.safetensors': null });
    const r = cli(['--model', dir, '--text', 'x']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: .*"\.\.\/outside\.safetensors".*outside/m);
  });

  it('a path-looking model that does not exist is said to be missing, not sent to the Hub', () => {
    mkdirSync(join(root, 'models'), { recursive: true });
    for (const model of [join(root, 'models', 'mistyped'), './no/such/folder', 'tests/no-such-model']) {
      const r = cli(['--model', model, '--text', 'x']);
      expect(r.status, model).toBe(1);
      expect(r.stderr, model).toMatch(/^error: .*(no folder|does not exist)/m);
      expect(r.stderr, model).not.toMatch(/Hugging Face|reach|127\.0\.0\.1/);
    }
  });

  it('--text-file reads the text from a file (beyond the ~128 kB the OS allows in an argument)', () => {
    const text = 'The cat sat on the mat. '.repeat(3);
    const file = join(root, 'text.txt');
    writeFileSync(file, text);
    const out = join(root, 'from-file.json');
    const r = cli(['--model', 'tiny-gpt2', '--text-file', file, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(traceFromJSON(JSON.parse(readFileSync(out, 'utf8'))).text).toBe(text);
    const missing = cli(['--model', 'tiny-gpt2', '--text-file', join(root, 'nope.txt')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^error: .*nope\.txt/m);
    expect(missing.stderr).not.toMatch(/    at /);
  });
});

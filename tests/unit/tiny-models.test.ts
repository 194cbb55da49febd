// The embedded tiny models are written by tools/train (Python). These checks read the shipped
// files the way the app does and compare them with what Hugging Face's classes expect: every
// tensor name and shape derived from config.json, float32 data that is finite, no stored copies of
// tied weights, the size limit, the card's description, and goldens whose input ids the app's own
// tokenizer reproduces.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Tokenizer } from '@huggingface/tokenizers';
import { parseSafetensors, readFloat32 } from '../../src/lib/hub/safetensors';
import { buildManifest } from '../../tools/manifest';

// Issue 4: each embedded model folder stays under 8 MB so the static site stays small.
const MAX_FOLDER_BYTES = 8 * 1024 * 1024;

type Config = Record<string, number | string | boolean | null | string[]>;
const dir = (id: string) => `static/models/${id}`;
const config = (id: string) => JSON.parse(readFileSync(`${dir(id)}/config.json`, 'utf8')) as Config;
const num = (c: Config, k: string) => c[k] as number;

function gpt2Shapes(c: Config): Map<string, number[]> {
  const d = num(c, 'n_embd');
  const inner = (c.n_inner as number | null) ?? 4 * d;
  const m = new Map<string, number[]>([
    ['transformer.wte.weight', [num(c, 'vocab_size'), d]],
    ['transformer.wpe.weight', [num(c, 'n_positions'), d]],
    ['transformer.ln_f.weight', [d]],
    ['transformer.ln_f.bias', [d]],
  ]);
  for (let i = 0; i < num(c, 'n_layer'); i++) {
    const p = `transformer.h.${i}.`;
    for (const ln of ['ln_1', 'ln_2']) for (const w of ['weight', 'bias']) m.set(`${p}${ln}.${w}`, [d]);
    // Conv1D stores weights [in, out].
    m.set(`${p}attn.c_attn.weight`, [d, 3 * d]).set(`${p}attn.c_attn.bias`, [3 * d]);
    m.set(`${p}attn.c_proj.weight`, [d, d]).set(`${p}attn.c_proj.bias`, [d]);
    m.set(`${p}mlp.c_fc.weight`, [d, inner]).set(`${p}mlp.c_fc.bias`, [inner]);
    m.set(`${p}mlp.c_proj.weight`, [inner, d]).set(`${p}mlp.c_proj.bias`, [d]);
  }
  return m;
}

function bertShapes(c: Config): Map<string, number[]> {
  const h = num(c, 'hidden_size');
  const f = num(c, 'intermediate_size');
  const e = 'bert.embeddings.';
  const m = new Map<string, number[]>([
    [`${e}word_embeddings.weight`, [num(c, 'vocab_size'), h]],
    [`${e}position_embeddings.weight`, [num(c, 'max_position_embeddings'), h]],
    [`${e}token_type_embeddings.weight`, [num(c, 'type_vocab_size'), h]],
    [`${e}LayerNorm.weight`, [h]],
    [`${e}LayerNorm.bias`, [h]],
    ['cls.predictions.bias', [num(c, 'vocab_size')]],
    ['cls.predictions.transform.dense.weight', [h, h]],
    ['cls.predictions.transform.dense.bias', [h]],
    ['cls.predictions.transform.LayerNorm.weight', [h]],
    ['cls.predictions.transform.LayerNorm.bias', [h]],
  ]);
  for (let i = 0; i < num(c, 'num_hidden_layers'); i++) {
    const p = `bert.encoder.layer.${i}.`;
    for (const q of ['query', 'key', 'value']) m.set(`${p}attention.self.${q}.weight`, [h, h]).set(`${p}attention.self.${q}.bias`, [h]);
    m.set(`${p}attention.output.dense.weight`, [h, h]).set(`${p}attention.output.dense.bias`, [h]);
    m.set(`${p}attention.output.LayerNorm.weight`, [h]).set(`${p}attention.output.LayerNorm.bias`, [h]);
    m.set(`${p}intermediate.dense.weight`, [f, h]).set(`${p}intermediate.dense.bias`, [f]);
    m.set(`${p}output.dense.weight`, [h, f]).set(`${p}output.dense.bias`, [h]);
    m.set(`${p}output.LayerNorm.weight`, [h]).set(`${p}output.LayerNorm.bias`, [h]);
  }
  return m;
}

function t5Shapes(c: Config): Map<string, number[]> {
  const d = num(c, 'd_model');
  const inner = num(c, 'num_heads') * num(c, 'd_kv');
  const ff = num(c, 'd_ff');
  const m = new Map<string, number[]>([['shared.weight', [num(c, 'vocab_size'), d]]]);
  const attn = (p: string) => {
    m.set(`${p}.q.weight`, [inner, d]).set(`${p}.k.weight`, [inner, d]).set(`${p}.v.weight`, [inner, d]);
    m.set(`${p}.o.weight`, [d, inner]);
  };
  for (const [stack, n] of [['encoder', num(c, 'num_layers')], ['decoder', num(c, 'num_decoder_layers')]] as const) {
    for (let i = 0; i < n; i++) {
      const b = `${stack}.block.${i}.layer`;
      attn(`${b}.0.SelfAttention`);
      // Only block 0 of each stack owns the relative position bias table.
      if (i === 0) m.set(`${b}.0.SelfAttention.relative_attention_bias.weight`, [num(c, 'relative_attention_num_buckets'), num(c, 'num_heads')]);
      m.set(`${b}.0.layer_norm.weight`, [d]);
      let ffIndex = 1;
      if (stack === 'decoder') {
        attn(`${b}.1.EncDecAttention`);
        m.set(`${b}.1.layer_norm.weight`, [d]);
        ffIndex = 2;
      }
      m.set(`${b}.${ffIndex}.DenseReluDense.wi.weight`, [ff, d]).set(`${b}.${ffIndex}.DenseReluDense.wo.weight`, [d, ff]);
      m.set(`${b}.${ffIndex}.layer_norm.weight`, [d]);
    }
    m.set(`${stack}.final_layer_norm.weight`, [d]);
  }
  return m;
}

function llamaShapes(c: Config): Map<string, number[]> {
  const d = num(c, 'hidden_size');
  const headDim = d / num(c, 'num_attention_heads');
  const kv = num(c, 'num_key_value_heads') * headDim;
  const f = num(c, 'intermediate_size');
  // Tied: save_pretrained writes no lm_head.weight.
  const m = new Map<string, number[]>([
    ['model.embed_tokens.weight', [num(c, 'vocab_size'), d]],
    ['model.norm.weight', [d]],
  ]);
  for (let i = 0; i < num(c, 'num_hidden_layers'); i++) {
    const p = `model.layers.${i}.`;
    m.set(`${p}input_layernorm.weight`, [d]).set(`${p}post_attention_layernorm.weight`, [d]);
    // nn.Linear stores weights [out, in]; k and v are grouped-query (fewer heads).
    m.set(`${p}self_attn.q_proj.weight`, [d, d]).set(`${p}self_attn.k_proj.weight`, [kv, d]);
    m.set(`${p}self_attn.v_proj.weight`, [kv, d]).set(`${p}self_attn.o_proj.weight`, [d, d]);
    m.set(`${p}mlp.gate_proj.weight`, [f, d]).set(`${p}mlp.up_proj.weight`, [f, d]).set(`${p}mlp.down_proj.weight`, [d, f]);
  }
  return m;
}

const MODELS = [
  { id: 'tiny-gpt2', modelType: 'gpt2', shapes: gpt2Shapes },
  { id: 'tiny-bert', modelType: 'bert', shapes: bertShapes },
  { id: 'tiny-t5', modelType: 't5', shapes: t5Shapes },
  { id: 'tiny-llama', modelType: 'llama', shapes: llamaShapes },
] as const;

describe.each(MODELS)('$id files', ({ id, modelType, shapes }) => {
  const c = config(id);

  it('has the config Hugging Face reads', () => {
    expect(c.model_type).toBe(modelType);
    expect(c.vocab_size).toBe(4000);
    expect(c.tie_word_embeddings).toBe(true);
  });

  it('stores exactly the tensors of the Hugging Face class, float32 and finite', () => {
    const st = parseSafetensors(new Uint8Array(readFileSync(`${dir(id)}/model.safetensors`)), id);
    const expected = shapes(c);
    expect([...st.tensors.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [name, info] of st.tensors) {
      expect(info.dtype, name).toBe('F32');
      expect(info.shape, name).toEqual(expected.get(name));
      const v = readFloat32(st, info);
      expect(v.every(Number.isFinite), name).toBe(true);
    }
  });

  it(`fits in ${MAX_FOLDER_BYTES} bytes`, () => {
    const total = readdirSync(dir(id)).reduce((s, f) => s + statSync(`${dir(id)}/${f}`).size, 0);
    expect(total).toBeLessThan(MAX_FOLDER_BYTES);
  });

  it('is listed in the manifest as a model with a one-sentence description', () => {
    const entry = buildManifest('static/models').models.find((m) => m.id === id);
    expect(entry?.kind).toBe('model');
    expect(entry?.description).toMatch(/^A .+\.$/s);
  });
});

interface GoldenCase {
  text?: string;
  text_pair?: string;
  texts?: string[];
  input_ids: number[] | number[][];
}

describe.each(MODELS)('$id goldens', ({ id }) => {
  const g = JSON.parse(readFileSync(`tests/fixtures/goldens/${id}.json`, 'utf8')) as { cases: GoldenCase[] };
  const tok = new Tokenizer(
    JSON.parse(readFileSync(`${dir(id)}/tokenizer.json`, 'utf8')) as object,
    JSON.parse(readFileSync(`${dir(id)}/tokenizer_config.json`, 'utf8')) as object,
  );

  it("input ids are what the app's tokenizer produces", () => {
    for (const c of g.cases) {
      if (c.texts) {
        c.texts.forEach((t, b) => {
          const ids = tok.encode(t).ids;
          expect((c.input_ids as number[][])[b].slice(0, ids.length)).toEqual(ids);
        });
      } else if (c.text !== undefined) {
        expect(c.input_ids).toEqual(tok.encode(c.text, { text_pair: c.text_pair ?? null }).ids);
      }
    }
  });
});

// What the explorer and Compare say about each model family. The English must equal the family
// registry's own words (src/lib/families/*/index.ts); tests/unit/i18n.test.ts checks it.

export const en = {
  'family.gpt2.note': 'Decoder-only (GPT-2 family): each token attends only to itself and the tokens before it (a causal mask).',
  'family.gpt2.compareNote': 'decoder-only: causal, each token sees only earlier tokens',
  'family.gpt2.inputLabel': 'Text',
  'family.bert.note': 'Encoder-only (BERT family): every token attends to every other token, before and after it (bidirectional).',
  'family.bert.compareNote': 'encoder-only: bidirectional, each token sees every token',
  'family.bert.inputLabel': 'Text',
  'family.t5.note': 'Encoder-decoder (T5 family): the encoder reads the source bidirectionally; the decoder writes the target causally and looks back at the source through cross-attention.',
  'family.t5.compareNote': 'encoder-decoder: shown is its bidirectional encoder',
  'family.t5.inputLabel': 'Source text (the encoder reads it)',
  'family.llama.note': 'Decoder-only (LLaMA family): a causal mask like GPT-2, but positions enter as a rotation of each query and key (RoPE), and several query heads share one key/value head (grouped-query attention).',
  'family.llama.compareNote': 'decoder-only with RoPE: causal, each token sees only earlier tokens',
  'family.llama.inputLabel': 'Text',
  'family.opt.note': 'Decoder-only (OPT family): a causal mask like GPT-2, with learned absolute position embeddings (OPT reads them at position + 2).',
  'family.opt.compareNote': 'decoder-only: causal, each token sees only earlier tokens',
  'family.opt.inputLabel': 'Text',
} as const;

export const zh: Record<keyof typeof en, string> = {
  'family.gpt2.note': '仅解码器（GPT-2 系列）：每个词元只关注它自己和它之前的词元（因果掩码）。',
  'family.gpt2.compareNote': '仅解码器：因果，每个词元只看到更早的词元',
  'family.gpt2.inputLabel': '文字',
  'family.bert.note': '仅编码器（BERT 系列）：每个词元关注其他所有词元，包括它前后的词元（双向）。',
  'family.bert.compareNote': '仅编码器：双向，每个词元看到所有词元',
  'family.bert.inputLabel': '文字',
  'family.t5.note': '编码器–解码器（T5 系列）：编码器双向读取源句；解码器按因果顺序写出目标，并通过交叉注意力回看源句。',
  'family.t5.compareNote': '编码器–解码器：这里显示的是它的双向编码器',
  'family.t5.inputLabel': '源文字（编码器读取它）',
  'family.llama.note': '仅解码器（LLaMA 系列）：和 GPT-2 一样使用因果掩码，但位置以查询和键的旋转（RoPE）进入，并且几个查询头共用一个键/值头（分组查询注意力）。',
  'family.llama.compareNote': '仅解码器，使用 RoPE：因果，每个词元只看到更早的词元',
  'family.llama.inputLabel': '文字',
  'family.opt.note': '仅解码器（OPT 系列）：和 GPT-2 一样使用因果掩码，位置用学到的绝对位置向量（OPT 在位置 + 2 处读取）。',
  'family.opt.compareNote': '仅解码器：因果，每个词元只看到更早的词元',
  'family.opt.inputLabel': '文字',
};

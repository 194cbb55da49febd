// The attention stacks a model can have. GPT-2 and BERT: `self`. T5: the other three.

export const ATTENTION_KINDS = ['self', 'encoder', 'decoder', 'cross'] as const;
export type AttentionKind = (typeof ATTENTION_KINDS)[number];

export type PositionEncoding = 'learned-absolute' | 't5-relative-bias' | 'rope';

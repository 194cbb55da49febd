// Example texts for the tokenization view: each shows something a tokenizer does. A sample's
// button label is a message of the catalogue (with its params), looked up when drawn.

import type { MessageKey } from '$lib/i18n/catalogue';

const MIXED =
  "Tokenizers don't see words: they see pieces. GPT-2 learned 50,000 merges; BERT has 30,522 WordPieces. " +
  'Emoji 👍🏽 🇫🇷 👨‍👩‍👧, accents (naïve café), other scripts (東京, Москва, ΑΘΗΝΑ) and numbers like 3.14159 ' +
  'or 2024-11-28 cost more tokens.\n\tIndented code: def f(x): return x**2  # comment\n';

/** `text` repeated to exactly `length` user-perceived characters. */
function repeatTo(text: string, length: number): string {
  const unit = Array.from(new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text), (s) => s.segment);
  const out: string[] = [];
  for (let i = 0; i < length; i++) out.push(unit[i % unit.length]);
  return out.join('');
}

/** Length of the long sample: the size the page is measured at. */
export const LONG_SAMPLE_CHARS = 10_000;

export const SAMPLES: ReadonlyArray<{ label: MessageKey; params?: Record<string, string | number>; text: string }> = [
  { label: 'tokenize.sample.sentence', text: 'The quick brown fox jumps over the lazy dog. Tokenization is fun!' },
  { label: 'tokenize.sample.emoji', text: 'I ❤️ tokens 👍🏽 🇫🇷 🇯🇵 👨‍👩‍👧 🤖✨' },
  { label: 'tokenize.sample.scripts', text: 'naïve café, Größe, Dvořák — 日本語の文章, 中文分词, Москва, Ελληνικά, العربية' },
  { label: 'tokenize.sample.code', text: 'for (let i = 0; i < 10; i++) {\n\tsum += i * 3.14159;\n}\n// 1,234,567 vs 1234567' },
  { label: 'tokenize.sample.spaces', text: 'Two  spaces,   three,\ttab,\nnewline. <|endoftext|> [CLS] </s> <img src=x onerror=alert(1)>' },
  { label: 'tokenize.sample.long', params: { n: LONG_SAMPLE_CHARS.toLocaleString('en') }, text: repeatTo(MIXED, LONG_SAMPLE_CHARS) },
];

export const DEFAULT_TEXT = "Hello world! Tokenizers don't read words — they read pieces: naïve 👍🏽 東京.";

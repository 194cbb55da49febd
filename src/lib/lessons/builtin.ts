// The built-in lessons: each step a view of an embedded model (so they work offline) with a
// short text in English and Simplified Chinese. What a step says about a head is measured:
// tests/unit/builtin-lessons.test.ts runs every step's state through the Node runtime and
// checks each claim marked below against the model's own trace.

import { LESSON_FORMAT, LESSON_VERSION, type Lesson, type LessonLanguage, type StepPage } from './lesson';

type Text = Record<LessonLanguage, string>;

export interface BuiltinStep {
  title: Text;
  text: Text;
  state: string;
  page?: StepPage;
}

export interface BuiltinLesson {
  id: string;
  title: Text;
  summary: Text;
  steps: BuiltinStep[];
}

/** A step's state, written as the explorer writes its links. */
function state(s: { m: string; t: string; v: string; l?: number; h?: number; q?: number; k?: string; y?: string; o?: string }): string {
  const p = new URLSearchParams({ m: s.m, t: s.t });
  if (s.y) p.set('y', s.y);
  if (s.k) p.set('k', s.k);
  p.set('l', String(s.l ?? 0));
  p.set('h', String(s.h ?? 0));
  p.set('q', String(s.q ?? 0));
  p.set('v', s.v);
  if (s.o) p.set('o', s.o);
  return p.toString();
}

const CAT = 'The cat sat on the mat because it was tired.';
const POSITIONS = 'The cat sat on the mat, and then the cat sat on the mat again.';
const TWICE = 'Mary saw a red kite over the hill. Mary saw a red kite over the hill.';
const REVERSE = 'reverse: apple house green window';
const LONG =
  'Long ago, in a small town by the sea, there lived an old fisherman who went out every morning before the sun rose. He knew every rock and every current, and the other fishermen asked him where the fish would be. One winter the sea was rough for many weeks, and the town grew quiet and hungry.';

export const BUILTIN_LESSONS: readonly BuiltinLesson[] = [
  {
    id: 'qkv',
    title: { en: 'Q, K and V: how one token decides where to look', zh: 'Q、K 和 V：一个词元如何决定看向哪里' },
    summary: { en: 'Scaled dot-product attention on one token, step by step, with the model’s own numbers.', zh: '用模型自己的数字，一步一步看一个词元上的缩放点积注意力。' },
    steps: [
      {
        title: { en: 'A head is a table of weights', zh: '一个注意力头就是一张权重表' },
        text: {
          en: 'Each **row** is a query token, each **column** a key token. A cell is how much the query reads that key, and every row adds up to 1.\n\nThis is tiny-gpt2, layer 0, head 1. Look at the diagonal just below the main one: each token puts almost all its weight on the token **before** it.',
          zh: '每一**行**是一个查询词元，每一**列**是一个键词元。一个格子表示查询读取该键的程度，每一行加起来等于 1。\n\n这是 tiny-gpt2 第 0 层第 1 个头。看主对角线正下方的那条斜线：每个词元几乎把全部权重都放在它**前一个**词元上。',
        },
        state: state({ m: 'tiny-gpt2', t: CAT, v: 'heatmap', l: 0, h: 1, q: 7 }),
      },
      {
        title: { en: 'What a query looks for, what a key offers', zh: '查询在找什么，键提供什么' },
        text: {
          en: 'Every token is turned into three vectors by three learned matrices: a **query** q (what it looks for), a **key** k (what it offers) and a **value** v (what it passes on).\n\nThe query here is `it`. Its score for each key is the dot product `q·k`: large when the two vectors point the same way.',
          zh: '每个词元都被三个学到的矩阵变成三个向量：**查询** q（它在找什么）、**键** k（它提供什么）和**值** v（它传递什么）。\n\n这里的查询是 `it`。它对每个键的分数是点积 `q·k`：两个向量方向越一致，分数越大。',
        },
        state: state({ m: 'tiny-gpt2', t: CAT, v: 'qkv', l: 0, h: 1, q: 7 }),
      },
      {
        title: { en: 'Scale, mask, softmax', zh: '缩放、掩码、softmax' },
        text: {
          en: '1. The scores are divided by √d_k (here √32), so they do not grow with the vector size.\n2. GPT-2 may not look ahead: keys after the query are **masked** (their weight is exactly 0).\n3. **Softmax** turns the scores into weights that are positive and add up to 1.\n\nEach step in the view is checked against the model’s own scores and weights (✓).',
          zh: '1. 分数除以 √d_k（这里是 √32），这样它们不会随向量维度变大。\n2. GPT-2 不能往后看：查询之后的键被**掩码**（权重恰好为 0）。\n3. **Softmax** 把分数变成为正且总和为 1 的权重。\n\n视图中的每一步都与模型自己的分数和权重核对过（✓）。',
        },
        state: state({ m: 'tiny-gpt2', t: CAT, v: 'qkv', l: 0, h: 1, q: 7 }),
      },
      {
        title: { en: 'The output: a weighted sum of values', zh: '输出：值的加权和' },
        text: {
          en: 'The head’s output for the query is Σ p·v: each key’s value vector times its weight, added up. This head puts 0.996 of `it`’s weight on `because`, so its output is almost exactly the value vector of `because`: it copies. A head that spreads its weight averages many values instead.\n\nThe p·v columns and the output are at the right end of the table: scroll it sideways.',
          zh: '这个头对该查询的输出是 Σ p·v：每个键的值向量乘以它的权重再相加。这个头把 `it` 的 0.996 的权重放在 `because` 上，所以它的输出几乎就是 `because` 的值向量：它在复制。权重分散的头则对许多值取平均。\n\np·v 各列和输出在表格的最右边：横向滚动即可看到。',
        },
        state: state({ m: 'tiny-gpt2', t: CAT, v: 'qkv', l: 0, h: 1, q: 7 }),
      },
    ],
  },
  {
    id: 'heads',
    title: { en: 'Many heads, many jobs', zh: '多个头，多种分工' },
    summary: { en: 'The previous-token head, the induction head and a broad head of tiny-gpt2.', zh: 'tiny-gpt2 的前一词元头、归纳头和广泛关注的头。' },
    steps: [
      {
        title: { en: 'Sixteen heads at once', zh: '同时看十六个头' },
        text: {
          en: 'Each small square is one head: 4 layers × 4 heads. A badge marks a head whose score for a role passes 0.5 on this text, computed from this trace; “find a head”, under the grid, lists every head’s scores with their definitions.\n\nThe sentence is typed **twice**: in layer 1 and 2, look for a stripe that starts halfway down, where the second copy begins.',
          zh: '每个小方块是一个头：4 层 × 4 个头。徽章标出在这段文字上某项角色分数超过 0.5 的头，分数直接从这次前向计算得出；网格下方的“找一个头”列出每个头的分数和定义。\n\n这句话被输入了**两次**：在第 1、2 层，找一条从一半处开始的斜纹，那里是第二遍的开头。',
        },
        state: state({ m: 'tiny-gpt2', t: TWICE, v: 'model', l: 0, h: 1, q: 15 }),
      },
      {
        title: { en: 'The previous-token head', zh: '看前一个词元的头' },
        text: {
          en: 'Layer 0, head 1 sends almost every token to the one just before it. It is simple, and later heads build on it: it is how a token learns what came before it.',
          zh: '第 0 层第 1 个头几乎把每个词元都连到它前一个词元。它很简单，但后面的头要依靠它：词元正是通过它知道自己前面是什么。',
        },
        state: state({ m: 'tiny-gpt2', t: TWICE, v: 'head', l: 0, h: 1, q: 15 }),
      },
      {
        title: { en: 'The induction head', zh: '归纳头' },
        text: {
          en: 'In the second copy, layer 1 head 0 looks at the token that **followed** the current token the first time: on “red”, it looks at “k”, the piece that came after “red” before. That is how a model continues a pattern it has seen: “last time, red was followed by kite”.\n\nOn this text it scores highest for induction of all sixteen heads.',
          zh: '在第二遍里，第 1 层第 0 个头看向第一遍中**紧跟**当前词元之后的那个词元：在 “red” 上，它看向第一遍 “red” 之后的 “k”。模型就是这样延续见过的模式：“上次 red 后面是 kite”。\n\n在这段文字上，它的归纳分数是十六个头中最高的。',
        },
        state: state({ m: 'tiny-gpt2', t: TWICE, v: 'heatmap', l: 1, h: 0, q: 15 }),
      },
      {
        title: { en: 'A broad head', zh: '广泛关注的头' },
        text: {
          en: 'Layer 0, head 3 spreads its weight over many earlier tokens: its attention has the highest entropy on this text. A broad head gathers a summary of the context rather than one particular token.',
          zh: '第 0 层第 3 个头把权重分散到许多前面的词元上：在这段文字上，它的注意力熵最高。广泛关注的头收集的是上下文的概要，而不是某一个特定的词元。',
        },
        state: state({ m: 'tiny-gpt2', t: TWICE, v: 'heatmap', l: 0, h: 3, q: 22 }),
      },
    ],
  },
  {
    id: 'masks',
    title: { en: 'Causal versus bidirectional', zh: '因果注意力与双向注意力' },
    summary: { en: 'The same sentence through GPT-2 (looks back only) and BERT (looks both ways).', zh: '同一句话分别经过 GPT-2（只能往回看）和 BERT（两个方向都能看）。' },
    steps: [
      {
        title: { en: 'GPT-2 looks back only', zh: 'GPT-2 只能往回看' },
        text: {
          en: 'GPT-2 predicts the next token, so a token may only read itself and the tokens before it. Everything above the diagonal is **masked**: hatched, weight exactly 0. The first row can only look at itself.',
          zh: 'GPT-2 预测下一个词元，所以一个词元只能读取它自己和它之前的词元。对角线以上的部分全部被**掩码**：画了斜线，权重恰好为 0。第一行只能看它自己。',
        },
        state: state({ m: 'tiny-gpt2', t: CAT, v: 'heatmap', l: 0, h: 1, q: 7 }),
      },
      {
        title: { en: 'BERT looks both ways', zh: 'BERT 两个方向都能看' },
        text: {
          en: 'BERT reads the whole sentence at once: no mask, every token may look at every other. Layer 2 head 0 of tiny-bert looks at the **next** token, something GPT-2 can never do.\n\nBERT also adds `[CLS]` at the start and `[SEP]` at the end.',
          zh: 'BERT 一次读完整句话：没有掩码，每个词元都可以看其他所有词元。tiny-bert 第 2 层第 0 个头看向**后一个**词元，这是 GPT-2 永远做不到的。\n\nBERT 还在开头加上 `[CLS]`，在结尾加上 `[SEP]`。',
        },
        state: state({ m: 'tiny-bert', t: CAT, v: 'heatmap', l: 2, h: 0, q: 8 }),
      },
      {
        title: { en: 'Why BERT can fill a gap', zh: '为什么 BERT 能填空' },
        text: {
          en: 'Because it sees both sides, BERT is trained to fill in a hidden word. Here `[MASK]` stands for a word (in the explorer, its guesses are listed beside the text). Find the row of `[MASK]`: in layer 0, head 1 it has weight on words **before** it and words **after** it.',
          zh: '因为能看到两边，BERT 被训练来填出被遮住的词。这里 `[MASK]` 代替一个词（在探索页里，它的猜测列在文本旁边）。找到 `[MASK]` 这一行：在第 0 层第 1 个头中，它的权重既落在它**前面**的词上，也落在它**后面**的词上。',
        },
        state: state({ m: 'tiny-bert', t: 'The cat sat on the [MASK] because it was tired.', v: 'heatmap', l: 0, h: 1, q: 6 }),
      },
    ],
  },
  {
    id: 'seq2seq',
    title: { en: 'Encoder–decoder: T5 reverses a sentence', zh: '编码器–解码器：T5 把一句话倒过来' },
    summary: { en: 'Encoder self-attention, decoder self-attention and cross-attention following the word being written.', zh: '编码器自注意力、解码器自注意力，以及跟随正在写出的词的交叉注意力。' },
    steps: [
      {
        title: { en: 'Cross-attention follows the word being written', zh: '交叉注意力跟随正在写出的词' },
        text: {
          en: 'tiny-t5 reads `reverse: apple house green window` with its **encoder** and writes `window green house apple` with its **decoder**. Each row is one step of writing; cross-attention lets it look at the source.\n\nIn decoder layer 2, each row’s weight lands on the source word it is copying: the picture is an anti-diagonal, the reversal itself. Words reverse, but the pieces inside a word keep their order (`▁a pp le`). It is drawn as the mean over the layer’s heads; open *Options* and untick “mean over heads” to see head 0 alone, which does the same.',
          zh: 'tiny-t5 用**编码器**读入 `reverse: apple house green window`，再用**解码器**写出 `window green house apple`。每一行是写出的一步；交叉注意力让它能看源句。\n\n在解码器第 2 层中，每一行的权重落在它正在复制的源词上：画面是一条反对角线，也就是“倒序”本身。词的顺序倒过来了，但一个词内部的片段保持原来的顺序（`▁a pp le`）。图中画的是该层各头的平均；打开“选项”并取消勾选“对所有头取平均”即可单独看第 0 个头，它也是如此。',
        },
        state: state({ m: 'tiny-t5', t: REVERSE, v: 'alignment', k: 'cross', l: 2, h: 0, q: 1 }),
      },
      {
        title: { en: 'The encoder reads the whole source', zh: '编码器读入整个源句' },
        text: {
          en: 'The encoder’s self-attention is bidirectional, like BERT’s: every source token may look at every other. T5 has no position vectors: each head adds a learned **relative position bias** to its scores instead.',
          zh: '编码器的自注意力是双向的，和 BERT 一样：每个源词元都可以看其他所有源词元。T5 没有位置向量，而是给每个头的分数加上学到的**相对位置偏置**。',
        },
        state: state({ m: 'tiny-t5', t: REVERSE, v: 'heatmap', k: 'encoder', l: 0, h: 0, q: 4 }),
      },
      {
        title: { en: 'The decoder looks back at what it wrote', zh: '解码器回看自己写过的内容' },
        text: {
          en: 'The decoder’s self-attention is causal, like GPT-2’s: a step sees only what was written before it. Its first input is `<pad>`, the start token: the decoder needs something to read before it has written anything.',
          zh: '解码器的自注意力是因果的，和 GPT-2 一样：每一步只能看到它之前写出的内容。它的第一个输入是 `<pad>`，即起始词元：解码器在写出任何东西之前也需要读点什么。',
        },
        state: state({ m: 'tiny-t5', t: REVERSE, v: 'heatmap', k: 'decoder', l: 0, h: 0, q: 3 }),
      },
    ],
  },
  {
    id: 'tokens',
    title: { en: 'How text becomes tokens', zh: '文字如何变成词元' },
    summary: { en: 'BPE, WordPiece, Unigram, SentencePiece and tiktoken on the same text.', zh: '同一段文字经过 BPE、WordPiece、Unigram、SentencePiece 和 tiktoken。' },
    steps: [
      {
        title: { en: 'Same text, different cuts', zh: '同一段文字，不同的切法' },
        text: {
          en: 'A model never sees letters: a **tokenizer** cuts the text into pieces from a fixed vocabulary and swaps each for an id. Each panel cuts the same text its own way: byte-level BPE (GPT-2), WordPiece (BERT), Unigram (T5), SentencePiece BPE (LLaMA) and tiktoken.\n\nHover a chip to find its characters.',
          zh: '模型从来看不到字母：**分词器**用固定词表把文字切成片段，再把每个片段换成一个编号。每个面板用自己的方式切同一段文字：字节级 BPE（GPT-2）、WordPiece（BERT）、Unigram（T5）、SentencePiece BPE（LLaMA）和 tiktoken。\n\n把鼠标移到一个片段上，可以找到它对应的字符。',
        },
        state: state({ m: 'tiny-gpt2', t: 'Tokenizers cut unbelievably long words into pieces.', v: 'heatmap' }),
        page: 'tokenize',
      },
      {
        title: { en: 'Attention works on pieces, not words', zh: '注意力作用在片段上，而不是词上' },
        text: {
          en: 'A long word becomes several tokens, and each is a row and a column of its own. Rare words cost more tokens, so more positions and more attention.',
          zh: '一个长词会变成好几个词元，每个都单独占一行一列。生僻词需要更多词元，也就需要更多位置和更多注意力计算。',
        },
        state: state({ m: 'tiny-gpt2', t: 'An unbelievably tokenizable word: antidisestablishmentarianism.', v: 'heatmap', l: 0, h: 1, q: 23 }),
      },
    ],
  },
  {
    id: 'positions',
    title: { en: 'Where am I? Position information', zh: '我在哪里？位置信息' },
    summary: { en: 'Learned absolute positions, T5’s relative bias and RoPE, from each model’s own weights.', zh: '学到的绝对位置、T5 的相对偏置和 RoPE，都来自各模型自己的权重。' },
    steps: [
      {
        title: { en: 'Three ways to know the order', zh: '知道顺序的三种方法' },
        text: {
          en: 'Attention by itself ignores order: shuffle the tokens and every q·k stays the same. Each model adds position information its own way; the three charts are drawn from each model’s own weights for this sentence.',
          zh: '注意力本身不管顺序：把词元打乱，每个 q·k 都不变。每个模型用自己的方式加入位置信息；这三张图都来自各模型自己的权重和这句话。',
        },
        state: state({ m: 'tiny-gpt2', t: POSITIONS, v: 'position' }),
        page: 'positions',
      },
      {
        title: { en: 'Learned absolute positions', zh: '学到的绝对位置' },
        text: {
          en: 'tiny-gpt2, like GPT-2, has a table with one learned vector per position (128 rows here), added to each token before the first layer. The similarity of the table’s rows shows what training made of it.',
          zh: 'tiny-gpt2 和 GPT-2 一样有一张表，每个位置一个学到的向量（这里有 128 行），在第一层之前加到每个词元上。表中各行之间的相似度显示了训练把它变成了什么样。',
        },
        state: state({ m: 'tiny-gpt2', t: POSITIONS, v: 'position' }),
      },
      {
        title: { en: 'Relative position bias (T5)', zh: '相对位置偏置（T5）' },
        text: {
          en: 'tiny-t5 has no position vectors at all: each head adds a learned number to every score, chosen by how far the key is from the query. The chart shows that number for this head at each offset.',
          zh: 'tiny-t5 根本没有位置向量：每个头给每个分数加上一个学到的数，这个数由键离查询有多远决定。图中画出这个头在每个距离上的这个数。',
        },
        state: state({ m: 'tiny-t5', t: POSITIONS, v: 'position', k: 'encoder', l: 0, h: 0 }),
      },
      {
        title: { en: 'RoPE: rotate q and k', zh: 'RoPE：旋转 q 和 k' },
        text: {
          en: 'tiny-llama adds nothing to its input. It rotates each pair of dimensions of q and k by an angle proportional to the position, so q·k depends on how far apart the two tokens are.',
          zh: 'tiny-llama 不往输入里加任何东西。它把 q 和 k 的每一对维度旋转一个与位置成正比的角度，所以 q·k 取决于两个词元相隔多远。',
        },
        state: state({ m: 'tiny-llama', t: POSITIONS, v: 'position', l: 1, h: 3, q: 9 }),
      },
    ],
  },
  {
    id: 'cost',
    title: { en: 'Why long inputs cost more', zh: '为什么长输入代价更高' },
    summary: { en: 'The score matrix grows with the square of the length, measured on this machine.', zh: '分数矩阵随长度的平方增长，在这台机器上实测。' },
    steps: [
      {
        title: { en: 'A short text: a small matrix', zh: '短文本：小矩阵' },
        text: {
          en: 'Every head scores every query against every key: T tokens make a T × T matrix. This sentence has 12 tokens: 144 weights per head.',
          zh: '每个头都要给每一对查询和键打分：T 个词元产生一个 T × T 的矩阵。这句话有 12 个词元：每个头 144 个权重。',
        },
        state: state({ m: 'tiny-gpt2', t: CAT, v: 'heatmap', l: 0, h: 3, q: 11 }),
      },
      {
        title: { en: 'Six times the text, thirty-nine times the weights', zh: '文字约 6 倍，权重约 39 倍' },
        text: {
          en: 'This text has 75 tokens, about six times the 12 of the last step. Each head now holds 75 × 75 = 5,625 weights: 39 times the 144 before, in every head of every layer.',
          zh: '这段文字有 75 个词元，大约是上一步 12 个的六倍。现在每个头有 75 × 75 = 5,625 个权重：是之前 144 个的 39 倍，每一层的每一个头都是如此。',
        },
        state: state({ m: 'tiny-gpt2', t: LONG, v: 'heatmap', l: 0, h: 3, q: 60 }),
      },
      {
        title: { en: 'Measured on this machine', zh: '在这台机器上实测' },
        text: {
          en: 'Press **Measure**: the model runs on texts of 8, 16, 32, … tokens, and the charts plot the time of each forward pass and the bytes of its attention weights.\n\nThe weights grow exactly with T²: every point lies on the curve. The time is fitted as a + b·T + c·T²; on a model this small, fixed costs and per-token work can hide the quadratic part, and the caption says what this machine measured. The bigger the model’s context, the more the T² term takes over.',
          zh: '按下**测量**：模型依次处理 8、16、32……个词元的文字，图中画出每次前向计算的时间和注意力权重占用的字节数。\n\n权重严格按 T² 增长：每个点都落在曲线上。时间按 a + b·T + c·T² 拟合；对这么小的模型，固定开销和每个词元的计算可能掩盖二次部分，图下的说明给出这台机器的实测结果。模型的上下文越长，T² 项就越占主导。',
        },
        state: state({ m: 'tiny-gpt2', t: LONG, v: 'heatmap' }),
        page: 'cost',
      },
    ],
  },
];

/** A built-in lesson in one language, as a lesson file would hold it. */
export function builtinLesson(id: string, lang: LessonLanguage): Lesson | null {
  const b = BUILTIN_LESSONS.find((l) => l.id === id);
  if (!b) return null;
  return { format: LESSON_FORMAT, version: LESSON_VERSION, title: b.title[lang], lang, steps: b.steps.map((s) => ({ title: s.title[lang], text: s.text[lang], state: s.state, ...(s.page ? { page: s.page } : {}) })) };
}

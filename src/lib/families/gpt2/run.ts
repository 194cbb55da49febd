// GPT-2's runtime: one causal-LM graph (see ../causal-lm.ts).

import { causalLmRuntime } from '../causal-lm';
import { buildGpt2 } from './graph';

export const gpt2Runtime = causalLmRuntime(buildGpt2);

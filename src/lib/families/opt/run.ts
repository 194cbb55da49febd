// OPT's runtime: one causal-LM graph (see ../causal-lm.ts).

import { causalLmRuntime } from '../causal-lm';
import { buildOpt } from './graph';

export const optRuntime = causalLmRuntime(buildOpt);

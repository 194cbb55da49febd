// The family registry: one entry per family folder. Adding a family is a new folder
// (config, graph, run, index) plus one line here; `satisfies` makes the compiler ask for
// every piece of the spec and for an entry per name in vocabulary/families.ts.

import { AtlasError } from '../errors';
import type { Family } from '../vocabulary/families';
import type { AttentionKind } from '../vocabulary/attention-kinds';
import type { FamilyConfig, FamilySpec, Json } from './types';
import { gpt2 } from './gpt2';
import { bert } from './bert';
import { t5 } from './t5';
import { llama } from './llama';
import { opt } from './opt';

export const FAMILIES = { gpt2, bert, t5, llama, opt } satisfies { [F in Family]: FamilySpec<F, FamilyConfig<F>> };

type Registry = typeof FAMILIES;
/** The parsed config of any family, narrowed by `family`. */
export type ModelConfig = { [F in Family]: ReturnType<Registry[F]['parseConfig']> }[Family];
export type ConfigOf<F extends Family> = ReturnType<Registry[F]['parseConfig']>;
export type { Gpt2Config } from './gpt2/config';
export type { BertConfig } from './bert/config';
export type { T5Config } from './t5/config';
export type { LlamaConfig } from './llama/config';
export type { OptConfig } from './opt/config';

/** The spec of a family, typed loosely enough to be used without knowing which one. */
export type AnyFamilySpec = FamilySpec<Family, ModelConfig>;

export function familySpec(family: Family): AnyFamilySpec {
  return FAMILIES[family] as unknown as AnyFamilySpec;
}

/** config.json's model_type → the family that runs it. */
export const FAMILY_OF_MODEL_TYPE: Readonly<Record<string, Family>> = Object.fromEntries(
  Object.values(FAMILIES).flatMap((f) => f.modelTypes.map((t) => [t, f.id])),
);
export const SUPPORTED_MODEL_TYPES = Object.keys(FAMILY_OF_MODEL_TYPE);

export function familyOf(config: Json): Family {
  const type = config.model_type;
  const family = typeof type === 'string' && Object.hasOwn(FAMILY_OF_MODEL_TYPE, type) ? FAMILY_OF_MODEL_TYPE[type] : undefined;
  if (!family)
    throw new AtlasError(
      'unsupported-model',
      `This model's type is ${JSON.stringify(type ?? null)}, which Attention Atlas cannot run.`,
      `Supported model types: ${SUPPORTED_MODEL_TYPES.join(', ')} (${Object.values(FAMILIES).map((f) => f.label).join(', ')} families).`,
    );
  return family;
}

export function parseConfig(json: unknown): ModelConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new AtlasError('bad-config', 'config.json is not a JSON object.');
  const c = json as Json;
  return familySpec(familyOf(c)).parseConfig(c, String(c.model_type));
}

export function isCausal(family: Family, kind: AttentionKind): boolean {
  return (familySpec(family).causalKinds as readonly AttentionKind[]).includes(kind);
}

/** The attention kinds a family's trace has, in display order. */
export function attentionKinds(family: Family): AttentionKind[] {
  return [...familySpec(family).kinds];
}

// The names of the model families the app knows. The registry in `src/lib/families/`
// must have exactly one entry per name (it is checked with `satisfies`), so adding a
// name here makes the compiler ask for the family's folder, and the reverse.

export const FAMILY_IDS = ['gpt2', 'bert', 't5', 'llama', 'opt'] as const;
export type Family = (typeof FAMILY_IDS)[number];

export function isFamily(value: unknown): value is Family {
  return typeof value === 'string' && (FAMILY_IDS as readonly string[]).includes(value);
}

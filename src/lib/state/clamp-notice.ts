// Says when a link's selection did not fit the model it shows (layer 999 of a 4-layer
// model was quietly shown as layer 3): a tampered or stale link should not look exact.

export interface Selected {
  layer: number;
  head: number;
  heads: number[];
  query: number;
}

/** A sentence naming what was asked and what is shown instead, or null when all fit. */
export function clampNotice(asked: Selected, shown: Selected, model: string): string | null {
  const parts: string[] = [];
  if (asked.layer !== shown.layer) parts.push(`layer ${asked.layer} (layer ${shown.layer} is shown)`);
  if (asked.head !== shown.head && !shown.heads.includes(asked.head)) parts.push(`head ${asked.head} (head ${shown.head} is shown)`);
  const missing = asked.heads.filter((h) => !shown.heads.includes(h) && h !== asked.head);
  if (missing.length) parts.push(`head${missing.length > 1 ? 's' : ''} ${missing.join(', ')} in the head view`);
  if (asked.query !== shown.query) parts.push(`query token ${asked.query} (token ${shown.query} is shown)`);
  return parts.length ? `The link asks for ${parts.join(', ')}, which ${model} does not have.` : null;
}

// How the views write tokens: as a student reads them (default), or the tokenizer's exact strings.
// One switch for every view (TraceViews shows it); state so that every label follows it.
export const tokenDisplay = $state({ raw: false });

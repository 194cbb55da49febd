// The page's side of the worker watchdog: the worker announces each phase of synchronous
// work (a tokenizer regex, tokenizing) with a time budget; if the phase is not over in
// time, the worker is stuck (a regex that backtracks without end cannot be interrupted
// from inside), so the page terminates and restarts it, naming what hung.

import { AtlasError } from '../errors';
import type { WatchPhase } from '../tokenize/patterns';

export class Watchdog {
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** `onHang` is called once per phase that runs over its budget. */
  constructor(private readonly onHang: (error: AtlasError) => void) {}

  /** A phase began (or, with null, ended). */
  watch(phase: WatchPhase | null): void {
    this.stop();
    if (phase) this.timer = setTimeout(() => this.onHang(hangError(phase)), phase.budgetMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

export function hangError(phase: WatchPhase): AtlasError {
  return new AtlasError(
    'too-slow',
    `Tokenizing did not finish within ${(phase.budgetMs / 1000).toFixed(0)} s: ${phase.label} runs without end on this text (catastrophic backtracking), so the model worker was stopped and restarted.`,
    'The model shown before is back and your text is kept. Fix or remove that pattern in tokenizer.json, or use a different text.',
  );
}

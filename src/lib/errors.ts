// One error type for everything a user can cause or meet: a bad file, an unsupported
// model, text that is too long. `message` says what happened; `hint` says what to do.
// The UI shows both and never discards the user's text or settings.

export type ErrorCode =
  | 'bad-safetensors'
  | 'bad-config'
  | 'bad-tokenizer'
  | 'unsupported-model'
  | 'missing-tensor'
  | 'tensor-shape'
  | 'too-long'
  | 'too-much-memory'
  /** Work that ran past its time budget and was stopped (a tokenizer regex that never finishes). */
  | 'too-slow'
  | 'download-failed'
  | 'cancelled'
  | 'runtime-failed'
  | 'bad-trace'
  | 'bad-input';

export class AtlasError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'AtlasError';
  }
}

/** A plain, serialisable form for crossing the worker boundary. */
export interface ErrorInfo {
  code: ErrorCode | 'internal';
  message: string;
  hint?: string;
}

export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof AtlasError) return { code: e.code, message: e.message, hint: e.hint };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message, hint: 'This is a bug in Attention Atlas; your text and settings are kept.' };
}

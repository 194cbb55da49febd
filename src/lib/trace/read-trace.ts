// Reading a saved trace.json (the JSON form of ./json.ts) into a Trace the views can
// draw, with errors a user can act on.

import { AtlasError } from '../errors';
import { traceFromJSON } from './json';
import { checkTraceShapes } from './shape-check';
import type { Trace } from './types';

export function readTraceText(text: string, fileName = 'this file'): Trace {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new AtlasError('bad-trace', `${fileName} is not valid JSON (${e instanceof Error ? e.message : String(e)}).`, 'Pick a trace.json saved by Attention Atlas or its CLI.');
  }
  const trace = traceFromJSON(json);
  checkTraceShapes(trace);
  return trace;
}

// Reading a saved trace.json (the JSON form of ./json.ts) into a Trace the views can
// draw, with errors a user can act on.

import { AtlasError } from '../errors';
import { traceFromJSON } from './json';
import { checkTraceShapes } from './shape-check';
import { checkTraceFields, traceIssues } from './content-check';
import type { DenseTrace } from './types';

export function readTraceText(text: string, fileName = 'this file'): DenseTrace {
  return readTraceChecked(text, fileName).trace;
}

/**
 * A trace file with what is wrong in it: refused (AtlasError 'bad-trace') when it cannot be
 * drawn; `issues` lists what is drawn but not to be trusted (NaN, weights outside [0, 1],
 * rows that do not sum to 1).
 */
export function readTraceChecked(text: string, fileName = 'this file'): { trace: DenseTrace; issues: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new AtlasError('bad-trace', `${fileName} is not valid JSON (${e instanceof Error ? e.message : String(e)}).`, 'Pick a trace.json saved by Attention Atlas or its CLI.');
  }
  let trace: DenseTrace;
  try {
    trace = traceFromJSON(json);
    checkTraceFields(trace);
    checkTraceShapes(trace);
  } catch (e) {
    if (e instanceof AtlasError) throw e;
    // Whatever else a hostile file sets off (a stack overflow, an allocation too large) is still a bad file.
    throw new AtlasError('bad-trace', `${fileName} could not be read as a trace (${e instanceof Error ? e.message : String(e)}).`, 'Pick a trace.json saved by Attention Atlas or its CLI.');
  }
  return { trace, issues: traceIssues(trace) };
}

// What the numbers were measured on: CPU, cores, memory, versions, and the load average
// (the machine may be shared; a benchmark under load is slower and noisier).

import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

export interface Machine {
  cpuModel: string;
  /** Logical CPUs the OS reports. */
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function machine(): Machine {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const m = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m);
    if (m) cpuModel = m[1].trim();
  } catch {
    // Not Linux: os.cpus() is the best we have.
  }
  return {
    cpuModel,
    cores: cpus().length,
    memoryGiB: totalmem() / 2 ** 30,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** The 1, 5 and 15 minute load averages. */
export function load(): [number, number, number] {
  const [a, b, c] = loadavg();
  return [a, b, c];
}

export const loadText = (l: readonly number[]): string => l.map((x) => x.toFixed(2)).join(', ');

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

/**
 * This CPU's peak for 128-bit WASM SIMD in GFLOP/s, as issue 18 defines it:
 * cores × FMA units × 4 float32 lanes × 2 (a fused multiply-add) × clock. Two FMA units per
 * core is what x86 cores since Haswell have; the clock is /proc/cpuinfo's.
 */
export function wasmSimdPeak(threads = cpus().length): { clockGHz: number; threads: number; fmaGflops: number } {
  let mhz = cpus()[0]?.speed ?? 0;
  try {
    const m = readFileSync('/proc/cpuinfo', 'utf8').match(/^cpu MHz\s*:\s*([\d.]+)$/m);
    if (m) mhz = Number(m[1]);
  } catch {
    // Not Linux: os.cpus()'s speed.
  }
  const clockGHz = mhz / 1000;
  const fmaGflops = threads * 2 * 4 * 2 * clockGHz;
  return { clockGHz, threads, fmaGflops };
}

// A small seeded PRNG for test fixtures: sfc32 (Chris Doty-Humphrey's Small Fast Counting
// generator, 128-bit state), seeded through splitmix32, with Box–Muller normals. Same seed,
// same numbers on every platform (only integer ops, Math.log/sqrt/cos/sin, and float32
// rounding), so a fixture can be regenerated from its seed instead of being committed.
//
// Full-size random checkpoints need ~10⁸ normals; Box–Muller costs ~30 ns each, so bulk
// fills use `fillNormalFast`: two 16-bit indices per 32-bit draw into a table of 65,536
// sorted standard normals (an empirical quantile table, built once from Box–Muller). The
// samples are discrete and the tails stop near ±4.3σ, which does not matter for weights.

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const splitmix32 = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix32();
    this.b = splitmix32();
    this.c = splitmix32();
    this.d = splitmix32();
    for (let i = 0; i < 12; i++) this.nextU32(); // let the state mix
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Fills `out` with normal(mean, std) samples rounded to float32 (Box–Muller, both outputs used). */
  fillNormal(out: Float32Array, mean: number, std: number): Float32Array {
    const n = out.length;
    for (let i = 0; i < n; i += 2) {
      const u1 = (this.nextU32() + 1) / 4294967297; // in (0, 1]: log is finite
      const theta = (2 * Math.PI * this.nextU32()) / 4294967296;
      const r = std * Math.sqrt(-2 * Math.log(u1));
      out[i] = mean + r * Math.cos(theta);
      if (i + 1 < n) out[i + 1] = mean + r * Math.sin(theta);
    }
    return out;
  }

  /** Like fillNormal but ~10× faster, from the 65,536-entry quantile table. */
  fillNormalFast(out: Float32Array, mean: number, std: number): Float32Array {
    const scaled = Float32Array.from(normalTable(), (x) => mean + std * x);
    const n = out.length;
    for (let i = 0; i < n; i += 2) {
      const u = this.nextU32();
      out[i] = scaled[u & 0xffff];
      if (i + 1 < n) out[i + 1] = scaled[u >>> 16];
    }
    return out;
  }
}

const TABLE_SIZE = 65536;
const TABLE_SEED = 0x5eed;
let table: Float64Array | null = null;

function normalTable(): Float64Array {
  if (!table) {
    const samples = new Prng(TABLE_SEED).fillNormal(new Float32Array(TABLE_SIZE), 0, 1);
    table = Float64Array.from(samples).sort();
    // Centre and normalize so the table has mean 0 and variance 1 exactly.
    const mean = table.reduce((a, x) => a + x, 0) / TABLE_SIZE;
    const sd = Math.sqrt(table.reduce((a, x) => a + (x - mean) ** 2, 0) / TABLE_SIZE);
    for (let i = 0; i < TABLE_SIZE; i++) table[i] = (table[i] - mean) / sd;
  }
  return table;
}

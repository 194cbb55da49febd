// Regenerates tests/fixtures/reference-torch/<case>.json: for each case, builds the random
// checkpoint, writes it to a temporary directory with its inputs, and runs the independent
// PyTorch forward (torch_check.py) on it. The unit test rebuilds the same checkpoint from
// the recorded recipe (checked by sha256) and compares the TypeScript reference with the
// torch numbers, so running the tests never needs Python. Run after changing a case:
//   npx tsx tests/reference/make-torch-fixtures.ts

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkpointSafetensors, randomCheckpoint, writeCheckpoint } from '../helpers/random-checkpoint';
import { TORCH_CASES } from './torch-cases';

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = join(here, '../fixtures/reference-torch');
const work = mkdtempSync(join(tmpdir(), 'reference-torch-'));
try {
  for (const c of TORCH_CASES) {
    const checkpoint = randomCheckpoint(c.options);
    const dir = join(work, c.name);
    writeCheckpoint(checkpoint, dir);
    const sha256 = createHash('sha256').update(checkpointSafetensors(checkpoint)).digest('hex');
    writeFileSync(join(dir, 'case.json'), JSON.stringify({ name: c.name, options: c.options, sha256, inputs: c.inputs }));
    execFileSync('/usr/bin/python3', [join(here, 'torch_check.py'), dir, join(outDir, `${c.name}.json`)], {
      stdio: 'inherit',
      env: {
        ...process.env,
        OMP_NUM_THREADS: '1',
        GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=17179869184',
      },
    });
    console.log(`wrote ${c.name}.json`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

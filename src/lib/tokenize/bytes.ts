// UTF-8 helpers and GPT-2's byte-level alphabet.
//
// Byte-level BPE works on the UTF-8 bytes of the text, but writes each byte as a
// printable character so that vocabulary entries are strings: bytes that are already
// printable Latin-1 stay themselves, the other 68 (space, control bytes, …) are
// shifted to U+0100 and up. That is why a leading space shows up as `Ġ` (U+0120) and a
// newline as `Ċ` (U+010A). This is OpenAI's `bytes_to_unicode` from GPT-2's encoder.py.

function buildByteToChar(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b); // '!'..'~'
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b); // '¡'..'¬'
  for (let b = 0xae; b <= 0xff; b++) printable.push(b); // '®'..'ÿ'
  const table = new Array<string>(256);
  for (const b of printable) table[b] = String.fromCharCode(b);
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    if (table[b] === undefined) table[b] = String.fromCharCode(256 + shifted++);
  }
  return table;
}

/** byte value → its character in the byte-level alphabet. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/** character of the byte-level alphabet → byte value. */
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

// Every alphabet character is below U+0200, so a flat table beats the Map on hot paths.
const CHAR_CODE_TO_BYTE = (() => {
  const t = new Int16Array(0x200).fill(-1);
  BYTE_TO_CHAR.forEach((c, b) => (t[c.charCodeAt(0)] = b));
  return t;
})();

/** The bytes a byte-level string stands for, or null if a character is outside the alphabet. */
export function byteLevelToBytes(s: string): Uint8Array | null {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const b = c < 0x200 ? CHAR_CODE_TO_BYTE[c] : -1;
    if (b < 0) return null;
    out[i] = b;
  }
  return out;
}

export function bytesToByteLevel(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += BYTE_TO_CHAR[bytes[i]];
  return s;
}

const encoder = new TextEncoder();
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Length of the UTF-8 sequence that starts with `lead`, or 0 if it is not a lead byte. */
export function utf8SequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/**
 * UTF-8 encodes `s` and records, for every byte, the index of the UTF-16 code unit it
 * came from (the first unit of a surrogate pair). Lone surrogates become U+FFFD, as
 * TextEncoder does.
 */
export function utf8WithUnits(s: string): { bytes: Uint8Array; unit: Int32Array } {
  const bytes = new Uint8Array(s.length * 3 + 1);
  const unit = new Int32Array(s.length * 3 + 1);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    const at = i;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      } else cp = 0xfffd;
    } else if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) {
      bytes[n] = cp;
      unit[n++] = at;
    } else if (cp < 0x800) {
      bytes[n] = 0xc0 | (cp >> 6);
      unit[n++] = at;
      bytes[n] = 0x80 | (cp & 63);
      unit[n++] = at;
    } else if (cp < 0x10000) {
      bytes[n] = 0xe0 | (cp >> 12);
      unit[n++] = at;
      bytes[n] = 0x80 | ((cp >> 6) & 63);
      unit[n++] = at;
      bytes[n] = 0x80 | (cp & 63);
      unit[n++] = at;
    } else {
      bytes[n] = 0xf0 | (cp >> 18);
      unit[n++] = at;
      bytes[n] = 0x80 | ((cp >> 12) & 63);
      unit[n++] = at;
      bytes[n] = 0x80 | ((cp >> 6) & 63);
      unit[n++] = at;
      bytes[n] = 0x80 | (cp & 63);
      unit[n++] = at;
    }
  }
  return { bytes: bytes.subarray(0, n), unit: unit.subarray(0, n) };
}

export function hex(bytes: ArrayLike<number>): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i++) parts.push(bytes[i].toString(16).toUpperCase().padStart(2, '0'));
  return parts.join(' ');
}

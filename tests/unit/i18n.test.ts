// The catalogue: every message exists in both languages (the compiler checks the keys; this
// checks the words), with the same placeholders, no key defined by two parts; and the
// language a browser asks for is the one chosen.
import { describe, expect, it } from 'vitest';
import { CATALOGUES, LANGUAGES, PARTS, en } from '../../src/lib/i18n/catalogue';
import { preferredLanguage } from '../../src/lib/i18n/i18n.svelte';
import { FAMILY_IDS } from '../../src/lib/vocabulary/families';
import { familySpec } from '../../src/lib/families';
import { TOKENIZER_ROLES } from '../../src/lib/tokenize/catalog';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogue', () => {
  it('has every message, non-empty, in every language, with the same placeholders', () => {
    for (const lang of LANGUAGES)
      for (const [key, english] of Object.entries(en)) {
        const message = CATALOGUES[lang][key as keyof typeof en];
        expect(message?.trim(), `${lang} ${key}`).toBeTruthy();
        expect(placeholders(message), `${lang} ${key}`).toEqual(placeholders(english));
      }
  });

  it('the Chinese messages are translations, not copies of the English (except names)', () => {
    const same = Object.entries(en).filter(([k, v]) => CATALOGUES.zh[k as keyof typeof en] === v && /[a-z]{4,}/.test(v) && !k.startsWith('language.'));
    // A message may stay in English only when it is a name (a model, a format) with no words to translate.
    expect(same.map(([k]) => k)).toEqual([]);
  });

  it('no two parts define the same key', () => {
    const seen = new Map<string, string>();
    for (const [part, m] of Object.entries(PARTS))
      for (const key of Object.keys(m.en)) {
        expect(seen.get(key), `${key} in ${part}`).toBeUndefined();
        seen.set(key, part);
      }
  });

  it('says what the family registry says about each family, in English word for word', () => {
    for (const f of FAMILY_IDS)
      for (const field of ['note', 'compareNote', 'inputLabel'] as const) expect(en[`family.${f}.${field}`], `${f} ${field}`).toBe(familySpec(f)[field]);
  });

  it('says what the tokenizer catalogue says of each tokenizer, in English word for word', () => {
    for (const [id, role] of Object.entries(TOKENIZER_ROLES)) expect(en[`tokenizerRole.${id}` as keyof typeof en], id).toBe(role);
  });

  it('picks the browser’s first language it has', () => {
    expect(preferredLanguage(['zh-CN', 'en'])).toBe('zh');
    expect(preferredLanguage(['zh-TW'])).toBe('zh');
    expect(preferredLanguage(['fr-FR', 'zh'])).toBe('zh');
    expect(preferredLanguage(['fr-FR', 'de'])).toBe('en');
    expect(preferredLanguage([])).toBe('en');
  });
});

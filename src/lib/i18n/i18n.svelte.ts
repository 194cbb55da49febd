// The language of the interface: English or Simplified Chinese. Chosen from the link
// (?lang=zh), else the last choice on this browser, else the browser's own languages; the
// switch in the header writes both. t() reads the reactive language, so text re-renders.

import { CATALOGUES, LANGUAGES, type Language, type MessageKey } from './catalogue';
import { setVizWords, VIZ_EN, type VizWord } from '$lib/viz/words';
import type { Family } from '$lib/vocabulary/families';

const STORAGE_KEY = 'attention-atlas:lang';

export const locale = $state<{ lang: Language }>({ lang: 'en' });

export const isLanguage = (v: unknown): v is Language => (LANGUAGES as readonly unknown[]).includes(v);

/** The language a browser asks for: the first of its languages we have (zh-CN, zh-TW, zh → zh). */
export function preferredLanguage(languages: readonly string[]): Language {
  for (const l of languages) {
    const base = l.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

/** Reads the language at page start (browser only). */
export function initLanguage(): void {
  const asked = new URLSearchParams(location.search).get('lang');
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage disabled: the link and the browser still decide.
  }
  setLanguage(isLanguage(asked) ? asked : isLanguage(stored) ? stored : preferredLanguage(navigator.languages ?? [navigator.language]), false);
}

/** Switches the language; `remember` writes it into the link (keeping its #fragment) and storage. */
export function setLanguage(lang: Language, remember = true): void {
  locale.lang = lang;
  // The renderers draw some words themselves; they read them from viz/words.
  setVizWords(Object.fromEntries(Object.keys(VIZ_EN).map((k) => [k, CATALOGUES[lang][k as VizWord]])));
  document.documentElement.lang = lang === 'zh' ? 'zh-Hans' : 'en';
  if (!remember) return;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // As above.
  }
  const url = new URL(location.href);
  url.searchParams.set('lang', lang);
  history.replaceState(history.state, '', url);
}

/** A message in the current language, with {name} placeholders filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const message = CATALOGUES[locale.lang][key] ?? CATALOGUES.en[key];
  return message.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** The query a link within the app carries so the next page opens in the same language. */
export const langQuery = (): string => (locale.lang === 'en' ? '' : `?lang=${locale.lang}`);

/** A family's words (its note, Compare note, input label) in the current language. */
export const familyText = (family: Family, field: 'note' | 'compareNote' | 'inputLabel'): string => t(`family.${family}.${field}`);

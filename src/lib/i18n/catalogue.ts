// The interface's words, in one catalogue: English and Simplified Chinese, one message file
// per part of the app (messages/*.ts), merged here. Each file types its `zh` against its `en`,
// so a message added in English and missing in Chinese does not compile. Placeholders are
// {name}; numbers are formatted by the caller. Words drawn from the model (tokens, model ids)
// and numbers measured on a trace are never translated.

import * as shell from './messages/shell';
import * as views from './messages/views';
import * as panels from './messages/panels';
import * as tokenize from './messages/tokenize';
import * as viz from './messages/viz';
import * as families from './messages/families';

export const LANGUAGES = ['en', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Every part, by name (tests check that no two parts define the same key). */
export const PARTS = { shell, views, panels, tokenize, viz, families } as const;

type English = typeof shell.en & typeof views.en & typeof panels.en & typeof tokenize.en & typeof viz.en & typeof families.en;
export type MessageKey = keyof English;

export const en = Object.assign({}, ...Object.values(PARTS).map((p) => p.en)) as English;
const zh = Object.assign({}, ...Object.values(PARTS).map((p) => p.zh)) as Record<MessageKey, string>;

export const CATALOGUES: Record<Language, Record<MessageKey, string>> = { en, zh };

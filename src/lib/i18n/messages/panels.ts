// Messages of the panels part of the app (see ../catalogue.ts).

export const en = {} as const;

export const zh: Record<keyof typeof en, string> = {};

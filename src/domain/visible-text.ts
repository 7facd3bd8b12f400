/**
 * Characters that change how text around them is displayed without being
 * seen themselves: bidirectional controls (which can reorder an account
 * number on screen) and zero-width characters. Every text Airlock sends to a
 * chat platform passes through `showInvisible`, which replaces each with a
 * visible `[U+XXXX]`.
 */
const INVISIBLE = /[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

export const showInvisible = (text: string): string =>
  text.replace(INVISIBLE, (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}]`);

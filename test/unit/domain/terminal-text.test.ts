import { describe, expect, it } from 'vitest';
import { message } from '../../../src/domain/message.js';
import { escapeTerminal, toTerminalText } from '../../../src/domain/terminal-text.js';

describe('escapeTerminal', () => {
  it.each([
    ['a\nb', 'a\\nb'],
    ['a\r\tb', 'a\\r\\tb'],
    ['\u001b[8mhidden', '\\x1b[8mhidden'],
    ['\u0000\u007f\u0085\u009b', '\\x00\\x7f\\x85\\x9b'],
    ['abc\u202efdp.exe', 'abc\\u202efdp.exe'],
    ['\u2066\u2069\u200e\u200f\u061c', '\\u2066\\u2069\\u200e\\u200f\\u061c'],
    ['zero\u200b\u200c\u200d\u2060\ufeffwidth', 'zero\\u200b\\u200c\\u200d\\u2060\\ufeffwidth'],
    ['line\u2028para\u2029', 'line\\u2028para\\u2029'],
  ])('makes %j visible', (raw, shown) => expect(escapeTerminal(raw)).toBe(shown));

  it('leaves ordinary text, accents, emoji and backslashes as typed', () => {
    const text = 'Café → 5 € 🚀 C:\\temp "quoted"';
    expect(escapeTerminal(text)).toBe(text);
  });
});

describe('toTerminalText', () => {
  it('keeps the message’s own lines and escapes line breaks inside its strings', () => {
    const m = message(['summary: ', 'a\nforged: yes'], [{ code: 'x\u001b[2K' }, { strong: '\u202e!' }]);
    expect(toTerminalText(m)).toBe('summary: a\\nforged: yes\nx\\x1b[2K\\u202e!');
  });
});

import { describe, expect, it } from 'vitest';
import { renderMessage } from '../../../adapters/slack/render-message.js';
import { message } from '../../../src/domain/message.js';
import { showInvisible } from '../../../src/domain/visible-text.js';

describe('text sent to chat', () => {
  it('makes bidi controls and zero-width characters visible', () => {
    expect(showInvisible('IBAN 12\u202E34\u202C56 \u2066x\u2069 a\u200Bb\uFEFF')).toBe('IBAN 12[U+202E]34[U+202C]56 [U+2066]x[U+2069] a[U+200B]b[U+FEFF]');
    expect(showInvisible('plain café ✓')).toBe('plain café ✓');
  });

  it('renders a message for Slack with every string escaped and only its own formatting', () => {
    const text = renderMessage(
      message(
        [{ strong: 'Incident *ON*' }, ' by ', { person: { platform: 'slack', id: 'U0ADMIN' } }, ': <!channel> <https://evil.example|click me> \u202Egnp.exe'],
        ['tool ', { code: 'send`email' }, ' by ', { person: { platform: 'teams', id: 'aad-1', name: '<!here> Eve' } }],
      ),
    );
    expect(text).toBe(
      '*Incident ∗ON∗* by <@U0ADMIN>: &lt;!channel&gt; &lt;https://evil.example|click me&gt; [U+202E]gnp.exe\ntool `sendˋemail` by &lt;!here&gt; Eve',
    );
  });
});

/**
 * Helpers that turn untrusted text (agent summaries, arguments, names) into
 * Slack mrkdwn that can neither ping anyone nor break out of its formatting,
 * and that fits a length limit. Lengths are counted in UTF-16 code units,
 * which is never less than what Slack counts, so a limit met here holds there.
 */

const ELLIPSIS = '…';

/**
 * Slack parses `<…>` as mentions, links and dates (`<!channel>`, `<@U1>`) and
 * only these three characters need escaping; everything else renders as typed.
 */
export const escapeMrkdwn = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Cuts `text` to at most `max` code units, ending with an ellipsis when anything was cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${dropSplitSurrogate(text.slice(0, Math.max(0, max - ELLIPSIS.length)))}${ELLIPSIS}`;
}

/** Like `truncate`, for text that is already escaped: never leaves half an `&amp;` behind. */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = dropSplitSurrogate(text.slice(0, Math.max(0, max - ELLIPSIS.length)));
  const amp = cut.lastIndexOf('&');
  if (amp !== -1 && amp >= cut.length - 4 && !cut.includes(';', amp)) cut = cut.slice(0, amp);
  return `${cut}${ELLIPSIS}`;
}

/** Escapes and truncates untrusted text. Slicing first keeps a 100k-character value cheap. */
export const mrkdwn = (text: string, max: number): string => truncateMrkdwn(escapeMrkdwn(text.slice(0, max + 1)), max);

/** Untrusted, possibly multi-line text as a block quote, so it reads as someone else's words. */
export function quote(text: string, max: number): string {
  const quoted = escapeMrkdwn(text.slice(0, max + 1))
    .split('\n')
    .map((line) => `>${line}`)
    .join('\n');
  return truncateMrkdwn(quoted, max);
}

/**
 * An identifier in inline code. Inline code cannot contain a backtick or a
 * newline, so those are replaced by look-alikes rather than letting a value
 * end the span and format what follows.
 */
export function inlineCode(text: string, max: number): string {
  const inner = mrkdwn(text, max - 2).replace(/`/g, 'ˋ').replace(/[\r\n]+/g, ' ');
  return inner.length === 0 ? '—' : `\`${inner}\``;
}

/**
 * A fenced code block of at most `max` characters, fences included. A run of
 * three backticks inside would close the fence early, so every backtick that
 * starts such a run gets a zero-width space after it.
 */
export function codeBlock(text: string, max: number): string {
  const fence = '```';
  const budget = max - 2 * fence.length - 2;
  const inner = escapeMrkdwn(text.slice(0, budget + 1)).replace(/`(?=``)/g, '`\u200b');
  return `${fence}\n${truncateMrkdwn(inner, budget)}\n${fence}`;
}

/** A bulleted list that stops before `max`, saying how many items it left out. */
export function bulletList(items: readonly string[], max: number, itemMax = 500): string {
  const lines: string[] = [];
  let length = 0;
  for (const [i, item] of items.entries()) {
    const line = `• ${mrkdwn(item, itemMax)}`;
    const rest = items.length - i - 1;
    // Leave room for the "and N more" line unless this is the last item.
    const reserve = rest > 0 ? `\n…and ${rest} more`.length : 0;
    if (length + line.length + 1 + reserve > max) {
      lines.push(`…and ${items.length - i} more`);
      return truncateMrkdwn(lines.join('\n'), max);
    }
    lines.push(line);
    length += line.length + 1;
  }
  return lines.join('\n');
}

/**
 * A reviewer as the caller names them. A bare Slack user mention (`<@U123>`)
 * passes through so Slack shows the person's name; anything else is treated
 * as untrusted text.
 */
export const reviewer = (display: string, max = 200): string =>
  /^<@[UW][A-Z0-9]{1,20}>$/.test(display) ? display : mrkdwn(display, max);

/** Slack renders this in each reader's own time zone; the ISO text is the fallback. */
export const slackDate = (at: Date): string =>
  `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} {time}|${at.toISOString()}>`;

/**
 * A link, or undefined when the URL could break out of Slack's `<url|label>`
 * syntax or is too long to sit in a 2000-character context element.
 */
export const link = (url: string, label: string): string | undefined =>
  /^https?:\/\/[^\s<>|]+$/.test(url) && url.length <= 1500 ? `<${url.replace(/&/g, '&amp;')}|${escapeMrkdwn(label)}>` : undefined;

function dropSplitSurrogate(text: string): string {
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, -1) : text;
}

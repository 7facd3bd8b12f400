import type { CardContent } from '../../src/ports/chat-platform.js';
import { renderAdaptiveCard, type AdaptiveCard, type CardView } from './render-adaptive-card.js';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** The core's card for one view (with or without buttons). */
export const cardFor = (content: CardContent, view: CardView, auditUrl?: string): AdaptiveCard => renderAdaptiveCard(content.card, view, { auditUrl });

/** A message activity carrying the card; `summary` is the notification text. */
export function cardActivity(content: CardContent, view: CardView, auditUrl?: string) {
  const card = cardFor(content, view, auditUrl);
  return {
    type: 'message' as const,
    summary: card.fallbackText,
    attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card }],
  };
}

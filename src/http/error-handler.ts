import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AirlockError, type ErrorCode, type ErrorDetail } from '../domain/errors.js';

const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  idempotency_conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  policy_invalid: 500,
  delivery_failed: 502,
  internal: 500,
};

const bodyLimitText = (req: FastifyRequest) => {
  const bytes = req.routeOptions.bodyLimit ?? 1024 * 1024;
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${Math.round(bytes / 1024)} KB`;
};

/** Postgres refusing the text itself (NUL, bad Unicode): the client's input, not our fault. */
const UNSTORABLE_TEXT_SQLSTATE = new Set(['22P05', '22021']);

export interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[] };
}

export const errorBody = (code: string, message: string, details: ErrorDetail[] = []): ErrorBody => ({ error: { code, message, details } });

/**
 * The one place errors become HTTP responses. Unknown errors
 * answer without their message, which could carry internals; database outages
 * answer 503 so agents retry and never proceed.
 */
export function makeErrorHandler(isUnavailable: (err: unknown) => boolean) {
  return function handleError(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'body';
      const details = err.validation.map((v) => ({
        path: [where, ...v.instancePath.split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'invalid',
      }));
      return reply.code(400).send(errorBody('validation_failed', `request ${where} is invalid`, details));
    }
    if (err instanceof AirlockError) {
      const status = STATUS[err.code];
      if (status >= 500) req.log.error({ code: err.code, err: err.message }, 'request failed');
      const retryAfter = err.context.retryAfterSeconds;
      if (status === 429 && typeof retryAfter === 'number') reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
      return reply.code(status).send(errorBody(err.code, err.message, err.details));
    }
    switch (err.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        // Close once answered: otherwise Node would keep reading (and discarding) the rest of the body.
        reply.header('connection', 'close');
        return reply.code(413).send(errorBody('payload_too_large', `request body exceeds the ${bodyLimitText(req)} limit`));
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.code(415).send(errorBody('unsupported_media_type', 'send application/json'));
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply.code(400).send(errorBody('validation_failed', 'request body is empty'));
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return reply.code(400).send(errorBody('validation_failed', 'request body is not valid JSON'));
    }
    if (err instanceof SyntaxError || (err.statusCode === 400 && /JSON/i.test(err.message))) {
      return reply.code(400).send(errorBody('validation_failed', 'request body is not valid JSON'));
    }
    if (UNSTORABLE_TEXT_SQLSTATE.has(String(err.code))) {
      return reply.code(400).send(errorBody('validation_failed', 'the request contains a NUL character or text that cannot be stored'));
    }
    if (isUnavailable(err)) {
      req.log.error({ err: err.message }, 'database unavailable');
      return reply.code(503).send(errorBody('unavailable', 'Airlock cannot reach its database; nothing was decided, retry later'));
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send(errorBody('bad_request', err.message));
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send(errorBody('internal', 'internal error; nothing was decided'));
  };
}

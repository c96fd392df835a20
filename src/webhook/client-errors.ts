// How the webhook answers a request it cannot take: one line of text with a 4xx status, never a
// 500 (kube-apiserver logs the body, a user reads it in the webhook's log).
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { MalformedReviewError, oneLine } from '../admission/review.js';

export const BODY_LIMIT_BYTES = 3 * 1024 * 1024;

function clientErrorReason(err: FastifyError): { status: number; reason: string } {
  if (err instanceof MalformedReviewError) return { status: 400, reason: err.message };
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, reason: `request body is larger than ${BODY_LIMIT_BYTES} bytes` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, reason: 'content-type must be application/json' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, reason: 'request body is empty' };
    default: {
      const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
      return { status, reason: err.message || 'bad request' };
    }
  }
}

/** The error handler of every route: the reason in one line, logged at error only when unexpected. */
export function replyClientError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, reason } = clientErrorReason(err);
  const known = err instanceof MalformedReviewError || (err.statusCode !== undefined && err.statusCode < 500);
  if (!known) request.log.error({ err }, 'unexpected error while reading a request');
  else request.log.debug({ status, reason }, 'request refused');
  return reply.code(status).type('text/plain; charset=utf-8').send(`${oneLine(reason, 300)}\n`);
}

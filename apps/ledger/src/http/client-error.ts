import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { NO_STORE_HEADERS, problemType } from './problem';

/**
 * Errors Node's HTTP server raises before any request exists (its `clientError` event):
 * a request not received whole in time, headers over the size limit, bytes that are not
 * HTTP. Fastify's default answers them in its own JSON shape; the ledger answers every
 * error as an RFC 9457 problem with a stable code, these too.
 */
const CLIENT_ERRORS: Record<string, [status: number, title: string, code: string, detail: string]> = {
  // §4.8: a client that trickles its request (LEDGER_REQUEST_TIMEOUT_MS)
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'the request was not received whole in time'],
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'the request headers are larger than the limit'],
};
const MALFORMED: [number, string, string, string] = [400, 'Bad Request', 'MALFORMED_REQUEST', 'the request is not valid HTTP/1.1'];

export interface ClientErrorOutcome {
  readonly status: number;
  readonly code: string;
}

/** The problem sent for a client error, as the raw bytes of a closing HTTP response. */
export function clientErrorResponse(errorCode: string | undefined): { outcome: ClientErrorOutcome; response: string } {
  const [status, title, code, detail] = (errorCode && CLIENT_ERRORS[errorCode]) || MALFORMED;
  const body = JSON.stringify({ type: problemType(code), title, status, code, detail });
  return {
    outcome: { status, code },
    response: [
      `HTTP/1.1 ${status} ${title}`, 'Content-Type: application/problem+json', `Content-Length: ${Buffer.byteLength(body)}`,
      ...Object.entries(NO_STORE_HEADERS).map(([name, value]) => `${name}: ${value}`), 'Connection: close', '', body,
    ].join('\r\n'),
  };
}

/**
 * The server's `clientError` listener. Logged like any request, by the error's code alone:
 * the error Node passes carries the raw bytes received (`rawPacket`), which may be
 * anything the client sent, personal data included, so neither it nor the error's message
 * is ever logged.
 */
export function clientErrorHandler(logger: Logger, count: (outcome: ClientErrorOutcome) => void) {
  return (error: Error & { code?: string }, socket: Socket): void => {
    // a reset connection, or one already gone: nothing to answer
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const { outcome, response } = clientErrorResponse(error.code);
    count(outcome);
    logger.info({ route: 'unmatched', status: outcome.status, code: outcome.code, cause: error.code ?? null }, 'client error');
    // as Node's own handler does: answer unless a response on this socket has begun, then close
    const pending = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !pending?.headersSent) socket.write(response);
    socket.destroy();
  };
}

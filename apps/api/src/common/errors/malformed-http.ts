import { STATUS_CODES, Server } from 'http';
import type { Socket } from 'net';
import { defaultErrorCode, ErrorBody } from './error-body';

const MESSAGES: Record<number, string> = {
  400: 'the request is not well-formed HTTP (bad request line, header name or value)',
  408: 'the request took too long to arrive',
  413: 'the request is too large',
  431: 'the request headers are too large',
};

function statusOf(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  if (code === 'HPE_CONTENT_LENGTH_TOO_LARGE') return 413;
  return 400;
}

/**
 * Requests Node's HTTP parser rejects before any route sees them (a NUL byte in a header,
 * oversized headers, a broken request line) get the same JSON error shape instead of Node's bare
 * `400 Bad Request` (the listener replaces Node's default answer).
 */
export function answerMalformedHttpInOneShape(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = statusOf(err.code);
    const body: ErrorBody = { statusCode: status, error: defaultErrorCode(status), message: MESSAGES[status] };
    const json = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  });
}

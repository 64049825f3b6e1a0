import { errorResponse, ErrorResponse } from './error-body';

/**
 * Errors of the JSON body parser (body-parser / raw-body / zlib) as 4xx answers. They carry a
 * `type` (body-parser) or a zlib `code` (Z_DATA_ERROR when a body is not the gzip/deflate/br it
 * claims to be); all are the client's doing.
 */
export function bodyParserErrorResponse(e: unknown, limitBytes?: number): ErrorResponse | null {
  const err = e as { type?: unknown; status?: unknown; statusCode?: unknown; code?: unknown; message?: unknown; expose?: unknown } | null;
  if (!err || typeof err !== 'object') return null;
  const type = typeof err.type === 'string' ? err.type : '';
  const code = typeof err.code === 'string' ? err.code : '';
  const status = typeof err.status === 'number' ? err.status : typeof err.statusCode === 'number' ? err.statusCode : 0;
  switch (type) {
    case 'entity.parse.failed': {
      const at = typeof err.message === 'string' ? /position (\d+)/.exec(err.message)?.[1] : undefined;
      return errorResponse(400, 'invalid_json', `request body is not valid JSON${at ? ` (at position ${at})` : ''}`);
    }
    case 'entity.too.large':
      return errorResponse(413, 'payload_too_large', `request body is larger than ${limitBytes ?? 'the limit of'} bytes`);
    case 'encoding.unsupported':
      return errorResponse(415, 'unsupported_content_encoding', 'Content-Encoding must be gzip, deflate, br or identity');
    case 'charset.unsupported':
      return errorResponse(415, 'unsupported_charset', 'a JSON body must be UTF-8 (charset=utf-8)');
    case 'request.aborted':
      return errorResponse(400, 'request_aborted', 'the request body ended before Content-Length bytes arrived');
    case 'request.size.invalid':
      return errorResponse(400, 'invalid_content_length', 'the request body does not match its Content-Length');
  }
  // zlib (Z_DATA_ERROR, Z_BUF_ERROR...), brotli (ERR__ERROR_FORMAT_...), zstd decoder failures.
  if (/^(Z_|ERR__|ERR_BROTLI|ERR_ZSTD)/.test(code)) {
    return errorResponse(400, 'invalid_content_encoding', 'the request body is not valid data for its Content-Encoding');
  }
  // Any other client error the body reader raised (http-errors marks those it may expose).
  if ((type || err.expose === true) && status >= 400 && status < 500) return errorResponse(status, 'bad_request', 'the request body could not be read');
  return null;
}

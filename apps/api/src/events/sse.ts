/** Server-Sent Events wire format (WHATWG HTML §9.2). */

const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');

/** One message. Every line of `data` gets its own `data:` field, so the payload cannot break framing. */
export function sseMessage(event: string, data: unknown, id?: string): string {
  const lines: string[] = [];
  if (id !== undefined) lines.push(`id: ${oneLine(id)}`);
  lines.push(`event: ${oneLine(event)}`);
  for (const line of JSON.stringify(data).split(/\r\n|\r|\n/)) lines.push(`data: ${line}`);
  return `${lines.join('\n')}\n\n`;
}

/** A comment line: ignored by clients, keeps proxies from closing an idle stream. */
export function sseComment(text: string): string {
  return `: ${oneLine(text)}\n\n`;
}

/** How long an EventSource waits before reconnecting after the connection drops. */
export function sseRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.floor(ms))}\n\n`;
}

/**
 * The last thing a stream sends when the API shuts down: reconnect (soon, with Last-Event-ID,
 * to another replica) and nothing is lost.
 */
export function sseReconnect(retryMs = 1000): string {
  return sseRetry(retryMs) + sseMessage('reconnect', { reason: 'server_shutdown', message: 'the API is shutting down; reconnect with Last-Event-ID to resume where this stream ended', retryMs });
}

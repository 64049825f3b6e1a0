/**
 * TRANSITIONAL — delete this file when the engine branch (issue 8) lands.
 *
 * The port (command-channel.port.ts) is the one agreed with the engine: `marker` and
 * `findByMarker`. Until the engine's CommandRunner is moved onto it, it still sends `comment`
 * and calls `findByComment`. This module augmentation keeps that code compiling without
 * touching the port file or libs/remediation: it adds the old call shapes as overloads, and
 * every adapter serves them by delegating to the new ones (see `markerOf` and
 * `legacyFindByComment`).
 */
import type { SendRequest } from '../command-channel.port';

/** The pre-issue-8 send request: `comment` instead of `marker`. */
export type LegacySendRequest = Omit<SendRequest, 'marker'> & { comment: string };

declare module '../command-channel.port' {
  interface CommandChannel {
    /** @deprecated use send({ marker }) */
    send(req: LegacySendRequest): Promise<{ commandId: string }>;
    /** @deprecated use findByMarker (with a window that has an upper bound) */
    findByComment(region: string, instanceId: string, comment: string, since: Date): Promise<string | null>;
  }
}

/** The marker of a new or legacy send request. */
export function markerOf(req: SendRequest | LegacySendRequest): string {
  return 'marker' in req ? req.marker : req.comment;
}

/** Old lookup shape → the new one: the window ends a little after now (clock skew). */
export function legacyWindow(since: Date, now: Date = new Date()): { after: Date; before: Date } {
  return { after: since, before: new Date(now.getTime() + 5 * 60_000) };
}

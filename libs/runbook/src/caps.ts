/**
 * Size caps the scripts apply to what they print, so that the result line stays well under
 * MAX_RESULT_LINE_CHARS. Lengths count JSON-escaped characters (the scripts print everything
 * outside printable ASCII as \uXXXX). The values are mirrored in scripts/_common.ps1 and
 * scripts/_facts.ps1; a test keeps both in step.
 */
export const RESULT_CAPS = {
  /** `errors`: at most this many entries (the rest are counted in `errorsDropped`)... */
  errors: 2,
  /** ...each at most this long. */
  errorChars: 80,
  /** `unknown`: this many failed reads keep their error text (later ones get '')... */
  unknownMessages: 4,
  /** ...each at most this long. */
  unknownChars: 48,
  /** `error` (top level, when ok is false). */
  messageChars: 200,
  /** License servers reported (and accepted as `servers=`). */
  servers: 3,
  /** Characters per license server name (also the longest name `servers=` accepts). */
  serverChars: 64,
  /** `sessions`: at most this many quser rows... */
  sessionRows: 8,
  /** ...each at most this long. */
  sessionRowChars: 80,
  /** `os.ps` */
  psVersionChars: 10,
} as const;

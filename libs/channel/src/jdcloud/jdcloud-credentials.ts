import * as fs from 'fs';
import type { JdCredentials } from './signing/jdcloud-signer';

export interface JdCredentialSource {
  accessKeyId?: string;
  secretAccessKey?: string;
  /** JSON `{"accessKeyId": "...", "secretAccessKey": "..."}` (or the JDCLOUD_* names); takes precedence. */
  file?: string;
}

/**
 * JD Cloud credentials: JDCLOUD_ACCESS_KEY_ID / JDCLOUD_SECRET_ACCESS_KEY, or a file
 * (JDCLOUD_CREDENTIALS_FILE) re-read at most once a minute so a rotated key is picked up.
 * The values are only ever handed to the signer: never logged, never in job data, and an
 * error names the file, not its content.
 */
export function credentialProvider(src: JdCredentialSource, reloadMs = 60_000): () => JdCredentials {
  if (!src.file) {
    const creds = { accessKeyId: src.accessKeyId ?? '', secretAccessKey: src.secretAccessKey ?? '' };
    if (!creds.accessKeyId || !creds.secretAccessKey) throw new Error('jdcloud: JDCLOUD_ACCESS_KEY_ID and JDCLOUD_SECRET_ACCESS_KEY (or JDCLOUD_CREDENTIALS_FILE) are required');
    return () => creds;
  }
  const file = src.file;
  let cached = readCredentialsFile(file);
  let readAt = Date.now();
  return () => {
    if (Date.now() - readAt >= reloadMs) {
      try {
        cached = readCredentialsFile(file);
      } catch {
        /* keep the last good credentials */
      }
      readAt = Date.now();
    }
    return cached;
  };
}

export function readCredentialsFile(file: string): JdCredentials {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`jdcloud: cannot read credentials file ${file} (${(e as NodeJS.ErrnoException).code ?? 'not JSON'})`);
  }
  const accessKeyId = parsed.accessKeyId ?? parsed.JDCLOUD_ACCESS_KEY_ID;
  const secretAccessKey = parsed.secretAccessKey ?? parsed.JDCLOUD_SECRET_ACCESS_KEY;
  if (typeof accessKeyId !== 'string' || !accessKeyId || typeof secretAccessKey !== 'string' || !secretAccessKey) {
    throw new Error(`jdcloud: credentials file ${file} must hold accessKeyId and secretAccessKey`);
  }
  return { accessKeyId, secretAccessKey };
}

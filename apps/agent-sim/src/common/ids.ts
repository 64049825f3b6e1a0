import { randomUUID } from 'node:crypto';
import { Rng } from './rng';

export const INSTANCE_ID_PATTERN = /^i-[0-9a-f]{17}$/;

/** `aws`: i- + 17 hex digits (EC2). `jdcloud`: i- + 10 lowercase alphanumerics (JD Cloud VM). */
export type IdStyle = 'aws' | 'jdcloud';

export function newInstanceId(rng: Rng, style: IdStyle = 'aws'): string {
  if (style === 'jdcloud') {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    for (let i = 0; i < 10; i++) s += alphabet[rng.int(alphabet.length)];
    return `i-${s}`;
  }
  return `i-${rng.hex(17)}`;
}

/** SSM CommandIds are 36-character UUIDs. */
export function newCommandId(): string {
  return randomUUID();
}

/** EC2 Windows AMIs name hosts EC2AMAZ-XXXXXXX. */
export function newComputerName(rng: Rng): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let s = '';
  for (let i = 0; i < 7; i++) s += alphabet[rng.int(alphabet.length)];
  return `EC2AMAZ-${s}`;
}

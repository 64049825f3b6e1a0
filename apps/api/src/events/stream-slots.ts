/** One reserved stream slot; release() frees it once, however often it is called. */
export interface StreamSlot {
  readonly keyId: string;
  release(): void;
}

/**
 * Open event streams per API key, capped (each one polls PostgreSQL). A slot is taken before the
 * stream starts and given back exactly once when it ends, whichever way it ends.
 */
export class StreamSlots {
  private readonly perKey = new Map<string, number>();

  constructor(private readonly maxPerKey: number) {}

  /** A slot for the key, or null when it already holds maxPerKey. */
  reserve(keyId: string): StreamSlot | null {
    const n = this.perKey.get(keyId) ?? 0;
    if (n >= this.maxPerKey) return null;
    this.perKey.set(keyId, n + 1);
    let held = true;
    return {
      keyId,
      release: () => {
        if (!held) return;
        held = false;
        const left = (this.perKey.get(keyId) ?? 1) - 1;
        if (left <= 0) this.perKey.delete(keyId);
        else this.perKey.set(keyId, left);
      },
    };
  }

  held(keyId: string): number {
    return this.perKey.get(keyId) ?? 0;
  }
}

import { SsmError, validationError } from './ssm-error';

/** Typed reads of a JSON 1.1 request body; wrong JSON types are SerializationException like the service. */
export class SsmInput {
  constructor(private readonly body: Record<string, unknown>) {}

  has(name: string): boolean {
    return this.body[name] !== undefined && this.body[name] !== null;
  }

  string(name: string, required = false): string | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) {
      if (required) throw validationError(`Value null at '${camel(name)}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    if (typeof v !== 'string') throw serialization(name);
    return v;
  }

  number(name: string): number | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw serialization(name);
    return v;
  }

  boolean(name: string): boolean | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw serialization(name);
    return v;
  }

  stringList(name: string): string[] | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw serialization(name);
    return v as string[];
  }

  /** A string list that is never an error: malformed or absent reads as empty (for routing only). */
  lenientStringList(name: string): string[] {
    try {
      return this.stringList(name) ?? [];
    } catch {
      return [];
    }
  }

  /** Parameters-style map: string → list of strings. */
  stringListMap(name: string): Record<string, string[]> | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) throw serialization(name);
    for (const list of Object.values(v as Record<string, unknown>)) {
      if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) throw serialization(name);
    }
    return v as Record<string, string[]>;
  }

  objectList(name: string): Record<string, unknown>[] | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'object' || x === null || Array.isArray(x))) throw serialization(name);
    return v as Record<string, unknown>[];
  }

  maxResults(min: number, max: number, fallback: number): number {
    const n = this.number('MaxResults');
    if (n === undefined) return fallback;
    if (!Number.isInteger(n) || n < min || n > max) {
      throw validationError(
        `Value '${n}' at 'maxResults' failed to satisfy constraint: Member must have value ${n < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`}`,
      );
    }
    return n;
  }
}

function camel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function serialization(name: string): SsmError {
  return new SsmError('SerializationException', `Unexpected value type for member ${name}`);
}

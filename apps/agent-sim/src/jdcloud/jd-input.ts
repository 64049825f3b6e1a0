import { invalidArgument } from './jd-error';

/**
 * Reads a JSON request body by the documented limits (jdcloud-assistant.md §2): anything out of
 * bounds is 400 INVALID_ARGUMENT naming the field. `null` counts as absent (the Go SDK sends
 * null for unset optionals); an extra `regionId` is accepted.
 */
export class JdInput {
  constructor(private readonly body: Record<string, unknown>) {}

  private raw(key: string): unknown {
    const v = this.body[key];
    return v === null ? undefined : v;
  }

  has(key: string): boolean {
    return this.raw(key) !== undefined;
  }

  string(key: string, opts: { required?: boolean; min?: number; max?: number; pattern?: RegExp; oneOf?: string[] } = {}): string | undefined {
    const v = this.raw(key);
    if (v === undefined) {
      if (opts.required) throw invalidArgument(`${key} is required`);
      return undefined;
    }
    if (typeof v !== 'string') throw invalidArgument(`${key} must be a string`);
    if (opts.min !== undefined && v.length < opts.min) throw invalidArgument(`${key} must have at least ${opts.min} characters`);
    if (opts.max !== undefined && v.length > opts.max) throw invalidArgument(`${key} must have at most ${opts.max} characters`);
    if (opts.pattern && !opts.pattern.test(v)) throw invalidArgument(`${key} has invalid characters`);
    if (opts.oneOf && !opts.oneOf.includes(v)) throw invalidArgument(`${key} must be one of ${opts.oneOf.join(', ')}`);
    return v;
  }

  int(key: string, opts: { min: number; max: number; def?: number }): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return opts.def;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw invalidArgument(`${key} must be an integer`);
    if (v < opts.min || v > opts.max) throw invalidArgument(`${key} must be within [${opts.min}, ${opts.max}]`);
    return v;
  }

  bool(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw invalidArgument(`${key} must be a boolean`);
    return v;
  }

  strings(key: string, opts: { required?: boolean; min?: number; max?: number } = {}): string[] | undefined {
    const v = this.raw(key);
    if (v === undefined) {
      if (opts.required) throw invalidArgument(`${key} is required`);
      return undefined;
    }
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalidArgument(`${key} must be a list of strings`);
    if (opts.min !== undefined && v.length < opts.min) throw invalidArgument(`${key} must have at least ${opts.min} entries`);
    if (opts.max !== undefined && v.length > opts.max) throw invalidArgument(`${key} must have at most ${opts.max} entries`);
    return v as string[];
  }

  /** regionId in the body, when given, must be the path's. */
  checkRegion(region: string): void {
    const r = this.raw('regionId');
    if (r !== undefined && r !== region) throw invalidArgument(`regionId ${String(r)} does not match the path's ${region}`);
  }

  page(): { pageNumber: number; pageSize: number } {
    return { pageNumber: this.int('pageNumber', { min: 1, max: 1_000_000, def: 1 })!, pageSize: this.int('pageSize', { min: 1, max: 100, def: 20 })! };
  }
}

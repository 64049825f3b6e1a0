import { ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';

/** Optional but, when present, not null (class-validator's IsOptional also lets null through). */
export const Optional = () => ValidateIf((_o, v) => v !== undefined);

/** Optional and nullable: null is a meaningful value (e.g. psVersion null = no PowerShell). */
export const OptionalNullable = () => ValidateIf((_o, v) => v !== undefined && v !== null);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `{ key: weight }` with keys from `allowed`, weights ≥ 0 and a positive total. */
export function IsWeightMap(allowed: readonly string[], options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isWeightMap',
      validator: {
        validate: (v: unknown) => {
          if (!isPlainObject(v)) return false;
          const entries = Object.entries(v);
          if (entries.length === 0) return false;
          let total = 0;
          for (const [k, w] of entries) {
            if (!allowed.includes(k) || typeof w !== 'number' || !Number.isFinite(w) || w < 0) return false;
            total += w;
          }
          return total > 0;
        },
        defaultMessage: (args) =>
          `${args?.property} must be an object mapping ${allowed.join(' | ')} to non-negative numbers with a positive total`,
      },
    },
    options,
  );
}

/** `{ serverName: connectivityStatus }` with integer statuses 0..99. */
export function IsStatusMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStatusMap',
      validator: {
        validate: (v: unknown) =>
          isPlainObject(v) &&
          Object.entries(v).every(([k, s]) => k.length > 0 && k.length <= 253 && Number.isInteger(s) && (s as number) >= 0 && (s as number) < 100),
        defaultMessage: (args) => `${args?.property} must map license server names to integer GetTStoLSConnectivityStatus codes (e.g. 11, 6)`,
      },
    },
    options,
  );
}

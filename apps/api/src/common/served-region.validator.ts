import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';

/**
 * The regions this deployment serves (REGIONS, validated at boot). Empty: any well-formed region
 * (the pattern check on the field still applies). Set once by createApiApp.
 */
export class ServedRegions {
  static list: readonly string[] = [];
}

export function IsServedRegion(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isServedRegion',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || ServedRegions.list.length === 0 || ServedRegions.list.includes(value),
        defaultMessage: (args: ValidationArguments) => `region ${String(args.value)} is not served by this deployment (it serves ${ServedRegions.list.join(', ')})`,
      },
    });
}

import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';

/**
 * The callback URL policy is applied in two places: syntactically here (https, no credentials,
 * no literal private/loopback address unless allow-listed) and again at delivery time with DNS
 * resolution. The policy itself is set by CallbackUrlPolicyHolder at boot from the config.
 */
export class CallbackUrlPolicyHolder {
  static check: (url: string) => string | null = (url) => (/^https:\/\//.test(url) ? null : 'callbackUrl must be an https URL');
}

export function IsCallbackUrl(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isCallbackUrl',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && CallbackUrlPolicyHolder.check(value) === null,
        defaultMessage: (args: ValidationArguments) =>
          typeof args.value === 'string' ? (CallbackUrlPolicyHolder.check(args.value) ?? 'invalid callbackUrl') : 'callbackUrl must be a string',
      },
    });
}

import { SsmError, validationError } from './ssm-error';

/** InstanceId member pattern of the SSM API. */
export const SSM_INSTANCE_ID = /(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)/;

export function checkCommandId(id: string): void {
  if (id.length !== 36) {
    throw validationError(`Value '${id}' at 'commandId' failed to satisfy constraint: Member must have length ${id.length < 36 ? 'greater than or equal to' : 'less than or equal to'} 36`);
  }
}

export function checkInstanceIdShape(id: string, member = 'instanceId'): void {
  if (!SSM_INSTANCE_ID.test(id)) {
    throw validationError(`Value '${id}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: (^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)`);
  }
}

export function checkInstanceIdList(ids: string[], member = 'instanceIds'): void {
  if (ids.length > 50) {
    throw validationError(`Value '[${ids.slice(0, 3).join(', ')}, ...]' at '${member}' failed to satisfy constraint: Member must have length less than or equal to 50`);
  }
  for (const id of ids) checkInstanceIdShape(id, member);
}

/** Filter timestamps are ISO-8601 strings such as 2026-11-25T08:00:00Z. */
export function parseFilterDate(value: string): number {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) {
    throw validationError(`Value '${value}' at 'filters.member.value' failed to satisfy constraint: must be an ISO-8601 timestamp (YYYY-MM-DDTHH:MM:SSZ)`);
  }
  return ms;
}

export interface KeyValueFilter {
  key: string;
  value: string;
}

/** CommandFilter list (ListCommands / ListCommandInvocations): 1-5 filters of {key, value}. */
export function readCommandFilters(raw: Record<string, unknown>[] | undefined, allowed: string[]): KeyValueFilter[] {
  if (!raw) return [];
  if (raw.length < 1 || raw.length > 5) {
    throw validationError(`Value at 'filters' failed to satisfy constraint: Member must have length between 1 and 5`);
  }
  return raw.map((f) => {
    const key = f.key;
    const value = f.value;
    if (typeof key !== 'string' || typeof value !== 'string') throw new SsmError('SerializationException', 'CommandFilter needs string key and value');
    if (!allowed.includes(key)) throw new SsmError('InvalidFilterKey', `The specified key '${key}' isn't valid.`);
    return { key, value };
  });
}

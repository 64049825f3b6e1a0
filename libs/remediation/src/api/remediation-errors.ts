/** Domain errors of the API use cases; the HTTP layer maps them to status codes. */
export class RemediationNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`remediation ${id} not found`);
  }
}

export class InstanceNotFoundError extends Error {
  constructor(readonly instanceId: string) {
    super(`instance ${instanceId} not found`);
  }
}

export class RemediationConflictError extends Error {
  constructor(readonly activeId: string) {
    super(`the instance already has an active remediation (${activeId})`);
  }
}

export class RemediationStateError extends Error {
  constructor(
    readonly id: string,
    readonly state: string,
    readonly why: string,
  ) {
    super(`remediation ${id} is ${state}: ${why}`);
  }
}

/** The cloud inventory could not be asked (not the client's fault: 503). */
export class InventoryUnavailableError extends Error {}

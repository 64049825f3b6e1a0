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

/** The instance exists and is the caller's, but in another region than the request names. */
export class InstanceNotInRegionError extends Error {
  constructor(
    readonly instanceId: string,
    readonly region: string,
    readonly actualRegion: string,
  ) {
    super(`instance ${instanceId} is not in region ${region}: it is in ${actualRegion}`);
  }
}

/**
 * A rollback asked of a remediation whose change cannot be undone (removing the RD Session Host
 * role; a rollback itself), as opposed to a remediation in the wrong state for the action.
 */
export class NotReversibleError extends Error {
  constructor(
    readonly id: string,
    readonly state: string,
    why: string,
  ) {
    super(`remediation ${id} cannot be rolled back: ${why}`);
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

/** The remediation was already rolled back (or a rollback of it is under way): `rollbackId` names it. */
export class RollbackExistsError extends Error {
  constructor(
    readonly id: string,
    readonly rollbackId: string,
    readonly finished: boolean,
  ) {
    super(finished ? `remediation ${id} was already rolled back by remediation ${rollbackId}` : `remediation ${id} is already being rolled back by remediation ${rollbackId}`);
  }
}

/**
 * A cancel that can no longer take effect: the restart was sent (it cannot be called back), or
 * every change is made and only the read-only verification is left. Refused, never ignored.
 */
export class CancelTooLateError extends Error {
  constructor(
    readonly id: string,
    readonly state: string,
    readonly code: 'restart_in_progress' | 'verification_in_progress',
    why: string,
  ) {
    super(`remediation ${id} can no longer be cancelled: ${why}`);
  }
}

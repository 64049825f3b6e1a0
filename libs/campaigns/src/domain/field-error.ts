/** One bad input field (or line of an uploaded file); the API turns these into a 400 naming it. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** Bad client input: nothing was written. `status` is 400 unless the body was too large (413). */
export class CampaignInputError extends Error {
  constructor(
    readonly problems: FieldProblem[],
    readonly status: 400 | 413 | 415 = 400,
    readonly code: string = 'validation_failed',
  ) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.name = 'CampaignInputError';
  }

  static of(field: string, message: string, status: 400 | 413 | 415 = 400, code?: string): CampaignInputError {
    return new CampaignInputError([{ field, message }], status, code);
  }
}

export class CampaignNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`campaign ${id} not found`);
    this.name = 'CampaignNotFoundError';
  }
}

/** The campaign is not in a state that allows this action (409). */
export class CampaignStateError extends Error {
  constructor(
    readonly id: string,
    readonly state: string,
    readonly why: string,
  ) {
    super(`campaign ${id} is ${state}: ${why}`);
    this.name = 'CampaignStateError';
  }
}

/** The inventory could not be asked (503, nothing written). */
export class CampaignInventoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CampaignInventoryError';
  }
}

/** A parameter for a runbook script was rejected before rendering (nothing was sent). */
export class RunbookParamError extends Error {
  readonly code = 'bad_param' as const;

  constructor(
    /** The offending key (the value is never echoed: it is caller input). */
    readonly key: string,
    readonly reason: string,
  ) {
    super(`runbook parameter ${JSON.stringify(key)}: ${reason}`);
    this.name = 'RunbookParamError';
  }
}

/** A script file is missing or malformed (a packaging or development error, not caller input). */
export class RunbookScriptError extends Error {
  readonly code = 'bad_script' as const;

  constructor(message: string) {
    super(message);
    this.name = 'RunbookScriptError';
  }
}

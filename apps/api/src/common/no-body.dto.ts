/**
 * The body of actions that take none (cancel, approve, rollback, key revocation): absent or `{}`.
 * Any field in it is an unknown field (400), so a client that thinks it is sending options learns
 * that they are not read.
 */
export class NoBodyDto {}

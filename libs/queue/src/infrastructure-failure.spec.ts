import { infrastructureFailureOf } from './infrastructure-failure';

/** The one rule the API (503) and the worker (reschedule, no attempt spent) share. */
describe('infrastructureFailureOf', () => {
  const pgErr = (code: string, message = 'x') => Object.assign(new Error(message), { code });

  it.each([
    ['pg refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['pg terminated', new Error('Connection terminated unexpectedly')],
    ['pg pool timeout', new Error('timeout exceeded when trying to connect')],
    ['pg admin shutdown', pgErr('57P01', 'terminating connection due to administrator command')],
    ['pg cannot connect now', pgErr('57P03', 'the database system is starting up')],
    ['pg too many connections', pgErr('53300', 'sorry, too many clients already')],
    ['typeorm QueryFailedError wrapping a connection failure', Object.assign(new Error('Connection terminated'), { name: 'QueryFailedError', driverError: pgErr('08006') })],
    ['typeorm QueryFailedError with a connection SQLSTATE only on driverError', Object.assign(new Error('some text'), { name: 'QueryFailedError', driverError: { code: '08003' } })],
    ['ioredis offline', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['ioredis closed', new Error('Connection is closed.')],
    ['ioredis max retries', Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' })],
    ['bullmq lost lock', new Error('Missing lock for job rem-1. moveToDelayed')],
    ['a cause chain', Object.assign(new Error('outer'), { cause: new Error('Connection terminated unexpectedly') })],
  ])('%s → unavailable', (_name, err) => {
    expect(infrastructureFailureOf(err)).toEqual(expect.objectContaining({ retryAfterS: expect.any(Number) }));
  });

  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'kind')")],
    ['a constraint violation', Object.assign(new Error('duplicate key value violates unique constraint'), { name: 'QueryFailedError', code: '23505', driverError: { code: '23505' } })],
    ['bad SQL', Object.assign(new Error('syntax error'), { name: 'QueryFailedError', driverError: { code: '42601' } })],
    ['not an object', 'boom'],
    ['null', null],
  ])('%s → not an outage', (_name, err) => {
    expect(infrastructureFailureOf(err)).toBeNull();
  });
});

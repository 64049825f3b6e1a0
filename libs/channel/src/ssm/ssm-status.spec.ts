import { mapSsmStatus, hasTruncationMarker } from './ssm-status';

describe('mapSsmStatus', () => {
  it.each([
    ['Pending', undefined, 'pending'],
    ['Pending', 'Delayed', 'pending'],
    ['Delayed', 'Delayed', 'pending'],
    ['InProgress', 'In Progress', 'running'],
    ['Cancelling', 'Cancelling', 'running'],
    ['Success', 'Success', 'succeeded'],
    ['Cancelled', 'Canceled', 'cancelled'],
    ['TimedOut', 'Execution Timed Out', 'timed_out'],
    ['TimedOut', 'ExecutionTimedOut', 'timed_out'],
    ['TimedOut', 'Delivery Timed Out', 'undelivered'],
    ['TimedOut', 'DeliveryTimedOut', 'undelivered'],
    ['Failed', 'Failed', 'failed'],
    ['Failed', 'Undeliverable', 'undelivered'],
    ['Failed', 'InvalidPlatform', 'rejected'],
    ['Failed', 'Invalid Platform', 'rejected'],
    ['Failed', 'Access Denied', 'rejected'],
    ['Failed', 'Terminated', 'cancelled'],
  ])('%s / %s -> %s', (status, details, expected) => {
    expect(mapSsmStatus(status, details)).toBe(expected);
  });

  it('treats unknown and missing statuses as non-terminal', () => {
    expect(mapSsmStatus('SomethingNew', 'x')).toBe('pending');
    expect(mapSsmStatus(undefined, undefined)).toBe('pending');
  });
});

describe('hasTruncationMarker', () => {
  it('detects the agent markers and not ordinary text', () => {
    expect(hasTruncationMarker('abc\n---Output truncated---')).toBe(true);
    expect(hasTruncationMarker('abc --output truncated--')).toBe(true);
    expect(hasTruncationMarker('{"ok":true}')).toBe(false);
  });
});

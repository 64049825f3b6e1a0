import { routeSdkNodeVersionWarning } from './node-version-warning';

const SDK_TEXT = `NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)
versions published after the first week of January 2027
will require node >=22. You are running node v20.20.2.

To continue receiving updates to AWS services, bug fixes,
and security updates please upgrade to node >=22.

More information can be found at: https://a.co/c895JFp`;

describe('the AWS SDK Node-version warning', () => {
  it('goes to the logger once, as one line; other warnings are left alone', () => {
    const logged: string[] = [];
    const realEmit = process.emitWarning;
    const passedOn = jest.fn();
    process.emitWarning = passedOn as never; // what the router wraps: Node's own printer
    try {
      routeSdkNodeVersionWarning((m) => logged.push(m));
      process.emitWarning(SDK_TEXT);
      process.emitWarning(SDK_TEXT);
      process.emitWarning('something else entirely', 'OtherWarning');
    } finally {
      process.emitWarning = realEmit;
    }
    expect(logged).toHaveLength(1);
    expect(logged[0]).not.toContain('\n');
    expect(logged[0]).toMatch(/^NodeVersionSupportWarning: The AWS SDK for JavaScript \(v3\) versions published after the first week of January 2027 will require node >=22\./);
    expect(passedOn.mock.calls).toEqual([['something else entirely', 'OtherWarning']]);
  });
});

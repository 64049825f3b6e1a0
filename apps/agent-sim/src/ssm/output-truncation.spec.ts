import { capText, OUTPUT_TRUNCATED, pluginOutput } from './output-truncation';

// Vectors from amazon-ssm-agent iohandler_test.go (capacity 100).
const sample = 'This is a sample text. '.repeat(60);

describe('SSM output truncation', () => {
  it('keeps short output as is', () => {
    expect(pluginOutput('sample output', '', 100)).toBe('sample output');
    expect(pluginOutput('', 'sample error', 100)).toBe('\n----------ERROR-------\nsample error');
    expect(pluginOutput('sample output', 'sample error', 100)).toBe('sample output\n----------ERROR-------\nsample error');
  });

  it('cuts like the agent: text + marker fill the cap exactly', () => {
    expect(pluginOutput(sample, '', 100)).toBe('This is a sample text. This is a sample text. This is a sample text. This is \n---Output truncated---');
    expect(pluginOutput('', sample, 100)).toBe('\n----------ERROR-------\nThis is a sample text. This is a sample text. This is\n---Error truncated----');
    expect(pluginOutput(sample, sample, 100)).toBe(
      'This is a sampl\n---Output truncated---\n----------ERROR-------\nThis is a sampl\n---Error truncated----',
    );
  });

  it('caps GetCommandInvocation output at the limit including the marker', () => {
    const out = capText('x'.repeat(30_000), 24_000, OUTPUT_TRUNCATED);
    expect(out).toHaveLength(24_000);
    expect(out.endsWith(OUTPUT_TRUNCATED)).toBe(true);
  });
});

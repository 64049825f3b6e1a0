import { StatementCoalescer } from './statement-coalescer';

/** A fake store: `many` and `one` record what each statement held; a statement ends when released. */
function setup(opts: { failMany?: (items: string[]) => boolean } = {}) {
  const statements: string[][] = [];
  const open: (() => void)[] = [];
  const later = <T>(v: T) => new Promise<T>((resolve) => open.push(() => resolve(v)));
  const c = new StatementCoalescer<string, string>({
    key: (i) => i.split(':')[0],
    one: async (i) => {
      statements.push([i]);
      if (i.endsWith('bad')) throw new Error(`bad ${i}`);
      return later(`one ${i}`);
    },
    many: async (items) => {
      statements.push(items);
      if (opts.failMany?.(items)) throw new Error('statement failed');
      return later(items.map((i) => `many ${i}`));
    },
    max: 3,
  });
  const release = async () => {
    await new Promise((r) => setImmediate(r));
    while (open.length) open.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { c, statements, release };
}

describe('StatementCoalescer', () => {
  it('writes of one turn share statements of at most `max`; a lone write runs alone', async () => {
    const { c, statements, release } = setup();
    const got = Promise.all(['a:1', 'b:1', 'c:1', 'd:1'].map((i) => c.run(i)));
    await release();
    expect(await got).toEqual(['many a:1', 'many b:1', 'many c:1', 'one d:1']);
    expect(statements).toEqual([['a:1', 'b:1', 'c:1'], ['d:1']]);
  });

  it('a second write of a key goes in the next turn, without waiting for the first statement to end (it may hang on a dead connection)', async () => {
    const { c, statements, release } = setup();
    const first = [c.run('a:1'), c.run('b:1'), c.run('a:2'), c.run('a:3')];
    await new Promise((r) => setImmediate(r));
    expect(statements).toEqual([['a:1', 'b:1']]);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    // The first statement has not ended, and the next ones went anyway, one per turn.
    expect(statements).toEqual([['a:1', 'b:1'], ['a:2'], ['a:3']]);
    await release();
    expect(await Promise.all(first)).toEqual(['many a:1', 'many b:1', 'one a:2', 'one a:3']);
  });

  it('when the shared statement fails, each write is tried alone and gets its own answer or error', async () => {
    const { c, statements, release } = setup({ failMany: (items) => items.length > 1 });
    const got = ['a:1', 'b:bad', 'c:1'].map((i) => c.run(i).catch((e: Error) => e.message));
    await release();
    await release();
    expect(await Promise.all(got)).toEqual(['one a:1', 'bad b:bad', 'one c:1']);
    expect(statements).toEqual([['a:1', 'b:bad', 'c:1'], ['a:1'], ['b:bad'], ['c:1']]);
  });
});

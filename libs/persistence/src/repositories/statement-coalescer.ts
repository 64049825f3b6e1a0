/**
 * Writes or reads asked for in the same turn of the event loop go to PostgreSQL as one statement. The
 * batched path advances many remediations side by side (a batch's results, a tick's starts), and
 * one statement per step each was most of both the worker's and PostgreSQL's CPU per remediation.
 *
 * - A lone write runs as before (`one`): a single fix pays no extra latency beyond one setImmediate.
 * - Two writes for the same key never share a statement (a compare-and-set joined twice to one
 *   row would apply once and answer both): the later one goes in the next turn's statement. It
 *   does not wait for the earlier one to end: a statement hung on a dead connection would then
 *   hold every later write of that row, even a retry on a fresh connection. Racing writes of
 *   one row are settled by PostgreSQL's row lock and the compare-and-set, as before.
 * - If the shared statement fails, each write is retried alone, so one bad write cannot fail the
 *   others and every caller gets its own answer or error.
 */
export class StatementCoalescer<I, O> {
  private pending: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    private readonly opts: {
      key: (item: I) => string;
      one: (item: I) => Promise<O>;
      /** The answers in the items' order. */
      many: (items: I[]) => Promise<O[]>;
      max: number;
    },
  ) {}

  run(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const all = this.pending;
    this.pending = [];
    const seen = new Set<string>();
    const now: typeof all = [];
    for (const p of all) {
      const k = this.opts.key(p.item);
      if (seen.has(k)) this.pending.push(p); // the next turn's statement
      else {
        seen.add(k);
        now.push(p);
      }
    }
    if (this.pending.length) this.schedule();
    for (let i = 0; i < now.length; i += this.opts.max) void this.write(now.slice(i, i + this.opts.max));
  }

  private async write(chunk: typeof this.pending): Promise<void> {
    if (chunk.length === 1) return this.alone(chunk[0]);
    let answers: O[];
    try {
      answers = await this.opts.many(chunk.map((p) => p.item));
    } catch {
      await Promise.all(chunk.map((p) => this.alone(p)));
      return;
    }
    chunk.forEach((p, i) => p.resolve(answers[i]));
  }

  private async alone(p: (typeof this.pending)[number]): Promise<void> {
    try {
      p.resolve(await this.opts.one(p.item));
    } catch (err) {
      p.reject(err);
    }
  }
}

import { ChildProcess, spawn } from 'child_process';
import path from 'path';

export const ROOT = path.resolve(__dirname, '../../..');

/** A child Node process whose stdout and stderr are captured (the "log file" a test greps). */
export class CapturedProcess {
  private readonly chunks: string[] = [];
  readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (c: string) => this.chunks.push(c));
    child.stderr?.on('data', (c: string) => this.chunks.push(c));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static start(args: string[], env: NodeJS.ProcessEnv): CapturedProcess {
    return new CapturedProcess(spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  get output(): string {
    return this.chunks.join('');
  }

  /** Resolves with the first match of `re` in the output (bounded). */
  async waitFor(re: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const m = this.output.match(re);
      if (m) return m;
      if (this.child.exitCode !== null || Date.now() > end) throw new Error(`no ${re} in output (exit ${this.child.exitCode}):\n${this.output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(t);
    }
  }
}

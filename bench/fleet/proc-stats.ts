import { readdirSync, readFileSync } from 'fs';

/** Resident set size of a process (kB), 0 when it is gone. */
export function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

const TICK_MS = 10; // USER_HZ = 100 on Linux

/** User + system CPU time of a process (ms) from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** User and system CPU time of a process (ms), apart: system time is mostly round trips (socket I/O, wake-ups). */
export function cpuSplitMs(pid: number): { user: number; sys: number } {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return { user: Number(f[11]) * TICK_MS, sys: Number(f[12]) * TICK_MS };
  } catch {
    return { user: 0, sys: 0 };
  }
}

/**
 * CPU of the PostgreSQL backends serving one database: their process title names it, so other
 * databases on the shared server are not counted. Sampled through the run (a backend that exits
 * keeps the last value seen).
 */
export class PostgresCpu {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();

  constructor(private readonly database: string) {}

  sample(): void {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        if (!readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(` ${this.database} `)) continue;
        const pid = Number(d);
        const ms = cpuMs(pid);
        if (!this.first.has(pid)) this.first.set(pid, 0);
        this.last.set(pid, ms);
      } catch {
        /* gone */
      }
    }
  }

  /** Backends seen at the first sample count from then; later ones from their start. */
  startAt(): void {
    this.first.clear();
    this.last.clear();
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(` ${this.database} `)) {
          const ms = cpuMs(Number(d));
          this.first.set(Number(d), ms);
          this.last.set(Number(d), ms);
        }
      } catch {
        /* gone */
      }
    }
  }

  totalMs(): number {
    let t = 0;
    for (const [pid, ms] of this.last) t += ms - (this.first.get(pid) ?? 0);
    return t;
  }

  /** Backends seen serving the database during the run (a pool that closes idle clients makes new ones, each paying its start-up). */
  backendsSeen(): number {
    return this.last.size;
  }

  backendRssKb(): number {
    let t = 0;
    for (const pid of this.last.keys()) t = Math.max(t, rssKb(pid));
    return t;
  }
}

/** Busy and total CPU time of the whole machine (ms, all cores) from /proc/stat. */
export function machineCpuMs(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0) * TICK_MS;
  const idle = (f[3] + (f[4] ?? 0)) * TICK_MS; // idle + iowait
  return { busy: total - idle, total };
}

/** Read and write system calls a process made so far (/proc/<pid>/io): each is a round trip's share of kernel work. */
export function syscalls(pid: number): { reads: number; writes: number } {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const n = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(io)?.[1] ?? 0);
    return { reads: n('syscr'), writes: n('syscw') };
  } catch {
    return { reads: 0, writes: 0 };
  }
}

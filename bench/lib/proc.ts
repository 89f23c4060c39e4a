/**
 * CPU time and resident memory of a process, read from /proc (Linux), so the bench can attribute
 * CPU to the server processes alone, not to the load generator.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let clockTicks: number | null = null;
function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface ProcSample {
  readonly pid: number;
  /** user + system CPU seconds since the process started. */
  readonly cpuSeconds: number;
  readonly rssBytes: number;
  /** When the sample was taken (performance.now(), ms). */
  readonly at: number;
}

/** Reads /proc/<pid>/stat (utime, stime) and /proc/<pid>/status (VmRSS); null when the process is gone. */
export function sampleProc(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is parenthesised and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? 0);
    return { pid, cpuSeconds: (utime + stime) / ticksPerSecond(), rssBytes: rssKb * 1024, at: performance.now() };
  } catch {
    return null;
  }
}

/** CPU use between two samples of one process, as a fraction of one core. */
export function cpuBetween(a: ProcSample, b: ProcSample): number {
  const seconds = (b.at - a.at) / 1000;
  return seconds > 0 ? (b.cpuSeconds - a.cpuSeconds) / seconds : 0;
}

/** utime, stime, cutime, cstime (seconds) and the parent pid from /proc/<pid>/stat; null when gone. */
function statTimes(pid: number): { own: number; reaped: number; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const t = ticksPerSecond();
    return { own: (Number(f[11]) + Number(f[12])) / t, reaped: (Number(f[13]) + Number(f[14])) / t, ppid: Number(f[1]) };
  } catch {
    return null;
  }
}

/**
 * CPU seconds of a process and its children (PostgreSQL's postmaster and its backends): its own
 * time, the time of children it has reaped, and that of the children still running. A backend
 * that exits between two samples moves its time from the last term to the second, so the
 * difference of two samples stays the tree's CPU in between.
 */
export function sampleTree(pid: number): ProcSample | null {
  const root = statTimes(pid);
  if (!root) return null;
  let cpuSeconds = root.own + root.reaped;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = statTimes(Number(entry));
    if (child && child.ppid === pid) cpuSeconds += child.own;
  }
  return { pid, cpuSeconds, rssBytes: 0, at: performance.now() };
}

export interface MachineSample {
  readonly idle: number;
  readonly total: number;
}

/** The machine's CPU counters (/proc/stat, all cores): idle + iowait, and the total. */
export function sampleMachine(): MachineSample {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idle: (v[3] ?? 0) + (v[4] ?? 0), total };
}

/** The machine's idle share between two samples (0…1, of all cores). */
export const idleBetween = (a: MachineSample, b: MachineSample): number => (b.total > a.total ? (b.idle - a.idle) / (b.total - a.total) : Number.NaN);

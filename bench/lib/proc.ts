/**
 * CPU time and resident memory of a process, read from /proc (Linux), so the bench can attribute
 * CPU to the server processes alone, not to the load generator.
 */
import { readFileSync } from 'node:fs';
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

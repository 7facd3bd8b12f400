import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/**
 * CPU accounting for a measured window (Linux /proc): how much of a core the
 * server process, Postgres (every `postgres` process, plus backends that
 * exited, via the postmaster's reaped-children time) and this bench used, and
 * how busy the whole machine was. Steadier than a single run's p99 when
 * judging whether a change made the loop cheaper.
 */
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export interface CpuSnapshot {
  at: number;
  server: number;
  postgres: number;
  bench: number;
  busy: number;
  steal: number;
  /** The given Postgres backends (one database's connections) only: CPU seconds by pid. */
  backends: Map<number, number>;
}

export interface CpuUse {
  /** Percent of one core over the window. */
  server: number;
  postgres: number;
  bench: number;
  /** Whole machine, percent of one core (2 cores = 200). */
  busy: number;
  steal: number;
  backends: number;
}

/** utime + stime (+ reaped children when `withChildren`) in seconds. */
function processSeconds(pid: number | string, withChildren = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const own = Number(f[11]) + Number(f[12]);
    return (withChildren ? own + Number(f[13]) + Number(f[14]) : own) / TICKS;
  } catch {
    return 0; // exited meanwhile
  }
}

function postgresSeconds(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let comm: string;
    let ppidIsPostgres = false;
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (comm !== 'postgres') continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      ppidIsPostgres = readFileSync(`/proc/${ppid}/comm`, 'utf8').trim() === 'postgres';
    } catch {
      continue;
    }
    // The postmaster (parent is not postgres) also carries the time of backends that exited.
    total += processSeconds(pid, !ppidIsPostgres);
  }
  return total;
}

function machineSeconds(): { busy: number; steal: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = line as [number, number, number, number, number, number, number, number];
  return { busy: (user + nice + system + irq + softirq) / TICKS, steal: steal / TICKS };
}

/** `backendPids`: Postgres backends to account on their own (e.g. one database's, from pg_stat_activity), unaffected by other databases' load. */
export function cpuSnapshot(serverPid: number, backendPids: number[] = []): CpuSnapshot {
  const usage = process.cpuUsage();
  const m = machineSeconds();
  return {
    at: performance.now(),
    server: processSeconds(serverPid),
    postgres: postgresSeconds(),
    bench: (usage.user + usage.system) / 1e6,
    busy: m.busy,
    steal: m.steal,
    backends: new Map(backendPids.map((pid) => [pid, processSeconds(pid)])),
  };
}

export function cpuUse(a: CpuSnapshot, b: CpuSnapshot): CpuUse {
  const s = (b.at - a.at) / 1000;
  const pct = (x: number, y: number) => ((y - x) / s) * 100;
  return {
    server: pct(a.server, b.server),
    postgres: pct(a.postgres, b.postgres),
    bench: pct(a.bench, b.bench),
    busy: pct(a.busy, b.busy),
    steal: pct(a.steal, b.steal),
    backends: (backendSeconds(a.backends, b.backends) / s) * 100,
  };
}

/**
 * CPU the backends used between two snapshots, pid by pid: a pool opens and
 * closes connections while it idles, so the end snapshot lists backends the
 * start did not (all of their time is in the window) and misses some that
 * exited (their last moments are lost; an idle backend's are next to none).
 */
function backendSeconds(a: Map<number, number>, b: Map<number, number>): number {
  let total = 0;
  for (const [pid, end] of b) total += Math.max(0, end - (a.get(pid) ?? 0));
  return total;
}

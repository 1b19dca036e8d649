// CPU time spent on a measurement: this process's plus that of the database sessions of one database,
// read from /proc (Linux, PostgreSQL on this machine). Wall time on a shared machine says as much about
// the neighbours as about the code; CPU time barely moves with their load, so it is printed next to it.
import { readFile } from 'node:fs/promises';
import type { DataSource } from 'typeorm';

/** Linux's USER_HZ: /proc reports CPU time in these ticks; 100 on every mainstream kernel build. */
const TICK_MS = 10;

/** utime + stime of one process, in ms; undefined when /proc cannot tell (another OS, a remote server). */
async function processCpuMs(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

export interface CpuReading {
  sessions: Map<number, number>;
  client: number;
}

/** Sessions connected to `ds`'s database now, and this process; undefined when /proc has no answer. */
export async function readCpu(ds: DataSource): Promise<CpuReading | undefined> {
  const rows = (await ds.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')) as {
    pid: number;
  }[];
  const sessions = new Map<number, number>();
  for (const { pid } of rows) {
    const ms = await processCpuMs(Number(pid));
    if (ms === undefined) return undefined;
    sessions.set(Number(pid), ms);
  }
  const { user, system } = process.cpuUsage();
  return { sessions, client: (user + system) / 1000 };
}

/** CPU ms between two readings; sessions opened in between count from zero (their start is in it). */
export function cpuBetween(before: CpuReading | undefined, after: CpuReading | undefined): number | undefined {
  if (!before || !after) return undefined;
  let ms = after.client - before.client;
  for (const [pid, now] of after.sessions) ms += now - (before.sessions.get(pid) ?? 0);
  return ms;
}

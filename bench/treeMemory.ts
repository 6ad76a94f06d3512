/**
 * Memory of a process tree at the same instants: the sum of RSS (and of PSS) over a process and
 * all its descendants, sampled from /proc by the bench's own process — never on the event loop
 * of the process being measured, so the sampling adds no stall there.
 *
 * Why the sum at one instant and not the sum of each process's peak: the extension host and its
 * index worker peak at different moments (the worker while it builds, the host when it opens the
 * committed index after the worker has exited), and adding two peaks that never coexist reports
 * memory the machine never held. RSS counts pages two processes share (the node binary) twice,
 * so the sum is on the high side. PSS would split them, but reading it (smaps_rollup) walks the
 * process's page tables under its mmap lock every tick and can stall the process being measured.
 */
import fs from 'node:fs';

export interface TreeMemory {
  /** Highest sum of VmRSS over the tree at one sample, MB. */
  readonly peakRssMb: number;
  /** How many processes the tree had at the RSS peak, and each one's RSS then (MB, tree order). */
  readonly atPeak: readonly number[];
  readonly samples: number;
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      for (const c of fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/)) if (c) out.push(Number(c));
    } catch {
      /* the task ended between the listing and the read */
    }
  }
  return out;
}

function tree(root: number): number[] {
  const all = [root];
  for (let i = 0; i < all.length; i++) all.push(...childrenOf(all[i]));
  return all;
}

/** `field` (in kB) of a /proc/<pid>/status file, as MB; 0 when the process is gone. */
function kbField(file: string, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(file, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Samples the tree under `pid` every `everyMs` until `stop()`. `skipRoot` leaves the root out
 * (a `/usr/bin/time` wrapper, whose own few MB are not the product's).
 */
export function sampleTreeMemory(pid: number, opts: { everyMs?: number; skipRoot?: boolean } = {}): { stop(): TreeMemory } {
  let peakRss = 0;
  let atPeak: number[] = [];
  let samples = 0;
  const sample = () => {
    const pids = tree(pid).slice(opts.skipRoot ? 1 : 0);
    const rss = pids.map((p) => kbField(`/proc/${p}/status`, 'VmRSS'));
    const sum = rss.reduce((a, b) => a + b, 0);
    if (sum > peakRss) {
      peakRss = sum;
      atPeak = rss;
    }
    samples++;
  };
  const timer = setInterval(sample, opts.everyMs ?? 20);
  sample();
  return {
    stop() {
      clearInterval(timer);
      return { peakRssMb: peakRss, atPeak, samples };
    },
  };
}

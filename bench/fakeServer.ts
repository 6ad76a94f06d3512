/**
 * The fake DashScope server for the benchmarks: the one entry point (test/fake-dashscope/main.ts)
 * in a process of its own, so its CPU does not distort the client's numbers; counters read from
 * its /__fake/ control routes. Flags are main.ts's (--rpm N --tpm N --burst N --latency MS
 * --seed N --fault KIND=P --retry-after MS …).
 */
import { FakeDashScopeProcess } from '../test/fake-dashscope/process';

export interface CountersSnapshot {
  requests: number;
  byStatus: Record<string, number>;
  texts: number;
  tokens: number;
  embedCounts: Record<string, number>;
  successTimes: number[];
  faults: Record<string, number>;
  maxBatchSeen: number;
  /** CPU ms the server process has used so far. */
  serverCpuMs: number;
}

/** The fake server as a child process of the benchmark. */
export class FakeServerProcess {
  private constructor(private readonly p: FakeDashScopeProcess) {}

  get url(): string {
    return this.p.url;
  }

  static async start(flags: string[] = []): Promise<FakeServerProcess> {
    return new FakeServerProcess(await FakeDashScopeProcess.start(flags));
  }

  counters(): Promise<CountersSnapshot> {
    return this.p.control('counters');
  }

  async reset(): Promise<void> {
    await this.p.control('reset', {});
  }

  stop(): Promise<void> {
    return this.p.stop();
  }
}

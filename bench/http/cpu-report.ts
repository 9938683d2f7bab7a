/**
 * Lets the benchmark parent ask a server child for its CPU time over IPC, to report CPU per
 * request next to requests/s (CPU time is far less sensitive to a busy machine than throughput).
 */
export function answerCpuQueries(): void {
  process.on('message', (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpu: user + system });
    }
  });
  // The IPC channel must not keep the child alive on its own.
  process.channel?.unref();
}

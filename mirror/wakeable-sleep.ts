/**
 * A sleep that another part of the process can end early: a loop waiting between rounds (a paused
 * task, a heartbeat interval) notices a stop, a resume or a new assignment at once instead of at the
 * end of its wait. One sleeper at a time per instance, which is how each loop uses it.
 */
export class WakeableSleep {
  private wakeUp: (() => void) | undefined;

  /** Resolves after `ms`, or as soon as `wake()` is called. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  /** Ends the current sleep, if any. */
  wake(): void {
    this.wakeUp?.();
  }
}

// Test-only fault hooks (DESIGN.md): the runtime may make the page
// misbehave, but only a page it launched with `faults=1` in its URL (the
// runtime's `recovery.fault_injection`), and only over the bridge its
// one-time token opened. Each fault is what a real failure looks like to
// the runtime: no answer, an allocation failure, an unsupported-operator
// error, a closed socket, or JavaScript that stops running.

// The errors as Chromium and onnxruntime-web word them
// (tests/actors/rules/captured_page_errors.json).
const OOM_MESSAGE = 'Array buffer allocation failed';
const UNSUPPORTED_MESSAGE = 'Fatal error: webaccel.fault:Injected(-1) is not a registered function/op';

export class FaultHooks {
  constructor(enabled) {
    this.enabled = enabled;
    this.pending = { hang: 0, oom: 0, unsupported: 0 };
  }

  /** Applies a fault command; false if faults are off or unknown. */
  command(msg, ws) {
    if (!this.enabled) return false;
    const count = Math.max(1, Math.min(Number(msg.count) || 1, 1000));
    switch (msg.fault) {
      case 'hang':
      case 'oom':
      case 'unsupported':
        this.pending[msg.fault] += count;
        return true;
      case 'close':
        ws.close(4000, 'fault injected: close');
        return true;
      case 'freeze': {
        // Busy for `count` seconds: heartbeats go unanswered.
        const end = performance.now() + Math.min(count, 120) * 1000;
        while (performance.now() < end) { /* stuck */ }
        return true;
      }
      default:
        return false;
    }
  }

  /** Before an inference: never settles (hang), throws (oom, unsupported), or returns. */
  async beforeInfer() {
    if (this.pending.hang > 0) {
      this.pending.hang -= 1;
      await new Promise(() => {});
    }
    if (this.pending.oom > 0) {
      this.pending.oom -= 1;
      throw new RangeError(OOM_MESSAGE);
    }
    if (this.pending.unsupported > 0) {
      this.pending.unsupported -= 1;
      throw new Error(UNSUPPORTED_MESSAGE);
    }
  }
}

// Test-only fault hooks (DESIGN.md): the runtime may make the page
// misbehave, but only a page it launched with `faults=1` in its URL (the
// runtime's `recovery.fault_injection`), and only over the bridge its
// one-time token opened. Each fault is what a real failure looks like to
// the runtime: no answer, an allocation failure, an unsupported-operator
// error, a closed socket, JavaScript that stops running, or a wedged page
// (every inference hangs while heartbeats are still answered).
//
// The counted faults skip the health monitor's canary (its model's key
// starts with CANARY_PREFIX): they stand for one request going wrong, and
// a canary that took the fault would leave the request it was meant for
// unharmed. A wedged page hangs the canaries too; that is how it is found.

// The errors as Chromium and onnxruntime-web word them
// (tests/actors/rules/captured_page_errors.json).
const OOM_MESSAGE = 'Array buffer allocation failed';
const UNSUPPORTED_MESSAGE = 'Fatal error: webaccel.fault:Injected(-1) is not a registered function/op';
const CANARY_PREFIX = 'webaccel_canary/';

export class FaultHooks {
  constructor(enabled) {
    this.enabled = enabled;
    this.pending = { hang: 0, oom: 0, unsupported: 0 };
    this.wedged = false;
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
      case 'wedge':
        this.wedged = true;
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

  /**
   * Before an inference of the model with page key `key`: never settles
   * (hang, wedge), throws (oom, unsupported), or returns.
   */
  async beforeInfer(key = '') {
    if (this.wedged) await new Promise(() => {});
    if (key.startsWith(CANARY_PREFIX)) return;
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

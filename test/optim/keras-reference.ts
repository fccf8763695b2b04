/**
 * An independent float32 re-implementation of Keras 3's optimizers, written from Keras's source
 * (keras/src/optimizers/base_optimizer.py: apply, _backend_apply_gradients, _apply_weight_decay,
 * _update_model_variables_moving_average; adam.py, lion.py, sgd.py: update_step), for the random
 * program tests. It shares no code with optim/: plain arrays of float32 values, one `f` (float32
 * rounding) per TensorFlow float32 op, and Python floats kept as doubles until an op casts them.
 *
 * TensorFlow's float32 ops round once per op; JS computes each op in double and `Math.fround`
 * rounds it, which gives the same float32 result for +, −, ×, ÷ and √ (double has more than twice
 * float32's precision, so the double rounding is innocuous).
 */
const f = Math.fround;

export type Rule =
  | { kind: "adam"; beta1: number; beta2: number; epsilon: number; amsgrad: boolean }
  | { kind: "lion"; beta1: number; beta2: number }
  | { kind: "sgd"; momentum: number; nesterov: boolean };

export interface ReferenceOptions {
  rule: Rule;
  learningRate: number;
  weightDecay: number | null;
  useEma: boolean;
  emaMomentum: number;
  emaOverwriteFrequency: number | null;
  gradientAccumulationSteps: number | null;
}

/** Keras's optimizer state for a list of float32 variables, stepped by `apply(grads)`. */
export class KerasReference {
  /** Raw apply calls (Keras's `_iterations`). */
  private rawIterations = 0;
  private readonly m: Float32Array[];
  private readonly u: Float32Array[];
  private readonly uHat: Float32Array[];
  private readonly acc: Float32Array[];
  private readonly avg: Float32Array[];
  /** `self.learning_rate` is a float32 variable holding the Python float. */
  private readonly lr: number;

  constructor(
    readonly vars: Float32Array[],
    readonly o: ReferenceOptions,
  ) {
    const zeros = () => vars.map((v) => new Float32Array(v.length));
    this.m = zeros();
    this.u = zeros();
    this.uHat = zeros();
    this.acc = zeros();
    this.avg = vars.map((v) => v.slice()); // add_variable_from_reference copies the variable
    this.lr = f(o.learningRate);
  }

  /** Keras's public `iterations`: real updates (floor of raw / N with accumulation). */
  get iterations(): number {
    const n = this.o.gradientAccumulationSteps;
    return n ? Math.floor(this.rawIterations / n) : this.rawIterations;
  }

  apply(grads: Float32Array[]): void {
    const n = this.o.gradientAccumulationSteps;
    if (n) {
      const isUpdate = (this.rawIterations + 1) % n === 0;
      if (isUpdate) {
        // grads = [(g + acc_g) / steps ...]: two float32 ops; then all accumulators reset
        const mean = grads.map((g, i) => g.map((x, k) => f(f(x + this.acc[i][k]) / n)));
        this.core(mean);
        for (const a of this.acc) a.fill(0);
      } else {
        grads.forEach((g, i) => g.forEach((x, k) => (this.acc[i][k] = f(this.acc[i][k] + x))));
      }
    } else {
      this.core(grads);
    }
    if (this.o.useEma) this.ema();
    this.rawIterations++;
  }

  private core(grads: Float32Array[]): void {
    // _apply_weight_decay: variable - variable * wd * lr, all variables before any update_step
    if (this.o.weightDecay !== null) {
      const wd = f(this.o.weightDecay);
      for (const v of this.vars) for (let k = 0; k < v.length; k++) v[k] = f(v[k] - f(f(v[k] * wd) * this.lr));
    }
    grads.forEach((g, i) => this.updateStep(g, i));
  }

  private updateStep(g: Float32Array, i: number): void {
    const v = this.vars[i],
      lr = this.lr,
      rule = this.o.rule;
    if (rule.kind === "adam") {
      const t = f(this.iterations + 1);
      const b1p = f(Math.pow(f(rule.beta1), t)),
        b2p = f(Math.pow(f(rule.beta2), t));
      // alpha = lr * ops.sqrt(1 - beta_2_power) / (1 - beta_1_power), left to right
      const alpha = f(f(lr * f(Math.sqrt(f(1 - b2p)))) / f(1 - b1p));
      // ops.multiply(..., 1 - self.beta_1): the Python float 1 - beta_1, cast to float32
      const c1 = f(1 - rule.beta1),
        c2 = f(1 - rule.beta2),
        eps = f(rule.epsilon);
      const m = this.m[i],
        u = this.u[i],
        uh = this.uHat[i];
      for (let k = 0; k < v.length; k++) {
        m[k] = f(m[k] + f(f(g[k] - m[k]) * c1));
        u[k] = f(u[k] + f(f(f(g[k] * g[k]) - u[k]) * c2));
        let vel = u[k];
        if (rule.amsgrad) {
          uh[k] = Math.max(uh[k], u[k]);
          vel = uh[k];
        }
        v[k] = f(v[k] - f(f(m[k] * alpha) / f(f(Math.sqrt(vel)) + eps)));
      }
    } else if (rule.kind === "lion") {
      // beta_1 = ops.cast(self.beta_1, dtype) first, then (1.0 - beta_1) in float32
      const b1 = f(rule.beta1),
        b2 = f(rule.beta2),
        c1 = f(1 - b1),
        c2 = f(1 - b2);
      const m = this.m[i];
      for (let k = 0; k < v.length; k++) {
        const c = f(f(m[k] * b1) + f(g[k] * c1));
        v[k] = f(v[k] - f(lr * Math.sign(c)));
        m[k] = f(f(m[k] * b2) + f(g[k] * c2));
      }
    } else if (rule.momentum !== 0) {
      const mu = f(rule.momentum),
        m = this.m[i];
      for (let k = 0; k < v.length; k++) {
        m[k] = f(f(m[k] * mu) - f(g[k] * lr));
        v[k] = f(v[k] + (rule.nesterov ? f(f(m[k] * mu) - f(g[k] * lr)) : m[k]));
      }
    } else {
      for (let k = 0; k < v.length; k++) v[k] = f(v[k] - f(g[k] * lr));
    }
  }

  private ema(): void {
    // momentum = cast(iterations != 0) * ema_momentum; average = momentum * average + (1 - momentum) * var
    const mom = f((this.iterations !== 0 ? 1 : 0) * f(this.o.emaMomentum));
    const om = f(1 - mom);
    this.vars.forEach((v, i) => {
      const a = this.avg[i];
      for (let k = 0; k < v.length; k++) a[k] = f(f(mom * a[k]) + f(om * v[k]));
    });
    const freq = this.o.emaOverwriteFrequency;
    if (freq && (this.iterations + 1) % freq === 0) this.vars.forEach((v, i) => v.set(this.avg[i]));
  }
}

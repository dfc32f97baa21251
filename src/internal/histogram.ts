/**
 * A log-bucketed histogram of durations in milliseconds: O(1) to record, fixed memory, percentiles
 * within about 3% of the true value. Covers 1 microsecond to about 12 days.
 */

const BUCKETS_PER_DOUBLING = 24;
const MIN = 0.001; // 1 microsecond
const COUNT = BUCKETS_PER_DOUBLING * 40;

/** Percentiles of a set of durations, in milliseconds (all 0 when nothing was recorded). */
export interface Percentiles {
  readonly count: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export class Histogram {
  #counts = new Uint32Array(COUNT);
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = 0;

  record(ms: number): void {
    if (!(ms >= 0)) return;
    const bucket =
      ms <= MIN ? 0 : Math.min(COUNT - 1, Math.ceil(Math.log2(ms / MIN) * BUCKETS_PER_DOUBLING));
    this.#counts[bucket]!++;
    this.#count++;
    this.#sum += ms;
    if (ms < this.#min) this.#min = ms;
    if (ms > this.#max) this.#max = ms;
  }

  #at(fraction: number): number {
    const rank = Math.ceil(fraction * this.#count);
    let seen = 0;
    for (let i = 0; i < COUNT; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) {
        const value = MIN * 2 ** (i / BUCKETS_PER_DOUBLING);
        return Math.min(this.#max, Math.max(this.#min, value));
      }
    }
    return this.#max;
  }

  percentiles(): Percentiles {
    if (this.#count === 0) return { count: 0, min: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
    return {
      count: this.#count,
      min: this.#min,
      p50: this.#at(0.5),
      p90: this.#at(0.9),
      p99: this.#at(0.99),
      max: this.#max,
      mean: this.#sum / this.#count,
    };
  }
}

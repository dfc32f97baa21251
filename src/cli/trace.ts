/**
 * Chrome / Perfetto traces of a `tsio demo` run, in the Trace Event Format
 * (`{"traceEvents": [...]}`): open the file in https://ui.perfetto.dev or chrome://tracing. Each
 * demo is a process (named after it), each of its lanes a thread; spans are complete (`X`) events,
 * marks instant (`i`) events, times in microseconds from the start of the run.
 */
import { writeFile } from 'node:fs/promises';
import type { Span } from './timeline.js';

/** One demo's part of a trace. */
export interface TraceSection {
  /** The process name shown for it. */
  readonly name: string;
  /** Where its spans start, in milliseconds from the start of the run. */
  readonly offset: number;
  /** Its spans, in milliseconds relative to its own start. */
  readonly spans: readonly Span[];
}

/** An event of the Trace Event Format (the subset tsio writes). */
export interface TraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'i' | 'M';
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly s?: 't';
  readonly args?: Record<string, unknown>;
}

/** The trace document: what `JSON.parse` of a trace file gives. */
export interface TraceDocument {
  readonly traceEvents: TraceEvent[];
  readonly displayTimeUnit: 'ms';
}

const us = (ms: number): number => Math.round(ms * 1000);

/**
 * Builds the trace of a run from its sections, one after another on the time axis: section `i`
 * is process `i + 1`, its lanes threads `1..n` in order of first appearance, with metadata events
 * naming and ordering both.
 *
 * @example
 * ```ts
 * const doc = buildTrace([{ name: 'tasks', offset: 0, spans: timeline.spans() }]);
 * ```
 */
export function buildTrace(sections: readonly TraceSection[]): TraceDocument {
  const events: TraceEvent[] = [];
  sections.forEach((section, index) => {
    const pid = index + 1;
    events.push(
      { name: 'process_name', ph: 'M', pid, tid: 0, args: { name: section.name } },
      { name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: pid } },
    );
    const lanes = new Map<string, number>();
    for (const span of section.spans) {
      let tid = lanes.get(span.lane);
      if (tid === undefined) {
        tid = lanes.size + 1;
        lanes.set(span.lane, tid);
        events.push(
          { name: 'thread_name', ph: 'M', pid, tid, args: { name: span.lane } },
          { name: 'thread_sort_index', ph: 'M', pid, tid, args: { sort_index: tid } },
        );
      }
      const ts = us(section.offset + span.start);
      if (span.kind === 'mark') {
        events.push({ name: span.label, cat: span.kind, ph: 'i', s: 't', ts, pid, tid });
      } else {
        const dur = Math.max(1, us(section.offset + span.end) - ts);
        events.push({ name: span.label, cat: span.kind, ph: 'X', ts, dur, pid, tid });
      }
    }
  });
  return { traceEvents: events, displayTimeUnit: 'ms' };
}

/** The trace of `sections` as the text of a trace file (JSON and a newline). */
export function traceText(sections: readonly TraceSection[]): string {
  return JSON.stringify(buildTrace(sections)) + '\n';
}

/** Writes the trace of `sections` to `file` as JSON. */
export async function writeTrace(file: string, sections: readonly TraceSection[]): Promise<void> {
  await writeFile(file, traceText(sections));
}

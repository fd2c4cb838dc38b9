import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What /metrics reports, read when Prometheus scrapes. */
export interface MetricsSource {
  counters(): Record<string, number>;
  deadLetters(): Record<string, number>;
  influx(): { linesWritten: number; failedAttempts: number; linesQuarantined: number; linesLost: number } | undefined;
  activeHolds(): number;
  openAlarms(): number;
  /** New alarms (sent or suppressed) and new holds by characteristic since start. */
  raisedBy?(): { alarms: ReadonlyMap<string, number>; holds: ReadonlyMap<string, number> };
  /** Messages in the samples stream not yet delivered to this worker (consumer lag). */
  lag(): Promise<number | undefined>;
}

/** Prometheus metrics for `spc run` (`GET /metrics`), built with prom-client. */
export class WorkerMetrics {
  readonly registry = new Registry();
  /** Seconds from a message's storage in JetStream to its processing (holds go out then). */
  readonly latency = new Histogram({ name: 'spc_message_latency_seconds', help: 'JetStream store → processed (signals sent), seconds', buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [this.registry] });

  constructor(source: MetricsSource) {
    collectDefaultMetrics({ register: this.registry, prefix: 'spc_' });
    const counter = (name: string, help: string, read: () => number) => new Counter({
      name, help, registers: [this.registry],
      collect() { this.reset(); this.inc(read()); },
    });
    counter('spc_messages_total', 'sample messages consumed', () => source.counters().messages ?? 0);
    counter('spc_samples_total', 'samples processed', () => source.counters().samples ?? 0);
    counter('spc_points_total', 'chart points plotted', () => source.counters().points ?? 0);
    counter('spc_signals_total', 'holds, releases, alarms and clears sent', () => source.counters().signals ?? 0);
    counter('spc_messages_acked_total', 'messages acknowledged after their effects were stored', () => source.counters().acked ?? 0);
    counter('spc_redelivered_total', 'messages redelivered after processing (acknowledged, not reprocessed)', () => source.counters().redelivered ?? 0);
    counter('spc_commit_failures_total', 'failed commits to JetStream or the store (retried)', () => source.counters().commitFailures ?? 0);
    counter('spc_alarms_suppressed_total', 'alarms flood control recorded without sending (state suppressed; GET /api/alarms lists them)', () => source.counters().alarmsSuppressed ?? 0);
    counter('spc_anomaly_scored_total', 'units scored by anomaly models', () => source.counters().anomalyScored ?? 0);
    counter('spc_anomaly_unjudged_total', 'units anomaly models gave up waiting for (not every feature within wait; InfluxDB spc_anomaly_unjudged names them)', () => source.counters().anomalyIncomplete ?? 0);
    new Counter({ name: 'spc_dead_letters_total', help: 'messages sent to the dead-letter stream', labelNames: ['reason'], registers: [this.registry],
      collect() { this.reset(); for (const [reason, n] of Object.entries(source.deadLetters())) this.inc({ reason }, n); } });
    new Counter({ name: 'spc_influx_lines_total', help: 'InfluxDB lines by outcome', labelNames: ['outcome'], registers: [this.registry],
      collect() { this.reset(); const i = source.influx(); if (i) { this.inc({ outcome: 'written' }, i.linesWritten); this.inc({ outcome: 'quarantined' }, i.linesQuarantined); this.inc({ outcome: 'lost' }, i.linesLost); } } });
    new Counter({ name: 'spc_influx_write_failures_total', help: 'failed InfluxDB write attempts (retried)', registers: [this.registry],
      collect() { this.reset(); this.inc(source.influx()?.failedAttempts ?? 0); } });
    // Alarm rate per source is ISA-18.2's first alarm-system KPI; against `spc rules check`'s ARL it shows a miscalibrated chart.
    new Counter({ name: 'spc_alarms_raised_total', help: 'new alarms by characteristic (flood-suppressed ones included)', labelNames: ['characteristic'], registers: [this.registry],
      collect() { this.reset(); for (const [characteristic, n] of source.raisedBy?.().alarms ?? []) this.inc({ characteristic }, n); } });
    new Counter({ name: 'spc_holds_raised_total', help: 'new holds by characteristic', labelNames: ['characteristic'], registers: [this.registry],
      collect() { this.reset(); for (const [characteristic, n] of source.raisedBy?.().holds ?? []) this.inc({ characteristic }, n); } });
    new Gauge({ name: 'spc_holds_active', help: 'holds latched now', registers: [this.registry], collect() { this.set(source.activeHolds()); } });
    new Gauge({ name: 'spc_alarms_open', help: 'alarms not closed', registers: [this.registry], collect() { this.set(source.openAlarms()); } });
    new Gauge({ name: 'spc_consumer_lag_messages', help: 'samples waiting in JetStream for this worker', registers: [this.registry],
      async collect() { const lag = await source.lag(); if (lag !== undefined) this.set(lag); } });
  }

  async text(): Promise<{ type: string; body: string }> {
    return { type: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * Writes the Grafana dashboards of dashboards/ (run: npx tsx scripts/make-dashboards.ts). Typed with
 * @grafana/schema so a misspelt field fails the type-check; every query is executed by
 * test/integration/dashboards.test.ts against InfluxDB after a simulated run.
 */
import { writeFileSync } from 'node:fs';
import type { Dashboard, Panel, VariableModel } from '@grafana/schema';

const ds = { type: 'influxdb', uid: 'spc-influx' };
const inLine = `"line" =~ /^$line$/`;
const variable = (name: string, label: string, query: string): VariableModel => ({
  type: 'query', name, label, datasource: ds, query, refresh: 2, includeAll: false, multi: false, sort: 1,
} as VariableModel);
const lineVar = variable('line', 'Line', 'SHOW TAG VALUES FROM "spc_point" WITH KEY = "line"');
const stationVar = variable('station', 'Station', `SHOW TAG VALUES FROM "spc_point" WITH KEY = "station" WHERE ${inLine}`);
const characteristicVar = variable('characteristic', 'Characteristic', `SHOW TAG VALUES FROM "spc_point" WITH KEY = "characteristic" WHERE ${inLine} AND "station" =~ /^$station$/ AND "chart" != 'anomaly'`);
// A characteristic split by product (`by: [product, …]`) writes the split keys as tags split_<key>;
// "All" (the default) keeps every split, each drawn as its own series (GROUP BY /^split_/).
const productVar = { ...variable('product', 'Product (splits)', 'SHOW TAG VALUES FROM "spc_point" WITH KEY = "split_product"'), includeAll: true, allValue: '.*', current: { text: 'All', value: '$__all' } } as VariableModel;

let nextId = 1;
function panel(type: string, title: string, gridPos: Panel['gridPos'], queries: string[], extra: Partial<Panel> = {}): Panel {
  return {
    id: nextId++, type, title, gridPos, datasource: ds,
    targets: queries.map((query, i) => ({ refId: String.fromCharCode(65 + i), datasource: ds, rawQuery: true, resultFormat: type === 'table' ? 'table' : 'time_series', query })),
    ...extra,
  } as Panel;
}

function dashboard(uid: string, title: string, description: string, variables: VariableModel[], panels: Panel[], annotations: Dashboard['annotations'] = { list: [] }): Dashboard {
  return {
    uid, title, description, tags: ['spc-guard'], editable: true, schemaVersion: 39, version: 1, graphTooltip: 1,
    time: { from: 'now-6h', to: 'now' }, refresh: '10s', timezone: 'browser',
    templating: { list: variables }, annotations, panels,
  } as Dashboard;
}

const byCharacteristic = `"characteristic" =~ /^$characteristic$/ AND $timeFilter`;
// Points of a characteristic without splits have no split_product tag: InfluxDB compares it as "", which .* matches.
const bySplit = `"characteristic" =~ /^$characteristic$/ AND "split_product" =~ /^$product$/ AND $timeFilter`;
const controlChart = dashboard('spc-control-chart', 'spc-guard · Control chart', 'One characteristic (one series per split with by: product, cavity, …): statistic, center line, control limits, spec limits and violations.', [lineVar, stationVar, characteristicVar, productVar], [
  panel('timeseries', 'Control chart: $characteristic', { x: 0, y: 0, w: 24, h: 11 }, [
    `SELECT "statistic", "center", "ucl" AS "UCL", "lcl" AS "LCL", "lsl" AS "LSL", "usl" AS "USL" FROM "spc_point" WHERE ${bySplit} GROUP BY /^split_/`,
    `SELECT "statistic" AS "violation" FROM "spc_violation" WHERE ${bySplit} GROUP BY /^split_/`,
  ], {
    fieldConfig: {
      defaults: { custom: { drawStyle: 'line', lineWidth: 1, showPoints: 'never' } },
      overrides: [
        { matcher: { id: 'byRegexp', options: '.*(UCL|LCL)$' }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }, { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }] },
        { matcher: { id: 'byRegexp', options: '.*(LSL|USL)$' }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'orange' } }] },
        { matcher: { id: 'byRegexp', options: '.*center$' }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'gray' } }] },
        { matcher: { id: 'byRegexp', options: '.*violation$' }, properties: [{ id: 'custom.drawStyle', value: 'points' }, { id: 'custom.pointSize', value: 9 }, { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }] },
      ],
    },
  }),
  panel('timeseries', 'Companion chart (moving range / range / s / CUSUM sums)', { x: 0, y: 11, w: 12, h: 8 }, [`SELECT "mr", "range", "sd", "cplus", "cminus" FROM "spc_point" WHERE ${bySplit} GROUP BY /^split_/`]),
  panel('table', 'Violations, with the units and lots behind them', { x: 12, y: 11, w: 12, h: 8 }, [`SELECT "statistic", "actions", "units", "lots" FROM "spc_violation" WHERE ${bySplit} GROUP BY "rule", /^split_/`]),
  // Every limits version (Phase I lock, approved recalculation) as a step of center and σ.
  panel('timeseries', 'Limits versions (center and sigma, steps at each Phase I lock and approval)', { x: 0, y: 19, w: 24, h: 7 }, [`SELECT "center", "sigma", "version" FROM "spc_limits" WHERE ${byCharacteristic} GROUP BY "split"`], {
    fieldConfig: { defaults: { custom: { lineInterpolation: 'stepAfter', showPoints: 'always' } }, overrides: [] },
  }),
], {
  list: [{
    name: 'Holds', datasource: ds, enable: true, iconColor: 'red',
    // limit, matchAny, tags and type are what the schema's AnnotationTarget requires; the query is InfluxDB's.
    target: { limit: 100, matchAny: false, tags: [], type: 'tags', refId: 'Anno', rawQuery: true, query: `SELECT "id", "units" FROM "spc_signal" WHERE "type" = 'hold' AND "rev" = 1 AND ${byCharacteristic}` } as never,
  }],
});

const lineOverview = dashboard('spc-line-overview', 'spc-guard · Line overview', 'Holds, alarm rate, violations and capability of every characteristic of a line.', [lineVar], [
  // A latched hold or alarm writes a revision for every later point: count ids (or first revisions), not lines.
  panel('stat', 'Holds raised', { x: 0, y: 0, w: 6, h: 5 }, [`SELECT count(distinct("id")) FROM "spc_signal" WHERE "type" = 'hold' AND ${inLine} AND $timeFilter`]),
  panel('stat', 'Alarms raised', { x: 6, y: 0, w: 6, h: 5 }, [`SELECT count(distinct("id")) FROM "spc_signal" WHERE "type" = 'alarm' AND ${inLine} AND $timeFilter`]),
  panel('timeseries', 'Alarm rate', { x: 12, y: 0, w: 12, h: 5 }, [`SELECT count("id") AS "alarms" FROM "spc_signal" WHERE "type" = 'alarm' AND "rev" = 1 AND ${inLine} AND $timeFilter GROUP BY time($__interval) fill(0)`]),
  panel('table', 'Capability per characteristic (at Phase I lock)', { x: 0, y: 5, w: 12, h: 9 }, [`SELECT last("cpk") AS "Cpk", last("ppk") AS "Ppk", last("cp") AS "Cp", last("pp") AS "Pp" FROM "spc_capability" WHERE ${inLine} AND $timeFilter GROUP BY "characteristic"`]),
  panel('barchart', 'Points with violations per characteristic', { x: 12, y: 5, w: 12, h: 9 }, [`SELECT count("statistic") AS "violations" FROM "spc_violation" WHERE ${inLine} AND $timeFilter GROUP BY "characteristic"`]),
  // Paretos (the API's GET /api/pareto answers the same from the genealogy store): release causes
  // by the rule file's cause code (a tag of release lines), and rules fired.
  panel('barchart', 'Pareto of release causes (cause code)', { x: 0, y: 14, w: 12, h: 9 }, [`SELECT count("unit_count") AS "releases" FROM "spc_signal" WHERE "type" = 'release' AND ${inLine} AND $timeFilter GROUP BY "cause"`]),
  panel('barchart', 'Pareto of rules fired', { x: 12, y: 14, w: 12, h: 9 }, [`SELECT count("statistic") AS "points" FROM "spc_violation" WHERE ${inLine} AND $timeFilter GROUP BY "rule"`]),
]);

const anomaly = dashboard('spc-anomaly', 'spc-guard · Multivariate anomaly scores', 'Hotelling T² of every unit against its calibrated limit, and the units flagged.', [lineVar], [
  panel('timeseries', 'T² per unit vs limit', { x: 0, y: 0, w: 24, h: 10 }, [`SELECT "statistic" AS "T²", "ucl" AS "limit" FROM "spc_point" WHERE "chart" = 'anomaly' AND ${inLine} AND $timeFilter`], {
    fieldConfig: { defaults: { custom: { drawStyle: 'points', pointSize: 3 } }, overrides: [{ matcher: { id: 'byRegexp', options: '.*limit$' }, properties: [{ id: 'custom.drawStyle', value: 'line' }, { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }] }] },
  }),
  panel('table', 'Flagged units', { x: 0, y: 10, w: 24, h: 8 }, [`SELECT "statistic" AS "T²", "ucl" AS "limit", "units", "lots" FROM "spc_violation" WHERE "rule" = 'anomaly' AND ${inLine} AND $timeFilter`]),
]);

for (const [file, d] of [['control-chart', controlChart], ['line-overview', lineOverview], ['anomaly', anomaly]] as const) {
  writeFileSync(`dashboards/${file}.json`, JSON.stringify(d, null, 2) + '\n');
}
console.log('wrote dashboards/control-chart.json, line-overview.json, anomaly.json');

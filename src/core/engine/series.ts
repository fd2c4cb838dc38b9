/** A split's values, e.g. { product: "P-100", cavity: "2" }: shared by every point of the split. */
export type SplitValues = Readonly<Record<string, string>>;

/**
 * The series a split's points, holds and alarms belong to: `<characteristic>[product=P-100,cavity=2]`
 * (hold ids are `<series>#<index>`, so they name the split). Without a split, the characteristic.
 */
export function seriesId(characteristic: string, split: SplitValues | undefined): string {
  if (!split) return characteristic;
  return `${characteristic}[${Object.entries(split).map(([k, v]) => `${k}=${v}`).join(',')}]`;
}

/** The rule-file id of a series id (ids never contain '['). */
export const characteristicOfSeries = (series: string): string => { const i = series.indexOf('['); return i < 0 ? series : series.slice(0, i); };

/** The series of a hold or alarm id (`<series>#<index>`); an id without an index is its own series. */
export const seriesOfId = (id: string): string => { const i = id.lastIndexOf('#'); return i < 0 ? id : id.slice(0, i); };

/**
 * Reads a `/metrics` page the way Prometheus would — through a Prometheus text-format parser, not
 * regular expressions over our own output — and looks samples up by name and labels.
 */
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';

export interface Scrape {
  families: ParsedFamily[];
  /** A counter's or gauge's value, summed over the series matching `labels`; 0 when none does. */
  value(name: string, labels?: Record<string, string>): number;
  /** A histogram's observation count, summed over the series matching `labels`; 0 when none does. */
  histogramCount(name: string, labels?: Record<string, string>): number;
  /** Every label set of a family. */
  labelSets(name: string): Array<Record<string, string>>;
}

const matches = (actual: Record<string, string> | undefined, wanted: Record<string, string>) =>
  Object.entries(wanted).every(([k, v]) => actual?.[k] === v);

export function parseScrape(text: string): Scrape {
  const families = parsePrometheusTextFormat(text);
  // The parser folds all series of a labelled histogram into one (it keeps only the buckets), so
  // histograms are read a second time as plain samples, `<name>_count{labels}`: one family per run
  // of lines, as each series' buckets, sum and count follow each other.
  const plain = parsePrometheusTextFormat(text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped'));
  const samples = (from: ParsedFamily[], name: string, labels: Record<string, string>) =>
    from.filter((f) => f.name === name).flatMap((f) => f.metrics.filter((m) => matches(m.labels, labels)));
  const sum = (list: { value?: string }[]) => list.reduce((total, m) => total + Number(m.value), 0);
  return {
    families,
    value: (name, labels = {}) => sum(samples(families, name, labels)),
    histogramCount: (name, labels = {}) => sum(samples(plain, `${name}_count`, labels)),
    labelSets: (name) => {
      const histogram = families.find((f) => f.name === name)?.type === 'HISTOGRAM';
      return samples(histogram ? plain : families, histogram ? `${name}_count` : name, {}).map(
        (m) => m.labels ?? {},
      );
    },
  };
}

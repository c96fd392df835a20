// A small reader of the Prometheus text format (enough for kube-apiserver's and our /metrics):
// samples as { name, labels, value }, and sums over samples that match a label filter.

export function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.lastIndexOf(' ');
    let name;
    let labels = {};
    if (brace >= 0 && brace < space) {
      name = line.slice(0, brace);
      const close = line.lastIndexOf('}');
      labels = parseLabels(line.slice(brace + 1, close));
    } else {
      name = line.slice(0, line.indexOf(' '));
    }
    const value = Number(line.slice(space + 1));
    samples.push({ name, labels, value });
  }
  return samples;
}

function parseLabels(body) {
  const labels = {};
  const re = /(\w+)="((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(body); m !== null; m = re.exec(body)) labels[m[1]] = m[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
  return labels;
}

/** Sum of the samples called `name` whose labels include every pair of `match`. */
export function sumOf(samples, name, match = {}) {
  let sum = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    if (Object.entries(match).every(([k, v]) => (typeof v === 'function' ? v(s.labels[k]) : s.labels[k] === v))) sum += s.value;
  }
  return sum;
}

/** Sums grouped by the given label names: Map "a|b" → sum. */
export function groupBy(samples, name, labelNames, match = {}) {
  const out = new Map();
  for (const s of samples) {
    if (s.name !== name) continue;
    if (!Object.entries(match).every(([k, v]) => (typeof v === 'function' ? v(s.labels[k]) : s.labels[k] === v))) continue;
    const key = labelNames.map((l) => s.labels[l] ?? '').join('|');
    out.set(key, (out.get(key) ?? 0) + s.value);
  }
  return out;
}

// Where the wasm's bytes go. scripts/build-web.sh keeps the optimised
// build with its name section (target/web/web_bg.opt-names.wasm: the same
// `wasm-opt -Oz` run with `-g`); each function body is classified by its
// name, and each class is gzipped on its own, so the table says how many
// compressed KiB a class costs.
import fs from 'node:fs';
import zlib from 'node:zlib';

function leb(b, i) {
  let r = 0, s = 0, x;
  do { x = b[i++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80);
  return [r, i];
}

/// Function bodies of the code section with their names (name section).
function functions(file) {
  const data = fs.readFileSync(file);
  let i = 8, imports = 0, code = null;
  const names = new Map();
  while (i < data.length) {
    const id = data[i++];
    let size; [size, i] = leb(data, i);
    const end = i + size;
    if (id === 2) {
      let n, j = i; [n, j] = leb(data, j);
      for (let k = 0; k < n; k++) {
        let l; [l, j] = leb(data, j); j += l; [l, j] = leb(data, j); j += l;
        const kind = data[j++];
        if (kind === 0) { [, j] = leb(data, j); imports++; }
        else if (kind === 1) { j++; let fl; [fl, j] = leb(data, j); [, j] = leb(data, j); if (fl & 1) [, j] = leb(data, j); }
        else if (kind === 2) { let fl; [fl, j] = leb(data, j); [, j] = leb(data, j); if (fl & 1) [, j] = leb(data, j); }
        else if (kind === 3) j += 2;
      }
    } else if (id === 10) code = [i, end];
    else if (id === 0) {
      let l, j = i; [l, j] = leb(data, j);
      if (data.subarray(j, j + l).toString() === 'name') {
        j += l;
        while (j < end) {
          const sub = data[j++]; let ss; [ss, j] = leb(data, j); const se = j + ss;
          if (sub === 1) {
            let n, k = j; [n, k] = leb(data, k);
            for (let m = 0; m < n; m++) { let idx, nl; [idx, k] = leb(data, k); [nl, k] = leb(data, k); names.set(idx, data.subarray(k, k + nl).toString()); k += nl; }
          }
          j = se;
        }
      }
    }
    i = end;
  }
  const out = [];
  let n, j = code[0];
  [n, j] = leb(data, j);
  for (let f = 0; f < n; f++) {
    let size; [size, j] = leb(data, j);
    out.push([names.get(imports + f) || '?', data.subarray(j, j + size)]);
    j += size;
  }
  return out;
}

const OURS = ['kubectl', 'apiserver', 'controllers', 'kubelet', 'scheduler', 'world', 'network', 'shell', 'playground', 'apimachinery', 'store', 'client'];

export function classify(name) {
  if (/k8s_openapi/.test(name) && /serde|Deserializ|Serializ|Visitor/.test(name)) return 'Serialize/Deserialize of the API types (k8s-openapi × serde_json)';
  if (/serde_saphyr|granit_parser|annotate_snippets/.test(name)) return 'YAML parser (serde-saphyr, granit-parser, annotate-snippets)';
  if (/serde_json|serde_core|^<?serde::/.test(name)) return 'serde_json + serde (Value, parser, printer)';
  if (/alloc::collections::btree/.test(name)) return 'BTreeMap/BTreeSet, one copy per key/value type';
  if (/core::slice::sort/.test(name)) return 'sorting, one copy per element type';
  if (/k8s_openapi/.test(name)) return 'Clone/Drop/Eq of the API types';
  if (/^<?(jiff|jiff_core)/.test(name)) return 'jiff (timestamps)';
  if (/^<?(yew|web_sys|js_sys|wasm_bindgen|gloo|web::|implicit_clone|tracing|slab|indexmap|hashbrown|prokio)/.test(name)) return 'UI: yew, web-sys, wasm-bindgen, the web crate';
  const m = name.match(/^(?:[<_&\s]|mut |dyn )*([A-Za-z0-9_]+)/);
  const crate = m ? m[1] : '?';
  if (OURS.includes(crate)) return `kubeplay: ${crate}`;
  return 'std and small crates (fmt, Vec, String, iterators, drop glue, …)';
}

/// [[class, raw bytes, gzip bytes]], largest gzip first.
export function wasmBreakdown(file) {
  const groups = new Map();
  for (const [name, body] of functions(file)) {
    const c = classify(name);
    if (!groups.has(c)) groups.set(c, []);
    groups.get(c).push(body);
  }
  const rows = [];
  for (const [c, bodies] of groups) {
    const buf = Buffer.concat(bodies);
    rows.push([c, buf.length, zlib.gzipSync(buf, { level: 9 }).length]);
  }
  return rows.sort((a, b) => b[2] - a[2]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [c, raw, gz] of wasmBreakdown(process.argv[2] || 'target/web/web_bg.opt-names.wasm')) {
    console.log(`| ${c} | ${Math.round(raw / 1024)} | ${Math.round(gz / 1024)} |`);
  }
}

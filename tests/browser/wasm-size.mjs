// Where the wasm's bytes go: function body sizes of the unoptimised build
// (which keeps its name section), grouped by crate. wasm-opt -Oz shrinks
// everything by roughly the same factor, so the shares carry over.
import fs from 'node:fs';

function leb(b, i) {
  let r = 0, s = 0, x;
  do { x = b[i++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80);
  return [r, i];
}

export function crateSizes(file) {
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
  const groups = new Map();
  let total = 0, n, j = code[0];
  [n, j] = leb(data, j);
  for (let f = 0; f < n; f++) {
    let size; [size, j] = leb(data, j); j += size; total += size;
    const name = names.get(imports + f) || '?';
    const m = name.match(/^(?:[<_&\s]|mut |dyn )*([A-Za-z0-9_]+)/);
    const crate = m ? m[1] : '?';
    groups.set(crate, (groups.get(crate) || 0) + size);
  }
  return { total, groups: [...groups.entries()].sort((a, b) => b[1] - a[1]) };
}

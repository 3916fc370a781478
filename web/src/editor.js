// Monaco, bundled separately and imported on first use so the terminal is
// ready before the editor's megabytes load. Only the editor core and the
// YAML tokenizer: validation comes from kubeplay's own API decoder.

import * as monaco from 'monaco-editor/editor/editor.api.js';
import 'monaco-editor/languages/definitions/yaml/register.js';
// The few editor features used: completion, hovers on markers, find,
// comment toggling, folding, bracket matching.
import 'monaco-editor/editor/contrib/suggest/browser/suggestController.js';
import 'monaco-editor/editor/contrib/hover/browser/hoverContribution.js';
import 'monaco-editor/editor/contrib/find/browser/findController.js';
import 'monaco-editor/editor/contrib/comment/browser/comment.js';
import 'monaco-editor/editor/contrib/folding/browser/folding.js';
import 'monaco-editor/editor/contrib/bracketMatching/browser/bracketMatching.js';

self.MonacoEnvironment = {
  getWorker() {
    return new Worker(new URL('./editor.worker.js', import.meta.url), { type: 'module' });
  },
};

export { monaco };

export function createEditor(element, text, theme) {
  return monaco.editor.create(element, {
    value: text,
    language: 'yaml',
    theme,
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: 14,
    tabSize: 2,
    insertSpaces: true,
    scrollBeyondLastLine: false,
  });
}

// ---- field completion ----------------------------------------------------
// The served kinds' field trees (`kubeplay fields`, from the API types):
// objects are structs, a "*" key a map, a one-element array a list.
let fields = null;
const fieldsReady = fetch(new URL('./k8s-fields.json', import.meta.url))
  .then((r) => (r.ok ? r.json() : {}))
  .then((f) => { fields = f; }, () => { fields = {}; });

// Indentation of a line's content, counting "- " list markers as
// indentation; the columns of those markers; the key, if the line has one.
function parseLine(line) {
  let i = 0;
  while (line[i] === ' ') i++;
  const dashes = [];
  while (line.startsWith('- ', i) || line.slice(i) === '-') {
    dashes.push(i);
    i += 2;
    while (line[i] === ' ') i++;
  }
  const rest = line.slice(i);
  const m = rest.match(/^([A-Za-z0-9_./-]+):(\s*(.*))$/);
  return { ci: i, dashes, key: m ? m[1] : null, value: m ? m[3].replace(/\s+#.*$/, '') : rest };
}

// The path of the mapping the cursor's line belongs to, e.g.
// ["spec", "template", "spec", "containers", "[]"].
function pathAt(lines, lineIndex, column) {
  const here = parseLine(lines[lineIndex].slice(0, column));
  let need = here.ci;
  const path = [];
  if (here.dashes.length) { path.unshift('[]'); need = here.dashes[0]; }
  let inElement = here.dashes.length > 0;
  for (let i = lineIndex - 1; i >= 0; i--) {
    const raw = lines[i];
    if (raw.startsWith('---')) break;
    if (!raw.trim() || raw.trim().startsWith('#')) continue;
    const l = parseLine(raw);
    if (!inElement && l.dashes.length && l.ci === need) {
      // A sibling that opened the list element we are in.
      path.unshift('[]');
      need = l.dashes[0];
      inElement = true;
      continue;
    }
    const parent = inElement ? l.ci <= need : l.ci < need;
    if (parent && l.key && l.value === '') {
      path.unshift(l.key);
      need = l.ci;
      inElement = false;
      if (l.dashes.length) { path.unshift('[]'); need = l.dashes[0]; inElement = true; }
    } else if (parent && l.ci < need) {
      return null; // not inside a mapping we know
    }
  }
  return path;
}

function docRange(lines, lineIndex) {
  let start = lineIndex, end = lineIndex;
  while (start > 0 && !lines[start].startsWith('---')) start--;
  while (end < lines.length - 1 && !lines[end + 1].startsWith('---')) end++;
  return lines.slice(start, end + 1);
}

function topValue(doc, key) {
  for (const l of doc) {
    const m = l.match(new RegExp(`^${key}:\\s*(\\S+)`));
    if (m) return m[1].replace(/^["']|["']$/g, '');
  }
  return null;
}

export function completeFields(model, position) {
  if (!fields) return { suggestions: [] };
  const lines = model.getLinesContent();
  const index = position.lineNumber - 1;
  const word = model.getWordUntilPosition(position);
  const before = lines[index].slice(0, word.startColumn - 1);
  if (before.trim() && !/^\s*(- )*$/.test(before)) return { suggestions: [] }; // a value, not a key
  const doc = docRange(lines, index);
  const apiVersion = topValue(doc, 'apiVersion');
  const kind = topValue(doc, 'kind');
  let node = fields[`${apiVersion}/${kind}`] || { apiVersion: 'string', kind: 'string', metadata: {} };
  const path = pathAt(lines, index, word.startColumn - 1);
  if (!path) return { suggestions: [] };
  for (const step of path) {
    if (node === undefined || node === null) return { suggestions: [] };
    node = step === '[]' ? (Array.isArray(node) ? node[0] : undefined) : (node[step] !== undefined ? node[step] : node['*']);
  }
  if (!node || typeof node !== 'object' || Array.isArray(node)) return { suggestions: [] };
  const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn };
  const suggestions = Object.keys(node).filter((k) => k !== '*').map((k) => {
    const t = node[k];
    const detail = Array.isArray(t) ? 'list' : typeof t === 'object' ? 'object' : t;
    return { label: k, kind: monaco.languages.CompletionItemKind.Field, detail, insertText: typeof t === 'object' ? `${k}:` : `${k}: `, range };
  });
  return { suggestions };
}

monaco.languages.registerCompletionItemProvider('yaml', {
  provideCompletionItems: (model, position) => fieldsReady.then(() => completeFields(model, position)),
});

// The one JS module kubeplay's Rust code talks to (through the `web`
// crate's `js` module). It wraps xterm.js and, loaded lazily, Monaco, in a
// handful of functions that take and return plain strings and numbers.
// Nothing here knows about Kubernetes; no user text is ever put into HTML.

import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';

const THEMES = {
  dark: { background: '#101418', foreground: '#d8dee9', cursor: '#d8dee9', selectionBackground: '#3b4252' },
  light: { background: '#fbfbfb', foreground: '#1f2328', cursor: '#1f2328', selectionBackground: '#c8d1dc' },
};

let term = null;
let fit = null;

// Mounts the terminal in `element`. `onData(string)` receives keys (and
// pastes); `onResize(cols)` the width after every fit.
export function createTerminal(element, onData, onResize, theme) {
  term = new Terminal({
    convertEol: true,
    cursorBlink: true,
    fontFamily: '"DejaVu Sans Mono", "Noto Sans Mono CJK KR", "Noto Sans Mono", monospace',
    fontSize: 14,
    scrollback: 5000,
    theme: THEMES[theme] || THEMES.dark,
  });
  fit = new FitAddon();
  term.loadAddon(fit);
  term.open(element);
  term.onData(onData);
  term.onResize(({ cols }) => onResize(cols));
  // Copy with Ctrl+Shift+C, as terminal emulators do; Ctrl+C stays SIGINT.
  term.attachCustomKeyEventHandler((e) => {
    if (e.type === 'keydown' && e.ctrlKey && e.shiftKey && e.code === 'KeyC') {
      const text = term.getSelection();
      if (text && navigator.clipboard) navigator.clipboard.writeText(text);
      return false;
    }
    return true;
  });
  new ResizeObserver(() => fitTerminal()).observe(element);
  fitTerminal();
  onResize(term.cols);
  term.focus();
}

export function fitTerminal() {
  if (fit && term && term.element && term.element.offsetParent !== null) {
    try { fit.fit(); } catch (_) { /* hidden pane */ }
  }
}

export function terminalWrite(text) {
  if (term) term.write(text);
}

// The terminal's text, wrapped lines joined (for tests and copy-all).
export function terminalText() {
  if (!term) return '';
  const buf = term.buffer.active;
  const lines = [];
  for (let i = 0; i < buf.length; i++) {
    const line = buf.getLine(i);
    const text = line.translateToString(true);
    if (line.isWrapped && lines.length) lines[lines.length - 1] += text;
    else lines.push(text);
  }
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}

export function terminalFocus() {
  if (term) term.focus();
}

export function terminalTheme(theme) {
  if (term) term.options.theme = THEMES[theme] || THEMES.dark;
}

// ---- editor (Monaco, loaded on first use) --------------------------------

let monaco = null;
let editor = null;
let loading = null;

// Loads Monaco and mounts an editor in `element`. `onChange(text)` after
// each edit, `onApply()` on Ctrl+Enter. Resolves when ready.
export function loadEditor(element, text, theme, onChange, onApply) {
  if (loading) return loading;
  // Monaco's stylesheet comes with it, not with the page.
  const css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = new URL('./editor.css', import.meta.url).href;
  document.head.appendChild(css);
  // A computed URL: the bundler leaves Monaco out of this file.
  const editorModule = new URL('./editor.js', import.meta.url).href;
  loading = import(editorModule).then((m) => {
    monaco = m.monaco;
    editor = m.createEditor(element, text, theme === 'light' ? 'vs' : 'vs-dark');
    editor.onDidChangeModelContent(() => onChange(editor.getValue()));
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => onApply());
    return true;
  });
  return loading;
}

export function editorReady() {
  return editor !== null;
}

export function editorSetText(text) {
  if (editor && editor.getValue() !== text) editor.setValue(text);
}

export function editorGetText() {
  return editor ? editor.getValue() : '';
}

export function editorTheme(theme) {
  if (monaco) monaco.editor.setTheme(theme === 'light' ? 'vs' : 'vs-dark');
}

// Markers from the Rust side: parallel arrays of 1-based lines and
// messages (plain text; Monaco renders it as text).
export function editorSetMarkers(lines, messages) {
  if (!editor) return;
  const model = editor.getModel();
  const markers = [];
  for (let i = 0; i < lines.length; i++) {
    const line = Math.min(Math.max(1, lines[i]), model.getLineCount());
    markers.push({
      severity: monaco.MarkerSeverity.Error,
      message: messages[i],
      startLineNumber: line,
      startColumn: model.getLineFirstNonWhitespaceColumn(line) || 1,
      endLineNumber: line,
      endColumn: model.getLineMaxColumn(line),
    });
  }
  monaco.editor.setModelMarkers(model, 'kubeplay', markers);
}

export function editorLayout() {
  if (editor) editor.layout();
}

// ---- small browser services ----------------------------------------------

export function copyText(text) {
  if (navigator.clipboard) return navigator.clipboard.writeText(text).then(() => true, () => false);
  return Promise.resolve(false);
}

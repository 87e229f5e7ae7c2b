/**
 * The report viewer page: the PDF.js viewer components (from the `pdfjs-dist` package) showing the
 * PDF at `window.PDF_URL`.
 */

/** The viewer's assets, relative to `/v1/xealth/report/`, and where each lives in `pdfjs-dist`. */
export const VIEWER_ASSETS: Readonly<Record<string, string>> = {
  'build/pdf.mjs': 'build/pdf.mjs',
  'build/pdf.worker.mjs': 'build/pdf.worker.mjs',
  'web/pdf_viewer.mjs': 'web/pdf_viewer.mjs',
  'web/pdf_viewer.css': 'web/pdf_viewer.css',
};

const JS_STRING_ESCAPES: Readonly<Record<string, string>> = {
  '\0': '\\u0000',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\u000b',
  '\f': '\\f',
  '\r': '\\r',
  '"': '\\u0022',
  '&': '\\u0026',
  "'": '\\u0027',
  '+': '\\u002b',
  '/': '\\/',
  '<': '\\u003c',
  '>': '\\u003e',
  '\\': '\\\\',
  '`': '\\u0060',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * A value escaped for a JavaScript string inside an HTML `<script>` block, as Go's html/template
 * escapes it (`/` → `\/`, `&` → `\u0026`, `+` → `\u002b`, quotes and angle brackets as `\u00XX`,
 * other control characters as `\u00XX`), so it can close neither the string nor the script.
 */
export function escapeJsString(value: string): string {
  let escaped = '';
  for (const char of value) {
    const replacement = JS_STRING_ESCAPES[char];
    if (replacement !== undefined) escaped += replacement;
    else if (char < ' ' || char === '\u007f') escaped += `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else escaped += char;
  }
  return escaped;
}

/** The viewer page for the PDF at `pdfUrl`; asset URLs are relative to the page (`…/report/web/`). */
export function renderViewerPage(pdfUrl: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tidepool Report</title>
<link rel="stylesheet" href="pdf_viewer.css">
<style>
  html, body { margin: 0; height: 100%; background: #525659; }
  #viewerContainer { position: absolute; inset: 0; overflow: auto; }
  #error { display: none; color: #fff; font-family: sans-serif; padding: 2em; }
</style>
<script>
  window.PDF_URL = "${escapeJsString(pdfUrl)}";
</script>
</head>
<body>
<div id="error">The report could not be loaded.</div>
<div id="viewerContainer"><div id="viewer" class="pdfViewer"></div></div>
<script type="module">
  import * as pdfjsLib from "../build/pdf.mjs";
  import { EventBus, PDFLinkService, PDFViewer } from "./pdf_viewer.mjs";

  pdfjsLib.GlobalWorkerOptions.workerSrc = "../build/pdf.worker.mjs";
  const container = document.getElementById("viewerContainer");
  const eventBus = new EventBus();
  const linkService = new PDFLinkService({ eventBus });
  const viewer = new PDFViewer({ container, eventBus, linkService });
  linkService.setViewer(viewer);
  eventBus.on("pagesinit", () => { viewer.currentScaleValue = "page-width"; });
  pdfjsLib.getDocument({ url: window.PDF_URL, withCredentials: true }).promise.then(
    (pdf) => { viewer.setDocument(pdf); linkService.setDocument(pdf, null); },
    () => { document.getElementById("error").style.display = "block"; },
  );
</script>
</body>
</html>
`;
}

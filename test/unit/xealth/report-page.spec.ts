import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { escapeJsString, renderViewerPage, VIEWER_ASSETS } from '../../../src/modules/xealth/report/report-page';
import { pdfjsDistFolder } from '../../../src/modules/xealth/report/xealth-report.service';

describe('report viewer page', () => {
  it('should escape for a JavaScript string as Go html/template does', () => {
    expect(escapeJsString('https://a.example/x?b=1&c=d+e')).toBe('https:\\/\\/a.example\\/x?b=1\\u0026c=d\\u002be');
    expect(escapeJsString(`"'<>\\\`\n\r\t`)).toBe('\\u0022\\u0027\\u003c\\u003e\\\\\\u0060\\n\\r\\t');
    expect(escapeJsString('\u0001\u2028')).toBe('\\u0001\\u2028');
  });

  it('should place the escaped URL in window.PDF_URL so that it cannot close the script', () => {
    const page = renderViewerPage('https://x.example/</script><script>alert(1)</script>');
    expect(page).toContain(
      'window.PDF_URL = "https:\\/\\/x.example\\/\\u003c\\/script\\u003e\\u003cscript\\u003ealert(1)\\u003c\\/script\\u003e";',
    );
    expect(page.match(/<\/script>/g)).toHaveLength(2);
  });

  it('should reference only the assets that are served', () => {
    const page = renderViewerPage('https://x.example/report');
    const referenced = [...page.matchAll(/(?:href=|from |workerSrc = )"([^"]+)"/g)].map((match) =>
      new URL(match[1], 'https://h/v1/xealth/report/web/viewer.html').pathname.replace('/v1/xealth/report/', ''),
    );
    expect(referenced.sort()).toEqual(Object.keys(VIEWER_ASSETS).sort());
  });
});

describe('the installed pdfjs-dist package', () => {
  it('should hold every file the viewer page serves', () => {
    const folder = pdfjsDistFolder();
    expect(folder).toBeDefined();
    for (const file of Object.values(VIEWER_ASSETS)) {
      expect(existsSync(join(folder!, file))).toBe(true);
    }
  });
});

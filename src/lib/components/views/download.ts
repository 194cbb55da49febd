// Saving a file from the page: a Blob, an object URL and a click on an <a download>
// (no inline script, no data: navigation, so it works under the page's CSP).

/** Browsers read the blob after the click returns (Firefox and Safari later than Chrome): keep the URL this long. */
const REVOKE_AFTER_MS = 60_000;

export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}

// Runs once as the app starts, before the first page hydrates.
import { base } from '$app/paths';
import { startExplorerClient } from '$lib/components/explorer/inference';
import { oldLoadPath } from '$lib/load-path';

export function init(): void {
  // The explorer (the app's front page) starts its model worker before its page has mounted
  // (?load=old: after, as before issue 18).
  if (oldLoadPath()) return;
  if (location.pathname === `${base}/` || location.pathname === base) startExplorerClient(base);
}

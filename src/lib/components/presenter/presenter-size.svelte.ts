// The presenter layout's two settings, kept in the link's query (?present&size=1.5) so a
// teacher's prepared link opens the same way on the projector: whether the explorer shows one
// large view under a slim bar, and how large the type and the view are drawn.

export const SIZE_STEPS = [1, 1.25, 1.5, 1.75, 2] as const;

function readQuery(): URLSearchParams {
  return new URLSearchParams(typeof location === 'undefined' ? '' : location.search);
}

function writeQuery(change: (p: URLSearchParams) => void): void {
  const url = new URL(location.href);
  change(url.searchParams);
  // `present` is a flag: written bare, as typed.
  history.replaceState(history.state, '', `${url.pathname}${url.search.replace(/present=(&|$)/, 'present$1')}${url.hash}`);
}

class PresenterSize {
  value = $state(1);
  init(): void {
    const v = Number(readQuery().get('size'));
    this.value = (SIZE_STEPS as readonly number[]).includes(v) ? v : 1;
  }
  set(v: number): void {
    this.value = (SIZE_STEPS as readonly number[]).includes(v) ? v : 1;
    writeQuery((p) => (this.value === 1 ? p.delete('size') : p.set('size', String(this.value))));
  }
}

class PresenterMode {
  on = $state(false);
  init(): void {
    this.on = readQuery().has('present');
  }
  set(on: boolean): void {
    this.on = on;
    writeQuery((p) => (on ? p.set('present', '') : p.delete('present')));
  }
}

export const presenterSize = new PresenterSize();
export const presenterMode = new PresenterMode();

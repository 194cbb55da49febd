// A tooltip that only ever holds text (lines set with textContent, never HTML).

import { el } from './canvas';

export class Tooltip {
  readonly node: HTMLDivElement;
  constructor(parent: HTMLElement) {
    this.node = el('div', 'atlas-tooltip', parent);
    this.node.setAttribute('role', 'tooltip');
    this.node.hidden = true;
  }

  /** Shows `lines` near (x, y) in the parent's coordinates, kept inside `bounds` width. */
  show(lines: string[], x: number, y: number, boundsWidth: number): void {
    const n = this.node;
    n.replaceChildren(
      ...lines.map((line) => {
        const d = document.createElement('div');
        d.textContent = line;
        return d;
      }),
    );
    n.hidden = false;
    const w = n.offsetWidth;
    n.style.left = `${Math.max(0, Math.min(x + 14, boundsWidth - w - 4))}px`;
    n.style.top = `${y + 16}px`;
  }

  hide(): void {
    this.node.hidden = true;
  }
}

// Drag a zoomed figure to pan it (as maps do). A drag longer than a few pixels is a pan, and the
// click that ends it is swallowed, so panning never selects the cell under the pointer.

const DRAG_PX = 4;

export function dragToPan(node: HTMLElement, enabled: boolean) {
  let on = enabled;
  let start: { x: number; y: number; left: number; top: number } | null = null;
  let dragged = false;
  const down = (e: PointerEvent) => {
    if (!on || e.button !== 0) return;
    start = { x: e.clientX, y: e.clientY, left: node.scrollLeft, top: node.scrollTop };
    dragged = false;
  };
  const move = (e: PointerEvent) => {
    if (!start) return;
    const dx = e.clientX - start.x;
    const dy = e.clientY - start.y;
    if (!dragged && Math.hypot(dx, dy) < DRAG_PX) return;
    dragged = true;
    node.scrollLeft = start.left - dx;
    node.scrollTop = start.top - dy;
  };
  const up = () => (start = null);
  const click = (e: MouseEvent) => {
    if (dragged) {
      e.stopPropagation();
      e.preventDefault();
      dragged = false;
    }
  };
  node.addEventListener('pointerdown', down);
  window.addEventListener('pointermove', move);
  window.addEventListener('pointerup', up);
  node.addEventListener('click', click, true);
  return {
    update(next: boolean) {
      on = next;
    },
    destroy() {
      node.removeEventListener('pointerdown', down);
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      node.removeEventListener('click', click, true);
    },
  };
}

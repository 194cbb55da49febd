// Runs `f` after the browser has painted the current frame (a frame callback, then a task):
// work that can wait does not hold back the first picture. Returns a cancel function.
export function afterPaint(f: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const frame = requestAnimationFrame(() => (timer = setTimeout(f)));
  return () => {
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
}

/** Formats a number as Python's repr of a float (0.1, 1.0, 1e-05). */
export function pyFloat(n: number): string {
  if (Number.isInteger(n)) return n.toFixed(1);
  if (Math.abs(n) < 1e-4) return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(n);
}

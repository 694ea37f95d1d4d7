/**
 * The k-th smallest value of `a[from..to)` (0-based k, counted from the start of `a`), reordering that
 * range in place: Hoare's selection with a middle pivot, equal to the sorted range's value at k without
 * sorting. Thumbnail windows (percentiles) and tract length medians use it.
 */
export function nthSmallest(a: Float32Array | Float64Array, k: number, from = 0, to = a.length): number {
  let lo = from;
  let hi = to - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1] ?? 0;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] ?? 0) < pivot) i++;
      while ((a[j] ?? 0) > pivot) j--;
      if (i <= j) {
        const t = a[i] ?? 0;
        a[i++] = a[j] ?? 0;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k] ?? NaN;
}

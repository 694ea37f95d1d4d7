import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

/** Rows drawn beyond the visible ones on each side, so a fast scroll does not show blanks. */
const OVERSCAN_ROWS = 6;

export interface VirtualRowsProps {
  /** How many rows there are in all (only the visible ones are in the DOM). */
  readonly count: number;
  /** Every row has this height in pixels (the CSS must agree). */
  readonly rowHeight: number;
  /** Draws row `index`; called only for rows in view. */
  readonly renderRow: (index: number) => ReactNode;
  /** Told the visible range [start, end) whenever it changes, e.g. to load those rows' page. */
  readonly onRange?: (start: number, end: number) => void;
  readonly className?: string;
  readonly label?: string;
}

/**
 * A windowed list: a scroll box with a spacer as tall as all rows and, inside it, only the rows in view
 * (plus {@link OVERSCAN_ROWS}) positioned absolutely. 10,000 rows cost as much as forty. The box takes
 * its height from the CSS (a flex child); a ResizeObserver follows it.
 */
export function VirtualRows({ count, rowHeight, renderRow, onRange, className, label }: VirtualRowsProps) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(0);

  useLayoutEffect(() => {
    const element = box.current;
    if (element === null) return;
    setHeight(element.clientHeight);
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // A shorter list (a new filter) must not leave the box scrolled past its end.
  useEffect(() => {
    const element = box.current;
    if (element !== null && element.scrollTop > count * rowHeight) {
      element.scrollTop = 0;
      setScrollTop(0);
    }
  }, [count, rowHeight]);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN_ROWS);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN_ROWS);
  useEffect(() => onRange?.(first, last), [first, last, onRange]);

  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div
        key={i}
        className="vrow"
        role="row"
        aria-rowindex={i + 1}
        style={{ transform: `translateY(${i * rowHeight}px)`, height: rowHeight }}
      >
        {renderRow(i)}
      </div>,
    );
  }
  return (
    <div
      ref={box}
      className={`vrows ${className ?? ''}`}
      role="rowgroup"
      aria-label={label}
      aria-rowcount={count}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      <div className="vrows-spacer" style={{ height: count * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}

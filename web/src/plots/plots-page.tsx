/** Plots of what the jobs computed (filled in below). */
export function PlotsPage() {
  return <div className="plots-page" />;
}

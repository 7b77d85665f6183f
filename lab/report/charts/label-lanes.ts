/** A label placed in pixels: `lane` 0 is the row nearest the plot. */
export interface PlacedLabel {
  text: string;
  xPx: number;
  lane: number;
}

/** Average advance of one character at the 10 px sans-serif the labels use, rounded up. */
export const LABEL_CHAR_PX = 6;
const GAP_PX = 8;

/** Estimated width of a label in pixels (SVG is rendered without a font to measure with). */
export function labelWidthPx(text: string): number {
  return text.length * LABEL_CHAR_PX;
}

/**
 * Places labels that want to start at `xPx` along a strip `widthPx` wide so none overlaps another
 * or runs past the right edge: a label too long for the strip is shortened with an ellipsis, one
 * that would run past the edge is moved left, and one that would touch an earlier label goes to
 * the next lane. Pure; labels are placed left to right.
 */
export function layoutLabels(
  labels: readonly { text: string; xPx: number }[],
  widthPx: number,
): PlacedLabel[] {
  const laneEnds: number[] = [];
  const maxChars = Math.floor(widthPx / LABEL_CHAR_PX);
  return [...labels]
    .sort((a, b) => a.xPx - b.xPx)
    .map((label) => {
      const text = label.text.length > maxChars ? `${label.text.slice(0, maxChars - 1)}…` : label.text;
      const xPx = Math.max(0, Math.min(label.xPx, widthPx - labelWidthPx(text)));
      let lane = laneEnds.findIndex((end) => end + GAP_PX <= xPx);
      if (lane === -1) lane = laneEnds.length;
      laneEnds[lane] = xPx + labelWidthPx(text);
      return { text, xPx, lane };
    });
}
